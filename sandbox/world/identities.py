"""Brokers, developer apps, portal users and institutions of a world.

The documented identities come from ``fixtures/world.yaml``; the sandbox's own developer app
gets an API key and secret derived from the seed, in the platform's format (``l7xx`` + 32 hex,
secret 32 hex); :mod:`sandbox.world.population` adds the generated users. Everything is
immutable once built except that the admin API adds custom users (:meth:`Identities.add_user`,
dict insertions only): readers that loop over ``users`` take a copy first
(``list(ids.users.values())``, atomic under the GIL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from sandbox.paths import FIXTURES
from sandbox.world.rand import Rand


@dataclass(frozen=True)
class Broker:
    """A brokerage and its documented behaviour (``brokerDefaults`` in the fixture)."""

    short_name: str
    code: str
    name: str
    status: str  # provided | contracted | virtual
    asset_type_all: bool  # seed (2018-06) column of README §4
    aliases: tuple[str, ...] = ()
    asset_type_all_later: bool = False  # [later] column
    interest_query_type: bool = False  # watch-list queryType (Samsung only)
    rsp_type_qty: bool = True  # portfolio rspType QTY answered
    max_range_days: int = 92  # transaction fromDate..toDate (6006)
    max_page_size: int = 100  # cap on a request's count
    cash_isin_code: str = "CASH"  # isinCode of cash rows in the transaction history
    trade_type: str = "NRM"  # NRM, or SUM at brokers that do not classify positions
    order_number_format: str = "%010d"
    order_number_start: int = 12345
    fixed_ip_addr: str | None = None  # the devInfo.ipAddr the platform sends (Daishin)
    portal_balance_asset_type: str | None = None  # informational (eBest: CASH)

    @property
    def virtual(self) -> bool:
        return self.status == "virtual"

    def supports_all(self, later: bool = False) -> bool:
        """``assetType: "ALL"``; the virtual brokers always allow it (account.md §6)."""
        return self.virtual or (self.asset_type_all_later if later else self.asset_type_all)

    def public(self) -> dict[str, Any]:
        return {
            "shortName": self.short_name, "code": self.code, "name": self.name,
            "status": self.status, "aliases": list(self.aliases),
            "assetTypeAll": self.asset_type_all, "assetTypeAllLater": self.asset_type_all_later,
            "interestQueryType": self.interest_query_type, "rspTypeQty": self.rsp_type_qty,
            "maxRangeDays": self.max_range_days, "maxPageSize": self.max_page_size,
            "cashIsinCode": self.cash_isin_code, "tradeType": self.trade_type,
            "orderNumber": {"format": self.order_number_format,
                            "start": self.order_number_start},
            "fixedIpAddr": self.fixed_ip_addr,
            "portalBalanceAssetType": self.portal_balance_asset_type,
        }


_BROKER_KEYS = {
    "assetTypeAllLater": "asset_type_all_later", "interestQueryType": "interest_query_type",
    "rspTypeQty": "rsp_type_qty", "maxRangeDays": "max_range_days",
    "maxPageSize": "max_page_size", "cashIsinCode": "cash_isin_code", "tradeType": "trade_type",
    "fixedIpAddr": "fixed_ip_addr", "portalBalanceAssetType": "portal_balance_asset_type",
}


def _broker(row: dict[str, Any], defaults: dict[str, Any]) -> Broker:
    values = {**defaults, **row}
    options = {attr: values[key] for key, attr in _BROKER_KEYS.items() if key in values}
    numbering = values.get("orderNumber") or {}
    return Broker(
        short_name=values["shortName"], code=str(values["code"]), name=values["name"],
        status=values["status"], asset_type_all=values["assetTypeAll"],
        aliases=tuple(values.get("aliases", ())),
        order_number_format=numbering.get("format", "%010d"),
        order_number_start=int(numbering.get("start", 12345)), **options,
    )


#: The partner families (partners.md §S): an app subscribes to each one, or to all of them
#: through the umbrella family ``partners`` of the documented apps.
PARTNER_FAMILIES = frozenset({"bccard", "ratestbed", "bigbot", "haystack", "wavelet",
                              "fabotdw", "bookkeeper", "nice", "thecheat"})


@dataclass(frozen=True)
class App:
    """A developer-center application (API key = OAuth client_id)."""

    name: str
    com_id: str
    srv_id: str
    api_key: str
    secret: str
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]
    families: tuple[str, ...]
    discretionary: bool = False
    key_aliases: tuple[str, ...] = ()
    basic_literals: tuple[str, ...] = ()

    def subscribes(self, family: str) -> bool:
        return family in self.families or (family in PARTNER_FAMILIES
                                           and "partners" in self.families)

    def public(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "apiKey": self.api_key,
            "secret": self.secret,
            "comId": self.com_id,
            "srvId": self.srv_id,
            "redirectUris": list(self.redirect_uris),
            "scopes": list(self.scopes),
            "families": list(self.families),
            "discretionary": self.discretionary,
        }


@dataclass(frozen=True)
class VirtualAccount:
    """A virtual account (가상계좌) issued by the portal for one real account at a broker.

    ``history_period`` (``"2018/08~2018/09"``) bounds the documented accounts' transaction
    history (common.md §7); ``opened`` is when a generated or custom account starts trading.
    """

    vt_acc_no: str
    broker: str
    owner: str
    alias: str
    real_acc_no: str | None = None
    history_period: str | None = None
    opened: date | None = None
    origin: str = "documented"  # documented | generated | custom


@dataclass(frozen=True)
class Consent:
    """A user's link of their accounts to one app with the fintech consent (common.md §4).

    Documented users keep the documented date and never expire (ERRATA 12); generated users
    renew every year on ``renews_on`` (month, day) unless ``state`` says otherwise; custom users
    carry a fixed ``expires`` date.
    """

    app: str
    state: str = "linked"  # linked | expired (unlinked = no Consent)
    expires: date | None = None
    renews_on: tuple[int, int] | None = None
    enforced: bool = True

    def expiry(self, today: date) -> date:
        """The serviceTermsExpireDate on ``today``."""
        if self.renews_on is None:
            return self.expires or today
        if self.state == "expired":  # lapsed at the last anniversary
            return renewal_date(self.renews_on, today - timedelta(days=366))
        return renewal_date(self.renews_on, today)

    def valid(self, today: date) -> bool:
        if not self.enforced:
            return True
        return self.state == "linked" and self.expiry(today) >= today


def year_later(today: date) -> date:
    """The last day of a one-year term starting ``today`` (2026-11-24 -> 2027-11-23)."""
    try:
        anniversary = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        anniversary = date(today.year + 1, 3, 1)
    return anniversary - timedelta(days=1)


def renewal_date(renews_on: tuple[int, int], today: date) -> date:
    """The first anniversary ``(month, day)`` on or after ``today`` (a yearly renewal)."""
    month, day = renews_on
    day = min(day, 28) if month == 2 else day
    this_year = date(today.year, month, day)
    return this_year if this_year >= today else date(today.year + 1, month, day)


@dataclass(frozen=True)
class User:
    id: str
    name: str
    ci: str
    password: str
    name_aliases: tuple[str, ...] = ()
    accounts: tuple[VirtualAccount, ...] = ()
    consents: tuple[Consent, ...] = ()
    origin: str = "documented"  # documented | generated | custom
    terms_renew_on: tuple[int, int] | None = None  # platform consent (None: documented date)

    def answers_to(self, kor_name: str) -> bool:
        return kor_name == self.name or kor_name in self.name_aliases

    def consent(self, app: str) -> Consent | None:
        return next((c for c in self.consents if c.app == app), None)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "ci": self.ci,
            "password": self.password,
            "origin": self.origin,
            "accounts": [{"vtAccNo": a.vt_acc_no, "broker": a.broker} for a in self.accounts],
        }


@dataclass(frozen=True)
class Grant:
    """A pre-seeded OAuth grant (code and/or tokens), restored at every reset."""

    app: str
    user: str
    scope: str
    code: str | None = None
    redirect_uri: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None


@dataclass(frozen=True)
class Institution:
    com_id: str
    app: str
    accounts: tuple[dict[str, str], ...]


@dataclass
class Identities:
    brokers: dict[str, Broker] = field(default_factory=dict)
    broker_aliases: dict[str, str] = field(default_factory=dict)
    apps: dict[str, App] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    grants: tuple[Grant, ...] = ()
    institutions: dict[str, Institution] = field(default_factory=dict)
    common_terms_expire: str = ""
    service_terms_expire: str = ""
    # indexes
    app_by_key: dict[str, App] = field(default_factory=dict)
    user_by_ci: dict[str, User] = field(default_factory=dict)
    account_by_no: dict[str, VirtualAccount] = field(default_factory=dict)

    def broker(self, name: str) -> Broker | None:
        """Resolve a broker short name case-insensitively, aliases included."""
        key = name.strip().lower()
        return self.brokers.get(self.broker_aliases.get(key, key))

    def add_app(self, app: App) -> None:
        self.apps[app.name] = app
        for key in (app.api_key, *app.key_aliases):
            self.app_by_key[key] = app

    def add_user(self, user: User) -> None:
        self.users[user.id] = user
        self.user_by_ci[user.ci] = user
        for account in user.accounts:
            self.account_by_no[account.vt_acc_no] = account


def dev_app(rand: Rand) -> App:
    """The sandbox's own developer app, with credentials derived from the seed."""
    stream = rand.stream("identities:dev-app")
    return App(
        name="app-sandbox-dev",
        com_id="F0996",
        srv_id="298",
        api_key="l7xx" + stream.hex(32),
        secret=stream.hex(32),
        redirect_uris=("http://127.0.0.1:8800/callback", "http://localhost:8800/callback"),
        scopes=("account",),
        families=("common", "account", "market", "partners"),
    )


