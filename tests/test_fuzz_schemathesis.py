"""Schemathesis fuzzing of every operation of the emulator's own OpenAPI document (issue 9).

Schemathesis reads ``/openapi.json`` (built by :mod:`sandbox.openapi` from the registry, the
schemas and the worked examples), generates requests for every operation — schema-valid
(positive) and schema-invalid (negative) ones, in its examples, coverage and fuzzing phases —
and sends them in-process (WSGI) to the default world with strict response validation. One
pytest item per operation (``test_operation[POST /v1/{broker}/account/balance/search]``), so a
failure names the operation and prints a ``curl`` line that reproduces it.

Credentials are the default world's for the operation's scheme
(:func:`sandbox.examples.auth_headers`: API key, Basic + ``comId``, the pre-seeded Bearer token,
nothing), and a fuzzing dictionary built from the world (brokers, market and issue codes,
trading days, CIs, accounts, users, apps) lets a good share of the cases past the gateway's
data checks into the family models. The world is reset before every case, so no case sees
another's state (a revoked token, a moved clock, an active scenario).

Environment:

* ``SANDBOX_FUZZ_EXAMPLES``: fuzzing-phase examples per operation (default :data:`CI_EXAMPLES`,
  about two minutes on two cores); ``make fuzz`` runs 200.
* ``SANDBOX_FUZZ_SEED``: unset, generation is derandomized (the same code sends the same
  cases, as CI needs); set, other cases from that seed (still reproducible).
* ``SANDBOX_FUZZ_STATS=FILE``: write the per-operation answers (status, and category and code
  of every 5xx) as JSON.
"""
from __future__ import annotations

import base64
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import assume
from schemathesis import AuthContext, Case, CheckContext, GenerationMode, Response
from werkzeug.exceptions import HTTPException

from sandbox.app import Config, SandboxState, create_app
from sandbox.examples import DEFAULT_APP, auth_headers, operations_by_id
from sandbox.openapi import openapi_path
from sandbox.registry import all_operations
from sandbox.world.identities import PARTNER_FAMILIES
from sandbox.world.market import calendar as cal
from sandbox.world.market.instruments import ETF, FUTURE, OPTION, STOCK, Instrument
from sandbox.world.world import WorldSettings
from tests.conftest import FROZEN

CI_EXAMPLES = 40
EXAMPLES = int(os.environ.get("SANDBOX_FUZZ_EXAMPLES", CI_EXAMPLES))
SEED = os.environ.get("SANDBOX_FUZZ_SEED")  # set: other (still reproducible) cases than CI's

APP = create_app(Config(world=WorldSettings(seed=42, clock=FROZEN), response_validation="strict"))
STATE: SandboxState = APP.extensions["sandbox"]
WORLD = STATE.world

# --- credentials of the default world (sandbox.examples.auth_headers, as the examples use) ------
ROUTES = {(method, openapi_path(path)): op for op in all_operations()
          for path in op.paths for method in op.methods}


def credentials(method: str, path: str, security: list[dict[str, list[str]]]) -> dict[str, str]:
    """The default world's credentials for the operation of an OpenAPI path and method: its
    registered auth scheme (which the document's ``security`` states), or the OAuth client
    Basic of the documented sandbox app where the document asks for ``clientBasic`` (token
    endpoints); none for the WebSocket channels, which take theirs inside the session.
    ``comId`` is left out: a declared header parameter, it is drawn from :data:`BINDINGS`, so
    that schemathesis' cases without it stay without it."""
    op = ROUTES.get((method.upper(), path))
    headers = auth_headers(op, STATE.world) if op is not None else {}
    if any("clientBasic" in requirement for requirement in security):
        client = STATE.world.ids.apps[DEFAULT_APP]
        pair = base64.b64encode(f"{client.api_key}:{client.secret}".encode()).decode()
        headers["Authorization"] = f"Basic {pair}"
    return {name: value for name, value in headers.items() if name != "comId"}


OPS = operations_by_id()
APIKEY = auth_headers(OPS["common.member_consent_search"], WORLD)["apikey"]
COM_ID = auth_headers(OPS["order.new"], WORLD)["comId"]
INSTITUTION = WORLD.ids.institutions[COM_ID]
TOKEN = auth_headers(OPS["account.balance_search"], WORLD)["Authorization"].split()[1]
TOKEN_USER = WORLD.ids.users[next(g.user for g in WORLD.ids.grants if g.access_token == TOKEN)]


