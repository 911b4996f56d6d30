"""Admin rules for portal users, links, account status and holdings (no Flask).

* **Listing and detail** of the world's portal users (documented, generated, custom), with each
  account's links to the apps and whether it was discarded.
* **Custom users**: a QA team creates a portal user with the accounts, holdings and watch-lists
  its test needs. Each account gets a scripted history (the ledger's row format, replayed by
  :func:`sandbox.world.accounts.holdings.book_of`) dated three KRX trading days before the
  clock's date, so every trade has settled: one deposit of the cash plus the cost of the
  holdings, then one buy (``ASK``) per holding. Everything drawn (ids, CIs, account numbers,
  default names) comes from ``world.rand``: the same seed and request sequence give the same
  users. Custom users live in the world, so a reset forgets them; a restart over
  ``serve --state`` finds them again (:func:`restore_custom_users`). At most
  ``Limits.custom_users`` of them (beyond: 503).
* **Hooks** for negative tests: link, unlink or expire one account's link to an app
  (``{broker} 4006``), discard an account (``op-exco 3010``).
* **Holdings view** of any account at the clock's instant.

Where the emulator differs from the platform: the real portal has no such back door; custom
users sign the platform terms on the day they are created and renew them yearly.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sandbox.errors import BadRequest, NotFound
from sandbox.world import links
from sandbox.world.accounts import ledger
from sandbox.world.accounts.holdings import CUSTOM_ACCOUNT, book_of, statement
from sandbox.world.accounts.products import EQTY, ETC, FUND, FUND_UNITS, fund_price, funds, products
from sandbox.world.identities import App, Consent, User, VirtualAccount, year_later
from sandbox.world.market import calendar as cal
from sandbox.world.population import PASSWORD
from sandbox.world.store import CapacityError

if TYPE_CHECKING:
    from sandbox.world.identities import Broker
    from sandbox.world.world import World

CUSTOM_USER = "custom_user"  # store kind: a custom user's answer plus its request
STREAM = "custom-users"  # the world.rand stream (and Faker) of custom users
ORIGINS = ("documented", "generated", "custom")
ACCOUNT_STATUSES = ("active", "discarded")
DEFAULT_CASH = 10_000_000
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
SETTLED_DAYS = 3  # trading days between the scripted trades and the clock's date
_ID = re.compile(r"[A-Za-z0-9_.-]{3,30}")
_DAY = re.compile(r"[0-9]{8}")


# ----------------------------------------------------------------------------- lookups
def find_user(world: World, user_id: str) -> User:
    user = world.ids.users.get(user_id.strip())
    if user is None:
        raise NotFound(f"no portal user {user_id!r}")
    return user


def find_account(world: World, vt_acc_no: str) -> VirtualAccount:
    account = world.ids.account_by_no.get(vt_acc_no.strip())
    if account is None:
        raise NotFound(f"no virtual account {vt_acc_no!r}")
    return account


def _app(world: World, name_or_key: str) -> App | None:
    key = name_or_key.strip()
    return world.ids.apps.get(key) or world.ids.app_by_key.get(key)


# ------------------------------------------------------------------------ input checks
# Types, lengths, bounds and array sizes are the request schemas' (schemas/admin/*): these
# helpers only add what a schema cannot say.
def _text(value: Any, where: str, strip: bool = True) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"{where}: must be a non-empty string")
    return value.strip() if strip else value


def _number(query: dict[str, Any], name: str, default: int, minimum: int, maximum: int) -> int:
    text = str(query.get(name, default)).strip()
    if not text.isdigit():
        raise BadRequest(f"{name}: {text[:20]!r} is not a number")
    if not minimum <= int(text) <= maximum:
        raise BadRequest(f"{name}: must be between {minimum} and {maximum}")
    return int(text)


def parse_day(value: Any, where: str) -> date:
    text = value.strip() if isinstance(value, str) else ""
    if _DAY.fullmatch(text):
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            pass
    raise BadRequest(f"{where}: {str(value)[:20]!r} is not a YYYYMMDD date")


# ----------------------------------------------------------------------------- listing
def list_users(world: World, query: dict[str, Any]) -> dict[str, Any]:
    """The portal users in the world's order (documented, generated, custom), filtered by
    ``origin`` and by ``q`` (case-insensitive substring of the id or the name), paged."""
    origin = str(query.get("origin") or "").strip()
    if origin and origin not in ORIGINS:
        raise BadRequest(f"origin: {origin[:20]!r} is not one of {', '.join(ORIGINS)}")
    needle = str(query.get("q") or "").strip().casefold()
    limit = _number(query, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    offset = _number(query, "offset", 0, 0, 10**9)
    matches = [user for user in list(world.ids.users.values())
               if (not origin or user.origin == origin)
               and (not needle or needle in user.id.casefold() or needle in user.name.casefold())]
    return {"total": len(matches), "offset": offset, "limit": limit,
            "users": [user.public() for user in matches[offset:offset + limit]]}


def user_detail(world: World, user_id: str) -> dict[str, Any]:
    """A user with name aliases and, per account, its links to every app and its status."""
    user = find_user(world, user_id)
    return {**user.public(), "nameAliases": list(user.name_aliases),
            "accounts": [_account_detail(world, user, account) for account in user.accounts]}


def _account_detail(world: World, user: User, account: VirtualAccount) -> dict[str, Any]:
    broker = world.ids.broker(account.broker)
    app_links = []
    for app in world.ids.apps.values():
        link = links.link_of(world, app.name, user, account)
        if link is not None:
            app_links.append({"app": app.name, "state": "linked" if link.valid else "expired",
                              "serviceTermsExpireDate": f"{link.expires:%Y%m%d}"})
    return {"vtAccNo": account.vt_acc_no, "broker": account.broker,
            "brokerCode": broker.code if broker else "", "alias": account.alias,
            "realAccNo": account.real_acc_no, "origin": account.origin,
            "discarded": links.is_discarded(world, account.vt_acc_no), "links": app_links}


# ------------------------------------------------------------------------ custom users
@dataclass(frozen=True)
class Position:
    """One holding of a custom account: the code as given, units and purchase amount."""

    code: str
    qty: int
    cost: int


@dataclass(frozen=True)
class AccountSpec:
    broker: Broker
    alias: str
    cash: int
    positions: tuple[Position, ...]
    watchlists: tuple[dict[str, Any], ...] | None

    def rows(self, day: date) -> list[dict[str, Any]]:
        """The scripted history: a deposit of everything, then one buy per holding."""
        text = f"{day:%Y%m%d}"
        deposit = self.cash + sum(p.cost for p in self.positions)
        rows: list[dict[str, Any]] = []
        if deposit > 0:
            rows.append({"day": text, "kind": ledger.DEP, "amount": deposit})
        rows.extend({"day": text, "kind": ledger.ASK, "code": p.code, "qty": p.qty,
                     "amount": p.cost} for p in self.positions)
        return rows


def trade_day(today: date) -> date:
    """The KRX trading day ``SETTLED_DAYS`` trading days before ``today``."""
    day = today
    try:
        for _ in range(SETTLED_DAYS):
            day = cal.previous_trading_day(day)
    except cal.CalendarError as exc:
        raise BadRequest(f"the clock's date is outside the KRX calendar: {exc}") from None
    return day


def create_user(world: World, body: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Register a custom portal user with scripted accounts (see the module docstring)."""
    today = world.now().date()
    day = trade_day(today)
    with world.store.transaction():
        if world.store.count(CUSTOM_USER) >= world.limits.custom_users:
            raise CapacityError("custom users", world.limits.custom_users, "custom_users")
        apps = _apps(world, body.get("apps"))
        expires = (parse_day(body["consentExpires"], "consentExpires")
                   if body.get("consentExpires") is not None else year_later(today))
        specs = [_account_spec(world, raw, f"accounts[{n}]", day)
                 for n, raw in enumerate(body.get("accounts") or [])]
        password = (_text(body["password"], "password", strip=False)
                    if body.get("password") is not None else PASSWORD)
        user_id, name, ci = _identity(world, body)
        accounts = _open_accounts(world, user_id, specs, day)
        terms = year_later(today)
        user = User(id=user_id, name=name, ci=ci, password=password, accounts=accounts,
                    consents=tuple(Consent(app.name, expires=expires) for app in apps),
                    origin="custom", terms_renew_on=(terms.month, terms.day))
        for spec, account in zip(specs, accounts, strict=True):
            record: dict[str, Any] = {"transactions": spec.rows(day)}
            if spec.watchlists is not None:
                record["watchlists"] = list(spec.watchlists)
            world.store.put(CUSTOM_ACCOUNT, account.vt_acc_no, record)
        answer = _answer(world, user, apps, base_url)
        world.store.put(CUSTOM_USER, user_id, {
            **answer, "consentExpires": f"{expires:%Y%m%d}", "opened": f"{day:%Y%m%d}",
            "realAccNos": {a.vt_acc_no: a.real_acc_no for a in accounts},
            "termsRenewOn": [terms.month, terms.day], "request": body})
        world.ids.add_user(user)
    return answer


