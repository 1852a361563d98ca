"""The reviewed patterns for requests for a person, read and checked from a YAML file.

Every problem is reported with the file, the entry and the field, like the safety net's
lexicon (:mod:`bot.safety.lexicon`): a rule with no example, an example its own rule
does not fire on, a pattern that cannot run in linear time, an unknown field, a named
list that does not exist, or a near miss (``not_requests``) that some rule fires on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from bot import linear_re
from entitlements.data_errors import DataFileError, read_mapping
from entitlements.normalise import clean, expand

DATA_FILE = Path(__file__).parent / "data" / "requests.yml"
KINDS = ("speak_to_someone", "complaint", "pa_away", "anyone_there")
VIEWS = ("words", "typed")
_RULE_FIELDS = {"name", "kind", "example", "pattern", "any_of", "reads", "unless", "requires"}
_NAME = linear_re.compile(r"\{([A-Z_]+)\}")


class PersonRequestDataError(DataFileError):
    """The data file has a mistake.

    Attributes:
        file: The file.
        entry: Where in it (``rules[3] 'talk_to'``; empty for the file as a whole).
        problem: What is wrong, naming the field.

    """


@dataclasses.dataclass(frozen=True)
class Rule:
    """One reviewed way of asking for a person.

    Attributes:
        name: Reported as ``<kind>.<name>``.
        kind: One of :data:`KINDS`.
        example: A message it fires on.
        view: ``words`` (text-speak spelled out, no punctuation) or ``typed``.
        pattern: What it looks for.
        unless: Patterns any of which cancels it.
        requires: A pattern that must also match, or None.

    """

    name: str
    kind: str
    example: str
    view: str
    pattern: linear_re.Pattern
    unless: tuple[linear_re.Pattern, ...]
    requires: linear_re.Pattern | None

    def fires(self, views: Mapping[str, str]) -> bool:
        """True when the rule fires on a message's ``views`` (see :func:`views`)."""
        text = views[self.view]
        if self.pattern.search(text) is None:
            return False
        if self.requires is not None and self.requires.search(text) is None:
            return False
        return not any(p.search(text) for p in self.unless)


@dataclasses.dataclass(frozen=True)
class Rules:
    """Every rule, and the near misses they were checked against."""

    rules: tuple[Rule, ...]
    not_requests: tuple[str, ...]


def views(text: str) -> dict[str, str]:
    """The two forms of a message the rules read.

    Args:
        text: The message as typed.

    Returns:
        ``words``: lower case, words only, text-speak spelled out ("cn i tlk 2 my pa"
        reads "can i talk to my personal adviser"); ``typed``: lower case with the
        punctuation kept ("hello??").

    """
    return {"words": expand(text), "typed": " ".join(clean(text).split())}


