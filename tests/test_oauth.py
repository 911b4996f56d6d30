"""OAuth 2.0 token, refresh and revoke endpoints (auth.md §4.3–§4.5, ERRATA 8 and 14,
identities.md §5.1 and K17), the admin grant hook and determinism.

The browser steps (authorize, login, consent) are in ``test_oauth_authorize.py``; the helpers
below are shared with it.
"""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sandbox.app import SandboxState
from sandbox.oauth.models import find_access_token
from tests.conftest import (
    B2B_KEY,
    F0995_KEY,
    F0995_SECRET,
    HACKATHON_KEY,
    HACKATHON_SECRET,
    assert_platform_error,
    example,
)

# --- documented values (identities.md §5 and §5.1) ----------------------------------------------
SEEDED_CODE = "92c82a51-53fb-46b7-a96b-0e7807a37c2f"  # app-f0995-sandbox / hwanny
SEEDED_ACCESS = "e9911d97-407f-45d4-b0a1-22e930c5ef08"
SEEDED_REFRESH = "1f58350a-7c99-4140-8352-ac741aa96adf"
SANDBOX_REDIRECT = "https://sandbox.koscom.co.kr/callback"
FORM_CODE = "2904723e-efd3-4b73-a10b-4378c70d8c3b"  # app-f0000-hackathon / jeeae
FORM_REDIRECT = "http://localhost:8084/callbacknew"
HACKATHON_REDIRECT = "http://localhost:8080/OpenAPITest/callbacknew"
JEEAE_ACCESS = "748c46c8-940f-4eb8-a553-4656253dbac6"
PASSWORD = "fintech123@"
LIFETIME = 2_592_000

# The Basic headers of the documented examples, verbatim.
F0995_BASIC = ("Basic bDd4eDA3YWYyNzk0MzY0NzQzYWJhZjZhNDkzY2RlY2E1YWEwOjZmNjA4MjAwNmQ4MTQ4M2Rh"
               "ODcxZGExYmQ4MmE5M2Q3")
HACKATHON_BASIC = ("Basic bDd4eGYyMzQyNDhiNmZiZDQyYTFhNjg0NDg2MTUyNGIyMzIwOjEyZjdkNWY4YmFjMzRhNzY"
                   "5Njk2MDk4NDI1ZjNiMWNi")
FORM = "application/x-www-form-urlencoded"

UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TOKEN_KEYS = {"access_token", "token_type", "expires_in", "refresh_token", "scope"}

AUTHORIZE_PARAMS = {
    "response_type": "code",
    "client_id": HACKATHON_KEY,
    "redirect_uri": HACKATHON_REDIRECT,
    "scope": "test.kiwoom",
    "state": "70e86bd5",
}


# --- helpers --------------------------------------------------------------------------------------
def basic(key: str, secret: str) -> dict[str, str]:
    pair = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {pair}", "Content-Type": FORM}


def replay(client: FlaskClient, wrapper: dict[str, Any]) -> TestResponse:
    """Send a documented request wrapper ``{method,url,headers,query|form}``; the host is
    ignored."""
    path = urlsplit(wrapper["url"]).path
    form = wrapper.get("form")
    return client.open(path, method=wrapper["method"], headers=wrapper.get("headers", {}),
                       query_string=wrapper.get("query"),
                       data=urlencode(form) if form is not None else None)


def token_request(client: FlaskClient, params: dict[str, str], *, version: str = "v3",
                  headers: dict[str, str] | None = None, in_query: bool = False) -> TestResponse:
    path = f"/auth/oauth/{version}/token"
    headers = headers if headers is not None else basic(F0995_KEY, F0995_SECRET)
    if in_query:
        return client.post(path, query_string=params, headers=headers)
    return client.post(path, data=urlencode(params), headers={**headers, "Content-Type": FORM})


def redeem(client: FlaskClient, code: str, redirect_uri: str, *, key: str = HACKATHON_KEY,
           secret: str = HACKATHON_SECRET, version: str = "v3") -> TestResponse:
    return token_request(client, {"grant_type": "authorization_code", "code": code,
                                  "redirect_uri": redirect_uri},
                         headers=basic(key, secret), version=version)


def revoke(client: FlaskClient, token: str, *, hint: str | None = None, method: str = "POST",
           headers: dict[str, str] | None = None, version: str = "v3") -> TestResponse:
    params = {"token": token, **({"token_type_hint": hint} if hint else {})}
    return client.open(f"/auth/oauth/{version}/token/revoke", method=method,
                       query_string=params,
                       headers=headers if headers is not None else basic(F0995_KEY,
                                                                          F0995_SECRET))


