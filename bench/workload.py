"""The mixed workload of the served benches: realistic request lists per API family.

Every family is a list of requests a client of the default world would send (the documented
identities, apps, institutions and instruments; generated investors and market issues read
from the served emulator through the admin and market APIs). ``build`` makes one family's list
against a running emulator (bearer tokens obtained before the load); ``verify`` sends each
request once and fails the run unless it answers 200 with a JSON body (``bench/families.py``
also fails it on a rejected order), so that a non-2xx under load means the load, not a wrong
request. ``bench/lua.py`` turns the lists into wrk scripts.

A body may carry ``@@ID@@`` (replaced by an id unique to the call: order ``clOrdID``) and
``@@REF@@`` (the id that the request named by ``ref`` got ``lag`` rotations earlier: the
``origClOrdID`` of a cancel).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from wrk import BenchError  # bench/ is the script's directory

FAMILIES = ("common", "account", "b2baccount", "order", "market", "partners")
#: Share of each family in the ``mixed`` run (market data dominates a fintech's traffic).
MIX_WEIGHTS = {"market": 40, "account": 15, "partners": 15, "common": 10, "b2baccount": 10,
               "order": 10}
ID_MARK, REF_MARK = "@@ID@@", "@@REF@@"

F9999_KEY = "l7xx230ef2235e34448c982eb192ac98e206"  # app-f9999-seed
F0995_KEY = "l7xx07af2794364743abaf6a493cdeca5aa0"  # app-f0995-sandbox (partners' examples)
F0000_KEY = "l7xxf234248b6fbd42a1a6844861524b2320"  # app-f0000-hackathon
INSTITUTIONS = {  # comId: (API key, secret, samsung discretionary accounts)
    "00995": ("l7xxa55191ed000000000000000000000002", "a55191ed000000000000000000000003",
              ("0019923122221",)),
    "uberple": ("l7xxa55191ed000000000000000000000004", "a55191ed000000000000000000000005",
                ("40113387510", "40113387523", "099240776543")),
}
DAY = "20261124"  # the date of bench/run.py's CLOCK
GILDONG_CI = ("S1V7HGXBV1EPGBJastZf4fQV+eOpOc1pfizByV6UIEEJHM/PF9QKu+PU2OTh"
              "Eog7QmVKSZNibNGg+/k0XB/9jQ==")
HWANNY_CI = ("QciuDFKLcwalCKtWALuNWic9eGm7WNdauW+A+n+mpfhif24c3msHdzVjoZK0"
             "ntkXZ1+nA6LX47nyKmIq1JoHhg==")
JEEAE_CI = ("Q9z5ccmjYNrhPVXrdfgfgfFdfgFGHdfg3fGFGgghDFFGghghgSSSfgfgcvbd"
            "fgert45rgfgdfgfhpf5vmzjaA==")
HACKATHON_CI = ("35SA9SlOxR3vOSQF0aXztoWpwgLmXFZbH074ZcqwbPBCIwt4xo1I0az0lu7q"
                "p5nuDRs78QNJxAnZk5SP/XB8Yw==")

#: ``fetch(method, path, payload=None, headers=None)``: a JSON call that must answer 200.
Fetch = Callable[..., Any]


@dataclass
class Req:
    """One request of a workload."""

    family: str
    name: str  # what it is, for reports (operation and variant)
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None  # JSON text, with ID_MARK / REF_MARK where ids go
    ref: str | None = None  # the ``name`` whose ids REF_MARK refers to
    lag: int = 0  # REF_MARK names the id ``ref`` got this many rotations earlier

    def filled(self, prefix: str, k: int, lag: int | None = None) -> str | None:
        """The body of the ``k``-th call (ids ``prefix`` + short name + ``k``); ``lag``
        overrides the request's own."""
        if self.body is None:
            return None
        text = self.body.replace(ID_MARK, f"{prefix}{short(self.name)}{k}")
        if self.ref is not None:
            back = self.lag if lag is None else lag
            text = text.replace(REF_MARK, f"{prefix}{short(self.ref)}{k - back}")
        return text


def short(name: str) -> str:
    """A compact, id-safe form of a request name (for clOrdIDs)."""
    return "".join(part[:1] for part in name.replace(".", " ").replace("_", " ").split())


