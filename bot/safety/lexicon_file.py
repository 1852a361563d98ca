"""Reading one lexicon file: safe YAML, and checked values that name the file and entry.

:class:`LexiconFile` loads a file with YAML's safe loader (refusing a key given twice)
and reads its values (texts, choices, flags, patterns written over several lines, word
lists), raising a :class:`~bot.safety.lexicon_model.LexiconError` that names the file,
the entry and the problem; :func:`mapping_entries` and :func:`list_entries` walk its sections.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

import yaml

from bot import linear_re as linear

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml: the same, slower
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

from bot.safety.lexicon_model import LexiconError
from entitlements.data_errors import read_mapping

_TOKEN = linear.compile(r"^[a-z0-9]+$")


class _UniqueKeyLoader(_SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping."""


def _mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"{key!r} is given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _mapping,  # type: ignore[arg-type]
)


class LexiconFile:
    """One lexicon file being read, so that every problem names it."""

    def __init__(self, directory: Path, relative: str) -> None:
        self.path = directory / relative
        self.name = str(self.path)
        self.data = read_mapping(self.path, LexiconError, loader=_UniqueKeyLoader)

    def fail(self, entry: str, problem: str) -> NoReturn:
        """Raise a :class:`LexiconError` for ``entry`` of this file."""
        raise LexiconError(self.name, entry, problem)

    def section(self, key: str, kind: type[dict[Any, Any]] | type[list[Any]]) -> Any:
        """The file's top-level ``key``, which must be a non-empty mapping or list."""
        value = self.data.get(key)
        if not isinstance(value, kind) or not value:
            what = "mapping" if kind is dict else "list"
            self.fail("", f"'{key}' must be a non-empty {what}")
        return value

    def only(self, entry: str, data: Mapping[str, Any], allowed: set[str]) -> None:
        """Fail when ``data`` has a key that is not ``allowed`` (a misspelt one, say)."""
        unknown = sorted(set(data) - allowed)
        if unknown:
            self.fail(entry, f"unknown key(s): {', '.join(unknown)}")

    def text(self, entry: str, data: Mapping[str, Any], key: str) -> str:
        """A required, non-empty text."""
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(entry, f"'{key}' must be a non-empty text")
        return value.strip()

    def choice(
        self, entry: str, data: Mapping[str, Any], key: str, allowed: tuple[str, ...]
    ) -> str:
        """A required text that must be one of ``allowed``."""
        value = self.text(entry, data, key)
        if value not in allowed:
            self.fail(entry, f"unknown {key} {value!r}: must be one of {', '.join(allowed)}")
        return value

    def flag(self, entry: str, data: Mapping[str, Any], key: str, default: bool) -> bool:
        """An optional true or false."""
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.fail(entry, f"'{key}' must be true or false")
        return value

    def texts(self, entry: str, value: Any, key: str) -> list[str]:
        """A non-empty list of texts (a text alone counts as a list of one)."""
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            self.fail(entry, f"'{key}' must be a text or a non-empty list of texts")
        seen: set[str] = set()
        for item in items:
            if not isinstance(item, str) or not item.strip():
                self.fail(entry, f"'{key}' has an item that is not a text: {item!r}")
            if item in seen:
                self.fail(entry, f"'{key}': {item!r} is listed twice")
            seen.add(item)
        return items

    def pattern(self, entry: str, data: Mapping[str, Any], key: str) -> str:
        """A required pattern, written on one line or over several."""
        value = data.get(key)
        if not isinstance(value, str):
            self.fail(entry, f"'{key}' must be a text")
        return self.pattern_text(entry, value, key)

    def pattern_text(self, entry: str, value: str, key: str) -> str:
        """A pattern as written: lines joined back without their breaks."""
        lines = value.split("\n")
        if lines and not lines[-1]:
            lines.pop()
        if len(lines) > 1:
            for line in lines:
                if line != line.strip():
                    self.fail(
                        entry,
                        f"'{key}': a line of a pattern written over several lines must not "
                        f"start or end with a space (break lines between two characters "
                        f"that are not spaces): {line!r}",
                    )
        joined = "".join(lines)
        if joined != joined.strip() or not joined:
            self.fail(entry, f"'{key}' must not start or end with a space: {joined!r}")
        return joined

    def source(self, entry: str, data: Mapping[str, Any]) -> str:
        """An entry's pattern from ``pattern``, ``any_of`` or ``words`` (exactly one)."""
        given = [key for key in ("pattern", "any_of", "words") if key in data]
        if len(given) != 1:
            self.fail(entry, "needs exactly one of 'pattern', 'any_of' or 'words'")
        key = given[0]
        if key == "pattern":
            return self.pattern(entry, data, key)
        parts = "|".join(
            self.pattern_text(entry, p, key) for p in self.texts(entry, data[key], key)
        )
        return parts if key == "any_of" else f"(?:{parts})"

    def condition(self, entry: str, data: Mapping[str, Any], key: str) -> str | None:
        """``requires`` or ``excludes``: a pattern, or a list of patterns (any of them)."""
        if key not in data:
            return None
        return "|".join(self.pattern_text(entry, p, key) for p in self.texts(entry, data[key], key))

    def word_list(self, entry: str, data: Mapping[str, Any], key: str, *, token: bool) -> list[str]:
        """A list of distinct words (``token``: each one word of letters and digits)."""
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.fail(entry, f"'{key}' must be a non-empty list of words")
        seen: set[str] = set()
        for word in value:
            if not isinstance(word, str) or not word or word != word.strip():
                self.fail(entry, f"'{key}' has an item that is not a word: {word!r}")
            if token and _TOKEN.search(word) is None:
                self.fail(entry, f"'{key}': {word!r} must be one word of letters and digits")
            if word in seen:
                self.fail(entry, f"'{key}': {word!r} is listed twice")
            seen.add(word)
        return value


def mapping_entries(f: LexiconFile, key: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Each named entry of a top-level mapping: name, entry label and data."""
    for name, data in f.section(key, dict).items():
        entry = f"{key} {name!r}"
        if not isinstance(data, dict):
            f.fail(entry, "must be a mapping")
        yield str(name), entry, data


def list_entries(f: LexiconFile, key: str, label: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each entry of a top-level list: entry label (by name, or by number) and data."""
    for number, data in enumerate(f.section(key, list), start=1):
        if not isinstance(data, dict):
            f.fail(f"{key} #{number}", "must be a mapping")
        name = data.get("name")
        yield (f"{label} {name!r}" if isinstance(name, str) else f"{key} #{number}"), data