def restore_custom_users(world: World) -> int:
    """Add the custom users of a restored world (``serve --state``) to its identities again,
    in the order they were created; returns how many."""
    restored = 0
    for _key, record in world.store.scan(CUSTOM_USER):
        opened = parse_day(record["opened"], "opened")
        expires = parse_day(record["consentExpires"], "consentExpires")
        accounts = tuple(
            VirtualAccount(vt_acc_no=a["vtAccNo"], broker=a["broker"], owner=record["id"],
                           alias=a["alias"], real_acc_no=record["realAccNos"][a["vtAccNo"]],
                           opened=opened, origin="custom")
            for a in record["accounts"])
        month, day = record["termsRenewOn"]
        world.ids.add_user(User(
            id=record["id"], name=record["name"], ci=record["ci"], password=record["password"],
            accounts=accounts, consents=tuple(Consent(app, expires=expires)
                                              for app in record["apps"]),
            origin="custom", terms_renew_on=(month, day)))
        restored += 1
    return restored


def _answer(world: World, user: User, apps: list[App], base_url: str) -> dict[str, Any]:
    accounts = []
    for account in user.accounts:
        broker = world.ids.brokers[account.broker]
        accounts.append({"vtAccNo": account.vt_acc_no, "broker": broker.short_name,
                         "brokerCode": broker.code, "alias": account.alias,
                         "endpoint": f"{base_url}/v1/{broker.short_name}/account/"})
    return {"id": user.id, "name": user.name, "ci": user.ci, "password": user.password,
            "apps": [app.name for app in apps], "accounts": accounts}


