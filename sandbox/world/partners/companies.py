"""The company registry behind NICE's company information (partners.md H3) and the issuer
view of Wyverple's Bookkeeper: one company per listed stock of the market universe.

Identifiers (a pure function of the seed; built once per seed for the whole universe):

* ``kiscode`` — NICE's 6-digit company code;
* ``bizno`` — the 10-digit business registration number (사업자등록번호): tax office (3),
  ``81``/``86``/``87`` (corporation), serial (4) and the National Tax Service check digit;
* ``crpno`` — the 13-digit corporate registration number (법인등록번호): registry office (4),
  ``11`` (주식회사), serial (6) and its check digit.

The documented identifiers of the examples are fixed (``fixtures/partners/nice.yaml``):
삼성전자 (005930) is kiscode ``380725``, bizno ``1248100998``, crpno ``1301110006246``.
A preferred share (``005935``) is an issue of its common stock's company, not a company.

Facts (:func:`profile`, computed per company on demand): KSIC industry from the stock's
KRX industry index (``fixtures/partners/nice_ksic.yaml``), business group from the stock name,
size from the anchor market capitalisation and the master's SME flag (대기업 from
2 trillion KRW or as a group affiliate), founding date a few years to decades before the
listing, representatives from Korean name tables, head office / factory / sales office
addresses, phones and TM coordinates from ``fixtures/partners/nice_places.yaml``. Staff
numbers follow the latest published revenue (:func:`employees`).

Industry peers (:func:`nice_peers`, :func:`han_peers`) are the samples NICE's and the Bank
of Korea-style industry averages are worked out over.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml

from sandbox.paths import FIXTURES
from sandbox.world.market.instruments import STOCK, Instrument, load_universe
from sandbox.world.market.noise import derive, uniform
from sandbox.world.market.reference import reference

if TYPE_CHECKING:
    from sandbox.world.market.prices import Market

MARKETS = ("kospi", "kosdaq", "konex")
MARKET_CODES = {"kospi": "1", "kosdaq": "2", "konex": "3"}  # ltgmktdivcd
MARKET_NAMES = {"kospi": "유가증권시장", "kosdaq": "코스닥시장", "konex": "코넥스시장"}
NICE_PEERS = 20  # companies of NICE's industry average (same KSIC division)
HAN_PEERS = 30  # companies of the Bank of Korea-style average (same KSIC section)
_BIZNO_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
_REGISTRY_OFFICES = ("1101", "1101", "1101", "1101", "1301", "1311", "1345", "1201", "1801",
                     "1701", "1601", "1501", "2301", "1941", "1358", "1611")


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((FIXTURES / "partners" / name).read_text("utf-8"))
    return data


@lru_cache(maxsize=1)
def tables() -> dict[str, Any]:
    """The three NICE fixtures, merged: ``ksic``, ``nice`` and ``places``."""
    return {"ksic": _load("nice_ksic.yaml"), "nice": _load("nice.yaml"),
            "places": _load("nice_places.yaml")}


# ------------------------------------------------------------------------------ check digits
def bizno_check_digit(first9: str) -> str:
    """The check digit of a business registration number (National Tax Service rule)."""
    digits = [int(c) for c in first9]
    total = sum(d * w for d, w in zip(digits, _BIZNO_WEIGHTS, strict=True))
    total += digits[8] * 5 // 10
    return str((10 - total % 10) % 10)


def crpno_check_digit(first12: str) -> str:
    """The check digit of a corporate registration number (weights 1,2,1,2,...)."""
    total = sum(int(c) * (1 if i % 2 == 0 else 2) for i, c in enumerate(first12))
    return str((10 - total % 10) % 10)


def valid_bizno(value: str) -> bool:
    return len(value) == 10 and value.isdigit() and bizno_check_digit(value[:9]) == value[9]


def valid_crpno(value: str) -> bool:
    return len(value) == 13 and value.isdigit() and crpno_check_digit(value[:12]) == value[12]


# ------------------------------------------------------------------------------ industries
@dataclass(frozen=True)
class Industry:
    """A KSIC subclass with its hierarchy (section, division, group, class names)."""

    subclass: str  # "26422"
    section: str  # "C"
    section_name: str  # "제조업 (10 ~ 33)"
    division_name: str
    group_name: str
    class_name: str
    name: str  # the subclass's Korean name
    name_en: str
    products: tuple[str, str]
    business: tuple[str, str]  # 업태 (Korean, English)

    @property
    def idscd(self) -> str:
        return self.section + self.subclass

    def idscdid(self, digits: int = 5) -> str:
        """NICE's 10-character industry id at a level: "09" + letter + code padded to 7."""
        return "09" + self.section + self.subclass[:digits].ljust(7, "0")


