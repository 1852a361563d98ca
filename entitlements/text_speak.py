"""One text-speak table for the search and the safety net: ``entitlements/data/text_speak.yml``.

The table spells out text-speak, slang and common misspellings, one word of a message to
its plain words ("u" -> "you", "2nite" -> "tonight"). Most entries serve both readers;
the few that must differ sit in a section of each reader's own (the file says why). Each
reader sees the shared section and its own:

- the search (:mod:`entitlements.normalise`): :func:`for_search`;
- the safety net (:mod:`bot.safety.lexicon`): :func:`for_safety`.

The file is read on first use, never at import time. A mistake in it is a
:class:`TextSpeakError` that names the file, the entry and the problem.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from entitlements.data_errors import DataFileError

TABLE = Path(__file__).resolve().parent / "data" / "text_speak.yml"
"""Where the table lives."""

SHARED = "both"
READERS = ("search", "safety")
"""The sections of the file: the shared one, then one per reader."""

_TOKEN_CHARACTERS = frozenset(string.ascii_lowercase + string.digits)


class TextSpeakError(DataFileError):
    """The text-speak table has a mistake.

    Attributes:
        file: The file.
        entry: The entry, as ``section 'plain words'`` (empty for the file as a whole).
        problem: What is wrong.

    """


def _is_token(word: str) -> bool:
    return bool(word) and all(c in _TOKEN_CHARACTERS for c in word)


def _section(path: Path, data: Mapping[str, Any], name: str) -> dict[str, str]:
    """One section's spellings, each to its plain words, checked."""
    file = str(path)
    entries = data.get(name)
    if not isinstance(entries, dict) or not entries:
        raise TextSpeakError(file, name, "must be a mapping of plain words to their spellings")
    spellings: dict[str, str] = {}
    for plain, listed in entries.items():
        entry = f"{name} {plain!r}"
        if not isinstance(plain, str) or not plain.strip() or plain != plain.strip():
            raise TextSpeakError(file, entry, "the plain words must be a text")
        if not isinstance(listed, list) or not listed:
            raise TextSpeakError(file, entry, "must be a non-empty list of spellings")
        for spelling in listed:
            if not isinstance(spelling, str) or not _is_token(spelling):
                raise TextSpeakError(
                    file, entry, f"{spelling!r} must be one word of lower-case letters and digits"
                )
            if spelling == plain:
                raise TextSpeakError(
                    file, entry, f"{spelling!r} is spelled out as itself, which does nothing"
                )
            if spelling in spellings:
                raise TextSpeakError(
                    file, entry, f"{spelling!r} is already spelled out as {spellings[spelling]!r}"
                )
            spellings[spelling] = plain
    return spellings


@functools.lru_cache(maxsize=8)
def load(path: Path = TABLE) -> Mapping[str, Mapping[str, str]]:
    """Read and check the table: each reader's spellings (the shared ones and its own).

    Args:
        path: The table's file.

    Returns:
        For ``"search"`` and ``"safety"``, a mapping of each spelling to its plain words.

    Raises:
        TextSpeakError: The file is missing or has a mistake.

    """
    file = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TextSpeakError(file, "", f"cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise TextSpeakError(file, "", f"is not valid YAML ({error})") from None
    if not isinstance(data, dict):
        raise TextSpeakError(file, "", "must be a mapping of sections")
    unknown = sorted(str(key) for key in data if key not in (SHARED, *READERS))
    if unknown:
        raise TextSpeakError(
            file, "", f"unknown section(s) {', '.join(unknown)}: only both, search and safety"
        )
    shared = _section(path, data, SHARED)
    views: dict[str, Mapping[str, str]] = {}
    for reader in READERS:
        own = _section(path, data, reader)
        for spelling, plain in own.items():
            if spelling in shared:
                raise TextSpeakError(
                    file,
                    f"{reader} {plain!r}",
                    f"{spelling!r} is already spelled out as {shared[spelling]!r} in both",
                )
        views[reader] = {**shared, **own}
    return views


def for_search(path: Path = TABLE) -> Mapping[str, str]:
    """The spellings the search spells out (:mod:`entitlements.normalise`)."""
    return load(path)["search"]


def for_safety(path: Path = TABLE) -> Mapping[str, str]:
    """The spellings the safety net spells out (:mod:`bot.safety.lexicon`)."""
    return load(path)["safety"]
