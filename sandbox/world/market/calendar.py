"""The KRX calendar: trading days, special days and the session clock of a day.

Trading days come from the maintained ``holidays`` library's KRX financial calendar
(``holidays.financial_holidays("XKRX")``, pinned at 0.109): weekends, public holidays,
1 May (Labour Day) and the year-end closing day (31 December, or the last business day
before it when it falls on a weekend) are closed. The library's calendar covers 2000-2060;
this module supports that span and raises :class:`CalendarError` outside it.

Special days (README §8.1, krx_market_rules.json):

* the first trading day of a year opens one hour late (10:00), the close is unchanged;
* the college-entrance-exam day (수능, mid-November, table below) shifts the stock and
  derivatives sessions one hour later; the after-hours session still ends at 18:00.

Times of day are **centiseconds since midnight KST** (``int``): the resolution of the
platform's ``HHMMSSmm`` fields. :func:`hhmmsscc` turns them into those numbers.

Sessions (stocks since 2016-08-01): pre-open call auction 08:30-09:00, continuous trading
09:00-15:20, closing call auction 15:20-15:30 (single match at 15:30), post-close
closing-price trading 15:40-16:00, after-hours single-price auctions 16:00-18:00 matched every
10 minutes. Derivatives (2018): opening auction from 08:30, continuous 09:00-15:35, closing
auction 15:35-15:45; a contract on its last trading day closes at 15:20 (auction from
15:10). The night session is not modelled. Emulator simplification: the pre-market
closing-price session (08:30-08:40) and block trades are not modelled.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

import holidays

KST = timezone(timedelta(hours=9), "KST")

FIRST_YEAR = 2000
LAST_YEAR = 2060

CS_SECOND = 100
CS_MINUTE = 60 * CS_SECOND
CS_HOUR = 60 * CS_MINUTE
CS_DAY = 24 * CS_HOUR

# trdTm signal values (codes.md §6.5), emitted at the current session times (README §8.1)
TRDTM_NONE = 0
SIGNAL_REGULAR_CLOSED = 31000000
SIGNAL_POST_CLOSE_CLOSED = 41000000
SIGNAL_AFTER_HOURS_CLOSED = 81000000

# session phases
CLOSED = "closed"
PRE_OPEN_AUCTION = "pre_open_auction"
CONTINUOUS = "continuous"
CLOSING_AUCTION = "closing_auction"
POST_CLOSE = "post_close"  # closing-price trading 15:40-16:00
AFTER_HOURS = "after_hours"  # single-price auctions 16:00-18:00
PHASES = (CLOSED, PRE_OPEN_AUCTION, CONTINUOUS, CLOSING_AUCTION, POST_CLOSE, AFTER_HOURS)

# product families of the session clock
STOCK_SESSIONS = "stock"
DERIVATIVE_SESSIONS = "derivative"

# College Scholastic Ability Test days (KRX shifts the sessions by one hour). 2017 was
# postponed by a week after the Pohang earthquake; 2020 moved to December (COVID-19).
# Years not listed use the third Thursday of November.
CSAT_DAYS = {
    2000: date(2000, 11, 15),
    2001: date(2001, 11, 7),
    2002: date(2002, 11, 6),
    2003: date(2003, 11, 5),
    2004: date(2004, 11, 17),
    2005: date(2005, 11, 23),
    2006: date(2006, 11, 16),
    2007: date(2007, 11, 15),
    2008: date(2008, 11, 13),
    2009: date(2009, 11, 12),
    2010: date(2010, 11, 18),
    2011: date(2011, 11, 10),
    2012: date(2012, 11, 8),
    2013: date(2013, 11, 7),
    2014: date(2014, 11, 13),
    2015: date(2015, 11, 12),
    2016: date(2016, 11, 17),
    2017: date(2017, 11, 23),
    2018: date(2018, 11, 15),
    2019: date(2019, 11, 14),
    2020: date(2020, 12, 3),
    2021: date(2021, 11, 18),
    2022: date(2022, 11, 17),
    2023: date(2023, 11, 16),
    2024: date(2024, 11, 14),
    2025: date(2025, 11, 13),
    2026: date(2026, 11, 19),
}


class CalendarError(ValueError):
    """A date outside the calendar's span."""


