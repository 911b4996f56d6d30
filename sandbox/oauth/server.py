"""Authlib's authorization server wired to the world's apps, users and store.

Differences from a textbook server, all documented by the platform (auth.md §4):
token-request parameters may travel in the query string of the POST, client authentication by
Basic header or by ``client_id``/``client_secret`` parameters, a refresh keeps the refresh token
value, revocation answers ``{"result": "revoked"}``, and the authorization redirect carries the
granted ``scope`` too.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from authlib.common.urls import add_params_to_uri
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError, InvalidScopeError, OAuth2Error
from authlib.oauth2.rfc7009 import RevocationEndpoint
from flask import Response
from flask import request as flask_request

from sandbox.errors import OAuthError, json_response, render_oauth
from sandbox.gateway.auth import decode_basic
from sandbox.oauth import models
from sandbox.world.identities import App, User
from sandbox.world.world import World

# The emulator serves plain HTTP on loopback; Authlib refuses that unless told otherwise.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class Client(ClientMixin):  # type: ignore[misc]
    def __init__(self, app: App) -> None:
        self.app = app

    def get_client_id(self) -> str:
        return self.app.api_key

    def get_default_redirect_uri(self) -> str | None:
        return self.app.redirect_uris[0] if self.app.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str:
        return models.normalise_scope(scope)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.app.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.app.secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


def _client_secret_basic(query_client: Callable[[str], Client | None],
                         request: Any) -> Client | None:
    """``Authorization: Basic base64(client_id:client_secret)``, tolerant of what Authlib's
    parser chokes on: a header that is not UTF-8 after decoding (Authlib raised, giving a 500)
    and ``Basic<b64>`` without the space (the manual's snippet, auth.md §3). A header that does
    not name a valid pair is ignored, so that ``client_secret_post`` may still apply; with no
    valid method at all the answer is 401 ``invalid_client``."""
    pair = decode_basic(request.headers.get("Authorization") or "")
    if pair is None or not pair[1]:
        return None
    client_id, secret = pair
    client = query_client(unquote(client_id))
    if client is None or not client.check_client_secret(unquote(secret)):
        return None
    return client


class Code:
    def __init__(self, value: str, record: dict[str, Any]) -> None:
        self.value, self.record = value, record

    def get_redirect_uri(self) -> str | None:
        return self.record.get("redirectUri")

    def get_scope(self) -> str:
        return str(self.record["scope"])


class Token:
    def __init__(self, value: str, kind: str, record: dict[str, Any]) -> None:
        self.value, self.kind, self.record = value, kind, record

    def check_client(self, client: Client) -> bool:
        return bool(self.record["app"] == client.app.name)

    def get_scope(self) -> str:
        return str(self.record["scope"])


class Request(FlaskOAuth2Request):  # type: ignore[misc]
    """Parameters from the form body or the query string (auth.md §4.3 variants)."""

    @property
    def form(self) -> Any:
        return self._request.values


class Server(AuthorizationServer):  # type: ignore[misc]
    def __init__(self, world: Callable[[], World]) -> None:
        super().__init__()
        self.world = world
        self._query_client = self._client
        self._save_token = lambda token, request: None
        self.register_client_auth_method("client_secret_basic", _client_secret_basic)
        self.register_grant(AuthorizationCodeGrant)
        self.register_grant(RefreshTokenGrant)
        self.register_endpoint(Revocation)

    def _client(self, client_id: str | None) -> Client | None:
        world = self.world()
        app = world.ids.app_by_key.get((client_id or "").strip())
        if app is None or not app.subscribes("account"):
            return None
        if world.settings.strict and client_id in app.key_aliases:
            return None
        return Client(app)

    def find_client(self, client_id: str | None) -> Client | None:
        return self._client(client_id)

    def create_oauth2_request(self, request: Any) -> Request:
        return Request(flask_request)

    def create_token_response(self, request: Any = None) -> Response:
        """A missing ``grant_type`` is a missing parameter (``invalid_request``), not an
        unsupported grant type."""
        oauth_request = self.create_oauth2_request(request)
        if not (oauth_request.payload.grant_type or "").strip():
            return self.handle_error_response(
                oauth_request, InvalidRequestError("Missing 'grant_type' in request."))
        return super().create_token_response(request)  # type: ignore[no-any-return]

    def handle_error_response(self, request: Any, error: OAuth2Error) -> Response:
        # invalid_client is always 401 (ERRATA 8), also when the credentials came as
        # client_id/client_secret parameters (Authlib answers 400 for those); nothing else is
        # (Authlib answers unsupported_token_type with 401, RFC 7009 §2.2.1 says §5.2 = 400).
        if error.error == "invalid_client":
            status = 401
        else:
            status = error.status_code if error.status_code and error.status_code != 401 else 400
        return render_oauth(OAuthError(error.error, error.get_error_description() or error.error,
                                       status))

    def handle_response(self, status_code: int, payload: Any, headers: Any) -> Response:
        if isinstance(payload, dict):
            response = json_response(payload, status_code)
            for name, value in headers:
                if name.lower() != "content-type":
                    response.headers[name] = value
            return response
        return Response(payload, status=status_code, headers=headers)


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    server: Server

    def generate_authorization_code(self) -> str:
        return self.server.world().rand.stream("oauth").uuid()

    def create_authorization_response(self, redirect_uri: str, grant_user: User) -> Any:
        if not grant_user:
            return super().create_authorization_response(redirect_uri, grant_user)
        world = self.server.world()
        scope = models.normalise_scope(self.request.payload.scope)
        # Bind the code to the redirect_uri the client sent: the token request must repeat it
        # only "if it was included in the authorization request" (RFC 6749 §4.1.3).
        code = models.create_code(world, self.request.client.app, grant_user, scope,
                                  (self.request.payload.redirect_uri or "").strip() or None)
        params = [("code", code)]
        if self.request.payload.state:
            params.append(("state", self.request.payload.state))
        params.append(("scope", scope))
        return 302, "", [("Location", add_params_to_uri(redirect_uri, params))]

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        record = models.find_code(self.server.world(), code, client.app.name)
        return Code(code, record) if record is not None else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        """Consumed in :meth:`authenticate_user`, before tokens are issued (single use)."""

    def authenticate_user(self, authorization_code: Code) -> User | None:
        world = self.server.world()
        if not models.consume_code(world, authorization_code.value):
            return None  # a concurrent redemption won
        return world.ids.users.get(authorization_code.record["user"])

    def generate_token(self, user: User | None = None, scope: str | None = None,
                       grant_type: str | None = None, expires_in: int | None = None,
                       include_refresh_token: bool = True) -> dict[str, Any]:
        """Tokens from the world's stream; a pre-seeded code yields its documented pair."""
        assert user is not None
        preset = self.request.authorization_code.record.get("preset") or {}
        return models.issue_tokens(self.server.world(), self.request.client.app.name, user.id,
                                   models.normalise_scope(scope), access=preset.get("access"),
                                   refresh=preset.get("refresh"))


class RefreshTokenGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS
    INCLUDE_NEW_REFRESH_TOKEN = False
    server: Server

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        record = models.find_refresh_token(self.server.world(), refresh_token)
        return Token(refresh_token, models.REFRESH, record) if record is not None else None

    def authenticate_user(self, refresh_token: Token) -> User | None:
        return self.server.world().ids.users.get(refresh_token.record["user"])

    def _validate_token_scope(self, token: Token) -> None:
        """The requested scope, normalised like every scope (auth.md §4.7: unknown strings
        such as ``test.kiwoom`` mean ``account``), must be within the granted one."""
        requested = (self.request.payload.scope or "").strip()
        if requested and models.normalise_scope(requested) not in token.get_scope().split():
            raise InvalidScopeError()

    def issue_token(self, user: User, refresh_token: Token) -> dict[str, Any]:
        """A new access token under the same refresh token (auth.md §4.4)."""
        scope = models.normalise_scope(self.request.payload.scope or refresh_token.get_scope())
        return models.issue_tokens(self.server.world(), self.request.client.app.name, user.id,
                                   scope, refresh=refresh_token.value, with_refresh=False)

    def revoke_old_credential(self, refresh_token: Token) -> None:
        """The refresh token stays valid (the platform returns the same value)."""


class Revocation(RevocationEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = AUTH_METHODS
    server: Server

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        world = self.server.world()
        kinds = [models.REFRESH, models.TOKEN] if token_type_hint == "refresh_token" \
            else [models.TOKEN, models.REFRESH]
        for kind in kinds:
            record = world.store.get(kind, token_string)
            if record is not None:
                return Token(token_string, kind, record)
        return None

    def revoke_token(self, token: Token, request: Any) -> None:
        models.revoke(self.server.world(), token.value, token.record["app"])

    def create_endpoint_response(self, request: Any) -> tuple[int, dict[str, str], Any]:
        status, _, headers = super().create_endpoint_response(request)
        return status, {"result": "revoked"}, headers
