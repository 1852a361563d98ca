"""The Origin check: the page's requests and socket must come from our own pages.

Browsers send an ``Origin`` header with a WebSocket handshake and with every POST;
a page on another site cannot forge it. The socket is refused (403, before the
handshake) unless its Origin is on the allow-list (``WEB_CHAT_ORIGINS``, by
default this server's own origins). An HTTP request is refused if it carries an
Origin that is not on the list; one without (curl, tests) is let through, as it
cannot come from another site's page.
"""

from __future__ import annotations

from collections.abc import Iterable


def normalise(origin: str) -> str:
    """An origin in the form the allow-list holds: lower case, no trailing slash."""
    return origin.strip().rstrip("/").lower()


def origin_allowed(origin: str | None, allowed: Iterable[str], required: bool) -> bool:
    """True if a request with this ``Origin`` header may go on.

    Args:
        origin: The header's value, or None when the request has none.
        allowed: The allowed origins (normalised).
        required: Whether a request without an Origin is refused (the socket).

    """
    if origin is None or origin == "":
        return not required
    if origin == "null":  # sandboxed frames, file: pages, some redirects
        return False
    return normalise(origin) in set(allowed)
