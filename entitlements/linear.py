r"""Linear-time regular expressions for text people type, on RE2 (google-re2).

The search reads every question a young person sends, and the content checks read
what staff type into the console: neither may meet a backtracking engine. This is
the package's own small door to RE2, so that ``entitlements`` depends on nothing
else of the project's (``bot.linear_re`` is the service's fuller one, with
lookarounds).

RE2 refuses backreferences and lookarounds when a pattern is compiled. Its ``\d``,
``\w``, ``\s`` and ``\b`` are ASCII only: use :data:`SPACE` where Python's Unicode
``\s`` matters, and a plain loop over ``str`` methods where ``\d``, ``\w`` or ``\b``
must be Unicode-aware (see :mod:`entitlements.normalise`).
"""

from __future__ import annotations

import functools
from typing import Any

import re2

SPACE = "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
r"""The characters Python's ``\s`` matches (``str.isspace``), for a character class."""


@functools.cache
def compile(pattern: str) -> Any:
    """``pattern`` compiled by RE2, once (the same source gives the same object).

    Args:
        pattern: RE2 syntax (Python's, less backreferences and lookarounds).

    Returns:
        An ``re2`` pattern: ``search``, ``fullmatch``, ``finditer``, ``findall``,
        ``sub`` and ``split`` as Python's ``re`` has them, in linear time.

    Raises:
        ValueError: RE2 cannot compile the pattern (``re2.error``), naming it.

    """
    try:
        return re2.compile(pattern)
    except re2.error as e:
        raise ValueError(f"RE2 cannot compile pattern {pattern!r}: {e}") from e


def matchable(text: str) -> str:
    """``text`` with each lone surrogate made U+FFFD, which RE2 (reading UTF-8) can take.

    One character for one: offsets are unchanged. For patterns that match neither (no
    ``.`` and no negated class), what is found is what Python's ``re`` found.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.translate(_NO_SURROGATES)
    return text


_NO_SURROGATES = dict.fromkeys(range(0xD800, 0xE000), 0xFFFD)


def is_word(char: str) -> bool:
    r"""True for a character Python's ``\w`` matches in text (Unicode letters and digits, _)."""
    return char.isalnum() or char == "_"
