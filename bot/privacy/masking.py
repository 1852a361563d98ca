"""Masking personal details in what young people type, before staff who need no such details see it.

One masking for every such reader: the quality reviews' transcripts
(:mod:`bot.reports.quality`), and the questions the bot could not answer, which are
masked *before they are stored* (:func:`bot.records.record_unanswered`), so content
staff and the weekly report's top questions never hold them.

What is masked, each replaced by what it was in brackets:

- email addresses, UK phone numbers, National Insurance numbers, postcodes, dates
  (``12/05/2027``, ``2027-05-12``, ``12th May``, ``May 12 2027``) and street addresses
  with a house number (``12 Acacia Avenue``);
- runs of five or more digits (unless ``digit_runs`` is False: the bot's own lines give
  helpline numbers);
- names: the young person's as on record (whole and each part), and names people give
  ("my name is ...", "I'm called ...", "call me ..." and, when written with a capital,
  "I'm Sam", "ask Sam", "my mum Sam", "my PA Sam").

Every pattern runs on RE2 (:mod:`bot.linear_re`): this is user text. If a text cannot
be checked within the linear-time budget, none of it is shown (:data:`UNCHECKED`).
A name typed with no cue ("can Sam get the grant") and not on record is not found:
nobody can tell it from a word; content staff are asked to dismiss anything personal
they still see (docs/data-protection.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bot import linear_re

UNCHECKED = "[not shown: it could not be checked for personal details]"
"""What stands for a text the masking could not finish (never the text itself)."""

NAME = "[name]"

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_STREETS = (
    r"(?:road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|court|ct|crescent|cres"
    r"|place|pl|grove|gardens|gdns|terrace|hill|walk|square|sq|mews|row|park|rise|view"
    r"|green|parade|estate|house|flats|tower|towers|court)"
)
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("[email]", r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    ("[phone]", r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|0044\s?|0)\d(?:[\s-]?\d){8,9}(?!\d)"),
    ("[number]", r"\b[a-z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[a-d]\b"),  # National Insurance
    ("[postcode]", r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b"),
    (
        "[date]",
        r"\b\d{4}-\d{1,2}-\d{1,2}\b"
        r"|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"
        rf"|\b\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTHS}\b\.?(?:,?\s+\d{{4}})?"
        rf"|\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?",
    ),
    (
        "[address]",
        rf"\b(?:flat\s+\d+[a-z]?,?\s+)?\d{{1,4}}[a-z]?,?\s+(?:[a-z]+\s+){{1,3}}{_STREETS}\b",
    ),
)

# Letters of the scripts names are written in (RE2's \w is ASCII only).
_LETTER = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u052f"
    "\u0590-\u05ff\u0600-\u06ff\u0900-\u097f\u1e00-\u1eff"
)
_WORD = rf"[{_LETTER}]+(?:['\u2019-][{_LETTER}]+)*"
# Said before a name: the next word or two is one, whatever its case.
_STRONG_CUE = (
    r"\b(?:my\s+name(?:\s+is|['\u2019]s|s)?|name\s+is|i(?:['\u2019]?m|\s+am)\s+called"
    r"|call\s+me|known\s+as|called\s+me)\s+"
)
# Often said before a name: the next word or two is one if written with a capital.
_WEAK_CUE = (
    r"\b(?:i(?:['\u2019]?m|\s+am)|ask|tell"
    r"|my\s+(?:mum|mom|mam|dad|mother|father|sister|brother|sis|bro|nan|nana|gran|grandma"
    r"|grandad|auntie|aunt|uncle|cousin|son|daughter|baby|kid|child|partner|boyfriend"
    r"|girlfriend|bf|gf|husband|wife|ex|friend|mate|pa|social\s+worker|sw|worker|carer"
    r"|foster\s+(?:carer|mum|mom|dad|parent)|key\s*worker|landlord|manager|teacher"
    r"|tutor|housemate|flatmate)(?:\s+is(?:\s+called)?|\s+called|,)?)\s+"
)
_NOT_NAMES = frozenset(
    """
    a an the and or but so if not no yes is was are be been am i im me my mine you your u
    we our us they them he she him her his its it this that from with to for of on in at
    by as just too also really very here there now then still new old please pls plz
    because cause cos coz need want have has had get got can could would will should
    called name names care leaver leaving staying put uni college school work job
    council universal credit setting home pathway plan personal adviser apprentice
    pregnant homeless uasc
    """.split()
)
_MAX_NAME_WORDS = 2

_compiled: list[tuple[str, linear_re.Pattern]] | None = None


def _patterns() -> list[tuple[str, linear_re.Pattern]]:
    """Compiled on first use (nothing at import time)."""
    global _compiled
    if _compiled is None:
        _compiled = [(m, linear_re.compile(p, re.IGNORECASE)) for m, p in _PATTERNS]
    return _compiled


def _digit_run() -> linear_re.Pattern:
    return linear_re.compile(r"\d{5,}")


def _word() -> linear_re.Pattern:
    return linear_re.compile(_WORD)


def _next_word() -> linear_re.Pattern:
    return linear_re.compile(rf"[ \t]*(?:,[ \t]*)?({_WORD})")


def _cue(strong: bool) -> linear_re.Pattern:
    return linear_re.compile(_STRONG_CUE if strong else _WEAK_CUE, re.IGNORECASE)


def _names_run() -> linear_re.Pattern:
    return linear_re.compile(r"\[name\](?:[\s-]+\[name\])+")


def name_parts(names: Iterable[str]) -> frozenset[str]:
    """The words of ``names`` that are masked wherever they appear (two letters or more)."""
    parts: set[str] = set()
    for name in names:
        for word in _word().finditer(name or ""):
            text = word.group() or ""
            for piece in text.replace("\u2019", "'").split("-"):
                if len(piece) >= 2:
                    parts.add(piece.casefold())
    return frozenset(parts)


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and any(c.islower() for c in word[1:])


def _cued_names(text: str) -> list[tuple[int, int]]:
    """Spans of the names people give: up to two words after a cue.

    After a strong cue ("my name is") any word but a common one is taken; after a
    weak one ("I'm", "my mum") only a word written with a capital.
    """
    spans: list[tuple[int, int]] = []
    for strong in (True, False):
        for cue in _cue(strong).finditer(text):
            position = cue.end()
            for _ in range(_MAX_NAME_WORDS):
                found = _next_word().match(text, position)
                if found is None:
                    break
                word = found.group(1) or ""
                if word.casefold() in _NOT_NAMES or not (strong or _is_capitalised(word)):
                    break
                spans.append(found.span(1))
                position = found.end()
    return spans


def _mask_names(text: str, names: frozenset[str]) -> str:
    spans = set(_cued_names(text))
    if names:
        for word in _word().finditer(text):
            whole = (word.group() or "").replace("\u2019", "'")
            if whole.casefold() in names or all(
                piece.casefold() in names for piece in whole.split("-") if piece
            ):
                spans.add(word.span())
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for start, end in sorted(spans):
        if start < last:
            continue
        parts.append(text[last:start])
        parts.append(NAME)
        last = end
    parts.append(text[last:])
    return _names_run().sub(NAME, "".join(parts))


def mask(text: str, names: Sequence[str] = (), *, digit_runs: bool = True) -> str:
    """``text`` with personal details replaced by what they were, in brackets.

    Args:
        text: What someone typed (or the bot said).
        names: Names to mask wherever they appear: the young person's, as on record.
        digit_runs: Mask runs of five or more digits too (not in the bot's own lines,
            which give helpline numbers).

    Returns:
        The masked text, or :data:`UNCHECKED` if it could not be checked in time.

    """
    try:
        masked = text
        for marker, pattern in _patterns():
            masked = pattern.sub(marker, masked)
        if digit_runs:
            masked = _digit_run().sub("[number]", masked)
        return _mask_names(masked, name_parts(names))
    except linear_re.MatchBudgetExceeded:
        return UNCHECKED
