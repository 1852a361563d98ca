"""Web chat sessions: the server makes the conversation id and signs a token for it.

A token is ``<conversation id>.<expiry>.<signature>``: the conversation id
(``web-`` and 24 random URL-safe characters), when the token stops working (Unix
seconds) and an HMAC-SHA256 of both under the web chat key. The browser keeps it in
``sessionStorage`` and shows it on every request; it can never choose or change the
conversation id, because any change breaks the signature. Nothing is stored on the
server: the signature is the proof.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import secrets

from bot import linear_re

CONVERSATION_PREFIX = "web-"
MAX_TOKEN = 200
_CONVERSATION_ID = r"web-[A-Za-z0-9_-]{24}"
_EXPIRY = r"[0-9]{1,12}"


class TokenError(ValueError):
    """A token that is refused, with a plain reason safe to show."""


@dataclasses.dataclass(frozen=True)
class WebSession:
    """A checked session: its conversation and when it ends (Unix seconds)."""

    conversation_id: str
    expires_at: int


def new_conversation_id() -> str:
    """A fresh, unguessable web chat conversation id (``web-`` + 144 random bits)."""
    return CONVERSATION_PREFIX + secrets.token_urlsafe(18)


def _signature(key: bytes, conversation_id: str, expires_at: int) -> str:
    message = f"web-session|v1|{conversation_id}|{expires_at}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue_token(key: bytes, conversation_id: str, now: float, lifetime_seconds: float) -> str:
    """A signed token for ``conversation_id``, good for ``lifetime_seconds`` from ``now``.

    Raises:
        ValueError: ``conversation_id`` is not one the server makes.

    """
    if not linear_re.compile(_CONVERSATION_ID).fullmatch(conversation_id):
        raise ValueError("not a web chat conversation id")
    expires_at = int(now + lifetime_seconds)
    return f"{conversation_id}.{expires_at}.{_signature(key, conversation_id, expires_at)}"


def read_token(key: bytes, token: object, now: float) -> WebSession:
    """Check a token and return its session.

    Args:
        key: The web chat key.
        token: What the client sent (anything).
        now: The current time, Unix seconds.

    Returns:
        The session the token was issued for.

    Raises:
        TokenError: The token is missing, malformed, not signed by us, or expired.

    """
    if not isinstance(token, str) or not token:
        raise TokenError("no session token: start a new chat")
    if len(token) > MAX_TOKEN or token.count(".") != 2 or not token.isascii():
        raise TokenError("the session token is not valid: start a new chat")
    conversation_id, expiry, signature = token.split(".")
    if not linear_re.compile(_CONVERSATION_ID).fullmatch(conversation_id) or not (
        linear_re.compile(_EXPIRY).fullmatch(expiry)
    ):
        raise TokenError("the session token is not valid: start a new chat")
    expires_at = int(expiry)
    expected = _signature(key, conversation_id, expires_at)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise TokenError("the session token is not valid: start a new chat")
    if now >= expires_at:
        raise TokenError("the session has expired: start a new chat")
    return WebSession(conversation_id, expires_at)


def bearer(header: str | None) -> str | None:
    """The token in an ``Authorization: Bearer <token>`` header, if there is one."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()