_SECTIONS = (("A", 1, 3), ("B", 5, 8), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39),
             ("F", 41, 42), ("G", 45, 47), ("H", 49, 52), ("I", 55, 56), ("J", 58, 63),
             ("K", 64, 66), ("L", 68, 68), ("M", 70, 73), ("N", 74, 76))


def section_of(division: str) -> str:
    number = int(division)
    return next((letter for letter, lo, hi in _SECTIONS if lo <= number <= hi), "S")


@lru_cache(maxsize=256)
def industry(subclass: str) -> Industry:
    """The KSIC subclass of the fixture (KeyError when the table does not have it)."""
    ksic = tables()["ksic"]
    name, name_en, products, products_en = ksic["subclasses"][subclass]
    letter = section_of(subclass[:2])
    label, span = ksic["sections"][letter]
    business = ksic["business_types"].get(letter, ["서비스", "Services"])
    return Industry(subclass, letter, f"{label} ({span})", ksic["divisions"][subclass[:2]],
                    ksic["groups"][subclass[:3]], ksic["classes"][subclass[:4]], name, name_en,
                    (products, products_en), (business[0], business[1]))


def _industry_of(seed: int, inst: Instrument, fixed: dict[str, Any]) -> Industry:
    if "ksic" in fixed:
        return industry(str(fixed["ksic"]))
    ksic = tables()["ksic"]
    choices: list[str] = ksic["sectors"].get(inst.sector or "", ksic["default_sector"])
    # the first subclass of a sector is the most frequent (weights n, n-1, ... 1)
    weights = list(range(len(choices), 0, -1))
    pick = uniform(seed, "nice-ksic", inst.code) * sum(weights)
    for subclass, weight in zip(choices, weights, strict=True):
        pick -= weight
        if pick < 0:
            return industry(subclass)
    return industry(choices[-1])


# ------------------------------------------------------------------------------ registry
@dataclass(frozen=True)
class Company:
    kiscode: str
    bizno: str
    crpno: str
    inst: Instrument  # the common stock: statements, names, market
    stock_codes: tuple[str, ...]  # every stock code of the company (common first)
    industry: Industry

    @property
    def code(self) -> str:
        return self.inst.code

    @property
    def fixed(self) -> dict[str, Any]:
        """Documented facts of the company (empty for generated companies)."""
        found: dict[str, Any] = tables()["nice"]["fixed"].get(self.inst.code, {})
        return found


@dataclass(frozen=True)
class Registry:
    seed: int
    companies: tuple[Company, ...]
    by_kiscode: dict[str, Company]
    by_bizno: dict[str, Company]
    by_crpno: dict[str, Company]
    by_stock: dict[str, Company]


def _unique(seed: int, code: str, kind: str, taken: set[str],
            make: Callable[[int], str]) -> str:
    attempt = 0
    while True:
        value = make(derive(seed, "nice-id", kind, code, attempt))
        if value not in taken:
            taken.add(value)
            return value
        attempt += 1


def _kiscode(h: int) -> str:
    return str(100000 + h % 900000)


def _bizno(h: int) -> str:
    office = 101 + h % 800
    kind = ("81", "81", "81", "81", "81", "81", "86", "87")[(h >> 12) % 8]
    first9 = f"{office:03d}{kind}{(h >> 20) % 10000:04d}"
    return first9 + bizno_check_digit(first9)