def refresh(client: FlaskClient, refresh_token: str, **extra: str) -> TestResponse:
    return token_request(client, {"grant_type": "refresh_token", "refresh_token": refresh_token,
                                  "client_id": F0995_KEY, "client_secret": F0995_SECRET,
                                  **extra}, headers={}, in_query=True)


def assert_token_body(response: TestResponse, *, no_store: bool = True) -> dict[str, Any]:
    """A 200 RFC 6749 §5.1 body with exactly the documented keys, UUID v4 token values."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    if no_store:  # RFC 6749 §5.1 (the admin hook is not the token endpoint)
        assert response.headers["Cache-Control"] == "no-store"
    body: dict[str, Any] = response.get_json()
    assert set(body) == TOKEN_KEYS, body
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == LIFETIME
    assert body["scope"] == "account"
    assert UUID4.match(body["access_token"]), body
    assert UUID4.match(body["refresh_token"]), body
    return body


def assert_oauth_error(response: TestResponse, status: int, error: str) -> dict[str, Any]:
    """An RFC 6749 §5.2 error body (ERRATA 8), never the platform object."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    assert set(body) == {"error", "error_description"}, body
    assert body["error"] == error, body
    assert body["error_description"]
    return body


def advance(client: FlaskClient, duration: str) -> None:
    response = client.post("/_sandbox/clock", json={"advance": duration})
    assert response.status_code == 200, response.get_data(as_text=True)


class FormParser(HTMLParser):
    """The ``<form>`` of a login or consent page: its action and its named inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.buttons: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.action = values.get("action")
        elif tag == "input" and "name" in values:
            self.fields[values["name"]] = values.get("value", "")
        elif tag == "button" and "name" in values:
            self.buttons.setdefault(values["name"], []).append(values.get("value", ""))


def parse_form(response: TestResponse) -> FormParser:
    parser = FormParser()
    parser.feed(response.get_data(as_text=True))
    assert parser.action is not None, response.get_data(as_text=True)
    return parser


def redirect_query(response: TestResponse, redirect_uri: str) -> list[tuple[str, str]]:
    """A 302 to ``redirect_uri``: its query parameters, in order."""
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    base, _, query = location.partition("?")
    assert base == redirect_uri, location
    return parse_qsl(query, keep_blank_values=True)


def shortcut_code(client: FlaskClient, params: dict[str, str] | None = None,
                  user: str = "hwanny", version: str = "v2") -> str:
    """Login with ``consent=allow`` (auth.md §4.2 test shortcut): the code of the 302."""
    params = params if params is not None else AUTHORIZE_PARAMS
    response = client.post(f"/auth/oauth/{version}/authorize/login",
                           data={**params, "username": user, "password": PASSWORD,
                                 "consent": "allow"})
    query = dict(redirect_query(response, params.get("redirect_uri") or HACKATHON_REDIRECT))
    assert UUID4.match(query["code"]), query
    return query["code"]


# --- token: the documented examples (identities.md §8) --------------------------------------------
def test_example_token_authorization_code_returns_documented_pair(
        client: FlaskClient, state: SandboxState) -> None:
    wrapper = example("auth/token_authorization_code.request.json")
    response = replay(client, wrapper)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == example("auth/token.response.json")
    again = replay(client, wrapper)
    assert_oauth_error(again, 400, "invalid_grant")


def test_token_authorization_code_query_string_basic_header(client: FlaskClient,
                                                            state: SandboxState) -> None:
    """Literal twin of the v3 example: parameters in the POST's query string, Basic header."""
    params = {"grant_type": "authorization_code", "code": SEEDED_CODE,
              "redirect_uri": SANDBOX_REDIRECT}
    response = client.post("/auth/oauth/v3/token", query_string=params,
                           headers={"Authorization": F0995_BASIC, "Content-Type": FORM})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"access_token": SEEDED_ACCESS, "token_type": "Bearer",
                                   "expires_in": LIFETIME, "refresh_token": SEEDED_REFRESH,
                                   "scope": "account"}
    record = find_access_token(state.world, SEEDED_ACCESS)
    assert record is not None
    assert (record["app"], record["user"], record["scope"]) == ("app-f0995-sandbox", "hwanny",
                                                                "account")
    second = client.post("/auth/oauth/v3/token", query_string=params,
                         headers={"Authorization": F0995_BASIC, "Content-Type": FORM})
    assert_oauth_error(second, 400, "invalid_grant")


