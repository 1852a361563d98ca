"""The largest request body the Rasa server reads, on every route: 64 KB.

Sanic reads a body up to ``REQUEST_MAX_SIZE`` (100 MB by default) into memory before a
route sees it, so one large request, or a few at once, could hold the server's memory.
Nothing a young person or Twilio sends comes near 64 KB: an SMS is at most 1,600
characters (under 20 KB as Twilio's form, even all emoji), a web chat message at most
``WEB_CHAT_MAX_MESSAGE`` characters, a REST message 1,600. The safety net still reads
every message any channel takes; only bodies far longer than any of them are refused.

:func:`install` sets the limit on the Sanic app before it starts serving (each worker
runs it) and answers a larger body with a plain ``413``, said in words, without reading
the rest of it: a ``Content-Length`` over the limit is refused at once, and a chunked
body as soon as it passes the limit.
"""

from __future__ import annotations

import logging
from typing import Any

from sanic import response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 64 * 1024
"""The largest request body any route of the Rasa server takes."""

TOO_BIG = f"the request body is too big: at most {MAX_REQUEST_BYTES // 1024} KB"


def too_big(_request: Request, _error: Exception) -> HTTPResponse:
    """The answer to a body over the limit: 413, in words, nothing of the request echoed."""
    logger.info("A request body over %s bytes was refused", MAX_REQUEST_BYTES)
    return response.text(TOO_BIG, status=413, headers={"Connection": "close"})


def install(app: Any, limit: int = MAX_REQUEST_BYTES) -> None:
    """Limit the request bodies ``app`` reads to ``limit`` bytes, refusing larger with 413.

    Call it before the server takes connections (a ``before_server_start`` listener):
    each connection reads the limit when it is made.
    """
    app.config.REQUEST_MAX_SIZE = limit
    app.error_handler.add(PayloadTooLarge, too_big)
