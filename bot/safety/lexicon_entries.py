"""Turning the lexicon's files into records: named lists, compiled patterns, each section.

:class:`Words` holds the named lists of ``words.yml`` and expands ``{NAME}`` in other
entries; :func:`compile_entry` compiles a pattern with :mod:`bot.linear_re` (a pattern
that does not compile is a mistake in the file); :func:`read_rules`,
:func:`read_figures`, :func:`read_normalisation` and :func:`read_context` check and
compile each kind of file, collecting every entry's example.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bot import linear_re as linear
from bot.safety.categories import CATEGORIES
from bot.safety.lexicon_file import LexiconFile, list_entries, mapping_entries
from bot.safety.lexicon_model import (
    WHO,
    Context,
    Example,
    Figure,
    LexiconError,
    Normalisation,
    Replacement,
    Rule,
    WordSets,
)
from entitlements import text_speak

_WORD_CATEGORIES = (*CATEGORIES, "general")
_CONTEXT_CATEGORIES = (
    "clauses",
    "negated",
    "who",
    "joke",
    "media",
    "past",
    "future",
    "hypothetical",
    "info",
    "mentions_risk",
    "framing",
)
_ENTRY_KEYS = {"category", "description", "example", "pattern", "any_of", "words"}
_RULE_KEYS = {
    "name",
    *_ENTRY_KEYS,
    "who",
    "negatable",
    "jokeable",
    "future",
    "over",
    "requires",
    "requires_also",
    "excludes",
}
_REPLACEMENT_KEYS = {"name", "description", "example", "pattern", "replace"}
# {NAME}: a named list from words.yml. A regular expression's own braces hold digits.
_REFERENCE = linear.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_WORD_NAME = linear.compile(r"^[A-Z][A-Z0-9_]*$")
_RULE_NAME = linear.compile(r"^[a-z][a-z0-9_]*$")


class Words:
    """The named lists of ``words.yml``, expanded into patterns on request."""

    def __init__(self, f: LexiconFile) -> None:
        self.file = f
        self.raw: dict[str, tuple[str, str]] = {}
        self.expanded: dict[str, str] = {}
        self.used: set[str] = set()
        self.examples: list[Example] = []
        for name, entry, data in mapping_entries(f, "words"):
            if _WORD_NAME.search(name) is None:
                f.fail(entry, "a name must be in capitals (A-Z, digits and _)")
            f.only(entry, data, _ENTRY_KEYS)
            f.choice(entry, data, "category", _WORD_CATEGORIES)
            f.text(entry, data, "description")
            f.text(entry, data, "example")
            self.raw[name] = (entry, f.source(entry, data))
        for name, (entry, _) in self.raw.items():
            source = self.expand(self.raw[name][1], f, entry, (name,))
            self.expanded[name] = source
            example = f.text(entry, f.data["words"][name], "example")
            pattern = compile_entry(source, f, entry)
            self.examples.append(Example(f.name, entry, example, "normalised", pattern=pattern))

    def expand(self, source: str, f: LexiconFile, entry: str, stack: tuple[str, ...] = ()) -> str:
        """``source`` with each ``{NAME}`` replaced by that list's pattern."""

        def _one(match: linear.Match) -> str:
            name = match.group(1) or ""
            if name not in self.raw:
                f.fail(entry, f"unknown {{{name}}}: there is no {name} in words.yml")
            if name in stack:
                f.fail(entry, f"{{{name}}} uses itself (through {' -> '.join(stack)})")
            self.used.add(name)
            if name not in self.expanded:
                inner_entry, inner = self.raw[name]
                self.expanded[name] = self.expand(inner, self.file, inner_entry, (*stack, name))
            return self.expanded[name]

        return _REFERENCE.sub(_one, source)

    def check_all_used(self) -> None:
        """Fail on a list that nothing uses (a misspelt reference, or one left behind)."""
        for name, (entry, _) in self.raw.items():
            if name not in self.used:
                self.file.fail(entry, "is not used by any rule, figure, context or normalisation")


