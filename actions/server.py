"""The action server: rasa-sdk's app, on one address, behind a secret, echoing nothing.

Run it with ``python -m actions.server`` (``make run`` does). rasa-sdk's own
runner listens on every interface, takes requests from anyone and answers an error
with the request body in it; this one listens on ``ACTION_HOST`` only (127.0.0.1 by
default), refuses every route but ``/health`` without ``ACTION_SERVER_SECRET``
(:mod:`actions.guard`) and echoes nothing.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.exceptions import SanicException, ServiceUnavailable
from sanic.helpers import STATUS_CODES
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.embedding_route import add_embed_route
from actions.guard import require_secret
from actions.services import get_services
from bot.settings import SettingsError, get_settings
from entitlements.knowledge_base import ContentNotLoadedError

logger = logging.getLogger(__name__)


def _caller_went_away(exception: Exception) -> bool:
    """Sanic's sign that the client closed the connection while its request was handled."""
    return isinstance(exception, ServiceUnavailable) and str(exception) == "Cancelled"


def make_app(secret: str) -> Sanic:
    """Create the action server's Sanic app (the actions package registered).

    Args:
        secret: ``ACTION_SERVER_SECRET``: every route but ``/health`` needs it.

    """
    app = create_app("actions", cors_origins=None)
    require_secret(app, secret)
    add_embed_route(app)

    @app.exception(Exception)
    async def _error(request: Request, exception: Exception) -> HTTPResponse:
        if _caller_went_away(exception):
            # Rasa stops waiting for /embed after 2 s and encodes the message itself.
            logger.info("The caller went away before the answer (%s)", request.path)
            return response.json({"error": "cancelled"}, 503)
        status = getattr(exception, "status_code", 500)
        if isinstance(exception, SanicException) and 400 <= status < 500:
            logger.info("Refused a request: %s %s", status, type(exception).__name__)
            return response.json({"error": STATUS_CODES.get(status, b"refused").decode()}, status)
        logger.error("Action failed: %s", type(exception).__name__, exc_info=exception)
        return response.json({"error": "the action failed; see the action server's log"}, 500)

    @app.listener("before_server_start")
    async def _warm_up(_app: Sanic, _loop: Any) -> None:
        try:
            kb = get_services().knowledge.current()
            logger.info("Knowledge base revision %s: %s entries", kb.revision, len(kb.entries))
        except ContentNotLoadedError:
            logger.error("No entitlement content is published; run `python -m bot setup`.")

    return app


def main() -> None:
    """Serve the actions on ``ACTION_HOST`` at ``ACTION_PORT``, behind the secret."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        settings = get_settings()
    except SettingsError as exc:
        sys.exit(f"The action server cannot start: {exc}")
    if not settings.action_server_secret:
        sys.exit(
            "The action server cannot start: ACTION_SERVER_SECRET is not set "
            "(make run sets a random one; production sets its own)."
        )
    app = make_app(settings.action_server_secret)
    app.run(
        host=settings.action_host,
        port=settings.action_port,
        workers=1,
        access_log=False,
        motd=False,
    )


if __name__ == "__main__":
    main()
