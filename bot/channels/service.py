"""Readiness, and the start-up step that makes the Rasa server safe to answer with.

Listed in ``credentials.yml`` like the channels, so Rasa registers it:

- ``GET /webhooks/service/ready``: 200 ``{"status": "ready"}`` once the model is loaded,
  Rasa's forgetful tracker store wrapper removed, the safety net's semantic layer built
  (:mod:`bot.safety.semantic`) and the model warmed up
  (:mod:`bot.rasa_plugins.handling`); 503 ``{"status": "starting"}`` before that. The
  answer also says whether the database can be reached just now, without making the
  server "not ready" for it: while the database is down, a ready server still gives
  young people the holding reply with the crisis numbers.
- ``GET /webhooks/service/``: alive (the process answers), for a liveness check;
- before the server takes connections, every route's request body is limited to 64 KB,
  a larger one answered with a plain 413 (:mod:`bot.channels.body_limit`).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import body_limit
from bot.rasa_plugins.handling import is_ready, mark_ready, prepare, warm_up
from bot.safety.semantic import install_in_process, keep_up_with_approved

logger = logging.getLogger(__name__)

DATABASE_CHECK_SECONDS = 2.0


def _database_reachable(engine: Any) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception:
        return False
    return True


class ServiceChannel(InputChannel):  # type: ignore[misc]
    """Not a channel for young people: the server's readiness and start-up hook."""

    @classmethod
    def name(cls) -> str:
        """Its URLs start ``/webhooks/service/``."""
        return "service"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The liveness and readiness routes, and the start-up listener."""
        module = inspect.getmodule(self)
        hook = Blueprint(
            f"custom_webhook_{type(self).__name__}", module.__name__ if module else None
        )

        @hook.listener("before_server_start")
        async def _limit_bodies(app: Any, _loop: Any) -> None:
            body_limit.install(app)

        @hook.listener("after_server_start")
        async def _prepare(app: Any, _loop: Any) -> None:
            agent = getattr(app.ctx, "agent", None)
            if agent is None or agent.processor is None:
                logger.error("No model is loaded: this server will not report ready")
                return
            prepare(agent)
            # The safety net's semantic layer (patterns alone until it is built), kept up
            # with the phrases safeguarding approvers add in the console.
            if await asyncio.to_thread(install_in_process):
                engine = getattr(agent.tracker_store, "engine", None)
                if engine is not None:
                    app.add_task(keep_up_with_approved(engine))
            try:
                await warm_up(agent)
            except Exception as error:  # a warm-up failure must not stop the server
                logger.warning("Warming up the model failed: %s", type(error).__name__)
            mark_ready(app)
            logger.info("Ready: model loaded and warmed up")

        @hook.route("/", methods=["GET"])
        async def alive(_request: Request) -> HTTPResponse:
            return response.json({"status": "alive"})

        @hook.route("/ready", methods=["GET"])
        async def ready(request: Request) -> HTTPResponse:
            if not is_ready(request.app):
                return response.json({"status": "starting"}, status=503)
            engine = getattr(request.app.ctx.agent.tracker_store, "engine", None)
            database = "unknown"
            if engine is not None:
                try:
                    reachable = await asyncio.wait_for(
                        asyncio.to_thread(_database_reachable, engine), DATABASE_CHECK_SECONDS
                    )
                except asyncio.TimeoutError:
                    reachable = False
                database = "ok" if reachable else "unavailable"
            return response.json({"status": "ready", "database": database})

        return hook