class _Reader:
    """One data file being read, so that every problem names it and the entry."""

    def __init__(self, path: Path) -> None:
        self.name = str(path)
        data = read_mapping(path, PersonRequestDataError, keys=("words", "rules", "not_requests"))
        self.data: dict[str, Any] = data
        self.words: dict[str, str] = {}

    def fail(self, entry: str, problem: str) -> NoReturn:
        raise PersonRequestDataError(self.name, entry, problem)

    def section(self, key: str, kind: type) -> Any:
        value = self.data.get(key)
        if not isinstance(value, kind) or not value:
            what = "mapping" if kind is dict else "list"
            self.fail("", f"'{key}' must be a non-empty {what}")
        return value

    def text(self, entry: str, data: Mapping[str, Any], key: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(entry, f"{key}: is missing or empty (a text is needed)")
        return " ".join(value.split())

    def compile(self, entry: str, field: str, source: str) -> linear_re.Pattern:
        missing = sorted({m.group(1) or "" for m in _NAME.finditer(source)} - set(self.words))
        if missing:
            self.fail(entry, f"{field}: unknown word list(s) {', '.join(missing)}")
        expanded = _NAME.sub(lambda m: self.words[m.group(1) or ""], source)
        try:
            return linear_re.compile(expanded)
        except linear_re.PatternError as e:
            self.fail(entry, f"{field}: cannot run in linear time ({e})")
        except Exception as e:  # any other syntax error, named
            self.fail(entry, f"{field}: is not a valid pattern ({e})")

    def read_words(self) -> None:
        for name, value in self.section("words", dict).items():
            entry = f"words '{name}'"
            if not isinstance(name, str) or not name.isupper():
                self.fail(entry, "a word list's name must be in capitals")
            if not isinstance(value, str) or not value.strip():
                self.fail(entry, "must be a non-empty pattern")
            self.words[name] = " ".join(value.split())
            self.compile(entry, "pattern", self.words[name])

    def rule(self, index: int, data: Any) -> Rule:
        entry = f"rules[{index}]"
        if not isinstance(data, dict):
            self.fail(entry, "must be a mapping")
        if isinstance(data.get("name"), str):
            entry = f"rules[{index}] '{data['name']}'"
        unknown = sorted(set(data) - _RULE_FIELDS)
        if unknown:
            self.fail(entry, f"unknown field(s): {', '.join(map(str, unknown))}")
        name = self.text(entry, data, "name")
        kind = self.text(entry, data, "kind")
        if kind not in KINDS:
            self.fail(entry, f"kind: must be one of {', '.join(KINDS)}, not {kind!r}")
        example = self.text(entry, data, "example")
        view = data.get("reads", "words")
        if view not in VIEWS:
            self.fail(entry, f"reads: must be one of {', '.join(VIEWS)}, not {view!r}")
        if ("pattern" in data) == ("any_of" in data):
            self.fail(entry, "give exactly one of 'pattern' and 'any_of'")
        if "pattern" in data:
            sources = [self.text(entry, data, "pattern")]
        else:
            sources = self.texts(entry, data, "any_of")
        pattern = self.compile(entry, "pattern", "|".join(f"(?:{s})" for s in sources))
        unless = tuple(
            self.compile(entry, "unless", s)
            for s in (self.texts(entry, data, "unless") if "unless" in data else [])
        )
        requires = (
            self.compile(entry, "requires", self.text(entry, data, "requires"))
            if "requires" in data
            else None
        )
        rule = Rule(name, kind, example, str(view), pattern, unless, requires)
        if not rule.fires(views(example)):
            self.fail(entry, f"example: the rule does not fire on its own example {example!r}")
        return rule

    def texts(self, entry: str, data: Mapping[str, Any], key: str) -> list[str]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.fail(entry, f"{key}: must be a non-empty list of patterns")
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.fail(entry, f"{key}[{i}]: must be a non-empty pattern")
        return [" ".join(item.split()) for item in value]


def load(path: Path = DATA_FILE) -> Rules:
    """Read and check the data file.

    Args:
        path: The YAML file (``data/requests.yml`` by default).

    Returns:
        The rules, each checked against its example, and the near misses.

    Raises:
        PersonRequestDataError: The file has a mistake; the message names the file,
            the entry and the field.

    """
    reader = _Reader(path)
    reader.read_words()
    rules = tuple(reader.rule(i, item) for i, item in enumerate(reader.section("rules", list)))
    seen: set[str] = set()
    for rule in rules:
        if rule.name in seen:
            reader.fail(f"rule '{rule.name}'", "name: is given to two rules")
        seen.add(rule.name)
    near: list[str] = []
    for i, item in enumerate(reader.section("not_requests", list)):
        if not isinstance(item, str) or not item.strip():
            reader.fail(f"not_requests[{i}]", "must be a non-empty message")
        fired = [r.name for r in rules if r.fires(views(item))]
        if fired:
            reader.fail(
                f"not_requests[{i}]",
                f"{item!r} is not a request for a person, but rule(s) {', '.join(fired)} fire",
            )
        near.append(item)
    return Rules(rules, tuple(near))