def compile_entry(source: str, f: LexiconFile, entry: str) -> linear.Pattern:
    """``source`` compiled with RE2, or a :class:`LexiconError` naming ``entry``."""
    try:
        return linear.compile(source)
    except linear.PatternError as e:
        f.fail(entry, f"the pattern does not compile: {e}")


def whole_words(pattern: str) -> str:
    """A pattern that matches only whole words."""
    return rf"\b(?:{pattern})\b"


def read_rules(f: LexiconFile, family: str, words: Words, examples: list[Example]) -> list[Rule]:
    """The rules of one ``rules/<file>.yml`` of ``family``, their examples added."""
    if f.data.get("family") != family:
        f.fail("", f"'family' must be {family!r}, as the file's name says")
    f.only("", f.data, {"family", "rules"})
    rules: list[Rule] = []
    for entry, data in list_entries(f, "rules", "rule"):
        f.only(entry, data, _RULE_KEYS)
        name = f.text(entry, data, "name")
        if _RULE_NAME.search(name) is None:
            f.fail(entry, "a name must be lower case letters, digits and _")
        category = f.choice(entry, data, "category", CATEGORIES)
        f.text(entry, data, "description")
        example = f.text(entry, data, "example")
        regex = compile_entry(whole_words(words.expand(f.source(entry, data), f, entry)), f, entry)
        requires = tuple(
            compile_entry(whole_words(words.expand(condition, f, entry)), f, entry)
            for key in ("requires", "requires_also")
            if (condition := f.condition(entry, data, key)) is not None
        )
        if "requires_also" in data and "requires" not in data:
            f.fail(entry, "'requires_also' needs 'requires'")
        excludes = f.condition(entry, data, "excludes")
        rule = Rule(
            name=f"{category}.{name}",
            category=category,
            regex=regex,
            who=f.choice(entry, data, "who", WHO) if "who" in data else "self_or_none",
            negatable=f.flag(entry, data, "negatable", True),
            jokeable=f.flag(entry, data, "jokeable", False),
            future=f.flag(entry, data, "future", False),
            over=f.flag(entry, data, "over", False),
            requires=requires,
            excludes=None
            if excludes is None
            else compile_entry(whole_words(words.expand(excludes, f, entry)), f, entry),
        )
        rules.append(rule)
        examples.append(Example(f.name, entry, example, "rule", name=rule.name))
    return rules


def read_figures(f: LexiconFile, words: Words, examples: list[Example]) -> list[Figure]:
    """The figures of speech of ``figures.yml``, their examples added."""
    f.only("", f.data, {"figures"})
    figures: list[Figure] = []
    for entry, data in list_entries(f, "figures", "figure"):
        f.only(entry, data, {"name", *_ENTRY_KEYS})
        name = f.text(entry, data, "name")
        if _RULE_NAME.search(name) is None:
            f.fail(entry, "a name must be lower case letters, digits and _")
        category = f.choice(entry, data, "category", CATEGORIES)
        f.text(entry, data, "description")
        example = f.text(entry, data, "example")
        source = words.expand(f.source(entry, data), f, entry)
        compile_entry(whole_words(source), f, entry)
        figures.append(Figure(f"fig.{name}", category, source))
        examples.append(Example(f.name, entry, example, "figure", name=f"fig.{name}"))
    return figures


def _replacements(
    f: LexiconFile, key: str, words: Words, examples: list[Example]
) -> tuple[Replacement, ...]:
    found: list[Replacement] = []
    for entry, data in list_entries(f, key, key):
        f.only(entry, data, _REPLACEMENT_KEYS)
        example = f.text(entry, data, "example")
        pattern = compile_entry(words.expand(f.pattern(entry, data, "pattern"), f, entry), f, entry)
        replace = data.get("replace")
        if not isinstance(replace, str) or not replace.strip():
            f.fail(entry, "'replace' must be a non-empty text")
        found.append(Replacement(pattern, replace))
        examples.append(Example(f.name, entry, example, "as_written", pattern=pattern))
    return tuple(found)


