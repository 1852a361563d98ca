"""The web chat's HTTP requests: the page's security policy, JSON bodies, the client's address.

A malformed request raises :class:`BadRequest` with a plain reason and a status; the
routes (:mod:`bot.channels.web.channel`) answer it as JSON. Nothing from a body is
echoed or logged.
"""

from __future__ import annotations

import json

from sanic.request import Request

from bot import linear_re

MAX_BODY = 2048
_HOST = r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?"


class BadRequest(ValueError):
    """A request the channel refuses, with a plain reason and an HTTP status."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def content_security_policy(host: str | None) -> str:
    """The page's CSP: our own origin only, plus the socket on the same host."""
    sockets = (
        f" ws://{host} wss://{host}" if host and linear_re.compile(_HOST).fullmatch(host) else ""
    )
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self'{sockets}; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'; object-src 'none'"
    )


def json_body(request: Request, fields: tuple[str, ...]) -> dict[str, str]:
    """The request's JSON object with these string fields (each at most 64 characters).

    Raises:
        BadRequest: The body is too big, not JSON, or lacks a field.

    """
    if len(request.body or b"") > MAX_BODY:
        raise BadRequest(413, "the body is too big")
    try:
        body = json.loads(request.body or b"")
    except ValueError:
        raise BadRequest(400, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest(400, "the body must be a JSON object")
    values: dict[str, str] = {}
    for field in fields:
        value = body.get(field)
        if not isinstance(value, str) or not value.strip():
            raise BadRequest(400, f"{field} is missing: it must be a non-empty string")
        if len(value) > 64:
            raise BadRequest(400, f"{field} is too long")
        values[field] = value
    return values


def client_address(request: Request) -> str:
    """The client's internet address (from the load balancer's header when it is trusted).

    Sanic takes ``X-Forwarded-For`` only when ``SANIC_PROXIES_COUNT`` says how many
    proxies are in front (``make cluster`` sets 1); otherwise the connection's address.
    """
    return str(request.remote_addr or request.ip or "")