# --- fuzzing dictionary: values the world knows, drawn instead of random text -------------------
MARKET_CODES = APP.test_client().get("/_sandbox/market/codes").get_json()
MARKET_FAMILIES = {  # path prefix -> (marketcodes, instrument kinds of its issue codes)
    "stocks": ("stocks", ((STOCK, "kospi"), (STOCK, "kosdaq"), (STOCK, "konex"), (ETF, "kospi"))),
    "multiquote": ("multiquote", ()), "list": ("multiquote", ()),
    "futures": ("futures", ((FUTURE, "kospi200"), (FUTURE, "usd"), (FUTURE, "stock"))),
    "options": ("options", ((OPTION, "kospi200"), (OPTION, "usd"))),
    "index": ("index", ()),
}


def _issues(kinds: tuple[tuple[str, str], ...]) -> list[Instrument]:
    day = WORLD.now().date()
    return [inst for kind, market in kinds for inst in WORLD.universe.select(kind, market, day)[:4]]


def _trading_days(count: int) -> list[str]:
    day, days = cal.last_trading_day_on_or_before(WORLD.now().date()), []
    for _ in range(count):
        days.append(day)
        day = cal.previous_trading_day(day)
    return [d.strftime("%Y%m%d") for d in (*days, date(2016, 7, 1), date(2030, 1, 2))]


def _dictionaries() -> dict[str, list[str]]:
    ids = WORLD.ids
    brokers = sorted({*ids.brokers, *ids.broker_aliases})
    stocks = _issues(MARKET_FAMILIES["stocks"][1])
    users = [user for user in ids.users.values() if user.accounts][:12]
    indices = [row["code"] for rows in MARKET_CODES["indices"].values() for row in rows[:4]]
    # the market codes of the drawn issues (a futures code answers under its own market only)
    market = {f"{prefix}.marketcodes": sorted({market for _, market in kinds})
              or MARKET_CODES["marketcodes"][family]
              for prefix, (family, kinds) in MARKET_FAMILIES.items()}
    market |= {f"{prefix}.issuecodes": [inst.code for inst in _issues(kinds)]
               for prefix, (_, kinds) in MARKET_FAMILIES.items() if kinds}
    market["index.issuecodes"] = indices
    return market | {
        "brokers": [*brokers, brokers[0].upper()],
        "stockcodes": [inst.code for inst in stocks],
        "isins": [inst.isin for inst in stocks if inst.isin],
        "days": _trading_days(6),
        "counts": ["1", "10", "100"],
        "times": ["0900", "1000", "153000"],
        "cis": [user.ci for user in users],
        "names": [user.name for user in users],
        "userids": [user.id for user in users],
        "accounts": [acc.vt_acc_no for user in users for acc in user.accounts],
        "tokencis": [TOKEN_USER.ci],
        "tokenaccounts": [acc.vt_acc_no for acc in TOKEN_USER.accounts],
        "tokenbrokers": sorted({acc.broker for acc in TOKEN_USER.accounts}),
        "accountassets": ["ALL", "CASH", "EQTY", "FUND", "ETC"],
        "apikeys": [app.api_key for app in ids.apps.values()],
        "apikey": [APIKEY],
        "apps": sorted(ids.apps),
        "comids": [COM_ID],
        "institutions": sorted(ids.institutions),
        "accnos": [acc["accNo"] for acc in INSTITUTION.accounts],
        "assettypes": ["EQTY", "FUND", "ETC"],
        "families": sorted(PARTNER_FAMILIES),
    }


B2B_BLOCKS = ("orderDetailListRequestBody", "balanceListRequestBody", "settleListRequestBody",
              "tradeBookListRequestBody")
ORDER_BLOCKS = ("newOrderSingleRequestBody", "orderCancelRequestBody",
                "orderCancelReplaceRequestBody")