class _Days:
    """All trading days of the supported span, built once per process on first use."""

    def __init__(self) -> None:
        closed = holidays.financial_holidays("XKRX", years=range(FIRST_YEAR, LAST_YEAR + 1))
        days: list[date] = []
        d = date(FIRST_YEAR, 1, 1)
        end = date(LAST_YEAR, 12, 31)
        one = timedelta(days=1)
        while d <= end:
            if d.weekday() < 5 and d not in closed:
                days.append(d)
            d += one
        self.days = days
        self.index = {d: i for i, d in enumerate(days)}
        self.ordinals = [d.toordinal() for d in days]
        self.names: dict[date, str] = {d: str(n) for d, n in closed.items()}


_lock = threading.Lock()
_cache: list[_Days] = []


def _days() -> _Days:
    if not _cache:
        with _lock:
            if not _cache:
                _cache.append(_Days())
    return _cache[0]


def _check(d: date) -> None:
    if not FIRST_YEAR <= d.year <= LAST_YEAR:
        span = f"{FIRST_YEAR}-{LAST_YEAR}"
        raise CalendarError(f"{d.isoformat()} is outside the KRX calendar ({span})")


def is_trading_day(d: date) -> bool:
    """True when KRX trades on ``d``."""
    _check(d)
    return d in _days().index


def holiday_name(d: date) -> str | None:
    """The library's name of the holiday on ``d`` (None for weekends and trading days)."""
    _check(d)
    return _days().names.get(d)


def day_index(d: date) -> int:
    """Position of the trading day ``d`` in the calendar (consecutive integers)."""
    _check(d)
    try:
        return _days().index[d]
    except KeyError:
        raise CalendarError(f"{d.isoformat()} is not a KRX trading day") from None


def index_on_or_before(d: date) -> int:
    """Index of the last trading day on or before ``d`` (-1 before the calendar's span)."""
    return bisect.bisect_right(_days().ordinals, d.toordinal()) - 1


def index_on_or_after(d: date) -> int:
    """Index of the first trading day on or after ``d`` (0 before the calendar's span)."""
    return bisect.bisect_left(_days().ordinals, d.toordinal())


def day_at(n: int) -> date:
    """The trading day at index ``n``."""
    days = _days().days
    if not 0 <= n < len(days):
        raise CalendarError(f"trading-day index {n} is outside the calendar")
    return days[n]


def previous_trading_day(d: date) -> date:
    """The last trading day strictly before ``d``."""
    return day_at(index_on_or_before(d - timedelta(days=1)))


def next_trading_day(d: date) -> date:
    """The first trading day strictly after ``d``."""
    return day_at(index_on_or_after(d + timedelta(days=1)))


def last_trading_day_on_or_before(d: date) -> date:
    return day_at(index_on_or_before(d))


def trading_days(start: date, end: date) -> list[date]:
    """Trading days in ``[start, end]``, oldest first."""
    if end < start:
        return []
    lo, hi = index_on_or_after(start), index_on_or_before(end)
    return _days().days[lo : hi + 1]


def is_first_trading_day_of_year(d: date) -> bool:
    if not is_trading_day(d):
        return False
    n = day_index(d)
    return n == 0 or day_at(n - 1).year != d.year