def test_example_token_form_issues_fresh_pair(client: FlaskClient, state: SandboxState) -> None:
    body = assert_token_body(replay(client,
                                    example("auth/token_authorization_code.form.request.json")))
    assert body["access_token"] not in (SEEDED_ACCESS, JEEAE_ACCESS)
    record = find_access_token(state.world, body["access_token"])
    assert record is not None and (record["app"], record["user"]) == ("app-f0000-hackathon",
                                                                      "jeeae")


def test_token_form_body_v2_issues_fresh_pair(client: FlaskClient, state: SandboxState) -> None:
    """Literal twin of the form example: v2 path, form body, Basic header verbatim."""
    form = {"grant_type": "authorization_code", "code": FORM_CODE, "redirect_uri": FORM_REDIRECT}
    response = client.post("/auth/oauth/v2/token", data=urlencode(form),
                           headers={"Authorization": HACKATHON_BASIC, "Content-Type": FORM})
    body = assert_token_body(response)
    assert body["access_token"] != body["refresh_token"]
    assert body["access_token"] not in (SEEDED_ACCESS, JEEAE_ACCESS)
    record = find_access_token(state.world, body["access_token"])
    assert record is not None
    assert (record["app"], record["user"], record["refreshToken"]) == (
        "app-f0000-hackathon", "jeeae", body["refresh_token"])
    again = client.post("/auth/oauth/v2/token", data=urlencode(form),
                        headers={"Authorization": HACKATHON_BASIC, "Content-Type": FORM})
    assert_oauth_error(again, 400, "invalid_grant")


def test_example_token_refresh_keeps_refresh_token(client: FlaskClient,
                                                    state: SandboxState) -> None:
    body = assert_token_body(replay(client, example("auth/token_refresh.request.json")))
    assert body["refresh_token"] == SEEDED_REFRESH
    assert body["access_token"] != SEEDED_ACCESS
    assert find_access_token(state.world, body["access_token"]) is not None


def test_token_refresh_with_client_credentials_in_query(client: FlaskClient,
                                                         state: SandboxState) -> None:
    """Literal twin of the refresh example: client_id/client_secret in the query, no Basic."""
    response = client.post("/auth/oauth/v3/token", headers={"Content-Type": FORM},
                           query_string={"grant_type": "refresh_token",
                                         "refresh_token": SEEDED_REFRESH,
                                         "client_id": F0995_KEY, "client_secret": F0995_SECRET,
                                         "scope": "account"})
    body = assert_token_body(response)
    assert body["refresh_token"] == SEEDED_REFRESH
    assert body["access_token"] != SEEDED_ACCESS
    record = find_access_token(state.world, body["access_token"])
    assert record is not None
    assert (record["app"], record["user"], record["refreshToken"]) == (
        "app-f0995-sandbox", "hwanny", SEEDED_REFRESH)
    # a second refresh gives yet another access token under the same refresh token
    second = assert_token_body(refresh(client, SEEDED_REFRESH))
    assert second["refresh_token"] == SEEDED_REFRESH
    assert second["access_token"] not in (SEEDED_ACCESS, body["access_token"])


def test_refresh_scope_is_normalised_and_checked(client: FlaskClient) -> None:
    """auth.md §4.7: unknown scope strings mean ``account``; ``profile`` is not granted."""
    body = assert_token_body(refresh(client, SEEDED_REFRESH, scope="test.kiwoom"))
    assert body["scope"] == "account"
    assert_oauth_error(refresh(client, SEEDED_REFRESH, scope="profile"), 400, "invalid_scope")


def test_refresh_errors(client: FlaskClient) -> None:
    assert_oauth_error(refresh(client, "00000000-0000-4000-8000-000000000000"), 400,
                       "invalid_grant")
    # another client's refresh token
    response = token_request(client, {"grant_type": "refresh_token",
                                      "refresh_token": SEEDED_REFRESH},
                             headers=basic(HACKATHON_KEY, HACKATHON_SECRET))
    assert_oauth_error(response, 400, "invalid_grant")
    response = token_request(client, {"grant_type": "refresh_token"})
    assert_oauth_error(response, 400, "invalid_request")


# --- revoke -------------------------------------------------------------------------------------
def test_example_token_revoke(client: FlaskClient, state: SandboxState) -> None:
    assert find_access_token(state.world, SEEDED_ACCESS) is not None
    response = replay(client, example("auth/token_revoke.request.json"))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == example("auth/token_revoke.response.json")
    assert find_access_token(state.world, SEEDED_ACCESS) is None