def _json(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _post(family: str, name: str, path: str, headers: dict[str, str], payload: Any,
          **more: Any) -> Req:
    return Req(family, name, "POST", path, {**headers, "Content-Type": "application/json"},
               _json(payload), **more)


def _get(family: str, name: str, path: str, headers: dict[str, str]) -> Req:
    return Req(family, name, "GET", path, dict(headers))


def basic(com_id: str) -> dict[str, str]:
    """HTTP Basic of the institution's app and its ``comId`` header."""
    key, secret, _ = INSTITUTIONS[com_id]
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", "comId": com_id}


# --------------------------------------------------------------------------- common

def common(fetch: Fetch) -> list[Req]:
    """register/search and consent/search of documented members and a non-member."""
    cases = [("jeeae", F9999_KEY, "F9999", JEEAE_CI, "홍길동"),
             ("hwanny", F0995_KEY, "F0995", HWANNY_CI, "박환덕"),
             ("gildong", F9999_KEY, "F9999", GILDONG_CI, "홍길동"),
             ("hackathon", F0000_KEY, "F0000", HACKATHON_CI, "홍길동"),
             ("nonmember", F9999_KEY, "F9999", "bench" + "A" * 83, "김철수")]
    out = []
    for who, key, com_id, ci, name in cases:
        payload = {"partner": {"comId": com_id, "srvId": "999"},
                   "commonHeader": {"reqIdPlatform": "", "reqIdConsumer": "bench", "ci": ci},
                   "body": {"korName": name}}
        for api in ("register", "consent") if who != "nonmember" else ("register",):
            out.append(_post("common", f"common.{api}.{who}",
                             f"/v1/common/member/{api}/search", {"apikey": key}, payload))
    return out


# --------------------------------------------------------------------------- account

ACCOUNT_BLOCKS = {"balance": ("balanceRequestBody", "queryType"),
                  "portfolio": ("portfolioRequestBody", "queryType"),
                  "transaction": ("transactionHistoryRequestBody", "queryParams"),
                  "interest": ("interestSymbolListRequestBody", "queryType")}


def _account(name: str, broker: str, api: str, token: str, com_id: str, ci: str, acc: str,
             query: dict[str, Any]) -> Req:
    block, inner = ACCOUNT_BLOCKS[api]
    payload = {"partner": {"comId": com_id, "srvId": "999"},
               "commonHeader": {"reqIdPlatform": "", "reqIdConsumer": "bench", "ci": ci},
               "devInfo": {"ipAddr": "123451234500", "macAddr": "7054D27EE247"},
               "accInfo": {"vtAccNo": acc}, block: {inner: query}}
    return _post("account", f"account.{api}.{name}", f"/v1/{broker}/account/{api}/search",
                 {"Authorization": f"Bearer {token}"}, payload)


def token(fetch: Fetch, user: str, key: str) -> str:
    """A fresh access token of ``user`` for the app of ``key`` (admin shortcut)."""
    return str(fetch("POST", "/_sandbox/oauth/token", {"userId": user, "apiKey": key})
               ["access_token"])


def _investors(fetch: Fetch, count: int) -> list[tuple[dict[str, Any], str, str]]:
    """Generated users whose first account is at a broker answering assetType ALL and is
    linked to an app with the account APIs: (user, app key, comId)."""
    apps = {a["name"]: a for a in fetch("GET", "/_sandbox/apps")["apps"]
            if "account" in a["families"] and not a["discretionary"]}
    brokers = {b["shortName"]: b for b in fetch("GET", "/_sandbox/brokers")["brokers"]}
    found = []
    listing = fetch("GET", "/_sandbox/users?origin=generated&limit=100")["users"]
    for brief in listing:
        if not brief["accounts"]:
            continue
        broker = brokers[brief["accounts"][0]["broker"]]
        if not broker["assetTypeAll"] or broker["status"] != "provided":
            continue
        user = fetch("GET", f"/_sandbox/users/{brief['id']}")
        account = user["accounts"][0]
        app = next((apps[link["app"]] for link in account["links"]
                    if link["state"] == "linked" and link["app"] in apps
                    and link["serviceTermsExpireDate"] >= DAY), None)
        if app is None or account["discarded"]:
            continue
        found.append((user, app["apiKey"], app["comId"]))
        if len(found) == count:
            break
    return found


def account(fetch: Fetch, investors: int = 6) -> list[Req]:
    """The documented account examples (gildong at shinhan and samsung, the hackathon app's
    hwanny at star) and balance/portfolio/transaction of generated investors; one bearer token
    per user and app, obtained now."""
    gildong = token(fetch, "gildong", F9999_KEY)
    hwanny = token(fetch, "hwanny", F0000_KEY)
    shinhan, samsung, star = "160678007213500001", "160731060768600001", "160646584478700099"
    recent = {"fromDate": "20261025", "toDate": DAY, "isinCode": "", "side": "", "count": 30,
              "page": ""}
    out = [
        _account("gildong", "shinhan", "balance", gildong, "F9999", GILDONG_CI, shinhan,
                 {"assetType": "ALL", "count": 0, "page": "null"}),
        _account("gildong", "shinhan", "portfolio", gildong, "F9999", GILDONG_CI, shinhan,
                 {"assetType": "ALL", "rspType": "RAT", "count": 0, "page": "null"}),
        _account("gildong", "samsung", "transaction", gildong, "F9999", GILDONG_CI, samsung,
                 {"fromDate": "20160101", "toDate": "20160720", "isinCode": "", "side": "",
                  "count": 30, "page": ""}),
        _account("gildong", "samsung", "interest", gildong, "F9999", GILDONG_CI, samsung,
                 {"assetType": "", "rspType": None, "count": 0, "page": "", "totalCnt": 0}),
        _account("hwanny", "star", "balance", hwanny, "F0000", HWANNY_CI, star,
                 {"assetType": "EQTY", "count": 0, "page": "null"}),
        _account("hwanny", "star", "transaction", hwanny, "F0000", HWANNY_CI, star, recent),
    ]
    for user, key, com_id in _investors(fetch, investors):
        bearer = token(fetch, user["id"], key)
        acc = user["accounts"][0]
        for api, query in (("balance", {"assetType": "ALL", "count": 0, "page": "null"}),
                           ("portfolio", {"assetType": "ALL", "rspType": "RAT", "count": 0,
                                          "page": "null"}),
                           ("transaction", recent)):
            out.append(_account(user["id"], acc["broker"], api, bearer, com_id, user["ci"],
                                acc["vtAccNo"], query))
    return out


# --------------------------------------------------------------------------- b2baccount

B2B_BLOCKS = {"accountlist": "accountListRequestBody", "balancelist": "balanceListRequestBody",
              "orderdetail": "orderDetailListRequestBody",
              "settlelist": "settleListRequestBody", "tradebook": "tradeBookListRequestBody"}


def _b2b(com_id: str, api: str, query: dict[str, Any], tag: str = "") -> Req:
    payload = {"partner": {"comId": com_id, "srvId": "100"},
               "commonHeader": {"reqIdConsumer": "bench"},
               B2B_BLOCKS[api]: {"queryParameter": query}}
    return _post("b2baccount", f"b2baccount.{api}.{com_id}{tag}",
                 f"/v1/samsung/b2baccount/{api}/search", basic(com_id), payload)


def b2baccount(fetch: Fetch) -> list[Req]:
    """The five searches for both institutions' discretionary accounts (Basic + comId)."""
    out = []
    for com_id, (_, _, accounts) in INSTITUTIONS.items():
        out.append(_b2b(com_id, "accountlist", {"count": 0, "page": "null"}))
        for n, acc in enumerate(accounts[:2]):
            tag = f"-{n}" if n else ""
            out += [
                _b2b(com_id, "balancelist", {"qrAccNo": acc, "qrAssetType": "EQTY", "count": 0,
                                             "page": "null"}, tag),
                _b2b(com_id, "orderdetail", {"qrAccNo": acc, "qrAssetType": "EQTY",
                                             "qrSellBuyType": "0", "qrOrderDate": DAY,
                                             "count": 0, "page": "null"}, tag),
                _b2b(com_id, "settlelist", {"qrAccNo": acc, "qrAssetType": "EQTY",
                                            "qrSellBuyType": "0", "qrOrderDate": "20261120",
                                            "count": 0, "page": "null"}, tag),
                _b2b(com_id, "tradebook", {"qrAccNo": acc, "qrFromDate": "20261118",
                                           "qrToDate": DAY, "count": 0, "page": "null"}, tag),
            ]
    return out


# --------------------------------------------------------------------------- order

def _order(api: str, name: str, com_id: str, fields: dict[str, Any], **more: Any) -> Req:
    block = {"new": "newOrderSingleRequestBody", "cancel": "orderCancelRequestBody"}[api]
    payload = {"partner": {"comId": com_id, "srvId": "100"},
               "commonHeader": {"reqIdPlatform": "", "reqIdConsumer": ID_MARK},
               block: {"clOrdID": ID_MARK, "securityIDSource": "4",
                       "transactTime": "20261124-01:00:00.000", **fields}}
    return _post("order", name, f"/v1/samsung/order/{api}", basic(com_id), payload, **more)


#: A cancel names the resting order placed this many rotations before it (the order has been
#: acknowledged by then under 16 connections; the first cancels of a run are rejected).
CANCEL_LAG = 8


def _holding(fetch: Fetch, com_id: str, acc: str) -> tuple[str, str, str]:
    """The largest stock position of a discretionary account: (ISIN, short code, market)."""
    payload = {"partner": {"comId": com_id, "srvId": "100"},
               "commonHeader": {"reqIdConsumer": "bench"},
               "balanceListRequestBody": {"queryParameter": {
                   "qrAccNo": acc, "qrAssetType": "EQTY", "count": 0, "page": "null"}}}
    answer = fetch("POST", "/v1/samsung/b2baccount/balancelist/search", payload, basic(com_id))
    held = max(answer["balanceList"]["balance"][0]["securitiesBalInfo"],
               key=lambda s: s["qty"])
    codes = {i["isinType"]: i["isinCode"] for i in held["isinInfo"]}
    return (codes["표준코드"], codes["단축코드"].removeprefix("A"),
            "kosdaq" if held["assetType"] == "KDQ" else "kospi")


def resting_price(fetch: Fetch, market: str, symbol: str) -> int:
    """A limit buy price that rests: 75 % of the previous close, rounded up to a multiple of
    1,000 KRW (a valid tick at every price level, inside the -30 % band); at least 1,000."""
    quote = fetch("GET", f"/v2/market/stocks/{market}/{symbol}/price", None,
                  {"apikey": F9999_KEY})["result"]
    previous = quote["trdPrc"] - quote["cmpprevddPrc"]
    return max(1000, -(-int(previous) * 3 // 4 // 1000) * 1000)


def order(fetch: Fetch) -> list[Req]:
    """New orders (they create state): per institution, on the largest position of its first
    account, a resting limit buy well below the market and its cancel, a marketable buy and a
    marketable sell of one share (the position stays level, a sell never lacks shares)."""
    out = []
    for com_id, (_, _, accounts) in INSTITUTIONS.items():
        isin, symbol, market = _holding(fetch, com_id, accounts[0])
        base = {"account": accounts[0], "securityID": isin, "symbol": symbol, "orderQty": 1}
        resting = f"order.new_limit.{com_id}"
        out += [
            _order("new", resting, com_id, {**base, "msgType": "D", "side": "1", "ordType": "2",
                                            "price": resting_price(fetch, market, symbol),
                                            "timeInForce": "0"}),
            _order("new", f"order.new_market_buy.{com_id}", com_id,
                   {**base, "msgType": "D", "side": "1", "ordType": "1"}),
            _order("new", f"order.new_market_sell.{com_id}", com_id,
                   {**base, "msgType": "D", "side": "2", "ordType": "1"}),
            _order("cancel", f"order.cancel.{com_id}", com_id,
                   {**{k: v for k, v in base.items() if k != "orderQty"}, "msgType": "F",
                    "origClOrdID": REF_MARK, "side": "1"}, ref=resting, lag=CANCEL_LAG),
        ]
    return out


def order_rejects(fetch: Fetch) -> dict[str, int]:
    """The day's rejected orders (execType 8) and cancel rejects, by institution and reason."""
    out: dict[str, int] = {}
    for com_id in INSTITUTIONS:
        for m in fetch("GET", f"/_sandbox/orders/{com_id}")["messages"]:
            report = m.get("executionReport") or {}
            if "orderCancelReject" in m:
                why = f"cancel reject {m['orderCancelReject'].get('cxlRejReason')}"
            elif report.get("execType") == "8":
                why = f"order reject {report.get('ordRejReason')}"
            else:
                continue
            out[f"{com_id} {why}"] = out.get(f"{com_id} {why}", 0) + 1
    return out


# --------------------------------------------------------------------------- market

def market(fetch: Fetch, issues: int = 8) -> list[Req]:
    """A rotation over the market operations a quote screen and a chart use (price, book,
    master, daily and intraday bars, trade ranking, multi-issue quotes, indices, a future and
    an option, ETF NAV) over ``issues`` KOSPI and KOSDAQ issues spread across the lists."""
    key = {"apikey": F9999_KEY}
    kospi = [i["isuSrtCd"] for i in fetch("GET", "/v2/market/stocks/kospi/lists", None, key)
             ["isuLists"]]
    kosdaq = [i["isuSrtCd"] for i in fetch("GET", "/v2/market/stocks/kosdaq/lists", None, key)
              ["isuLists"]]
    future = fetch("GET", "/v2/market/futures/kospi200/lists", None, key)["isuLists"][0]
    option = fetch("GET", "/v2/market/options/kospi200/lists", None, key)["isuLists"][0]
    picks = [("kospi", "005930"), ("kospi", "000660")]
    picks += [("kospi", kospi[n * len(kospi) // issues]) for n in range(1, issues // 2)]
    picks += [("kosdaq", kosdaq[n * len(kosdaq) // issues]) for n in range(issues // 2)]
    out = []
    for n, (mkt, code) in enumerate(picks):
        base = f"/v2/market/stocks/{mkt}/{code}"
        out += [_get("market", f"market.price.{code}", f"{base}/price", key),
                _get("market", f"market.orderbook.{code}", f"{base}/orderbook", key)]
        extra = [("master", "/master"),
                 ("history", "/history?trnsmCycleTpCd=D&inqStrtDd=20260801&inqEndDd="
                  f"{DAY}&reqCnt=20"),
                 ("intraday", f"/intraday?inddCycleTpCd=60&inqStrtDd={DAY}&strtTm=0900"
                  "&endTm=1000"),
                 ("traderanking", "/traderanking")][n % 4]
        out.append(_get("market", f"market.{extra[0]}.{code}", base + extra[1], key))
    codes = ",".join(code for mkt, code in picks if mkt == "kospi")
    out += [
        _get("market", "market.multiquote_price", f"/v2/market/multiquote/stocks/kospi/price"
             f"?isuCd={codes}", key),
        _get("market", "market.stocks_index.kospi", "/v2/market/stocks/kospi/index", key),
        _get("market", "market.index.K1", "/v2/market/index/kospi/K1/index", key),
        _get("market", "market.index_history.Q1", "/v2/market/index/kosdaq/Q1/history"
             f"?trnsmCycleTpCd=D&inqStrtDd=20261001&inqEndDd={DAY}&reqCnt=20", key),
        _get("market", "market.futures_price",
             f"/v2/market/futures/kospi200/{future['isuSrtCd']}/price", key),
        _get("market", "market.options_price",
             f"/v2/market/options/kospi200/{option['isuSrtCd']}/price", key),
        _get("market", "market.etf_nav.069500", "/v2/market/stocks/kospi/069500/nav", key),
    ]
    return out


# --------------------------------------------------------------------------- partners

#: (name, method, path with query, JSON body): the partners' documented example requests.
PARTNER_CALLS: tuple[tuple[str, str, str, Any], ...] = (
    ("bccard.code", "GET", "/bccard/businesstype/v1.0/code?page=0&size=3&search=tpBuzNm", None),
    ("bccard.index_bycode", "GET",
     "/bccard/businesstype/v1.0/index/4411?page=0&size=3&search=idxYM:201510", None),
    ("bccard.zscore", "GET", "/bccard/zscore/v1.0/index/005930?search=idxYm:201511", None),
    ("bigbot.evaluate", "POST", "/v1/bigbot/evaluate",
     {"portfolio_type": "1", "stocks": [
         {"stock_code": "000020", "stock_name": "동화약품", "profit_ratio": -0.12},
         {"stock_code": "005850", "stock_name": "에스엘", "profit_ratio": 0.07}]}),
    ("bigbot.investor_info", "POST", "/v1/bigbot/investor_info",
     {"score": 24, "total_score": 32}),
    ("bigbot.ranked", "GET", "/v1/bigbot/ranked_stock_indicators?type=1", None),
    ("bigbot.stock_analyzer", "GET", "/v1/bigbot/stock_analyzer?code=005930", None),
    ("bookkeeper.fs", "GET", "/v1/bookkeeper/fs/ifrs/005930?consolidated=1&max_depth=1"
     "&from=2016-01-01&to=2017-12-31", None),
    ("fabotdw.debt_stock", "GET", "/v1/fabotdw/dept/005930", None),
    ("fabotdw.sales_kospi", "GET", "/v1/fabotdw/sales/kospi", None),
    ("fabotdw.rank", "GET", "/v1/fabotdw/fabot_rank/mix_score/1/3", None),
    ("fabotdw.sector", "GET", "/v1/fabotdw/sector/022", None),
    ("haystack.search", "GET", "/v1/haystack/news/politics,economy/_search"
     "?query=%EC%82%BC%EC%84%B1%EC%A0%84%EC%9E%90&page=1", None),
    ("haystack.trending", "GET", "/v1/haystack/topics/trending/news", None),
    ("nice.outline", "GET", "/v1/nice/companyOutlineIfo/companyShortOutline?kiscode=380725"
     "&bizno=1248100998", None),
    ("nice.rate", "GET", "/v1/nice/companyFinancialAnalIfo/financialRate?kiscode=380725"
     "&stacdivcd=F&yr=3&fatpcd=0&stac_date=0", None),
    ("ratestbed.rate", "GET", "/v1/ratestbed/rateapi.json?algrthSn=35&startDate=20170601"
     "&endDate=20170610", None),
    ("ratestbed.risk", "GET", "/v1/ratestbed/riskapi.json?algrthSn=35&startDate=20170601"
     "&endDate=20170610", None),
    ("thecheat.phone", "POST", "/v1/thecheat/fraudsearch",
     {"keyword": "01000000000", "keyword_type": "phone", "access_type": "user",
      "add_info": ""}),
    ("wavelet.prices", "GET", "/v1/wavelet/prices/005930?interval=1d&from=20170403"
     "&to=20170405", None),
)


def partners(fetch: Fetch) -> list[Req]:
    """A rotation over every partner family's documented example requests (F0995's key)."""
    key = {"apikey": F0995_KEY}
    return [_post("partners", f"partners.{name}", path, key, body) if method == "POST"
            else _get("partners", f"partners.{name}", path, key)
            for name, method, path, body in PARTNER_CALLS]


BUILDERS: dict[str, Callable[[Fetch], list[Req]]] = {
    "common": common, "account": account, "b2baccount": b2baccount, "order": order,
    "market": market, "partners": partners}


def build(fetch: Fetch, family: str) -> list[Req]:
    """One family's request list against the served emulator ``fetch`` talks to."""
    return BUILDERS[family](fetch)


# --------------------------------------------------------------------------- checking

Send = Callable[[str, str, bytes | None, dict[str, str]], tuple[int, bytes]]


def verify(send: Send, requests: list[Req], prefix: str = "chk") -> int:
    """Send every request once (ids ``prefix``…) and raise :class:`BenchError` listing those
    that did not answer 200 with a JSON body; the largest answer in bytes otherwise."""
    failures, largest = [], 0
    for req in requests:
        body = req.filled(prefix, 1, lag=0)
        status, data = send(req.method, req.path,
                            None if body is None else body.encode("utf-8"), req.headers)
        largest = max(largest, len(data))
        try:
            json.loads(data)
        except ValueError:
            status = -status or -1
        if status != 200:
            failures.append(f"{req.name}: {req.method} {req.path} -> {status} {data[:300]!r}")
    if failures:
        raise BenchError("requests of the workload that do not answer 200:\n  "
                         + "\n  ".join(failures))
    return largest
