"""A fake Auth0 tenant: a real HTTP server on 127.0.0.1 speaking the three endpoints sign-in uses.

- ``GET /authorize`` checks the client id and approves at once: 302 to ``redirect_uri?code&state``.
- ``POST /oauth/token`` checks the client credentials, the code and its ``redirect_uri``, and
  answers with an id_token signed RS256 by the tenant's key (``kid`` in the header).
- ``GET /.well-known/jwks.json`` publishes that key.

``next_recorded`` plays back the claims of a real Auth0 id_token (``auth0_recordings``): the
tenant swaps in its own ``iss``/``aud``/``iat``/``exp`` (drops the recorded ``nonce``) and signs the token with its own key.
``next_identity`` sets hand-picked claims; ``token_style`` breaks the next token on purpose
(wrong audience or issuer, expired, unknown key, ``alg`` none or HS256).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.accounts.auth0_recordings import RECORDINGS
from tests.fake_server import FakeHandler, FakeServer

CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret"
KID = "fake-tenant-key-1"

# One RSA key for the whole test run: generating them is the slow part.
_TENANT_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
_STRANGER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class FakeAuth0(FakeServer):
    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.identity: dict = {}
        self.token_style = "valid"
        self._codes: dict[str, dict] = {}
        super().__init__(self._handler_class())
        self.base_url = self.origin

    # --- control ---------------------------------------------------------------------------

    def next_identity(self, **claims) -> None:
        self.identity = {
            "sub": "auth0|abc123",
            "email": "new.person@example.com",
            "email_verified": True,
            "name": "New Person",
            "nickname": "new.person",
            **claims,
        }

    def next_recorded(self, recording: str, /, **overrides) -> None:
        """The next token carries a recorded token's claims (``auth0_recordings``), with ``overrides``."""
        recorded = {k: v for k, v in RECORDINGS[recording].items() if k not in {"iss", "aud", "iat", "exp", "nonce"}}
        self.identity = {**recorded, **overrides}

    # --- tokens ----------------------------------------------------------------------------

    def id_token(self, nonce: str | None = None) -> str:
        now = int(time.time())
        claims = {"iss": self.base_url + "/", "aud": CLIENT_ID, "iat": now, "exp": now + 600, **self.identity}
        style = self.token_style
        if style == "wrong_audience":
            claims["aud"] = "someone-elses-client"
        elif style == "wrong_issuer":
            claims["iss"] = "https://evil.example.com/"
        elif style == "expired":
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        if style == "alg_none":
            header = {"alg": "none", "typ": "JWT", "kid": KID}
            return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}."
        if style == "alg_hs256":
            # The classic confusion attack: HMAC keyed with the tenant's *public* key.
            header = {"alg": "HS256", "typ": "JWT", "kid": KID}
            signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
            public_pem = _TENANT_KEY.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
            return f"{signing_input}.{_b64(signature)}"
        if style == "unknown_kid":
            return jwt.encode(claims, _STRANGER_KEY, algorithm="RS256", headers={"kid": "not-published"})
        return jwt.encode(claims, _TENANT_KEY, algorithm="RS256", headers={"kid": KID})

    def jwks(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(_TENANT_KEY.public_key()))
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    # --- HTTP ------------------------------------------------------------------------------

    def _handler_class(self):
        fake = self

        class Handler(FakeHandler):
            def log_message(self, format, *args):  # noqa: A002 - quiet test output
                return

            def _json(self, status: int, body: dict) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                url = urlparse(self.path)
                fake.requests.append(("GET", url.path))
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                if url.path == "/authorize":
                    if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                        return self._json(400, {"error": "invalid_request"})
                    code = secrets.token_urlsafe(16)
                    fake._codes[code] = {"redirect_uri": query["redirect_uri"]}
                    joiner = "&" if "?" in query["redirect_uri"] else "?"
                    target = query["redirect_uri"] + joiner + urlencode({"code": code, "state": query.get("state", "")})
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return None
                if url.path == "/.well-known/jwks.json":
                    return self._json(200, fake.jwks())
                return self._json(404, {"error": "not_found"})

            def do_POST(self):
                url = urlparse(self.path)
                fake.requests.append(("POST", url.path))
                length = int(self.headers.get("Content-Length") or 0)
                form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
                if url.path != "/oauth/token":
                    return self._json(404, {"error": "not_found"})
                if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                    return self._json(401, {"error": "access_denied"})
                grant = fake._codes.pop(form.get("code", ""), None)
                if (
                    form.get("grant_type") != "authorization_code"
                    or grant is None
                    or grant["redirect_uri"] != form.get("redirect_uri")
                ):
                    return self._json(403, {"error": "invalid_grant"})
                return self._json(
                    200,
                    {
                        "access_token": secrets.token_urlsafe(24),
                        "id_token": fake.id_token(),
                        "token_type": "Bearer",
                        "expires_in": 86400,
                    },
                )

        return Handler
