"""Reading age of a piece of text, for the "reading age about 11" rule.

Uses textstat's Flesch-Kincaid grade (a US school grade); a UK reading age is
the grade plus five years. It is a rough guide, shown as a warning, never a
reason to refuse content.

It also splits content into sentences, for the "20 words or fewer" rule.
"""

from __future__ import annotations

import re
import warnings

with warnings.catch_warnings():
    # textstat 0.7.3 imports pkg_resources, which setuptools 80 (the staff service's
    # environment) warns about on every start; it works there until setuptools 81.
    warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
    import textstat


def reading_age(text: str) -> float:
    """The approximate reading age (in years) needed to read ``text``.

    Args:
        text: Plain English text.

    Returns:
        Reading age in years; 0 for empty text.

    """
    if not text.strip():
        return 0.0
    return float(textstat.flesch_kincaid_grade(text)) + 5.0


MAX_SENTENCE_WORDS = 20
"""The longest sentence the content may have, in words (reading age about 11)."""

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')]*\s+(?=[\"'(£]?[A-Z0-9])")
_WORD = re.compile(r"\w")


def sentences(text: str) -> list[str]:
    """Split plain text into sentences.

    A sentence ends at ``.``, ``!`` or ``?`` followed by a space and a capital
    letter, a digit or a pound sign. Content text only: never user text.

    Args:
        text: Plain English text.

    Returns:
        The sentences, whitespace tidied, in order.

    """
    tidy = " ".join(text.split())
    return [s for s in _SENTENCE_END.split(tidy) if s.strip()]


def word_count(sentence: str) -> int:
    """How many words a sentence has (tokens with at least one letter or digit)."""
    return sum(1 for token in sentence.split() if _WORD.search(token))


def long_sentences(text: str, limit: int = MAX_SENTENCE_WORDS) -> list[str]:
    """The sentences of ``text`` with more than ``limit`` words."""
    return [s for s in sentences(text) if word_count(s) > limit]
