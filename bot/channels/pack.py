"""The public pack page, ``GET /pack/<token>``, on the Rasa server (young people's side).

A small input channel, like the web chat's (:mod:`bot.channels.web.channel`), that
takes no messages: it serves one page per pack link (:mod:`bot.packs.page`) and its
stylesheet and script. A token that is unknown, malformed or expired gets the same
plain 404 page, so a guess learns nothing. Every response carries a strict
Content-Security-Policy, no referrer, noindex and no-store. Tokens are never logged:
Rasa keeps Sanic's access log at ERROR, and should it be switched on, a filter cuts
the tokens out of its lines.
The database engine opens on first use, not at import.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.engine import Engine

from bot import linear_re
from bot.clock import SYSTEM_CLOCK
from bot.db.engine import create_db_engine
from bot.packs import page
from bot.packs.service import open_pack
from bot.settings import get_settings

# A pattern for bot.linear_re (a token is user text), not a secret.
_TOKEN_IN_PATH = r"/pack/(?!pack\.css|pack\.js|favicon\.svg)[^/\s?#]+"  # noqa: S105


class HideTokens(logging.Filter):
    """Cuts pack tokens out of Sanic's access log lines (if that log is switched on)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite ``/pack/<token>`` as ``/pack/...``; never drops a line."""
        request = getattr(record, "request", None)
        if isinstance(request, str) and "/pack/" in request:
            try:
                record.request = linear_re.compile(_TOKEN_IN_PATH).sub("/pack/...", request)
            except linear_re.MatchBudgetExceeded:
                record.request = "/pack/..."
        return True


def hide_tokens_in_access_log() -> None:
    """Add :class:`HideTokens` to Sanic's access logger, once."""
    access = logging.getLogger("sanic.access")
    if not any(isinstance(f, HideTokens) for f in access.filters):
        access.addFilter(HideTokens())


class PackChannel(InputChannel):  # type: ignore[misc]
    """Serves entitlements packs by their link; takes no messages."""

    @classmethod
    def name(cls) -> str:
        """The channel's name."""
        return "pack"

    def url_prefix(self) -> str:
        """Mounted at ``/pack`` (an absolute path wins over Rasa's ``/webhooks/``)."""
        return "/pack"

    def __init__(
        self, engine: Engine | None = None, clock: Callable[[], dt.datetime] = SYSTEM_CLOCK.now
    ) -> None:
        self._engine = engine
        self.clock = clock

    def engine(self) -> Engine:
        """The project's database, opened on first use."""
        if self._engine is None:
            self._engine = create_db_engine(get_settings().database_url)
        return self._engine

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The page, its assets, and the same 404 for anything else."""
        hide_tokens_in_access_log()
        module = inspect.getmodule(self)
        hook = Blueprint(
            f"custom_webhook_{type(self).__name__}", module.__name__ if module else None
        )

        @hook.on_response
        async def security_headers(_request: Request, reply: HTTPResponse) -> None:
            for name, value in page.HEADERS.items():
                reply.headers[name] = value

        def not_found() -> HTTPResponse:
            return response.html(page.not_found_html(), status=404)

        @hook.route("/", methods=["GET"])
        async def nothing(_request: Request) -> HTTPResponse:
            return not_found()

        @hook.route("/pack.css", methods=["GET"])
        async def stylesheet(_request: Request) -> HTTPResponse:
            return response.raw(page.asset("pack.css"), content_type=page.ASSETS["pack.css"])

        @hook.route("/favicon.svg", methods=["GET"])
        async def icon(_request: Request) -> HTTPResponse:
            return response.raw(page.asset("favicon.svg"), content_type=page.ASSETS["favicon.svg"])

        @hook.route("/pack.js", methods=["GET"])
        async def script(_request: Request) -> HTTPResponse:
            return response.raw(page.asset("pack.js"), content_type=page.ASSETS["pack.js"])

        @hook.route("/<token:str>", methods=["GET"])
        async def show(_request: Request, token: str) -> HTTPResponse:
            if len(token) > 200:
                token = ""
            view = await asyncio.to_thread(open_pack, self.engine(), token, self.clock())
            if view is None:
                return not_found()
            return response.html(page.pack_html(view))

        return hook
