"""Brokers, developer apps, portal users and institutions of a world (read-only after build).

The documented identities come from ``fixtures/world.yaml``; the sandbox's own developer app
gets an API key and secret derived from the seed, in the platform's format (``l7xx`` + 32 hex,
secret 32 hex).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sandbox.paths import FIXTURES
from sandbox.world.rand import Rand


@dataclass(frozen=True)
class Broker:
    short_name: str
    code: str
    name: str
    status: str
    asset_type_all: bool
    aliases: tuple[str, ...] = ()


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
        return family in self.families

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
    vt_acc_no: str
    broker: str
    owner: str
    alias: str
    real_acc_no: str | None = None
    history_period: str | None = None


@dataclass(frozen=True)
class User:
    id: str
    name: str
    ci: str
    password: str
    name_aliases: tuple[str, ...] = ()
    accounts: tuple[VirtualAccount, ...] = ()

    def answers_to(self, kor_name: str) -> bool:
        return kor_name == self.name or kor_name in self.name_aliases

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "ci": self.ci,
            "password": self.password,
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


def load_identities(rand: Rand, path: Path | None = None) -> Identities:
    data = yaml.safe_load((path or FIXTURES / "world.yaml").read_text(encoding="utf-8"))
    ids = Identities(
        common_terms_expire=data["consentDates"]["commonTermsExpireDate"],
        service_terms_expire=data["consentDates"]["serviceTermsExpireDate"],
    )
    for b in data["brokers"]:
        broker = Broker(b["shortName"], b["code"], b["name"], b["status"], b["assetTypeAll"],
                        tuple(b.get("aliases", ())))
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
    for u in data["users"]:
        accounts = tuple(
            VirtualAccount(vt_acc_no=x["vtAccNo"], broker=x["broker"], owner=u["id"],
                           alias=x["alias"], real_acc_no=x.get("realAccNo"),
                           history_period=x.get("historyPeriod"))
            for x in u.get("accounts", ())
        )
        ids.add_user(User(id=u["id"], name=u["name"], ci=u["ci"], password=u["password"],
                          name_aliases=tuple(u.get("nameAliases", ())), accounts=accounts))
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