def test_revoke_access_token(client: FlaskClient, state: SandboxState) -> None:
    """Literal twin of the revoke example (v3, query string, Basic header verbatim)."""
    response = client.post("/auth/oauth/v3/token/revoke",
                           query_string={"token": SEEDED_ACCESS,
                                         "token_type_hint": "access_token"},
                           headers={"Authorization": F0995_BASIC, "Content-Type": FORM})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    assert response.get_json() == {"result": "revoked"}
    assert find_access_token(state.world, SEEDED_ACCESS) is None
    # revoking again is still a success (RFC 7009)
    assert revoke(client, SEEDED_ACCESS).get_json() == {"result": "revoked"}


def test_revoke_unknown_token_answers_revoked(client: FlaskClient, state: SandboxState) -> None:
    for hint in (None, "access_token", "refresh_token"):
        response = revoke(client, "00000000-0000-4000-8000-000000000000", hint=hint)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert response.get_json() == {"result": "revoked"}
    assert find_access_token(state.world, SEEDED_ACCESS) is not None


def test_revoke_refresh_token_ends_its_access_tokens(client: FlaskClient,
                                                      state: SandboxState) -> None:
    refreshed = assert_token_body(refresh(client, SEEDED_REFRESH))["access_token"]
    assert find_access_token(state.world, refreshed) is not None
    response = revoke(client, SEEDED_REFRESH, hint="refresh_token")
    assert response.status_code == 200
    assert response.get_json() == {"result": "revoked"}
    assert find_access_token(state.world, SEEDED_ACCESS) is None
    assert find_access_token(state.world, refreshed) is None
    assert_oauth_error(refresh(client, SEEDED_REFRESH), 400, "invalid_grant")
    # other grants are untouched
    assert find_access_token(state.world, JEEAE_ACCESS) is not None


def test_revoke_with_delete_method_and_v2_path(client: FlaskClient, state: SandboxState) -> None:
    response = revoke(client, SEEDED_ACCESS, method="DELETE", version="v2")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"result": "revoked"}
    assert find_access_token(state.world, SEEDED_ACCESS) is None


def test_revoke_with_client_credentials_in_form_body(client: FlaskClient,
                                                      state: SandboxState) -> None:
    response = client.post("/auth/oauth/v3/token/revoke", headers={"Content-Type": FORM},
                           data=urlencode({"token": SEEDED_ACCESS, "client_id": F0995_KEY,
                                           "client_secret": F0995_SECRET}))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"result": "revoked"}
    assert find_access_token(state.world, SEEDED_ACCESS) is None


def test_revoke_errors(client: FlaskClient, state: SandboxState) -> None:
    response = revoke(client, SEEDED_ACCESS, headers=basic(F0995_KEY, "0" * 32))
    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    # another client cannot revoke hwanny's token of app-f0995-sandbox
    response = revoke(client, SEEDED_ACCESS, headers=basic(HACKATHON_KEY, HACKATHON_SECRET))
    assert_oauth_error(response, 400, "invalid_grant")
    assert find_access_token(state.world, SEEDED_ACCESS) is not None
    response = client.post("/auth/oauth/v3/token/revoke", headers=basic(F0995_KEY, F0995_SECRET))
    assert_oauth_error(response, 400, "invalid_request")
    assert_oauth_error(revoke(client, SEEDED_ACCESS, hint="id_token"), 400,
                       "unsupported_token_type")
    assert find_access_token(state.world, SEEDED_ACCESS) is not None


# --- token endpoint errors (auth.md §4.3, ERRATA 8) ----------------------------------------------
@pytest.mark.parametrize("headers", [
    basic(F0995_KEY, "0" * 32),                       # wrong secret
    basic("l7xx" + "0" * 32, F0995_SECRET),           # unknown client
    basic(B2B_KEY, "a55191ed000000000000000000000003"),  # a valid pair, but not an OAuth client
    {"Authorization": "Basic //79", "Content-Type": FORM},  # decodes to bytes that are not UTF-8
    {"Authorization": "Basic not-base64!", "Content-Type": FORM},
    {"Content-Type": FORM},                           # no credentials at all
], ids=["wrong-secret", "unknown-client", "b2b-app", "not-utf8", "not-base64", "none"])
def test_token_invalid_client_basic(client: FlaskClient, headers: dict[str, str]) -> None:
    response = token_request(client, {"grant_type": "authorization_code", "code": SEEDED_CODE,
                                      "redirect_uri": SANDBOX_REDIRECT}, headers=headers)
    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    # the code was not burnt by the failed attempts
    assert_token_body(redeem(client, SEEDED_CODE, SANDBOX_REDIRECT, key=F0995_KEY,
                             secret=F0995_SECRET))


