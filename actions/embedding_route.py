"""``POST /embed`` on the action server: sentence vectors for the Rasa server's NLU.

The Rasa server needs each message's sentence vector before it can classify it.
Encoding takes about 12 ms of CPU; the action server, otherwise mostly waiting,
does it on a worker thread so the Rasa workers keep their core for the rest of the
pipeline (see docs/performance.md). The Rasa server falls back to encoding itself
when this route does not answer. Like the actions, it is on ``ACTION_HOST`` only and
needs the action server's secret (:mod:`actions.guard`).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.services import get_services

EMBED_PATH = "/embed"
MAX_TEXTS = 8
MAX_CHARS = 1600


def _texts(body: Any) -> list[str] | None:
    texts = body.get("texts") if isinstance(body, dict) else None
    if not isinstance(texts, list) or not 0 < len(texts) <= MAX_TEXTS:
        return None
    if not all(isinstance(t, str) and 0 < len(t) <= MAX_CHARS for t in texts):
        return None
    return texts


def add_embed_route(app: Sanic) -> None:
    """Register ``POST /embed`` (``{"texts": [...]}`` in, ``{"vectors": [...]}`` out)."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed")

    @app.post(EMBED_PATH)
    async def embed(request: Request) -> HTTPResponse:
        try:
            texts = _texts(request.json)
        except Exception:  # a body that is not JSON
            texts = None
        if texts is None:
            return response.json(
                {
                    "error": f'send {{"texts": [...]}}: 1 to {MAX_TEXTS} strings of at most '
                    f"{MAX_CHARS} characters"
                },
                status=400,
            )
        encoder = get_services().knowledge.encoder()
        if encoder is None:
            return response.json({"error": "no sentence encoder here"}, status=503)
        vectors = await asyncio.get_running_loop().run_in_executor(executor, encoder.encode, texts)
        return response.json({"vectors": vectors.tolist()})
