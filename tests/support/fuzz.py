"""Shared pieces of the fuzz tests (``tests/fuzz``): strategies and what every answer must be.

Every answer a fuzz test gets from a really started server must be a sound refusal or a
sound success: no 5xx, no stack trace, and (for the public webhooks) nothing of the
request body echoed back. Values that must never come back carry :data:`MARK`.
"""

from __future__ import annotations

import os
import re
from typing import Any

import requests
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

MARK = "fzq7mark"
"""Put in generated values; an answer that contains it echoed the request."""

TRACE_SIGNS = (
    "Traceback (most recent call last)",
    'File "/',
    "sqlalchemy.exc",
    "psycopg2.",
    "sqlite3.",
    "sanic.exceptions",
)


def fuzz_settings(max_examples: int) -> settings:
    """Hypothesis settings for a fuzz test against a started server.

    Derandomised, so a failure happens again on the next run (hypothesis prints the
    falsifying example); ``FUZZ_SCALE`` multiplies the examples for a longer run.
    """
    scale = float(os.environ.get("FUZZ_SCALE", "1"))
    return settings(
        max_examples=max(1, int(max_examples * scale)),
        deadline=None,
        derandomize=True,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


def assert_sound(reply: requests.Response, *, echo_checked: bool = True) -> None:
    """No 5xx and no stack trace; with ``echo_checked``, nothing marked came back."""
    where = f"{reply.request.method} {reply.request.url}"
    assert reply.status_code < 500, f"{where}: {reply.status_code} {reply.text[:500]}"
    text = reply.text
    for sign in TRACE_SIGNS:
        assert sign not in text, f"{where}: the answer shows {sign!r}: {text[:500]}"
    if echo_checked:
        assert MARK not in text, f"{where}: the answer echoes the request: {text[:500]}"
        for name, value in reply.headers.items():
            assert MARK not in value, f"{where}: header {name} echoes the request"


# ---- strategies -------------------------------------------------------------------------

ODD_CHARS = st.sampled_from(
    [
        "\x00",
        "\r\n",
        "\u202e",
        "\ufeff",
        "\U0001f600",
        "%",
        "%00",
        "&",
        "=",
        "+",
        "'",
        '"',
        "<script>",
        "{{7*7}}",
        "${x}",
        "\\",
        "../",
        "; DROP TABLE staff;--",
        "\u00a3",
        "\xed\xb3\xbf",
    ]
)


@st.composite
def odd_text(draw: st.DrawFn, max_size: int = 80) -> str:
    """Text that breaks naive code: unicode, controls, markup, numbers, sometimes marked."""
    base: str = draw(
        st.one_of(
            st.text(max_size=max_size),
            st.text(alphabet=st.characters(codec="utf-8"), max_size=max_size),
            st.lists(ODD_CHARS, max_size=6).map("".join),
            st.integers(min_value=-(2**70), max_value=2**70).map(str),
            st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "null", "true", "[]", "{}"]),
            st.sampled_from(["2026-02-30", "9999-12-31", "0000-00-00", "2026-13-01T25:61"]),
        )
    )
    if draw(st.booleans()):
        base = MARK + base
    return base


def huge_text(size: int) -> st.SearchStrategy[str]:
    """A long value (``size`` characters or so), marked."""
    return st.sampled_from(["a", "é", "\U0001f600", "<b>", "%"]).map(
        lambda piece: MARK + piece * (size // len(piece.encode()))
    )


def fake_mobile() -> st.SearchStrategy[str]:
    """Ofcom's drama numbers, in the shapes people type them."""
    return st.integers(min_value=0, max_value=999).flatmap(
        lambda n: st.sampled_from(
            [f"+447700900{n:03d}", f"07700900{n:03d}", f"07700 900{n:03d}", f"447700900{n:03d}"]
        )
    )


JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | odd_text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text(20), inner, max_size=4),
    max_leaves=12,
)


def squeeze(text: str) -> str:
    """A page's words, tags removed (for failure messages)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text))[:400]
