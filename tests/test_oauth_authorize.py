"""The browser side of the authorization-code flow (auth.md §4.2, ERRATA 8, identities K18):
authorize → login page → consent page → 302 with the code, and its failures."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sandbox.app import SandboxState
from sandbox.oauth.models import find_access_token
from tests.conftest import F0995_KEY, assert_platform_error, example
from tests.test_oauth import (
    AUTHORIZE_PARAMS,
    FORM_REDIRECT,
    HACKATHON_REDIRECT,
    PASSWORD,
    SANDBOX_REDIRECT,
    UUID4,
    assert_oauth_error,
    assert_token_body,
    parse_form,
    redeem,
    redirect_query,
)

JSON = {"Accept": "application/json"}


def login(client: FlaskClient, user: str, password: str, *, version: str = "v2",
          params: dict[str, str] | None = None, headers: dict[str, str] | None = None,
          **extra: str) -> TestResponse:
    data = {**(params if params is not None else AUTHORIZE_PARAMS), "username": user,
            "password": password, **extra}
    return client.post(f"/auth/oauth/{version}/authorize/login", data=data, headers=headers)


def browser_flow(client: FlaskClient, version: str, query: dict[str, str], user: str = "hwanny",
                 action: str = "allow") -> TestResponse:
    """GET authorize, submit the login form, submit the consent form (as a browser would)."""
    page = client.get(f"/auth/oauth/{version}/authorize", query_string=query)
    assert page.status_code == 200, page.get_data(as_text=True)
    assert page.mimetype == "text/html"
    form = parse_form(page)
    assert form.action == f"/auth/oauth/{version}/authorize/login"
    # every authorization parameter travels as a hidden field (absent ones empty)
    hidden = {name: query.get(name, "") for name in AUTHORIZE_PARAMS}
    assert form.fields == {**hidden, "username": "", "password": ""}
    consent_page = client.post(form.action, data={**form.fields, "username": user,
                                                  "password": PASSWORD})
    assert consent_page.status_code == 200, consent_page.get_data(as_text=True)
    assert consent_page.mimetype == "text/html"
    consent = parse_form(consent_page)
    assert consent.action == f"/auth/oauth/{version}/authorize/consent"
    assert consent.buttons == {"action": ["allow", "deny"]}
    assert consent.fields == {"ticket": consent.fields["ticket"], **hidden}
    assert UUID4.match(consent.fields["ticket"])
    return client.post(consent.action, data={**consent.fields, "action": action})


# --- the full browser flow ------------------------------------------------------------------------
def test_example_authorize_renders_login_page(client: FlaskClient) -> None:
    wrapper = example("auth/authorize.request.json")
    response = client.get(urlsplit(wrapper["url"]).path, query_string=wrapper["query"])
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == "text/html; charset=utf-8"
    form = parse_form(response)
    assert form.action == "/auth/oauth/v2/authorize/login"
    assert form.fields == {**wrapper["query"], "username": "", "password": ""}


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_browser_flow_allow_then_redeem(client: FlaskClient, state: SandboxState,
                                        version: str) -> None:
    response = browser_flow(client, version, AUTHORIZE_PARAMS)
    query = redirect_query(response, HACKATHON_REDIRECT)
    assert [name for name, _ in query] == ["code", "state", "scope"]
    params = dict(query)
    assert UUID4.match(params["code"])
    assert (params["state"], params["scope"]) == ("70e86bd5", "account")

    body = assert_token_body(redeem(client, params["code"], HACKATHON_REDIRECT, version="v3"))
    record = find_access_token(state.world, body["access_token"])
    assert record is not None
    assert (record["app"], record["user"], record["scope"]) == ("app-f0000-hackathon", "hwanny",
                                                                "account")
    # single use
    assert_oauth_error(redeem(client, params["code"], HACKATHON_REDIRECT), 400, "invalid_grant")


def test_browser_flow_second_registered_redirect_uri(client: FlaskClient) -> None:
    """K18: both localhost URIs are registered for the hackathon app."""
    response = browser_flow(client, "v2", {**AUTHORIZE_PARAMS, "redirect_uri": FORM_REDIRECT})
    code = dict(redirect_query(response, FORM_REDIRECT))["code"]
    assert_token_body(redeem(client, code, FORM_REDIRECT))


def test_browser_flow_deny(client: FlaskClient) -> None:
    response = browser_flow(client, "v2", AUTHORIZE_PARAMS, action="deny")
    assert response.status_code == 302
    assert response.headers["Location"] == \
        f"{HACKATHON_REDIRECT}?error=access_denied&state=70e86bd5"


def test_browser_flow_without_state(client: FlaskClient) -> None:
    query = {k: v for k, v in AUTHORIZE_PARAMS.items() if k != "state"}
    params = redirect_query(browser_flow(client, "v3", query), HACKATHON_REDIRECT)
    assert [name for name, _ in params] == ["code", "scope"]


def test_consent_ticket_is_single_use(client: FlaskClient) -> None:
    consent = parse_form(login(client, "hwanny", PASSWORD))
    first = client.post(consent.action, data={**consent.fields, "action": "allow"})
    assert first.status_code == 302
    again = client.post(consent.action, data={**consent.fields, "action": "allow"})
    assert_platform_error(again, 403, "op-auth", 2100)
    assert "Location" not in again.headers


def test_consent_ticket_is_bound_to_its_parameters(client: FlaskClient) -> None:
    """The hidden fields cannot be swapped between the login and the consent step."""
    consent = parse_form(login(client, "hwanny", PASSWORD))
    tampered = {**consent.fields, "redirect_uri": FORM_REDIRECT, "action": "allow"}
    response = client.post(consent.action, data=tampered)
    assert_platform_error(response, 403, "op-auth", 2100)
    assert "Location" not in response.headers


def test_consent_unknown_ticket(client: FlaskClient) -> None:
    response = client.post("/auth/oauth/v2/authorize/consent",
                           data={**AUTHORIZE_PARAMS, "ticket": "nope", "action": "allow"})
    assert_platform_error(response, 403, "op-auth", 2100)


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_login_shortcut_consent_allow(client: FlaskClient, state: SandboxState,
                                      version: str) -> None:
    response = login(client, "jeeae", PASSWORD, version=version, consent="allow")
    params = dict(redirect_query(response, HACKATHON_REDIRECT))
    assert set(params) == {"code", "state", "scope"}
    assert (params["state"], params["scope"]) == ("70e86bd5", "account")
    body = assert_token_body(redeem(client, params["code"], HACKATHON_REDIRECT, version=version))
    record = find_access_token(state.world, body["access_token"])
    assert record is not None and record["user"] == "jeeae"


def test_login_shortcut_consent_deny(client: FlaskClient) -> None:
    response = login(client, "hwanny", PASSWORD, consent="deny")
    assert response.status_code == 302
    assert response.headers["Location"] == \
        f"{HACKATHON_REDIRECT}?error=access_denied&state=70e86bd5"


# --- authorize errors -----------------------------------------------------------------------------
@pytest.mark.parametrize("override", [
    {"client_id": "l7xx" + "0" * 32},
    {"client_id": ""},
    {"client_id": "l7xxa55191ed000000000000000000000002"},  # b2b app: not an OAuth client
    {"redirect_uri": "http://evil.example/callback"},
    {"redirect_uri": SANDBOX_REDIRECT},  # registered, but for another app
], ids=["unknown-client", "no-client", "b2b-app", "unregistered-uri", "other-apps-uri"])
@pytest.mark.parametrize("version", ["v2", "v3"])
def test_authorize_bad_client_or_redirect_is_403_without_redirect(
        client: FlaskClient, override: dict[str, str], version: str) -> None:
    params = {**AUTHORIZE_PARAMS, **override}
    for response in (
        client.get(f"/auth/oauth/{version}/authorize", query_string=params),
        login(client, "hwanny", PASSWORD, version=version, params=params),
        login(client, "hwanny", PASSWORD, version=version, params=params, consent="allow"),
    ):
        assert_platform_error(response, 403, "op-auth", 2100)
        assert "Location" not in response.headers


@pytest.mark.parametrize("response_type", ["token", "", "code token"])
def test_authorize_other_response_type_redirects_with_error(client: FlaskClient,
                                                            response_type: str) -> None:
    params = {**AUTHORIZE_PARAMS, "response_type": response_type}
    for response in (client.get("/auth/oauth/v2/authorize", query_string=params),
                     login(client, "hwanny", PASSWORD, params=params, consent="allow")):
        assert response.status_code == 302
        assert response.headers["Location"] == \
            f"{HACKATHON_REDIRECT}?error=unsupported_response_type&state=70e86bd5"


def test_wrong_password_json(client: FlaskClient) -> None:
    response = login(client, "hwanny", "wrong", headers=JSON)
    body = assert_platform_error(response, 401, "op-auth", 2001)
    assert body["message"] == "Authentication Failed"


def test_unknown_user_is_authentication_failed(client: FlaskClient) -> None:
    response = login(client, "nobody", PASSWORD, headers=JSON, consent="allow")
    assert_platform_error(response, 401, "op-auth", 2001)


def test_wrong_password_html_page_shows_code_and_posts_to_login(client: FlaskClient) -> None:
    response = login(client, "hwanny", "wrong", version="v3")
    assert response.status_code == 401
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'data-code="2001"' in html
    assert "op-auth 2001 Authentication Failed" in html
    form = parse_form(response)
    # the re-rendered page still posts to the login endpoint of the same version
    assert form.action == "/auth/oauth/v3/authorize/login"
    assert form.fields == {**AUTHORIZE_PARAMS, "username": "", "password": ""}
    retry = client.post(form.action, data={**form.fields, "username": "hwanny",
                                           "password": PASSWORD})
    assert retry.status_code == 200
    assert parse_form(retry).action == "/auth/oauth/v3/authorize/consent"


def test_browser_accept_header_gets_html(client: FlaskClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = login(client, "hwanny", "wrong", headers={"Accept": accept})
    assert response.status_code == 401
    assert response.mimetype == "text/html"


def test_lockout_after_five_failures(client: FlaskClient) -> None:
    for _ in range(4):
        assert_platform_error(login(client, "hwanny", "wrong", headers=JSON), 401, "op-auth",
                              2001)
    body = assert_platform_error(login(client, "hwanny", "wrong", headers=JSON), 401,
                                 "op-auth", 2003)
    assert body["message"] == "Account Locked"
    # locked: the right password is refused too, with and without the shortcut
    assert_platform_error(login(client, "hwanny", PASSWORD, headers=JSON), 401, "op-auth", 2003)
    refused = login(client, "hwanny", PASSWORD, headers=JSON, consent="allow")
    assert_platform_error(refused, 401, "op-auth", 2003)
    assert "Location" not in refused.headers
    page = login(client, "hwanny", PASSWORD)
    assert page.status_code == 401 and 'data-code="2003"' in page.get_data(as_text=True)
    # the lock is per user
    assert login(client, "jeeae", PASSWORD, consent="allow").status_code == 302
    # the admin unlock hook clears it (an unknown user is 404) …
    assert_platform_error(client.post("/_sandbox/users/nobody/unlock"), 404, "op-apim", 404)
    unlocked = client.post("/_sandbox/users/hwanny/unlock")
    assert unlocked.get_json() == {"user": "hwanny", "locked": False}
    assert login(client, "hwanny", PASSWORD, consent="allow").status_code == 302
    # … and so does a reset
    for _ in range(5):
        login(client, "hwanny", "wrong", headers=JSON)
    assert_platform_error(login(client, "hwanny", PASSWORD, headers=JSON), 401, "op-auth", 2003)
    assert client.post("/_sandbox/reset").status_code == 200
    assert login(client, "hwanny", PASSWORD, consent="allow").status_code == 302


def test_successful_login_resets_the_failure_count(client: FlaskClient) -> None:
    for _ in range(4):
        login(client, "hwanny", "wrong", headers=JSON)
    assert login(client, "hwanny", PASSWORD).status_code == 200
    for _ in range(4):
        assert_platform_error(login(client, "hwanny", "wrong", headers=JSON), 401, "op-auth",
                              2001)


def test_user_without_linked_accounts_is_refused(client: FlaskClient) -> None:
    """mhcha has no account, so he never applied for the app (auth.md §4.2)."""
    response = login(client, "mhcha", PASSWORD, headers=JSON, consent="allow")
    assert_platform_error(response, 403, "op-auth", 2100)
    assert "Location" not in response.headers
    page = login(client, "mhcha", PASSWORD)
    assert page.status_code == 403
    assert page.mimetype == "text/html"
    assert 'data-code="2100"' in page.get_data(as_text=True)


def test_admin_hook_and_browser_share_the_token_store(client: FlaskClient,
                                                      state: SandboxState) -> None:
    """A token from the admin hook and one from the browser flow are both live."""
    admin = client.post("/_sandbox/oauth/token", json={"userId": "hwanny", "apiKey": F0995_KEY})
    assert admin.status_code == 200
    code = dict(redirect_query(login(client, "hwanny", PASSWORD, consent="allow"),
                               HACKATHON_REDIRECT))["code"]
    body = assert_token_body(redeem(client, code, HACKATHON_REDIRECT))
    for token, app in ((admin.get_json()["access_token"], "app-f0995-sandbox"),
                       (body["access_token"], "app-f0000-hackathon")):
        record = find_access_token(state.world, token)
        assert record is not None and record["app"] == app