BINDINGS = {  # parameter -> (dictionary, probability of drawing from it)
    "path.broker": ("brokers", 0.85), "path.marketcode": ("stocks.marketcodes", 0.7),
    "path.issuecode": ("stockcodes", 0.7), "path.stockcode": ("stockcodes", 0.6),
    "path.vt_acc_no": ("accounts", 0.8), "path.user_id": ("userids", 0.8),
    "path.com_id": ("institutions", 0.8), "path.family": ("families", 0.8),
    "header.comId": ("comids", 0.95),
    "query.apikey": ("apikey", 0.9),  # a query key unlike the header's is a 401 (auth.md §2)
    **{f"query.{name}": ("days", 0.7) for name in ("inqStrtDd", "inqEndDd", "startDate",
                                                    "endDate", "stac_date")},
    "query.reqCnt": ("counts", 0.7), "query.strtTm": ("times", 0.6),
    "query.endTm": ("times", 0.6), "query.isuCd": ("stockcodes", 0.6),
    "query.code": ("stockcodes", 0.6), "query.stockcd": ("stockcodes", 0.6),
    "body.commonHeader.ci": ("cis", 0.7), "body.body.korName": ("names", 0.6),
    "body.accInfo.vtAccNo": ("accounts", 0.7), "body.vtAccNo": ("accounts", 0.7),
    "body.userId": ("userids", 0.8), "body.apiKey": ("apikeys", 0.8), "body.app": ("apps", 0.7),
    "body.code": ("stockcodes", 0.7),
    "query.client_id": ("apikeys", 0.8), "body.client_id": ("apikeys", 0.8),
    **{f"body.{block}.queryParameter.qrAccNo": ("accnos", 0.8) for block in B2B_BLOCKS},
    **{f"body.{block}.queryParameter.qrAssetType": ("assettypes", 0.7) for block in B2B_BLOCKS},
    **{f"body.{block}.account": ("accnos", 0.8) for block in ORDER_BLOCKS},
    **{f"body.{block}.securityID": ("isins", 0.7) for block in ORDER_BLOCKS},
}
# The account searches answer only for the token's own user (auth.md §5): their CI and accounts.
TOKEN_BINDINGS = {"body.commonHeader.ci": ("tokencis", 0.8),
                  "body.accInfo.vtAccNo": ("tokenaccounts", 0.8),
                  "path.broker": ("tokenbrokers", 0.7),
                  **{f"body.{block}.queryType.assetType": ("accountassets", 0.7)
                     for block in ("balanceRequestBody", "portfolioRequestBody")}}


def _bind(bindings: dict[str, tuple[str, float]]) -> dict[str, dict[str, Any]]:
    return {key: {"dictionary": name, "probability": p} for key, (name, p) in bindings.items()}


def _market_bindings() -> list[dict[str, Any]]:
    """Each market family draws its own market and issue codes (a KOSPI stock code under
    /futures/ only tests the 10040 answer)."""
    return [{"include-path-regex": f"^/v2/market/{prefix}/", "parameters": _bind({
        "path.marketcode": (f"{prefix}.marketcodes", 0.7),
        "path.issuecode": (f"{prefix}.issuecodes" if kinds or prefix == "index"
                           else "stockcodes", 0.7)})}
        for prefix, (_, kinds) in MARKET_FAMILIES.items()]