def _crpno(h: int) -> str:
    first12 = f"{_REGISTRY_OFFICES[h % len(_REGISTRY_OFFICES)]}11{1 + (h >> 8) % 999999:06d}"
    return first12 + crpno_check_digit(first12)


def _stocks() -> list[Instrument]:
    universe = load_universe()
    return sorted((i for m in MARKETS for i in universe.select(STOCK, m)), key=lambda i: i.code)


def _common_of(inst: Instrument, codes: set[str]) -> str:
    """The common stock of a preferred share (last digit not 0) when it is listed."""
    common = inst.code[:5] + "0"
    return common if inst.code[-1] != "0" and common in codes else inst.code


@lru_cache(maxsize=8)
def registry(seed: int) -> Registry:
    """Every company of the universe with its identifiers, for ``seed``."""
    stocks = _stocks()
    codes = {i.code for i in stocks}
    fixed: dict[str, dict[str, Any]] = tables()["nice"]["fixed"]
    taken: dict[str, set[str]] = {"kiscode": set(), "bizno": set(), "crpno": set()}
    for facts in fixed.values():
        for kind in taken:
            taken[kind].add(str(facts[kind]))
    aliases: dict[str, list[str]] = {}
    for inst in stocks:
        aliases.setdefault(_common_of(inst, codes), []).append(inst.code)
    companies: list[Company] = []
    makers: dict[str, Callable[[int], str]] = {"kiscode": _kiscode, "bizno": _bizno,
                                               "crpno": _crpno}
    for inst in stocks:
        if inst.code not in aliases:
            continue  # a preferred share: its company is the common stock's
        facts = fixed.get(inst.code, {})
        ids = {kind: str(facts[kind]) if kind in facts
               else _unique(seed, inst.code, kind, taken[kind], makers[kind])
               for kind in makers}
        companies.append(Company(ids["kiscode"], ids["bizno"], ids["crpno"], inst,
                                 tuple(sorted(aliases[inst.code])),
                                 _industry_of(seed, inst, facts)))
    return Registry(seed, tuple(companies), {c.kiscode: c for c in companies},
                    {c.bizno: c for c in companies}, {c.crpno: c for c in companies},
                    {code: c for c in companies for code in c.stock_codes})


# ------------------------------------------------------------------------------ peers
def _sample(seed: int, salt: str, members: list[Company], size: int) -> list[Company]:
    ranked = sorted(members, key=lambda c: (derive(seed, salt, c.code), c.code))
    return sorted(ranked[:size], key=lambda c: c.code)


def nice_peers(seed: int, company: Company) -> list[Company]:
    """NICE's industry: up to :data:`NICE_PEERS` companies of the company's KSIC division
    (중분류), the company itself always included; a fixed sample per seed."""
    division = company.industry.subclass[:2]
    members = [c for c in registry(seed).companies
               if c.industry.subclass[:2] == division and c is not company]
    return sorted([company, *_sample(seed, "nice-peers", members, NICE_PEERS - 1)],
                  key=lambda c: c.code)


def han_peers(seed: int, company: Company) -> list[Company]:
    """The Bank of Korea-style average: a sample survey of up to :data:`HAN_PEERS`
    companies of the company's KSIC section (대분류)."""
    section = company.industry.section
    members = [c for c in registry(seed).companies if c.industry.section == section]
    return _sample(seed, "han-peers", members, HAN_PEERS)


# ------------------------------------------------------------------------------ profile
@dataclass(frozen=True)
class Person:
    name: str  # 김기남
    name_en: str  # Kim,Gi Nam
    code: str  # NICE person code (korreprcd)


@dataclass(frozen=True)
class Address:
    sido: str
    road: str  # 경기 수원시 영통구 광교로 129
    road_en: str  # 129,Gwanggyo-ro Yeongtong-gu Suwon-si Gyeonggi
    lot: str  # 경기 수원시 영통구 원천동 416번지
    lot_en: str
    zip5: str
    zip6: str
    x: int
    y: int
    tel: str
    fax: str


@dataclass(frozen=True)
class Group:
    gicd: str
    name: str
    name_en: str
    main: str


