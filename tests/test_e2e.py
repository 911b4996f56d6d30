"""End to end through the real server (gunicorn) on a free port, configured by environment."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from tests.conftest import F0995_KEY, F0995_SECRET, F9999_KEY
from tests.servers import running_server
from tests.test_common import HWANNY_CI, body

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("e2e-server") / "server.log"
    with running_server(log, SANDBOX_USERS="1000") as started:
        yield started.http
    assert "Booting worker" in log.read_text(errors="replace")  # gunicorn, not a dev server


def test_health_reports_seed_and_frozen_clock(server: str) -> None:
    data = requests.get(f"{server}/_sandbox/health", timeout=5).json()
    assert data["seed"] == 42
    assert data["clock"]["now"] == "2026-11-24T10:00:00+09:00"
    assert data["clock"]["mode"] == "frozen"


def test_common_call_and_errors_over_http(server: str) -> None:
    url = f"{server}/v1/common/member/register/search"
    ok = requests.post(url, json=body(HWANNY_CI, "박환덕"), headers={"apikey": F9999_KEY},
                       timeout=5)
    assert ok.status_code == 200
    assert ok.headers["Content-Type"] == "application/json; charset=utf-8"
    assert ok.json()["result"] == "member"
    missing = requests.post(f"{server}/v1/nowhere", json={}, timeout=5)
    assert missing.status_code == 404
    assert missing.json()["category"] == "op-apim"
    bad = requests.post(url, data="{", headers={"apikey": F9999_KEY,
                                                "Content-Type": "application/json"}, timeout=5)
    assert (bad.status_code, bad.json()["code"]) == (400, 400)


def test_oauth_code_flow_refresh_and_revoke_over_http(server: str) -> None:
    redirect_uri = "https://sandbox.koscom.co.kr/callback"
    params = {"response_type": "code", "client_id": F0995_KEY, "redirect_uri": redirect_uri,
              "scope": "account", "state": "xyz"}
    page = requests.get(f"{server}/auth/oauth/v3/authorize", params=params, timeout=5)
    assert page.status_code == 200 and "<form" in page.text
    login = requests.post(f"{server}/auth/oauth/v3/authorize/login",
                          data={**params, "username": "hwanny", "password": "fintech123@",
                                "consent": "allow"}, allow_redirects=False, timeout=5)
    assert login.status_code == 302
    location = urlparse(login.headers["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect_uri
    assert query["state"] == ["xyz"] and query["scope"] == ["account"]
    token = requests.post(f"{server}/auth/oauth/v3/token", auth=(F0995_KEY, F0995_SECRET),
                          data={"grant_type": "authorization_code", "code": query["code"][0],
                                "redirect_uri": redirect_uri}, timeout=5)
    assert token.status_code == 200, token.text
    pair = token.json()
    assert pair["token_type"] == "Bearer" and pair["expires_in"] == 2592000
    again = requests.post(f"{server}/auth/oauth/v3/token", auth=(F0995_KEY, F0995_SECRET),
                          data={"grant_type": "authorization_code", "code": query["code"][0],
                                "redirect_uri": redirect_uri}, timeout=5)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    refreshed = requests.post(f"{server}/auth/oauth/v2/token", params={
        "grant_type": "refresh_token", "refresh_token": pair["refresh_token"],
        "client_id": F0995_KEY, "client_secret": F0995_SECRET}, timeout=5)
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["refresh_token"] == pair["refresh_token"]
    assert refreshed.json()["access_token"] != pair["access_token"]
    revoked = requests.post(f"{server}/auth/oauth/v2/token/revoke",
                            auth=(F0995_KEY, F0995_SECRET),
                            data={"token": pair["refresh_token"],
                                  "token_type_hint": "refresh_token"}, timeout=5)
    assert revoked.json() == {"result": "revoked"}
    after = requests.post(f"{server}/auth/oauth/v2/token", params={
        "grant_type": "refresh_token", "refresh_token": pair["refresh_token"],
        "client_id": F0995_KEY, "client_secret": F0995_SECRET}, timeout=5)
    assert (after.status_code, after.json()["error"]) == (400, "invalid_grant")


def test_cli_routes_and_openapi() -> None:
    routes = subprocess.run([sys.executable, "-m", "sandbox", "routes"], capture_output=True,
                            text=True, check=True).stdout
    assert "/v1/common/member/register/search" in routes
    assert "common.member_consent_search" in routes
    document = subprocess.run([sys.executable, "-m", "sandbox", "openapi"], capture_output=True,
                              text=True, check=True).stdout
    assert '"openapi": "3.1.0"' in document


def test_cli_rejects_a_bad_clock() -> None:
    result = subprocess.run([sys.executable, "-m", "sandbox", "serve", "--clock", "noon"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "ISO-8601" in result.stderr
