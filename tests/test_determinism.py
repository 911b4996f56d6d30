"""Determinism (DESIGN "Determinism"): one clock, one random source, byte-identical replays."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from sandbox.app import Config, create_app
from sandbox.world.world import WorldSettings
from tests.conftest import F0995_KEY, FROZEN, b2b_body, b2b_headers, b2b_post
from tests.test_common import HWANNY_CI, body

SANDBOX = Path(__file__).resolve().parents[1] / "sandbox"
FORBIDDEN = re.compile(
    r"random\.(random|randint|choice|seed|uniform|shuffle|randrange|getrandbits)\(|uuid4\(|"
    r"uuid\.uuid1\(|datetime\.now\(|datetime\.utcnow\(|date\.today\(|time\.time\(|"
    r"secrets\.|os\.urandom\(")
ALLOWED = {SANDBOX / "world" / "clock.py", SANDBOX / "world" / "rand.py"}


def test_time_and_randomness_only_from_clock_and_rand() -> None:
    hits = []
    for path in sorted(SANDBOX.rglob("*.py")):
        if path in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if FORBIDDEN.search(code) and "def " not in code:
                hits.append(f"{path.relative_to(SANDBOX.parent)}:{number}: {line.strip()}")
    assert hits == []


def transcript(app: Flask) -> list[bytes]:
    client = app.test_client()
    out = [client.get(path).data for path in ("/_sandbox/apps", "/_sandbox/users",
                                              "/_sandbox/clock")]
    out.append(client.post("/v1/common/member/consent/search", json=body(HWANNY_CI, "박환덕"),
                           headers={"apikey": F0995_KEY}).data)
    for user in ("hwanny", "jeeae", "hwanny"):
        out.append(client.post("/_sandbox/oauth/token",
                               json={"userId": user, "apiKey": F0995_KEY}).data)
    login = client.post("/auth/oauth/v2/authorize/login", data={
        "response_type": "code", "client_id": F0995_KEY, "state": "s1",
        "redirect_uri": "https://sandbox.koscom.co.kr/callback", "username": "hwanny",
        "password": "fintech123@", "consent": "allow"})
    out.append(login.headers["Location"].encode())
    out.extend(account_answers(client))
    for api, query in (("balancelist", {"qrAccNo": "0019923122221", "qrAssetType": "EQTY"}),
                       ("tradebook", {"qrAccNo": "0019923122221", "qrFromDate": "20260101",
                                      "qrToDate": "20261123"})):
        out.append(b2b_post(client, api, b2b_body(api, query)).data)
    order = {"clOrdID": "D-1", "account": "0019923122221", "securityID": "KR7005930003",
             "side": "1", "ordType": "1", "orderQty": 3, "transactTime": "20261124-01:00:00.000"}
    out.append(client.post("/v1/samsung/order/new", headers=b2b_headers(), json={
        "partner": {"comId": "00995"}, "newOrderSingleRequestBody": order}).data)
    out.append(client.get("/_sandbox/orders/00995").data)
    market = {"apikey": F0995_KEY}
    for path in MARKET_PATHS:
        out.append(client.get(path, headers=market).data)
    return out


def account_answers(client: FlaskClient) -> list[bytes]:
    """Balances and histories of a documented and a generated account (holdings, valuations)."""
    world = client.application.extensions["sandbox"].world
    generated = next(u for u in world.ids.users.values()
                     if u.origin == "generated" and u.accounts
                     and u.accounts[0].broker in ("cyber", "diamond", "star")
                     and (c := u.consent("app-f0995-sandbox")) is not None
                     and c.state == "linked")
    out = []
    for user, account in (("hwanny", world.ids.account_by_no["160646584478700099"]),
                          (generated.id, generated.accounts[0])):
        token = client.post("/_sandbox/oauth/token", json={"userId": user,
                                                           "apiKey": F0995_KEY}).get_json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        base = {"partner": {"comId": "F0995", "srvId": "297"},
                "commonHeader": {"ci": world.ids.users[user].ci, "reqIdConsumer": "d1"},
                "devInfo": {"ipAddr": "127000000001", "macAddr": "000000000000"},
                "accInfo": {"vtAccNo": account.vt_acc_no}}
        out.append(client.post(f"/v1/{account.broker}/account/balance/search", headers=headers,
                               json={**base, "balanceRequestBody": {"queryType": {
                                   "assetType": "ALL", "count": 0, "page": "null"}}}).data)
        out.append(client.post(f"/v1/{account.broker}/account/transaction/search",
                               headers=headers, json={**base, "transactionHistoryRequestBody": {
                                   "queryParams": {"fromDate": "20260901",
                                                   "toDate": "20261124"}}}).data)
    return out


MARKET_PATHS = (
    "/v2/market/stocks/kospi/005930/price",
    "/v2/market/stocks/kosdaq/247540/orderbook",
    "/v2/market/stocks/kospi/005930/history?trnsmCycleTpCd=W&inqStrtDd=20160101"
    "&inqEndDd=20261124&reqCnt=100",
    "/v2/market/futures/kospi200/K2FA001/price",
    "/v2/market/options/kospi200/lists",
    "/v2/market/index/kospi/K1/index",
    "/v2/market/index/kospi/K1/investors",
    "/v2/market/multiquote/stocks/kospi/ohlclists",
)


def test_same_seed_gives_byte_identical_responses_across_restarts() -> None:
    settings = WorldSettings(seed=7, clock=FROZEN)
    first = transcript(create_app(Config(world=settings)))
    second = transcript(create_app(Config(world=settings)))
    assert first == second
    other = transcript(create_app(Config(world=WorldSettings(seed=8, clock=FROZEN))))
    assert other[0] != first[0]  # the dev app's key is derived from the seed
    market = len(MARKET_PATHS)
    assert other[-market - 1] != first[-market - 1]
    for mine, theirs in zip(first[-market:], other[-market:], strict=True):
        assert mine != theirs  # another seed, other prices, books, flows and listings


def test_reset_replays_the_same_bytes(app: Flask) -> None:
    client = app.test_client()
    client.post("/_sandbox/reset")
    first = transcript(app)
    client.post("/_sandbox/reset")
    assert transcript(app) == first