@dataclass(frozen=True)
class Profile:
    name: str  # korentrnm: 삼성전자(주)
    name_en: str  # engentrnm
    representatives: tuple[Person, ...]
    founded: date
    head: Address
    factory: Address
    office: Address
    group: Group | None
    size: tuple[str, str, str]  # 대기업, Large enterprise, "1"
    bank: tuple[str, str, str]  # name, English name, branch
    homepage: str
    email: str
    fss: str  # the FSS (DART) company code
    fadivcd: str
    detail_code: str  # eprdtldivcd


def _u(seed: int, company: Company, *parts: object) -> float:
    return uniform(seed, "nice-profile", company.code, *parts)


def _pick(items: list[Any], u: float, weights: list[float] | None = None) -> Any:
    weights = weights or [1.0] * len(items)
    target = u * sum(weights)
    for item, weight in zip(items, weights, strict=True):
        target -= weight
        if target < 0:
            return item
    return items[-1]


def _person(seed: int, company: Company, k: int) -> Person:
    places = tables()["places"]
    surname = _pick(places["surnames"], _u(seed, company, "rep", k, "surname"),
                    [float(s[2]) for s in places["surnames"]])
    first = _pick(places["syllables"], _u(seed, company, "rep", k, 1))
    second = _pick([s for s in places["syllables"] if s != first],
                   _u(seed, company, "rep", k, 2))
    code = str(100000 + derive(seed, "nice-person", company.code, k) % 900000)
    return Person(surname[0] + first[0] + second[0],
                  f"{surname[1]},{first[1]} {second[1]}", code)


def _address(seed: int, company: Company, which: str, location: dict[str, Any]) -> Address:
    def u(*parts: object) -> float:
        return _u(seed, company, which, *parts)

    road = _pick(location["roads"], u("road"))
    dong = _pick(location["dongs"], u("dong"))
    number = 1 + int(u("number") * 300)
    lot = f"{1 + int(u('lot') * 1500)}" + (f"-{1 + int(u('sub') * 30)}" if u("has-sub") < 0.4
                                           else "")
    area = location["tel"]
    middle = f"{(2000 if area == '02' else 200) + int(u('tel') * (7000 if area == '02' else 700))}"
    last = 1000 + int(u("last") * 8900)
    return Address(
        sido=location["sido"],
        road=f"{location['sido']} {location['gu']} {road[0]} {number}",
        road_en=f"{number},{road[1]} {location['gu_en']} {location['sido_en']}",
        lot=f"{location['sido']} {location['gu']} {dong[0]} {lot}번지",
        lot_en=f"{lot},{dong[1]} {location['gu_en']} {location['sido_en']}",
        zip5=f"{location['zip5']}{int(u('zip5') * 1000):03d}"[:5],
        zip6=f"{location['zip6']}{int(u('zip6') * 1000):03d}",
        x=int(location["x"]) + int(u("x") * 4000) - 2000,
        y=max(0, int(location["y"]) + int(u("y") * 4000) - 2000),
        tel=f"{area}-{middle}-{last:04d}",
        fax=f"{area}-{middle}-{last + 1 + int(u('fax') * 90):04d}",
    )


def _locations(seed: int, company: Company) -> tuple[dict[str, Any], ...]:
    locations: list[dict[str, Any]] = tables()["places"]["locations"]
    by_id = {loc["id"]: loc for loc in locations}
    fixed_id = company.fixed.get("location")
    head = by_id[fixed_id] if fixed_id in by_id else _pick(
        locations, _u(seed, company, "head"), [float(loc["weight"]) for loc in locations])
    factory = head
    if company.industry.section == "C" and (not head.get("industrial")
                                            or _u(seed, company, "factory?") < 0.5):
        plants = [loc for loc in locations if loc.get("industrial")]
        factory = _pick(plants, _u(seed, company, "factory"), [float(p["weight"]) for p in plants])
    seoul = [loc for loc in locations if loc["sido"] == "서울"]
    office = head if head["sido"] == "서울" else _pick(seoul, _u(seed, company, "office"))
    return head, factory, office