# Checks: schemathesis' defaults, adjusted for an emulator of a platform with documented quirks.
# Kept as they are: status_code_conformance (every answer is documented), content_type_ and
# response_schema_conformance (every answer, errors included, matches its documented schema:
# the platform error object, the market error, RFC 6749 bodies), response_headers_conformance,
# missing_required_header, unsupported_method (405 with Allow), allow_header_conformance,
# ignored_auth (credentials are really checked). use_after_free and
# ensure_resource_availability only act in stateful runs; max_response_time stays off (timings
# belong in bench/).
CHECKS: dict[str, Any] = {
    # OFF, replaced by `no_emulator_failure` below: the platform answers documented business
    # errors with HTTP 500 (errors.md §5-§6: op-spt 3007 "not found user" for an unknown CI,
    # 3009, 4003, 6001 ...; 503 3600). Only our own bugs (500 op-apim 500) must never appear.
    "not_a_server_error": {"enabled": False},
    # Schema-valid is not world-valid: an unknown broker (400 3002), market or issue code
    # (400 market errors), a date outside the calendar are 400s of the documented error
    # catalogue that no JSON Schema of the platform expresses. 400 joins the accepted answers;
    # a 405, 406, 415 or 422 to a schema-valid request still fails.
    "positive_data_acceptance": {"expected-statuses": [
        "2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]},
    # Schema-invalid requests must be refused by the gateway with a 4xx; the default also
    # accepts 5xx, which would let a crash pass for a rejection.
    "negative_data_rejection": {"expected-statuses": [
        "400", "401", "403", "404", "405", "406", "409", "415", "422"]},
}

# Per-operation adjustments, each for a reason of the platform, not of the test:
OPERATIONS: list[dict[str, Any]] = [
    # A plain HTTP request to a WebSocket channel can only get 426 Upgrade Required (documented):
    # the in-process WSGI client cannot upgrade, so 426 is the right answer to a "valid" case.
    {"include-operation-id": ["streaming.ws", "streaming.ws_ksp", "streaming.ws_kdq", "order.ws"],
     "checks": {"positive_data_acceptance": {"expected-statuses": [
         *CHECKS["positive_data_acceptance"]["expected-statuses"], "426"]}}},
    # OPTIONS /_sandbox/orders/reference lists GET too: the templated GET
    # /_sandbox/orders/{com_id} serves an institution named "reference" on the same URL, which
    # OpenAPI (concrete paths first) cannot express. The Allow header is right.
    {"include-operation-id": "admin.order_reference",
     "checks": {"allow_header_conformance": {"enabled": False}}},
    # not a check: the account searches draw the CI and accounts of the Bearer token's user
    {"include-operation-id-regex": r"^account\.", "parameters": _bind(TOKEN_BINDINGS)},
    *_market_bindings(),
]

CONFIG = schemathesis.Config.from_dict({
    "seed": int(SEED or 42),
    "generation": {"max-examples": EXAMPLES, "deterministic": SEED is None, "database": "none",
                   "mode": "all"},
    # stateful: the document declares no links between operations, and every case is reset.
    "phases": {"stateful": {"enabled": False}},
    "checks": CHECKS,
    "operations": OPERATIONS,
    "dictionaries": {name: {"values": values} for name, values in _dictionaries().items()},
    "parameters": _bind(BINDINGS),
})
SCHEMA = schemathesis.openapi.from_wsgi("/openapi.json", APP, config=CONFIG)


@SCHEMA.auth(refresh_interval=None)  # no caching: the credentials differ per operation
class DefaultWorldCredentials:
    """Schemathesis auth provider: the default world's credentials for the case's operation."""

    def get(self, case: Case, ctx: AuthContext) -> dict[str, str] | None:
        security = ctx.operation.definition.raw.get("security") or []
        return credentials(ctx.operation.method, ctx.operation.path, security) or None

    def set(self, case: Case, data: dict[str, str], ctx: AuthContext) -> None:
        case.headers = {**(case.headers or {}), **data}


def emulator_failure(status: int, body: Any) -> bool:
    """A 5xx that is not a documented platform answer: the emulator's own 500 (``op-apim 500``,
    also what strict validation answers for a response that violates its schema) or anything
    that is not the platform error object (a traceback, an HTML page)."""
    if status < 500:
        return False
    if not (isinstance(body, dict) and isinstance(body.get("category"), str)
            and isinstance(body.get("code"), int)):
        return True
    return (body["category"], body["code"]) == ("op-apim", 500)


@schemathesis.check
def no_emulator_failure(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """Replaces ``not_a_server_error``: documented business 5xx pass, emulator failures fail."""
    if response.status_code < 500:
        return None
    try:
        body = response.json()
    except ValueError:
        body = None
    if emulator_failure(response.status_code, body):
        raise AssertionError(f"emulator failure {response.status_code}: {response.text[:300]}")
    return True


# --- statistics --------------------------------------------------------------------------------
CASES: Counter[str] = Counter()
STATUSES: dict[str, Counter[str]] = {}  # per operation: "200", "400", "500 op-spt 3007" ...
MODES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print the figures of the run (operations, cases, answers) at the end of the module."""
    yield
    if not CASES:
        return
    reached = sum(1 for answers in STATUSES.values() if any(a[0] in "23" for a in answers))
    total = Counter[int]()
    for answers in STATUSES.values():
        for answer, count in answers.items():
            total[int(answer[:3])] += count
    line = (f"schemathesis: {len(CASES)} operations fuzzed, {sum(CASES.values())} cases "
            f"({MODES['positive']} positive, {MODES['negative']} negative), "
            f"{reached} operations answered 2xx/3xx; statuses {dict(sorted(total.items()))}")
    if os.environ.get("SANDBOX_FUZZ_STATS"):  # per-operation figures as JSON, for a closer look
        Path(os.environ["SANDBOX_FUZZ_STATS"]).write_text(json.dumps(
            {label: {"cases": CASES[label], "statuses": dict(sorted(STATUSES[label].items()))}
             for label in sorted(CASES)}, indent=1), encoding="utf-8")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()
            reporter.write_line(line)


def _answer(response: Response) -> str:
    """The status of a response; a 5xx with the category and code of its error object."""
    if response.status_code < 500:
        return str(response.status_code)
    try:
        body = response.json()
    except ValueError:
        return str(response.status_code)
    if not isinstance(body, dict):
        return str(response.status_code)
    return f"{response.status_code} {body.get('category')} {body.get('code')}"


URLS = APP.url_map.bind("localhost")


def routed_elsewhere(case: Case) -> bool:
    """The case's URL is another operation's concrete path: ``GET /v1/fabotdw/debt/{stockcode}``
    with ``kosdaq`` is ``GET /v1/fabotdw/debt/kosdaq`` (OpenAPI and the router both match
    concrete paths first), which answers by its own schema; that operation has its own cases."""
    op = ROUTES.get((case.method.upper(), case.operation.path))
    if op is None or not case.path_parameters:
        return False
    path = case.operation.path
    for name, value in case.path_parameters.items():
        path = path.replace(f"{{{name}}}", str(value))
    try:
        endpoint, _ = URLS.match(path, method=case.method.upper())
    except HTTPException:  # 404 or 405: the platform error is a valid answer of this operation
        return False
    return bool(endpoint != op.id)


@SCHEMA.parametrize()
def test_operation(case: Case) -> None:
    """One generated case of one operation, in a fresh default world, passes every check."""
    assume(not routed_elsewhere(case))
    STATE.reset()
    response = case.call()
    label = case.operation.label
    CASES[label] += 1
    STATUSES.setdefault(label, Counter())[_answer(response)] += 1
    MODES[case.meta.generation.mode.value if case.meta else GenerationMode.POSITIVE.value] += 1
    case.validate_response(response)


def test_every_registered_operation_is_fuzzed() -> None:
    """Each registered operation, on each of its paths and methods, is an operation of the
    document schemathesis loaded without error, so ``test_operation`` has an item for it."""
    loaded = set()
    for result in SCHEMA.get_all_operations():
        operation = result.ok()  # raises on an operation schemathesis cannot use
        loaded.add((operation.method.upper(), operation.path))
    registered = {(method, openapi_path(path)) for op in all_operations()
                  for path in op.paths for method in op.methods}
    assert len(registered) >= len(all_operations()) == len(STATE.operations)
    assert registered - loaded == set()


def test_every_collected_operation_ran_cases(request: pytest.FixtureRequest) -> None:
    """No operation was silently skipped: every ``test_operation`` item of this session sent
    at least one case (runs last in the module; trivially true when the items are deselected)."""
    collected = {item.operation_label for item in request.session.items
                 if getattr(item, "originalname", "") == "test_operation"}
    assert collected - set(CASES) == set()


def test_the_failure_check_tells_bugs_from_documented_5xx() -> None:
    """The replacement of ``not_a_server_error`` can fail: our own 500 and a non-error body do,
    the platform's documented 500/503 answers do not."""
    client = APP.test_client()
    STATE.reset()
    unknown_user = client.post("/v1/common/member/consent/search", json={
        "partner": {"comId": "F0995", "srvId": "297"},
        "commonHeader": {"reqIdConsumer": "fuzz", "ci": "not-a-ci"}, "body": {"korName": "무명"}},
        headers={"apikey": APIKEY})
    assert unknown_user.status_code == 500
    assert not emulator_failure(500, unknown_user.get_json())  # op-spt 3007, documented
    assert not emulator_failure(503, {"category": "op-exco", "code": 3600, "message": "x"})
    assert emulator_failure(500, {"category": "op-apim", "code": 500, "message": "x"})
    assert emulator_failure(502, None)
    assert emulator_failure(500, ["not", "an", "error", "object"])


# --- what the fuzzer found, pinned down ----------------------------------------------------------
def test_a_newline_in_a_path_segment_is_a_market_error_not_a_crash() -> None:
    """GET /v2/market/stocks/%0A/... once crashed rendering the X-Sandbox-Error-Detail header."""
    STATE.reset()
    response = APP.test_client().get("/v2/market/multiquote/stocks/%0D%0A/ohlclists",
                                     headers={"apikey": APIKEY})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "\n" not in response.headers["X-Sandbox-Error-Detail"]


def test_an_unknown_consent_choice_is_a_400() -> None:
    """consent=AAA on the login shortcut once showed the consent page (200) instead of
    refusing a value outside the schema's enum (allow, deny)."""
    STATE.reset()
    app = WORLD.ids.apps["app-f0995-sandbox"]
    response = APP.test_client().post("/auth/oauth/v2/authorize/login", data={
        "response_type": "code", "client_id": app.api_key, "redirect_uri": app.redirect_uris[0],
        "username": TOKEN_USER.id, "password": TOKEN_USER.password, "consent": "alow"})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["description"].startswith("/consent:")


def test_the_document_declares_every_path_parameter_once() -> None:
    """Every templated path segment is a declared path parameter, and operationIds are unique
    (they were missing for every path, and duplicated for DELETE …/token/revoke)."""
    document = APP.test_client().get("/openapi.json").get_json()
    ids = []
    for path, item in document["paths"].items():
        for operation in item.values():
            ids.append(operation["operationId"])
            declared = {p["name"] for p in operation.get("parameters", ()) if p["in"] == "path"}
            assert declared == set(re.findall(r"{([^}]+)}", path)), (path, declared)
    assert len(ids) == len(set(ids))