@pytest.mark.parametrize("client_id,secret", [(F0995_KEY, "0" * 32),
                                              ("l7xx" + "0" * 32, F0995_SECRET)],
                         ids=["wrong-secret", "unknown-client"])
def test_token_invalid_client_parameters_is_401(client: FlaskClient, client_id: str,
                                                secret: str) -> None:
    """ERRATA 8: invalid_client is 401 with WWW-Authenticate also for body credentials."""
    response = token_request(client, {"grant_type": "refresh_token",
                                      "refresh_token": SEEDED_REFRESH, "client_id": client_id,
                                      "client_secret": secret}, headers={})
    assert_oauth_error(response, 401, "invalid_client")
    assert response.headers["WWW-Authenticate"] == 'Basic realm="oauth"'


def test_token_basic_without_space_is_accepted(client: FlaskClient) -> None:
    """auth.md §3: the manual's snippet writes ``'Basic' + base64`` without the space."""
    headers = {"Authorization": F0995_BASIC.replace("Basic ", "Basic"), "Content-Type": FORM}
    response = token_request(client, {"grant_type": "authorization_code", "code": SEEDED_CODE,
                                      "redirect_uri": SANDBOX_REDIRECT}, headers=headers)
    assert response.get_json()["access_token"] == SEEDED_ACCESS


def test_token_missing_grant_type_is_invalid_request(client: FlaskClient) -> None:
    response = token_request(client, {"code": SEEDED_CODE, "redirect_uri": SANDBOX_REDIRECT})
    assert_oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize("grant", ["password", "client_credentials", "implicit"])
def test_token_unknown_grant_type(client: FlaskClient, grant: str) -> None:
    response = token_request(client, {"grant_type": grant, "username": "hwanny",
                                      "password": PASSWORD})
    assert_oauth_error(response, 400, "unsupported_grant_type")


def test_token_unknown_or_missing_code(client: FlaskClient) -> None:
    response = redeem(client, "00000000-0000-4000-8000-000000000000", SANDBOX_REDIRECT,
                      key=F0995_KEY, secret=F0995_SECRET)
    assert_oauth_error(response, 400, "invalid_grant")
    response = token_request(client, {"grant_type": "authorization_code",
                                      "redirect_uri": SANDBOX_REDIRECT})
    assert_oauth_error(response, 400, "invalid_request")


def test_token_code_of_another_client(client: FlaskClient) -> None:
    """Code 92c82a51 belongs to app-f0995-sandbox (K17), not to the hackathon app."""
    response = redeem(client, SEEDED_CODE, SANDBOX_REDIRECT)
    assert_oauth_error(response, 400, "invalid_grant")


def test_token_redirect_uri_mismatch(client: FlaskClient) -> None:
    for redirect_uri in ("https://sandbox.koscom.co.kr/other", ""):
        params = {"grant_type": "authorization_code", "code": SEEDED_CODE,
                  **({"redirect_uri": redirect_uri} if redirect_uri else {})}
        assert_oauth_error(token_request(client, params), 400, "invalid_grant")
    # a mismatch does not consume the code
    response = redeem(client, SEEDED_CODE, SANDBOX_REDIRECT, key=F0995_KEY, secret=F0995_SECRET)
    assert response.get_json()["access_token"] == SEEDED_ACCESS


def test_token_redirect_uri_mismatch_on_a_live_code(client: FlaskClient) -> None:
    code = shortcut_code(client)
    assert_oauth_error(redeem(client, code, FORM_REDIRECT), 400, "invalid_grant")
    assert_token_body(redeem(client, code, HACKATHON_REDIRECT))


def test_token_code_without_redirect_uri_in_authorize(client: FlaskClient) -> None:
    """RFC 6749 §4.1.3: redirect_uri is required at the token endpoint only if it was sent to
    authorize; the redirect then goes to the first registered URI."""
    params = {k: v for k, v in AUTHORIZE_PARAMS.items() if k != "redirect_uri"}
    code = shortcut_code(client, params)
    response = token_request(client, {"grant_type": "authorization_code", "code": code},
                             headers=basic(HACKATHON_KEY, HACKATHON_SECRET))
    assert_token_body(response)