def _apps(world: World, value: Any) -> list[App]:
    if value is None:
        return [app for app in world.ids.apps.values() if app.subscribes("account")]
    chosen: list[App] = []
    for n, raw in enumerate(value):
        where = f"apps[{n}]"
        app = _app(world, _text(raw, where))
        if app is None:
            raise BadRequest(f"{where}: unknown app {raw.strip()[:60]!r}")
        if not app.subscribes("account"):
            raise BadRequest(f"{where}: {app.name} does not use the account APIs")
        if app not in chosen:
            chosen.append(app)
    return chosen


def _identity(world: World, body: dict[str, Any]) -> tuple[str, str, str]:
    """Portal id, name and CI: the given ones (checked first), else drawn from the seed."""
    user_id = _given_id(world, body["id"]) if body.get("id") is not None else None
    name = _text(body["name"], "name") if body.get("name") is not None else None
    ci = _given_ci(world, body["ci"]) if body.get("ci") is not None else None
    stream = world.rand.stream(STREAM)
    while user_id is None or user_id in world.ids.users:
        user_id = "qa" + stream.digits(6)
    if name is None:  # the n-th custom user's name is drawn from a Faker seeded for n
        name = str(world.rand.faker(f"{STREAM}:{world.store.count(CUSTOM_USER)}").name())
    while ci is None or ci in world.ids.user_by_ci:  # base64 of 64 bytes, like documented CIs
        ci = base64.b64encode(bytes.fromhex(stream.hex(128))).decode("ascii")
    return user_id, name, ci


def _given_id(world: World, value: Any) -> str:
    user_id = _text(value, "id")
    if not _ID.fullmatch(user_id):
        raise BadRequest("id: 3 to 30 characters among A-Z a-z 0-9 _ . -")
    if user_id in world.ids.users:
        raise BadRequest(f"id: the portal id {user_id!r} is taken")
    return user_id