def csat_day(year: int) -> date:
    """The college-entrance-exam day of ``year``."""
    if year in CSAT_DAYS:
        return CSAT_DAYS[year]
    first = date(year, 11, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(days=14)


def is_csat_day(d: date) -> bool:
    return d == csat_day(d.year)


@dataclass(frozen=True, slots=True)
class Schedule:
    """The session clock of one trading day for one product family (centiseconds)."""

    day: date
    family: str
    pre_open: int  # call-auction orders from here
    open: int  # opening match; continuous trading starts
    continuous_end: int  # closing call auction starts
    close: int  # closing match
    post_close_start: int  # closing-price trading (stocks; == close for derivatives)
    post_close_end: int
    after_hours_start: int  # single-price auctions (stocks; == close for derivatives)
    after_hours_end: int
    after_hours_step: int  # minutes between single-price matches, in centiseconds

    @property
    def end(self) -> int:
        """When the day's last session ends."""
        return max(self.close, self.post_close_end, self.after_hours_end)

    def after_hours_matches(self) -> list[int]:
        """Times of the after-hours single-price matches (stocks)."""
        if self.after_hours_end <= self.after_hours_start:
            return []
        step = self.after_hours_step
        return list(range(self.after_hours_start + step, self.after_hours_end + 1, step))

    def phase(self, cs: int) -> str:
        """The session phase at ``cs`` centiseconds after midnight."""
        if self.pre_open <= cs < self.open:
            return PRE_OPEN_AUCTION
        if self.open <= cs < self.continuous_end:
            return CONTINUOUS
        if self.continuous_end <= cs < self.close:
            return CLOSING_AUCTION
        if self.post_close_start <= cs < self.post_close_end:
            return POST_CLOSE
        if self.after_hours_start <= cs < self.after_hours_end:
            return AFTER_HOURS
        return CLOSED

    def signal(self, cs: int) -> tuple[int, int] | None:
        """The latest session-close signal at or before ``cs``: ``(trdTm value, time)``."""
        found: tuple[int, int] | None = None
        events = [(self.close, SIGNAL_REGULAR_CLOSED)]
        if self.family == STOCK_SESSIONS:
            events.append((self.post_close_end, SIGNAL_POST_CLOSE_CLOSED))
            events.append((self.after_hours_end, SIGNAL_AFTER_HOURS_CLOSED))
        for when, value in events:
            if when <= cs:
                found = (value, when)
        return found


def _hm(hours: int, minutes: int = 0) -> int:
    return hours * CS_HOUR + minutes * CS_MINUTE


@lru_cache(maxsize=4096)
def schedule(d: date, family: str = STOCK_SESSIONS, expiring: bool = False) -> Schedule:
    """The session clock of trading day ``d``; ``expiring`` = a derivative's last day."""
    if not is_trading_day(d):
        raise CalendarError(f"{d.isoformat()} is not a KRX trading day")
    shift = CS_HOUR if is_csat_day(d) else 0
    late_open = CS_HOUR if is_first_trading_day_of_year(d) else shift
    open_ = _hm(9) + late_open
    pre_open = open_ - 30 * CS_MINUTE
    if family == STOCK_SESSIONS:
        close = _hm(15, 30) + shift
        post_start, post_end = close + 10 * CS_MINUTE, close + 30 * CS_MINUTE
        ah_end = _hm(18)
        return Schedule(
            d, family, pre_open, open_, close - 10 * CS_MINUTE, close,
            post_start, post_end, post_end, ah_end, 10 * CS_MINUTE,
        )
    if family != DERIVATIVE_SESSIONS:
        raise ValueError(f"unknown session family {family!r}")
    close = (_hm(15, 20) if expiring else _hm(15, 45)) + shift
    return Schedule(
        d, family, pre_open, open_, close - 10 * CS_MINUTE, close,
        close, close, close, close, 10 * CS_MINUTE,
    )


def kst(at: datetime) -> datetime:
    """``at`` in KST; a naive value is taken as KST."""
    return at.replace(tzinfo=KST) if at.tzinfo is None else at.astimezone(KST)


def split_instant(at: datetime) -> tuple[date, int]:
    """``(KST date, centiseconds since midnight)`` of an instant."""
    local = kst(at)
    cs = (
        local.hour * CS_HOUR
        + local.minute * CS_MINUTE
        + local.second * CS_SECOND
        + local.microsecond // 10_000
    )
    return local.date(), cs


def instant(d: date, cs: int) -> datetime:
    """The KST instant ``cs`` centiseconds after midnight of ``d`` (inverse of
    :func:`split_instant`; clipped to the day's last centisecond)."""
    cs = max(0, min(cs, CS_DAY - 1))
    return datetime.combine(d, time(cs // CS_HOUR, cs // CS_MINUTE % 60, cs // CS_SECOND % 60,
                                    cs % 100 * 10_000), KST)


def phase_at(at: datetime, family: str = STOCK_SESSIONS, expiring: bool = False) -> str:
    """The session phase of an instant (``closed`` on non-trading days)."""
    d, cs = split_instant(at)
    if not is_trading_day(d):
        return CLOSED
    return schedule(d, family, expiring).phase(cs)


def hhmmsscc(cs: int) -> int:
    """Centiseconds since midnight as the platform's ``HHMMSSmm`` number (9544500)."""
    h, rest = divmod(cs, CS_HOUR)
    m, rest = divmod(rest, CS_MINUTE)
    s, c = divmod(rest, CS_SECOND)
    return h * 1_000_000 + m * 10_000 + s * 100 + c


def from_hhmmsscc(value: int) -> int:
    """Inverse of :func:`hhmmsscc`."""
    h, rest = divmod(value, 1_000_000)
    m, rest = divmod(rest, 10_000)
    s, c = divmod(rest, 100)
    return h * CS_HOUR + m * CS_MINUTE + s * CS_SECOND + c
