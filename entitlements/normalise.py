"""Turns a text message, as young people write them, into words a search can match.

Lower case, accents and curly quotes flattened, repeated letters squeezed, text-speak
and common slang spelled out ("wat r u" -> "what are you", "uni" -> "university",
"sw" -> "social worker") from the text-speak table the safety net shares
(:mod:`entitlements.text_speak`). Pure functions; the table is read once, on first use.
"""

from __future__ import annotations

import re
import unicodedata

from entitlements.text_speak import for_search

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
    }
)
_TOKEN = re.compile(r"£?[a-z0-9]+(?:'[a-z]+)?")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_DIGIT_COMMA = re.compile(r"(\d),(\d{3})\b")
_THOUSANDS = re.compile(r"\b(\d+)\s*(?:k|grand|thousand)\b")

# Phrases spelled out after the single-token pass.
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b{pattern}\b"), replacement)
    for pattern, replacement in (
        (r"foster (?:mum|mam|mom|dad|parents?|family|mother|father)", "foster carer"),
        (r"(?:my |the )?carers", "foster carer"),
        (r"the social", "social worker"),
        (r"job ?centre", "jobcentre"),
        (r"a and e|a&e", "hospital"),
    )
)


def clean(text: str) -> str:
    """Lower-case ``text`` and flatten accents, curly quotes and repeated letters."""
    text = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ").replace("@", " at ")
    text = _DIGIT_COMMA.sub(r"\1\2", text)
    text = _THOUSANDS.sub(r"\g<1>000", text)
    return _REPEATS.sub(r"\1\1", text)


def tokens(text: str) -> list[str]:
    """Split cleaned text into word tokens, apostrophes dropped ("don't" -> "dont")."""
    return [t.replace("'", "") for t in _TOKEN.findall(text)]


def expand(text: str) -> str:
    """Clean ``text`` and spell out its text-speak and slang.

    Args:
        text: A message as typed.

    Returns:
        Space-separated plain words.

    """
    spellings = for_search()  # entitlements/data/text_speak.yml, shared with the safety net
    words = [spellings.get(token, token) for token in tokens(clean(text))]
    joined = " ".join(words)
    for pattern, replacement in PHRASES:
        joined = pattern.sub(replacement, joined)
    return joined
