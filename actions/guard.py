"""The action server's door: every route but ``/health`` needs the shared secret.

The Rasa server sends ``ACTION_SERVER_SECRET`` in the ``X-Action-Server-Secret`` header
(``endpoints.yml``, and :mod:`bot.rasa_plugins.sentence_features` for ``/embed``). A
request without it, or with another value, gets a 403 that says nothing about what it
sent. The comparison takes the same time whatever the value.
"""

from __future__ import annotations

import hmac
import logging

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Action-Server-Secret"  # noqa: S105 (a header's name)
OPEN_PATHS = frozenset({"/health"})
REFUSED = "forbidden"


def secret_matches(given: str | None, secret: str) -> bool:
    """True if ``given`` is ``secret`` (constant time; an empty secret matches nothing)."""
    if not secret or given is None:
        return False
    return hmac.compare_digest(given.encode(), secret.encode())


def require_secret(app: Sanic, secret: str) -> None:
    """Refuse every request to ``app`` without ``secret``, except ``/health``.

    Raises:
        ValueError: ``secret`` is empty (the door would be open).

    """
    if not secret:
        raise ValueError("the action server needs ACTION_SERVER_SECRET")

    async def check_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        if secret_matches(request.headers.get(SECRET_HEADER), secret):
            return None
        logger.warning("Refused a request without the action server's secret")
        return response.text(REFUSED, status=403)

    app.register_middleware(check_secret, "request")