def _group(company: Company) -> Group | None:
    for row in tables()["nice"]["groups"]:
        if any(company.inst.name.startswith(p) for p in row["prefixes"]):
            return Group(str(row["gicd"]), row["name"], row["eng"], row["main"])
    return None


def _founded(seed: int, company: Company) -> date:
    if "founded" in company.fixed:
        return date.fromisoformat(str(company.fixed["founded"]))
    listed = company.inst.list_date or date(2000, 1, 4)
    years = 2 + int(_u(seed, company, "founded") * 28)
    start = date(max(1946, listed.year - years), 1, 1)
    day = start + timedelta(days=int(_u(seed, company, "founded-day") * 364))
    return min(day, listed - timedelta(days=30))


def _size(seed: int, company: Company, group: Group | None) -> tuple[str, str, str]:
    nice = tables()["nice"]
    inst = company.inst
    cap = inst.anchor_price * inst.shares
    if cap >= float(nice["large_cap"]) or (group is not None and cap >= 1e11):
        key = "large"
    elif reference(seed, inst).sme:
        key = "small"
    else:
        key = "mid"
    kor, eng, code = nice["sizes"][key]
    return str(kor), str(eng), str(code)


def _homepage(company: Company) -> str:
    if "homepage" in company.fixed:
        return str(company.fixed["homepage"])
    slug = "".join(c for c in company.inst.name_en.lower() if c.isascii() and c.isalnum())
    if not slug or slug[0].isdigit():
        slug = f"k{company.code}"
    return f"www.{slug}.co.kr"


@lru_cache(maxsize=4096)
def profile(seed: int, company: Company) -> Profile:
    """The static facts of a company (module docstring)."""
    inst, nice = company.inst, tables()["nice"]
    group = _group(company)
    size = _size(seed, company, group)
    count = 1 if _u(seed, company, "reps") < (0.6 if size[2] == "1" else 0.9) else (
        2 if _u(seed, company, "reps2") < 0.7 else 3)
    head, factory, office = _locations(seed, company)
    homepage = _homepage(company)
    bank_row = _pick(nice["banks"], _u(seed, company, "bank"))
    branch = f"{group.name}센터" if group is not None else "기업금융센터"
    suffix = "(주)" if _u(seed, company, "name-form") < 0.8 else ""
    name = company.fixed.get("korentrnm") or (inst.name + suffix if suffix else f"(주){inst.name}")
    name_en = company.fixed.get("engentrnm") or f"{inst.name_en} Co.,Ltd."
    fss = str(company.fixed.get("fss") or f"00{derive(seed, 'nice-fss', inst.code) % 1000000:06d}")
    return Profile(
        name=str(name), name_en=str(name_en),
        representatives=tuple(_person(seed, company, k) for k in range(count)),
        founded=_founded(seed, company),
        head=_address(seed, company, "head", head),
        factory=_address(seed, company, "head" if factory is head else "factory", factory),
        office=_address(seed, company, "head" if office is head else "office", office),
        group=group, size=size,
        bank=(str(bank_row[0]), str(bank_row[1]), branch),
        homepage=homepage,
        email="" if _u(seed, company, "email") < 0.6 else "ir@" + homepage.removeprefix("www."),
        fss=fss,
        fadivcd=str(nice["fadivcd"].get(company.industry.subclass, "00")),
        detail_code=str(nice["eprdtldivcd"].get(inst.market, "511")),
    )


def employees(market: Market, company: Company, day: date) -> tuple[int, date | None]:
    """(staff, base date): the latest published annual revenue over a revenue per employee
    that grows with the company (200 million KRW up to 100 billion of revenue, x revenue^0.3
    beyond, ±40 % per company); without published annual statements the staff follows the
    share count."""
    from sandbox.world.partners.financials import latest_years

    years = latest_years(market, company.inst, day, 1)
    if not years:
        return max(5, company.inst.shares // 40000), None
    revenue = max(years[0].revenue, 0)
    per_head = 2e8 * max(1.0, revenue / 1e11) ** 0.3 * math.exp(
        0.4 * (2 * _u(market.seed, company, "staff") - 1))
    return max(5, round(revenue / per_head)), years[0].end