def _given_ci(world: World, value: Any) -> str:
    ci = _text(value, "ci")
    if any(c.isspace() for c in ci):
        raise BadRequest("ci: must not contain white space")
    if ci in world.ids.user_by_ci:
        raise BadRequest("ci: another portal user has this CI")
    return ci


def _open_accounts(world: World, owner: str, specs: list[AccountSpec],
                   day: date) -> tuple[VirtualAccount, ...]:
    """Virtual accounts numbered like the portal's: issuance YYMM + 9 digits + sequence."""
    stream = world.rand.stream(STREAM)
    issued = f"{world.now():%y%m}"
    out = []
    for n, spec in enumerate(specs, 1):
        while True:
            number = f"{issued}{stream.digits(9)}{n:05d}"
            if number not in world.ids.account_by_no:
                break
        real = str(stream.randint(10**10, 10**11 - 1))
        out.append(VirtualAccount(vt_acc_no=number, broker=spec.broker.short_name, owner=owner,
                                  alias=spec.alias, real_acc_no=real, opened=day,
                                  origin="custom"))
    return tuple(out)


def _account_spec(world: World, value: Any, where: str, day: date) -> AccountSpec:
    raw = value
    name = _text(raw.get("broker"), f"{where}.broker")
    broker = world.ids.broker(name)
    if broker is None:
        raise BadRequest(f"{where}.broker: unknown broker {name!r}")
    alias = (_text(raw["alias"], f"{where}.alias") if raw.get("alias") is not None
             else broker.short_name)
    cash = (int(raw["cash"]) if raw.get("cash") is not None
            else DEFAULT_CASH)
    positions = tuple(_position(world, item, f"{where}.holdings[{n}]", day)
                      for n, item in enumerate(raw.get("holdings") or []))
    watchlists = None
    if raw.get("watchlists") is not None:
        watchlists = tuple(_watchlist(world, item, f"{where}.watchlists[{n}]")
                           for n, item in enumerate(raw["watchlists"]))
    return AccountSpec(broker, alias, cash, positions, watchlists)


def _position(world: World, value: Any, where: str, day: date) -> Position:
    raw = value
    code = _text(raw.get("code"), f"{where}.code")
    found = ledger.classify(world.universe, code)
    if found is None:
        raise BadRequest(f"{where}.code: unknown code {code!r}")
    qty = int(raw["qty"])
    price = (int(raw["price"])
             if raw.get("price") is not None else None)
    group, canonical = found
    return Position(code, qty, _cost(world, group, canonical, qty, price, day, where))


def _cost(world: World, group: str, code: str, qty: int, price: int | None, day: date,
          where: str) -> int:
    """The purchase amount on ``day``: the day's closing or fund price, or the product's
    discounted face amount, unless ``price`` is given (funds: per 1,000 units; products: the
    total amount)."""
    if group == FUND:
        unit = price if price is not None else fund_price(world.seed, funds()[code], day)
        return int(qty * unit / FUND_UNITS)
    if group == ETC:
        if price is not None:
            return price
        product = products()[code]
        return round(qty / (1 + product.rate * product.term_days / 365))
    assert group == EQTY, group
    inst = world.universe.by_isin(code)
    bar = world.market.closing_bar(inst, day) if inst and inst.is_listed(day) else None
    if bar is None or bar.close <= 0:
        raise BadRequest(f"{where}.code: {code} is not trading on {day:%Y%m%d}")
    return qty * (price if price is not None else int(bar.close))


def _watchlist(world: World, value: Any, where: str) -> dict[str, Any]:
    raw = value
    name = _text(raw.get("groupName"), f"{where}.groupName")
    codes = []
    for n, item in enumerate(raw.get("codes") or []):
        code = _text(item, f"{where}.codes[{n}]")
        found = ledger.classify(world.universe, code)
        if found is None or found[0] != EQTY:
            raise BadRequest(f"{where}.codes[{n}]: unknown listed issue {code!r}")
        codes.append(found[1])
    modified = (f"{parse_day(raw['modifyDate'], f'{where}.modifyDate'):%Y%m%d}"
                if raw.get("modifyDate") not in (None, "") else "")
    return {"groupName": name, "modifyDate": modified, "codes": codes}


