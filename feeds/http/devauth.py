"""HTTP basic and digest authentication of devices (cameras cannot send bearer tokens).

Digest (RFC 7616, MD5 or SHA-256, ``qop=auth``) uses stateless nonces: ``<time>.<HMAC of the
time>``, signed with a secret shared by every intake process through Redis, valid for
``NONCE_TTL_S``. A request without credentials gets the challenge (not a refusal: devices always
ask first); wrong credentials are a refusal.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

import redis

from feeds.sources.common import HttpAuth
from gridwall.platform.keys import Keys

NONCE_TTL_S = 300
REALM = "gridwall"
_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))')


def shared_secret(client: redis.Redis, keys: Keys) -> bytes:
    """The digest nonce secret, created once per county."""
    client.set(keys.digest_secret, secrets.token_hex(32), nx=True)
    value = client.get(keys.digest_secret)
    assert value is not None
    return value if isinstance(value, bytes) else str(value).encode()


class DeviceAuthenticator:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _sign(self, stamp: str) -> str:
        return hmac.new(self._secret, stamp.encode(), hashlib.sha256).hexdigest()[:32]

    def challenge(self, auth: HttpAuth, now: float | None = None) -> str:
        """The WWW-Authenticate header value for a source's scheme."""
        if auth.scheme == "basic":
            return f'Basic realm="{REALM}", charset="UTF-8"'
        stamp = str(int(now if now is not None else time.time()))
        nonce = f"{stamp}.{self._sign(stamp)}"
        return (
            f'Digest realm="{REALM}", qop="auth", algorithm=MD5, nonce="{nonce}", '
            f'opaque="{self._sign("opaque")[:16]}"'
        )

    def verify(
        self, auth: HttpAuth, header: str, method: str, now: float | None = None
    ) -> str | None:
        """None when ``header`` carries valid credentials, else the reason."""
        scheme, _, rest = header.partition(" ")
        if scheme.lower() != auth.scheme:
            return f"{auth.scheme} authentication is required"
        password = auth.password.value()
        if auth.scheme == "basic":
            try:
                user, _, given = base64.b64decode(rest.strip()).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                return "malformed basic credentials"
            ok = hmac.compare_digest(user.encode(), auth.username.encode())
            ok &= hmac.compare_digest(given.encode(), password.encode())
            return None if ok else "wrong user name or password"
        return self._verify_digest(auth, rest, method, password, now)

    def _verify_digest(
        self, auth: HttpAuth, rest: str, method: str, password: str, now: float | None
    ) -> str | None:
        params = {m.group(1).lower(): m.group(2) or m.group(3) or "" for m in _PARAM.finditer(rest)}
        nonce = params.get("nonce", "")
        stamp, _, signature = nonce.partition(".")
        if not stamp.isdigit() or not hmac.compare_digest(signature, self._sign(stamp)):
            return "unknown digest nonce"
        if (now if now is not None else time.time()) - int(stamp) > NONCE_TTL_S:
            return "stale digest nonce"
        if params.get("username") != auth.username or params.get("realm") != REALM:
            return "wrong user name or password"
        algorithm = params.get("algorithm", "MD5").upper()
        if algorithm not in ("MD5", "SHA-256"):
            return f"digest algorithm {algorithm} not supported"

        def h(text: str) -> str:
            name = "md5" if algorithm == "MD5" else "sha256"
            return hashlib.new(name, text.encode(), usedforsecurity=False).hexdigest()

        ha1 = h(f"{auth.username}:{REALM}:{password}")
        ha2 = h(f"{method}:{params.get('uri', '')}")
        if params.get("qop"):
            expected = h(
                f"{ha1}:{nonce}:{params.get('nc', '')}:{params.get('cnonce', '')}:"
                f"{params['qop']}:{ha2}"
            )
        else:
            expected = h(f"{ha1}:{nonce}:{ha2}")
        if not hmac.compare_digest(expected, params.get("response", "")):
            return "wrong user name or password"
        return None
