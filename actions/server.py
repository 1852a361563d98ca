"""The action server: rasa-sdk's app, on 127.0.0.1 only, with errors that echo nothing.

Run it with ``python -m actions.server`` (``make run`` does). rasa-sdk's own
runner listens on every interface and answers an error with the request body in
it; this one does neither.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.embedding_route import add_embed_route
from actions.services import get_services
from bot.settings import get_settings
from entitlements.knowledge_base import ContentNotLoadedError

logger = logging.getLogger(__name__)


def make_app() -> Sanic:
    """Create the action server's Sanic app (the actions package registered)."""
    app = create_app("actions", cors_origins=None)
    add_embed_route(app)

    @app.exception(Exception)
    async def _error(request: Request, exception: Exception) -> HTTPResponse:
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
    """Serve the actions on 127.0.0.1 at the configured port."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    app = make_app()
    app.run(
        host="127.0.0.1",
        port=settings.action_port,
        workers=1,
        access_log=False,
        motd=False,
    )


if __name__ == "__main__":
    main()