@lru_cache(maxsize=4)
def _document(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def load_identities(rand: Rand, users: int = 0, path: Path | None = None) -> Identities:
    """The documented identities of the fixture plus ``users`` generated portal users."""
    data = _document(path or FIXTURES / "world.yaml")
    ids = Identities(
        common_terms_expire=data["consentDates"]["commonTermsExpireDate"],
        service_terms_expire=data["consentDates"]["serviceTermsExpireDate"],
    )
    for b in data["brokers"]:
        broker = _broker(b, data.get("brokerDefaults", {}))
        ids.brokers[broker.short_name] = broker
        for alias in broker.aliases:
            ids.broker_aliases[alias] = broker.short_name
    for a in data["apps"]:
        ids.add_app(App(
            name=a["name"], com_id=a["comId"], srv_id=a["srvId"], api_key=a["apiKey"],
            secret=a["secret"], redirect_uris=tuple(a.get("redirectUris", ())),
            scopes=tuple(a.get("scopes", ())), families=tuple(a["families"]),
            discretionary=a.get("discretionary", False),
            key_aliases=tuple(a.get("keyAliases", ())),
            basic_literals=tuple(a.get("basicLiterals", ())),
        ))
    ids.add_app(dev_app(rand))
    # ERRATA 12: every seeded account is linked to every app with the account APIs, and the
    # documented consent date is emitted but never enforced.
    documented_expiry = datetime.strptime(ids.service_terms_expire, "%Y%m%d").date()
    consents = tuple(Consent(app.name, expires=documented_expiry, enforced=False)
                     for app in ids.apps.values() if app.subscribes("account"))
    for u in data["users"]:
        accounts = tuple(
            VirtualAccount(vt_acc_no=x["vtAccNo"], broker=x["broker"], owner=u["id"],
                           alias=x["alias"], real_acc_no=x.get("realAccNo"),
                           history_period=x.get("historyPeriod"))
            for x in u.get("accounts", ())
        )
        ids.add_user(User(id=u["id"], name=u["name"], ci=u["ci"], password=u["password"],
                          name_aliases=tuple(u.get("nameAliases", ())), accounts=accounts,
                          consents=consents))
    if users > 0:
        from sandbox.world.population import generate_users

        eligible = tuple(b.short_name for b in ids.brokers.values()
                         if b.status in ("provided", "virtual"))
        apps = tuple(c.app for c in consents)
        taken = frozenset(ids.account_by_no) | frozenset(ids.users)
        for user in generate_users(rand.seed, users, eligible, apps, taken):
            ids.add_user(user)
    ids.grants = tuple(
        Grant(app=g["app"], user=g["user"], scope=g["scope"], code=g.get("code"),
              redirect_uri=g.get("redirectUri"), access_token=g.get("accessToken"),
              refresh_token=g.get("refreshToken"))
        for g in data.get("grants", ())
    )
    for i in data.get("institutions", ()):
        ids.institutions[i["comId"]] = Institution(
            com_id=i["comId"], app=i["app"],
            accounts=tuple(dict(x) for x in i.get("accounts", ())),
        )
    return ids