# ------------------------------------------------------------------------------- hooks
def set_link(world: World, body: dict[str, Any]) -> dict[str, Any]:
    """Link, unlink or expire one account's link to an app; the link as it now stands.

    ``expires`` must agree with ``state``: a linked consent runs until today or later, an
    expired one ended before today, an unlinked account has none. ``linked`` without a date
    returns the account to the user's own consent when it is valid, else signs a one-year
    consent from today."""
    account = find_account(world, _text(body.get("vtAccNo"), "vtAccNo"))
    app = _app(world, _text(body.get("app"), "app"))
    if app is None:
        raise NotFound(f"no app is named or keyed {str(body.get('app'))[:60]!r}")
    if not app.subscribes("account"):
        raise BadRequest(f"app: {app.name} does not use the account APIs")
    state = _text(body.get("state"), "state")
    if state not in links.STATES:
        raise BadRequest(f"state: {state[:20]!r} is not one of {', '.join(links.STATES)}")
    user = world.ids.users[account.owner]
    expires = _link_expiry(world, state, body.get("expires"))
    key = links.link_key(app.name, account.vt_acc_no)
    with world.store.transaction():
        if state == "linked" and expires is None:
            # back to the user's own consent (an override would enforce the documented users'
            # past dates, which ERRATA 12 never enforces); none, or lapsed: a one-year consent
            world.store.delete(links.LINK, key)
            own = links.link_of(world, app.name, user, account)
            if own is None or not own.valid:
                expires = year_later(world.now().date())
        if expires is not None or state != "linked":
            links.set_link(world, app.name, account.vt_acc_no, state,
                           None if expires is None else f"{expires:%Y%m%d}")
    link = links.link_of(world, app.name, user, account)
    return {"vtAccNo": account.vt_acc_no, "app": app.name,
            "state": "unlinked" if link is None else "linked" if link.valid else "expired",
            "serviceTermsExpireDate": None if link is None else f"{link.expires:%Y%m%d}"}


def _link_expiry(world: World, state: str, value: Any) -> date | None:
    if value is None:
        return None
    expires, today = parse_day(value, "expires"), world.now().date()
    if state == "unlinked":
        raise BadRequest("expires: an unlinked account has no consent date")
    if state == "linked" and expires < today:
        raise BadRequest(f"expires: a linked consent runs until {today:%Y%m%d} or later "
                         "(use state expired)")
    if state == "expired" and expires >= today:
        raise BadRequest(f"expires: an expired consent ended before {today:%Y%m%d}")
    return expires


def set_account_status(world: World, vt_acc_no: str, body: dict[str, Any]) -> dict[str, Any]:
    """``discarded``: the user deleted the virtual account (the account APIs answer 3010)."""
    account = find_account(world, vt_acc_no)
    status = _text(body.get("status"), "status")
    if status not in ACCOUNT_STATUSES:
        raise BadRequest(f"status: {status[:20]!r} is not one of {', '.join(ACCOUNT_STATUSES)}")
    links.set_account_status(world, account.vt_acc_no, status)
    return {"vtAccNo": account.vt_acc_no, "status": status}


# ---------------------------------------------------------------------------- holdings
def account_view(world: World, vt_acc_no: str) -> dict[str, Any]:
    """An account's cash and positions valued at the clock's instant (what balance/search
    reports, in plain integers)."""
    account = find_account(world, vt_acc_no)
    stmt = statement(world, account)
    return {
        "vtAccNo": account.vt_acc_no, "broker": account.broker, "owner": account.owner,
        "cash": stmt.cash, "d1": stmt.d1, "d2": stmt.d2,
        "valuation": stmt.value, "purchase": stmt.cost,
        "positions": [{"group": line.group, "code": line.code, "name": line.name,
                       "assetType": line.asset_type, "qty": line.qty, "purchase": line.cost,
                       "valuation": line.value, "earningRate": line.earning_rate}
                      for line in stmt.lines],
        "transactions": len(book_of(world, account).txns),
    }
