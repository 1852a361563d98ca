"""The example bank of requests for a person and near misses, read and checked from YAML.

The meaning-based layer (:mod:`bot.person_request.semantic`) compares a message with
these examples. The file (``data/bank.yml``) has the layer's ``settings`` (threshold,
margin, neighbours, max_tokens), ``requests`` grouped by kind
(:data:`bot.person_request.rules.KINDS`), and ``near_misses``: messages that mention a PA,
a worker or a complaint but ask something the knowledge base answers. Every problem is
reported with the file, the entry and the field, like the patterns' file
(:mod:`bot.person_request.rules`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, NoReturn

from bot.person_request.rules import KINDS
from entitlements.data_errors import DataFileError, read_mapping

DATA_FILE = Path(__file__).parent / "data" / "bank.yml"
_TOP = ("settings", "requests", "near_misses")


class PersonBankError(DataFileError):
    """The bank file has a mistake (the message names the file, the entry and the field)."""


@dataclasses.dataclass(frozen=True)
class Settings:
    """How the layer decides (set on the dev set, docs/matching.md).

    Attributes:
        threshold: The least similarity to the requests (the mean of the nearest
            ``neighbours``) for a message to be one.
        margin: How far that must be above the same figure for the near misses.
        neighbours: How many nearest examples of each side are averaged.
        max_tokens: How much of a message the encoder reads when no vector is given.
        min_words: The fewest words a message needs for the layer to judge it (a
            sentence vector of a word or two is mostly that word: "hi" is near
            "hello??"); shorter ones are left to the patterns.

    """

    threshold: float
    margin: float
    neighbours: int
    max_tokens: int
    min_words: int


@dataclasses.dataclass(frozen=True)
class Bank:
    """The checked bank: settings, requests with their kind, and near misses."""

    settings: Settings
    requests: tuple[tuple[str, str], ...]
    near_misses: tuple[str, ...]


def key(text: str) -> str:
    """How two messages are compared for sameness: lower case, spaces collapsed."""
    return " ".join(text.lower().split())


class _Reader:
    def __init__(self, path: Path) -> None:
        self.name = str(path)
        data = read_mapping(path, PersonBankError, keys=_TOP)
        self.data: dict[str, Any] = data
        self.seen: dict[str, str] = {}

    def fail(self, entry: str, problem: str) -> NoReturn:
        raise PersonBankError(self.name, entry, problem)

    def settings(self) -> Settings:
        data = self.data.get("settings")
        if not isinstance(data, dict):
            self.fail(
                "settings",
                "must be a mapping of threshold, margin, neighbours, max_tokens, min_words",
            )
        unknown = sorted(str(k) for k in set(data) - {f.name for f in dataclasses.fields(Settings)})
        if unknown:
            self.fail("settings", f"unknown setting(s): {', '.join(unknown)}")
        return Settings(
            threshold=self.number(data, "threshold"),
            margin=self.number(data, "margin"),
            neighbours=self.whole(data, "neighbours", 1, 10),
            max_tokens=self.whole(data, "max_tokens", 8, 128),
            min_words=self.whole(data, "min_words", 1, 10),
        )

    def number(self, data: dict[str, Any], name: str) -> float:
        if name not in data:
            self.fail("settings", f"{name}: is missing")
        value = data[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            self.fail("settings", f"{name}: must be a number from 0 to 1, not {value!r}")
        return float(value)

    def whole(self, data: dict[str, Any], name: str, low: int, high: int) -> int:
        if name not in data:
            self.fail("settings", f"{name}: is missing")
        value = data[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(
                "settings", f"{name}: must be a whole number from {low} to {high}, not {value!r}"
            )
        return value

    def messages(self, entry: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not value:
            self.fail(entry, "must be a non-empty list of messages")
        found = []
        for i, item in enumerate(value):
            where = f"{entry}[{i}]"
            if not isinstance(item, str) or not item.strip():
                self.fail(where, "must be a non-empty message")
            if key(item) in self.seen:
                self.fail(where, f"{item!r} is already in {self.seen[key(item)]}")
            self.seen[key(item)] = where
            found.append(item.strip())
        return found

    def requests(self) -> tuple[tuple[str, str], ...]:
        data = self.data.get("requests")
        if not isinstance(data, dict) or not data:
            self.fail("", "'requests' must be a non-empty mapping of kinds to messages")
        found: list[tuple[str, str]] = []
        for kind, value in data.items():
            entry = f"requests '{kind}'"
            if kind not in KINDS:
                self.fail(entry, f"must be one of {', '.join(KINDS)}")
            found += [(text, str(kind)) for text in self.messages(entry, value)]
        return tuple(found)

    def near_misses(self) -> tuple[str, ...]:
        value = self.data.get("near_misses")
        if not isinstance(value, list) or not value:
            self.fail("", "'near_misses' must be a non-empty list of messages")
        return tuple(self.messages("near_misses", value))


def load(path: Path = DATA_FILE) -> Bank:
    """Read and check the bank file.

    Args:
        path: The YAML file (``data/bank.yml`` by default).

    Returns:
        The settings, the requests (each with its kind) and the near misses.

    Raises:
        PersonBankError: The file has a mistake; the message names the file, the entry
            and the field.

    """
    reader = _Reader(path)
    settings = reader.settings()
    requests = reader.requests()
    return Bank(settings, requests, reader.near_misses())