def _spellings(table: Path) -> Mapping[str, str]:
    """The safety net's view of the text-speak table it shares with the search."""
    try:
        return text_speak.for_safety(table)
    except text_speak.TextSpeakError as error:
        raise LexiconError(error.file, error.entry, error.problem) from None


def read_normalisation(
    f: LexiconFile, words: Words, examples: list[Example], table: Path
) -> Normalisation:
    """The normalisation of ``normalise.yml`` and the text-speak ``table``."""
    f.only(
        "",
        f.data,
        {
            "joke_emoji",
            "double_letter_words",
            "dropped_g",
            "respell",
            "joins",
            "contextual",
        },
    )
    joke_emoji = f.text("", f.data, "joke_emoji")
    stems = f.data.get("dropped_g")
    if not isinstance(stems, list) or not all(isinstance(s, str) and s.isalpha() for s in stems):
        f.fail("dropped_g", "must be a list of words")
    if len(set(stems)) != len(stems):
        twice = sorted({s for s in stems if stems.count(s) > 1})
        f.fail("dropped_g", f"{', '.join(map(repr, twice))} listed twice")
    return Normalisation(
        joke_emoji_table=str.maketrans({c: " lol " for c in joke_emoji}),
        double_letter_words=frozenset(f.word_list("", f.data, "double_letter_words", token=True)),
        dropped_g=linear.compile(r"\b(" + "|".join(stems) + r")in\b"),
        spellings=_spellings(table),
        respell=_replacements(f, "respell", words, examples),
        joins=_replacements(f, "joins", words, examples),
        contextual=_replacements(f, "contextual", words, examples),
    )


def read_context(f: LexiconFile, words: Words, examples: list[Example]) -> tuple[WordSets, Context]:
    """The context word sets and patterns of ``context.yml``, their examples added."""
    f.only("", f.data, {"word_sets", "patterns"})
    sets: dict[str, frozenset[str]] = {}
    for name, entry, data in mapping_entries(f, "word_sets"):
        f.only(entry, data, {"category", "description", "example", "words"})
        f.choice(entry, data, "category", _CONTEXT_CATEGORIES)
        f.text(entry, data, "description")
        example = f.text(entry, data, "example")
        sets[name] = frozenset(f.word_list(entry, data, "words", token=False))
        examples.append(Example(f.name, entry, example, "words", words=sets[name]))
    patterns: dict[str, linear.Pattern] = {}
    for name, entry, data in mapping_entries(f, "patterns"):
        f.only(entry, data, _ENTRY_KEYS)
        f.choice(entry, data, "category", _CONTEXT_CATEGORIES)
        f.text(entry, data, "description")
        example = f.text(entry, data, "example")
        patterns[name] = compile_entry(words.expand(f.source(entry, data), f, entry), f, entry)
        examples.append(Example(f.name, entry, example, "masked", pattern=patterns[name]))
    return _fields(f, "word_sets", WordSets, sets), _fields(f, "patterns", Context, patterns)


def _fields(
    f: LexiconFile, section: str, kind: Callable[..., Any], found: Mapping[str, Any]
) -> Any:
    """Build ``kind`` from ``found``, which must have exactly its fields."""
    names = [field.name for field in dataclasses.fields(kind)]  # type: ignore[arg-type]
    missing = [name for name in names if name not in found]
    if missing:
        f.fail(section, f"missing: {', '.join(missing)}")
    unknown = sorted(set(found) - set(names))
    if unknown:
        f.fail(section, f"not used by the detector: {', '.join(unknown)}")
    return kind(**{name: found[name] for name in names})
