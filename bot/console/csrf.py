"""CSRF tokens for every form the console serves.

Each form carries a hidden ``csrf_token``: an HMAC, under the console's key, of what
the browser holds. Signed in, that is the session (so a token dies with it); before
signing in, a random value in a cookie of its own (a signed double submit). A POST
whose token is missing or does not match is refused with 403. Cookies are also
SameSite=Strict, so another site's form cannot even send them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

FIELD = "csrf_token"


def new_seed() -> str:
    """A random value for the pre-sign-in CSRF cookie."""
    return secrets.token_urlsafe(32)


def token(key: bytes, *, session_id: str | None, seed: str | None) -> str:
    """The token forms must carry, for a session (if signed in) or else a seed."""
    binding = f"session:{session_id}" if session_id else f"seed:{seed or ''}"
    return hmac.new(key, f"csrf|{binding}".encode(), hashlib.sha256).hexdigest()


def valid(key: bytes, sent: str | None, *, session_id: str | None, seed: str | None) -> bool:
    """True if ``sent`` is the token for this session or seed."""
    if not sent or (not session_id and not seed):
        return False
    expected = token(key, session_id=session_id, seed=seed)
    return hmac.compare_digest(expected.encode(), sent.encode())
