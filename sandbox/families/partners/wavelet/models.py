"""Wavelet (Wyverple integrated quotes, partners.md G2 #23): prices of one or several
KOSPI/KOSDAQ issues over any interval, read from the market simulator so that they equal the
market REST answers (``/v2/market/stocks/.../history`` and ``.../intraday``).

Rules of the emulator (PROPOSED payload):

* ``issuecode``: a 6-character code or a comma list of at most 20 (duplicates dropped); each
  must be a KOSPI or KOSDAQ stock, ETF or ETN of the universe, else 400 naming ``issuecode``.
* ``interval``: a number and a unit, ``m`` minutes (1-1440), ``h`` hours (1-24), ``d``
  trading days, ``w`` ISO weeks, ``M`` months, ``y`` years; default ``1d``; else 400 naming
  ``interval``.
* ``from``/``to`` (``YYYYMMDD``, inclusive). Defaults: ``to`` = the clock's day; ``from`` = 3
  months before ``to`` for days, 1 year for weeks, 5 years for months, 20 years for years,
  ``to`` itself for minutes and hours. A bad date (not a calendar day of 1900-2999) or
  ``from`` after ``to`` → 400 naming it.
  Nothing is published after the clock (today's running bar is included once the day has
  traded, as in the market history); the price model starts in 2000.
* **Daily and longer** intervals aggregate the market's daily bars: ``Nd`` groups N trading
  days from the first of the range; ``w``/``M``/``y`` group whole calendar periods (the first
  period includes its days before ``from``, as the market's weekly and monthly history
  does; a first period whose trading days all precede ``from`` is left out, as there), N
  periods per point. A point is dated with its last trading day (``BzDd``).
* **Intraday** intervals (``m``, ``h``) aggregate the market's 1-minute bars of each trading
  day (after-hours single-price matches included) in buckets of N minutes counted from 09:00;
  ``time`` is the bucket's start (``HHMM``). Intraday data are kept for the 30 days before the
  clock and at most 5 trading days per request, else 400 naming ``from``.
* At most 2,000 points per issue: the most recent ones are kept. A request reads at most
  20,000 daily bars (issues x trading days of the periods it covers: one issue over the
  whole calendar, or 20 issues over about 4 years), else 400 naming ``from``.
* ``price`` is the OHLCV over all the points (open of the first, close of the last, extremes,
  total volume); ``info``: par value, paid-in capital, and PER/PBR at the last close with the
  annual settlement published on the last point's day (null without points).
* ``found`` is true when at least one issue has a point.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.errors import PartnerError
from sandbox.families.partners.params import yyyymmdd
from sandbox.world.market import calendar as cal
from sandbox.world.market.instruments import ETF, ETN, STOCK, Instrument
from sandbox.world.market.reference import fundamentals, reference
from sandbox.world.world import World

FAMILY = "wavelet"
MAX_CODES = 20
MAX_POINTS = 2000
MAX_ISSUE_DAYS = 20_000  # daily bars read per request (issues x trading days)
INTRADAY_DAYS = 30
MAX_INTRADAY_TRADING_DAYS = 5
KINDS = (STOCK, ETF, ETN)
MARKETS = ("kospi", "kosdaq")
INTERVAL = re.compile(r"^([1-9][0-9]{0,3})([mhdwMy])$")
MAX_MULTIPLE = {"m": 1440, "h": 24}
DEFAULT_SPAN = {"d": 91, "w": 366, "M": 5 * 366, "y": 20 * 366}
SESSION_START = 9 * 60  # minutes after midnight where intraday buckets are counted from


@dataclass(frozen=True)
class Point:
    """One aggregated bar: ``day`` is its last trading day, ``minute`` its start (intraday)."""

    day: date
    minute: int | None
    open: int
    high: int
    low: int
    close: int
    volume: int

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"date": f"{self.day:%Y%m%d}"}
        if self.minute is not None:
            out["time"] = f"{self.minute // 60:02d}{self.minute % 60:02d}"
        out.update(open=self.open, high=self.high, low=self.low, close=self.close,
                   volume=self.volume)
        return out


def merge(group: Sequence[Any], day: date, minute: int | None = None) -> Point:
    """One point out of consecutive bars (oldest first)."""
    return Point(day, minute, int(group[0].open), int(max(b.high for b in group)),
                 int(min(b.low for b in group)), int(group[-1].close),
                 sum(int(b.volume) for b in group))


# ------------------------------------------------------------------------------ parameters
def _error(parameter: str, reason: str) -> PartnerError:
    return PartnerError(FAMILY, parameter, reason)


def instruments(world: World, issuecode: str) -> list[Instrument]:
    codes = list(dict.fromkeys(c.strip() for c in issuecode.split(",")))
    if not codes or len(codes) > MAX_CODES:
        raise _error("issuecode", f"1 to {MAX_CODES} codes")
    found = []
    for code in codes:
        inst = world.universe.get(code) if len(code) == 6 and code.isalnum() else None
        if inst is None or inst.kind not in KINDS or inst.market not in MARKETS:
            raise _error("issuecode", f"{code[:12]} is not a KOSPI/KOSDAQ issue")
        found.append(inst)
    return found


def interval_of(params: Mapping[str, Any]) -> tuple[int, str]:
    text = str(params.get("interval", "1d"))
    match = INTERVAL.match(text)
    if match is None:
        raise _error("interval", "a number and m, h, d, w, M or y")
    count, unit = int(match.group(1)), match.group(2)
    if count > MAX_MULTIPLE.get(unit, count):
        raise _error("interval", f"at most {MAX_MULTIPLE[unit]}{unit}")
    return count, unit


def period(params: Mapping[str, Any], unit: str, today: date) -> tuple[date, date]:
    end = yyyymmdd(FAMILY, params, "to") or today
    start = yyyymmdd(FAMILY, params, "from")
    if start is None:
        start = end - timedelta(days=DEFAULT_SPAN.get(unit, 0))
    if start > end:
        raise _error("from", "after to")
    return start, end


def _span(start: date, end: date) -> tuple[date, date] | None:
    """[start, end] within the market calendar, or None when nothing is left."""
    first, last = max(start, date(cal.FIRST_YEAR, 1, 1)), min(end, date(cal.LAST_YEAR, 12, 31))
    return (first, last) if first <= last else None


# ---------------------------------------------------------------------------------- points
def period_key(d: date, unit: str) -> tuple[int, int]:
    if unit == "w":
        iso = d.isocalendar()
        return iso[0], iso[1]
    if unit == "M":
        return d.year, d.month
    return d.year, 0


def _period_start(d: date, unit: str) -> date:
    if unit == "w":
        return d - timedelta(days=d.weekday())
    if unit == "M":
        return d.replace(day=1)
    if unit == "y":
        return d.replace(month=1, day=1)
    return d


def _groups(items: Iterable[Any], key: Any) -> list[list[Any]]:
    groups: list[list[Any]] = []
    last: object = object()
    for item in items:
        k = key(item)
        if k != last:
            groups.append([])
            last = k
        groups[-1].append(item)
    return groups


def daily_span(count: int, unit: str, start: date, end: date) -> tuple[date, date] | None:
    """The days whose bars make the points: whole periods for w/M/y; for ``Nd`` only the
    chunks of N trading days (counted from ``start``) that the point cap keeps."""
    span = _span(_period_start(start, unit), end)
    if span is None or unit != "d":
        return span
    n0, n1 = cal.index_on_or_after(span[0]), cal.index_on_or_before(span[1])
    if n1 < n0:
        return None
    chunks = -(-(n1 - n0 + 1) // count)
    skip = max(0, chunks - MAX_POINTS)
    return cal.day_at(n0 + skip * count), span[1]


def trading_day_count(span: tuple[date, date] | None) -> int:
    if span is None:
        return 0
    return max(0, cal.index_on_or_before(span[1]) - cal.index_on_or_after(span[0]) + 1)


def daily_points(world: World, inst: Instrument, count: int, unit: str, start: date,
                 end: date, now: datetime) -> list[Point]:
    span = daily_span(count, unit, start, end)
    if span is None:
        return []
    bars = list(reversed(world.base_market.history(inst, span[0], span[1], "D", at=now)))
    if unit == "d":
        chunks = [bars[i:i + count] for i in range(0, len(bars), count)]
    else:
        periods = _groups(bars, lambda b: period_key(b.day, unit))
        while periods and periods[0][-1].day < start:  # a first period all before ``from``
            periods.pop(0)
        chunks = [[b for p in periods[i:i + count] for b in p]
                  for i in range(0, len(periods), count)]
    return [merge(chunk, chunk[-1].day) for chunk in chunks if chunk]


def _minute_of(hhmmsscc: int) -> int:
    """The start minute of a 1-minute bar labelled with its end (or its last trade)."""
    hh, rest = divmod(hhmmsscc, 1_000_000)
    mm, rest = divmod(rest, 10_000)
    minute = hh * 60 + mm
    return minute - 1 if rest == 0 else minute


def intraday_points(world: World, inst: Instrument, minutes: int, start: date, end: date,
                    now: datetime) -> list[Point]:
    today = now.date()
    if start < today - timedelta(days=INTRADAY_DAYS):
        raise _error("from", f"intraday data cover the last {INTRADAY_DAYS} days")
    span = _span(start, min(end, today))
    days = cal.trading_days(*span) if span is not None else []
    if len(days) > MAX_INTRADAY_TRADING_DAYS:
        raise _error("from", f"at most {MAX_INTRADAY_TRADING_DAYS} trading days intraday")
    points: list[Point] = []
    for day in days:
        bars = list(reversed(world.base_market.intraday_bars(inst, day, 60, at=now, limit=10_000)))

        def bucket(bar: Any) -> int:
            return (_minute_of(bar.time) - SESSION_START) // minutes

        for group in _groups(bars, bucket):
            b = bucket(group[0])
            points.append(merge(group, day, SESSION_START + b * minutes))
    return points


# ---------------------------------------------------------------------------------- answer
def stock(world: World, inst: Instrument, interval: str, count: int, unit: str, start: date,
          end: date, now: datetime) -> dict[str, Any]:
    if unit in ("m", "h"):
        points = intraday_points(world, inst, count * (60 if unit == "h" else 1), start, end,
                                 now)
    else:
        points = daily_points(world, inst, count, unit, start, end, now)
    points = points[-MAX_POINTS:]
    per: float | None = None
    pbr: float | None = None
    price: dict[str, int | None] = dict.fromkeys(("open", "high", "low", "close", "volume"))
    if points:
        last = points[-1]
        per, pbr, _ = fundamentals(world.base_market, inst, last.day).ratios(last.close)
        whole = merge(points, last.day)
        price = {"open": whole.open, "high": whole.high, "low": whole.low,
                 "close": whole.close, "volume": whole.volume}
    return {
        "symbol": inst.code, "market": inst.market.upper(), "name_ko": inst.name,
        "name_en": inst.name_en, "interval": interval, "from": f"{start:%Y%m%d}",
        "to": f"{end:%Y%m%d}",
        "info": {"par_value": inst.par_value, "capital": reference(world.seed, inst).capital,
                 "per": per, "pbr": pbr},
        "price": price, "points": [p.payload() for p in points],
    }


def prices(world: World, issuecode: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /v1/wavelet/prices/{issuecode}``."""
    insts = instruments(world, issuecode)
    count, unit = interval_of(params)
    now = cal.kst(world.now())
    start, end = period(params, unit, now.date())
    interval = f"{count}{unit}"
    if unit not in ("m", "h"):
        work = len(insts) * trading_day_count(daily_span(count, unit, start, end))
        if work > MAX_ISSUE_DAYS:
            raise _error("from", f"more than {MAX_ISSUE_DAYS} issue-days of daily bars")
    data = [stock(world, inst, interval, count, unit, start, end, now) for inst in insts]
    return {"found": any(s["points"] for s in data), "data": data}
