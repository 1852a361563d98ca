"""Messages built to make pattern matching work as hard as it can.

For every pattern the safety net runs: its own words, each repeated, and all of them
in turn, up to the longest message a channel accepts; and the shapes known to have
jammed backtracking engines ("he now now now ... x"). The unit tests check that each
one is checked (or given up on, and so treated as possible risk) by the linear-time
engine; ``make bench`` times them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot import linear_re

# The longest message any channel passes on: SMS joins up to 10 segments (1,600
# characters); the safety check reads at most the first 8,000 of anything.
SMS_LONGEST = 1600
CHECK_LONGEST = 8000

# Words of the project's own pattern sources (project text, so Python's engine is fine).
_WORD = re.compile(r"[a-z]{2,}")
_ESCAPE = re.compile(r"\\[a-zA-Z]")


def pattern_words(pattern: linear_re.Pattern, limit: int = 40) -> list[str]:
    """The distinct words a pattern's source spells out, in order."""
    return list(dict.fromkeys(_WORD.findall(_ESCAPE.sub(" ", pattern.pattern))))[:limit]


def costly_to_encode(length: int, seed: int) -> str:
    """Distinct made-up words, each several word pieces: the costliest text for the
    safety net's sentence encoder, ``length`` characters long."""
    import random

    rng = random.Random(seed)
    words = (
        "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(9))
        for _ in range(length // 10 + 1)
    )
    return " ".join(words)[:length]


def _fill(unit: str, length: int) -> str:
    return (unit * (length // max(len(unit), 1) + 1))[:length]


def for_pattern(pattern: linear_re.Pattern, length: int, *, each_word: bool) -> Iterator[str]:
    """Adversarial messages for one pattern.

    Args:
        pattern: The pattern.
        length: How long each message is.
        each_word: Also one message per word, that word repeated (many more messages).
    """
    words = pattern_words(pattern)
    if not words:
        return
    yield _fill(" ".join(words) + " ", length)
    block = "".join(_fill(f"{w} ", max(length // len(words), len(w) + 1)) for w in words)
    yield block[:length]
    if each_word:
        for word in words:
            yield _fill(f"{word} ", length)


def known_jams(length: int) -> Iterator[str]:
    """The shapes that jammed the backtracking engine (issue 14)."""
    yield _fill("he " + "now " * 24, length - 1) + "x"
    yield "he " + _fill("has been now ", length - 5) + " x"
    yield "i " + _fill("am just really actually literally ", length - 4) + " x"
    yield _fill("a", length)
    yield _fill("kiiiiiiiiiiiiiiiill ", length)
    yield _fill("., ", length)
    yield _fill("😭", length)
