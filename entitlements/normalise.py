"""Turns a text message, as young people write them, into words a search can match.

Lower case, accents and curly quotes flattened, repeated letters squeezed, text-speak
and common slang spelled out ("wat r u" -> "what are you", "uni" -> "university",
"sw" -> "social worker") from the text-speak table the safety net shares
(:mod:`entitlements.text_speak`). Pure functions; the table is read once, on first use.
"""

from __future__ import annotations

import itertools
import unicodedata

from entitlements import linear
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
# Every question a young person sends is read here, so nothing here may backtrack:
# the token pattern runs on RE2, the rest are plain loops (they need Python's Unicode
# \d, \w and \s, or a backreference, which RE2 has not got).
_TOKEN = r"£?[a-z0-9]+(?:'[a-z]+)?"  # noqa: S105 (a pattern)
_THOUSAND_WORDS = ("k", "grand", "thousand")

# Phrases spelled out after the single-token pass (on RE2: by then the text is ASCII
# words, "£" and spaces, where RE2's ASCII \b is Python's).
PHRASES: tuple[tuple[str, str], ...] = tuple(
    (rf"\b{pattern}\b", replacement)
    for pattern, replacement in (
        (r"foster (?:mum|mam|mom|dad|parents?|family|mother|father)", "foster carer"),
        (r"(?:my |the )?carers", "foster carer"),
        (r"the social", "social worker"),
        (r"job ?centre", "jobcentre"),
        (r"a and e|a&e", "hospital"),
    )
)


def _join_digit_commas(text: str) -> str:
    r"""Drop the comma in "1,000" (``re.sub(r"(\d),(\d{3})\b", r"\1\2")``, in one pass)."""
    parts: list[str] = []
    done = 0  # text[:done] is settled; a match may not start before it
    comma = text.find(",")
    while comma != -1:
        after = comma + 4
        if (
            comma - 1 >= done
            and text[comma - 1].isdecimal()
            and len(text[comma + 1 : after]) == 3
            and text[comma + 1 : after].isdecimal()
            and (after == len(text) or not linear.is_word(text[after]))
        ):
            parts.append(text[done:comma])
            parts.append(text[comma + 1 : after])
            done = after
        comma = text.find(",", max(comma + 1, done))
    parts.append(text[done:])
    return "".join(parts)


def _spell_thousands(text: str) -> str:
    r"""Spell "5k" and "5 grand" as "5000" (``re.sub(r"\b(\d+)\s*(?:k|grand|thousand)\b", ...)``).

    One pass: a number can only start where a word does, and ends where its digits do.
    """
    parts: list[str] = []
    done = 0
    at = 0
    length = len(text)
    while at < length:
        if not text[at].isdecimal() or (at > 0 and linear.is_word(text[at - 1])):
            at += 1
            continue
        digits_end = at
        while digits_end < length and text[digits_end].isdecimal():
            digits_end += 1
        word_at = digits_end
        while word_at < length and text[word_at].isspace():
            word_at += 1
        for word in _THOUSAND_WORDS:
            end = word_at + len(word)
            if text.startswith(word, word_at) and (end == length or not linear.is_word(text[end])):
                parts.append(text[done:at])
                parts.append(text[at:digits_end] + "000")
                done = at = end
                break
        else:
            at = digits_end  # inside a run of digits no word starts
    parts.append(text[done:])
    return "".join(parts)


def _squeeze_repeats(text: str) -> str:
    r"""Three or more of one letter a-z become two (``re.sub(r"([a-z])\1{2,}", r"\1\1")``)."""
    out: list[str] = []
    for char, run in itertools.groupby(text):
        count = sum(1 for _ in run)
        out.append(char * (2 if count > 2 and "a" <= char <= "z" else count))
    return "".join(out)


def clean(text: str) -> str:
    """Lower-case ``text`` and flatten accents, curly quotes and repeated letters."""
    text = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ").replace("@", " at ")
    text = _join_digit_commas(text)
    text = _spell_thousands(text)
    return _squeeze_repeats(text)


def tokens(text: str) -> list[str]:
    """Split cleaned text into word tokens, apostrophes dropped ("don't" -> "dont")."""
    return [t.replace("'", "") for t in linear.compile(_TOKEN).findall(linear.matchable(text))]


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
        joined = linear.compile(pattern).sub(replacement, joined)
    return joined