def test_token_expired_code(client: FlaskClient) -> None:
    code = shortcut_code(client)
    advance(client, "PT11M")
    assert_oauth_error(redeem(client, code, HACKATHON_REDIRECT), 400, "invalid_grant")


def test_token_code_valid_just_under_ten_minutes(client: FlaskClient) -> None:
    code = shortcut_code(client)
    advance(client, "PT9M59S")
    assert_token_body(redeem(client, code, HACKATHON_REDIRECT))


def test_token_get_method_is_405(client: FlaskClient) -> None:
    response = client.get("/auth/oauth/v3/token", query_string={"grant_type": "refresh_token"})
    assert_platform_error(response, 405, "op-apim", 405)


# --- lifetimes ------------------------------------------------------------------------------------
def test_access_token_expires_after_2592000_seconds(client: FlaskClient,
                                                    state: SandboxState) -> None:
    """Seeded tokens live 2 592 000 s from emulator start (identities.md §5.1)."""
    advance(client, "PT719H59M59S")
    assert find_access_token(state.world, SEEDED_ACCESS) is not None
    assert find_access_token(state.world, JEEAE_ACCESS) is not None
    advance(client, "PT1S")
    assert find_access_token(state.world, SEEDED_ACCESS) is None
    assert find_access_token(state.world, JEEAE_ACCESS) is None
    # the refresh token outlives it and issues a token valid from now
    fresh = assert_token_body(refresh(client, SEEDED_REFRESH))["access_token"]
    advance(client, "PT719H")
    assert find_access_token(state.world, fresh) is not None
    advance(client, "PT1H")
    assert find_access_token(state.world, fresh) is None


def test_issued_token_expires_after_its_lifetime(client: FlaskClient,
                                                 state: SandboxState) -> None:
    access = assert_token_body(redeem(client, shortcut_code(client),
                                      HACKATHON_REDIRECT))["access_token"]
    advance(client, "PT2591999S")
    assert find_access_token(state.world, access) is not None
    advance(client, "PT1S")
    assert find_access_token(state.world, access) is None


# --- admin hook -----------------------------------------------------------------------------------
def test_admin_oauth_token(client: FlaskClient, state: SandboxState) -> None:
    response = client.post("/_sandbox/oauth/token", json={"userId": "hwanny",
                                                           "apiKey": F0995_KEY})
    body = assert_token_body(response, no_store=False)
    record = find_access_token(state.world, body["access_token"])
    assert record is not None
    assert (record["app"], record["user"], record["scope"]) == ("app-f0995-sandbox", "hwanny",
                                                                "account")
    # its refresh token works at the token endpoint
    refreshed = assert_token_body(refresh(client, body["refresh_token"]))
    assert refreshed["refresh_token"] == body["refresh_token"]


def test_admin_oauth_token_unknown_user_or_key(client: FlaskClient) -> None:
    response = client.post("/_sandbox/oauth/token", json={"userId": "nobody",
                                                           "apiKey": F0995_KEY})
    assert_platform_error(response, 404, "op-apim", 404)
    response = client.post("/_sandbox/oauth/token", json={"userId": "hwanny",
                                                           "apiKey": "l7xx" + "0" * 32})
    assert_platform_error(response, 404, "op-apim", 404)


# --- determinism ----------------------------------------------------------------------------------
def _same_flow(client: FlaskClient) -> tuple[str, ...]:
    code = shortcut_code(client)
    body = assert_token_body(redeem(client, code, HACKATHON_REDIRECT))
    refreshed = assert_token_body(token_request(
        client, {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        headers=basic(HACKATHON_KEY, HACKATHON_SECRET)))
    form = assert_token_body(redeem(client, FORM_CODE, FORM_REDIRECT))
    return (code, body["access_token"], body["refresh_token"], refreshed["access_token"],
            form["access_token"], form["refresh_token"])


def test_two_fresh_worlds_issue_identical_tokens(client: FlaskClient) -> None:
    assert client.post("/_sandbox/reset").status_code == 200
    first = _same_flow(client)
    assert len(set(first)) == len(first)
    assert client.post("/_sandbox/reset").status_code == 200
    second = _same_flow(client)
    assert first == second
    # the reset restored the single-use seeded code
    assert redeem(client, SEEDED_CODE, SANDBOX_REDIRECT, key=F0995_KEY,
                  secret=F0995_SECRET).get_json()["access_token"] == SEEDED_ACCESS
