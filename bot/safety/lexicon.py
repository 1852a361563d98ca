"""The safety net's lexicon: what the detector looks for, read from reviewed data files.

The detector (:mod:`bot.safety.detector`) is code: normalise a message, mask figures of
speech, run the risk rules, check each match's context. What it looks for is data, in
YAML files under ``bot/safety/data/lexicon/`` that a safeguarding lead can review:

- ``normalise.yml``: words with a real double letter, misspellings found by pattern,
  words written apart ("my self") and words that depend on context ("ill kill"). Text-speak
  and one-word misspellings come from the table shared with the search,
  ``entitlements/data/text_speak.yml`` (:mod:`entitlements.text_speak`).
- ``words.yml``: named lists and pattern pieces, used elsewhere as ``{NAME}``.
- ``figures.yml``: figures of speech, masked before the rules run.
- ``rules/<family>.yml``: the risk rules, one file per family.
- ``context.yml``: the words and patterns that judge a match's context.

This module reads the files, checks them and compiles every pattern with
:mod:`bot.linear_re`. A mistake is a :class:`LexiconError` that names the file, the entry
and the problem. Every entry has an example; :func:`bot.safety.detector.check_lexicon`
checks that each one does what it says, since only the detector can run them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

import yaml

from bot import linear_re as linear

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml: the same, slower
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

from bot.safety.categories import CATEGORIES
from entitlements import text_speak

__all__ = [
    "FAMILIES",
    "LEXICON_DIR",
    "WHO",
    "Context",
    "Example",
    "Family",
    "Figure",
    "Lexicon",
    "LexiconError",
    "Normalisation",
    "Replacement",
    "Rule",
    "WordSets",
    "check_examples",
    "load",
]

LEXICON_DIR = Path(__file__).resolve().parent / "data" / "lexicon"

# The families of rules, in the order they are checked, and the files each is read from
# (rules/<file>.yml). A family's rules are first tried as one combined pattern.
FAMILIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("suicide", ("suicide", "suicide_indirect")),
    ("self_harm", ("self_harm", "self_harm_indirect")),
    ("overdose", ("overdose", "overdose_indirect")),
    ("harmed", ("harmed", "harmed_indirect")),
    ("nowhere", ("nowhere", "nowhere_indirect")),
    ("exploitation", ("exploitation", "exploitation_indirect")),
    ("medical", ("medical", "medical_indirect")),
)

# Whose risk a rule's match must be about (see :func:`bot.safety.detector._who_ok`).
WHO = ("self_or_none", "self", "person", "third", "not_self", "any")
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
_TOKEN = linear.compile(r"^[a-z0-9]+$")


class LexiconError(ValueError):
    """A lexicon file has a mistake.

    Attributes:
        file: The file.
        entry: The entry, as ``section 'name'`` (empty for the file as a whole).
        problem: What is wrong.

    """

    def __init__(self, file: str, entry: str, problem: str) -> None:
        self.file = file
        self.entry = entry
        self.problem = problem
        super().__init__(f"{file}, {entry}: {problem}" if entry else f"{file}: {problem}")


@dataclasses.dataclass(frozen=True)
class Example:
    """An entry's example, checked by :func:`bot.safety.detector.check_lexicon`.

    Attributes:
        file: The file the entry is in.
        entry: The entry, for the error message.
        text: The example message.
        kind: How it is checked: ``"rule"`` (the message fires rule ``name``),
            ``"figure"`` (the message has figure ``name`` masked), ``"normalised"``
            (``pattern`` is found in the normalised message), ``"masked"`` (``pattern``
            is found in the normalised message with figures masked, or just before or
            after one of its words), ``"words"`` (one of ``words`` is a word of the
            masked message), or ``"as_written"`` (``pattern`` is found in the example
            as it is written).
        name: The rule's or figure's name.
        pattern: The pattern to find.
        words: The words to find.

    """

    file: str
    entry: str
    text: str
    kind: str
    name: str = ""
    pattern: linear.Pattern | None = None
    words: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class Rule:
    """One risk rule.

    Attributes:
        name: Rule name reported in the assessment, ``<category>.<name>``.
        category: One of :data:`bot.safety.categories.CATEGORIES`.
        regex: Compiled pattern, run on normalised and masked text.
        who: Whose risk the match must be about, judged from the nearest
            subject before it: ``"self_or_none"`` (not a third party),
            ``"self"`` (the writer), ``"person"`` (anyone named, not no-one),
            ``"third"`` (someone else), ``"not_self"`` or ``"any"``.
        negatable: Suppress when a negation ("dont", "never") comes just
            before the match.
        jokeable: Suppress when a joke marker ("lol") is near the match.
        future: Suppress when the clause is framed as future or conditional
            ("next month", "if i"), unless it says tonight or now.
        over: Suppress when the clause says the event is over or was some
            days or weeks ago ("the hospital sorted it", "last week"), unless
            it says it is still going on.
        requires: Patterns that must each also occur somewhere in the message.
        excludes: A pattern that, found anywhere in the message, shows an
            everyday meaning ("party", "shaving") and suppresses the rule.

    """

    name: str
    category: str
    regex: linear.Pattern
    who: str = "self_or_none"
    negatable: bool = True
    jokeable: bool = False
    future: bool = False
    over: bool = False
    requires: tuple[linear.Pattern, ...] = ()
    excludes: linear.Pattern | None = None


@dataclasses.dataclass(frozen=True)
class Family:
    """Rules checked together: ``union`` first, then each rule when it matches."""

    name: str
    rules: tuple[Rule, ...]
    union: linear.Pattern


@dataclasses.dataclass(frozen=True)
class Figure:
    """A figure of speech: its name (``fig.<name>``), kind of risk and pattern source."""

    name: str
    category: str
    pattern: str


@dataclasses.dataclass(frozen=True)
class Replacement:
    """A pattern of ``normalise.yml`` and what it is replaced by."""

    pattern: linear.Pattern
    replace: str


@dataclasses.dataclass(frozen=True)
class Normalisation:
    """The data :func:`bot.safety.detector.normalise` uses, from ``normalise.yml``.

    Attributes:
        joke_emoji_table: Emoji read as "lol", as a table for ``str.translate``.
        double_letter_words: Words with a real double letter.
        dropped_g: Words whose dropped g is put back ("killin").
        spellings: Text-speak and misspellings: one word to its plain words.
        respell: Misspellings found by pattern ("sucidal").
        joins: Words written apart or together ("my self").
        contextual: Words that mean different things by context ("ill kill").

    """

    joke_emoji_table: Mapping[int, str]
    double_letter_words: frozenset[str]
    dropped_g: linear.Pattern
    spellings: Mapping[str, str]
    respell: tuple[Replacement, ...]
    joins: tuple[Replacement, ...]
    contextual: tuple[Replacement, ...]


@dataclasses.dataclass(frozen=True)
class WordSets:
    """Single words the context checks look for, from ``context.yml``."""

    first: frozenset[str]
    third_pronouns: frozenset[str]
    third_nouns: frozenset[str]
    subject_follow: frozenset[str]
    generic_people: frozenset[str]
    generic_nouns: frozenset[str]
    negators: frozenset[str]
    neg_boundary: frozenset[str]


@dataclasses.dataclass(frozen=True)
class Context:
    """The patterns the context checks look for, from ``context.yml``."""

    fine_boundary: linear.Pattern
    coarse_boundary: linear.Pattern
    joke: linear.Pattern
    media: linear.Pattern
    news: linear.Pattern
    past: linear.Pattern
    present: linear.Pattern
    again: linear.Pattern
    never_again: linear.Pattern
    future: linear.Pattern
    nowish: linear.Pattern
    over: linear.Pattern
    ongoing: linear.Pattern
    hypothetical: linear.Pattern
    urgent_now: linear.Pattern
    info_before: linear.Pattern
    info_after: linear.Pattern
    risk_cues: linear.Pattern
    info_context: linear.Pattern
    asks_what: linear.Pattern
    said_safe: linear.Pattern


@dataclasses.dataclass(frozen=True)
class Lexicon:
    """Everything the detector looks for, compiled.

    Attributes:
        normalisation: How a message is spelled out.
        figures: Figures of speech, in order.
        figure_union: All figures in one pattern, figure ``i`` in group ``g<i>``.
        families: The risk rules, family by family, in the order they are checked.
        word_sets: Single words for the context checks.
        context: Patterns for the context checks.
        examples: Every entry's example, to be checked.

    """

    normalisation: Normalisation
    figures: tuple[Figure, ...]
    figure_union: linear.Pattern
    families: tuple[Family, ...]
    word_sets: WordSets
    context: Context
    examples: tuple[Example, ...]

    @property
    def rule_names(self) -> tuple[str, ...]:
        """Every risk rule's and figure's name."""
        return tuple(rule.name for family in self.families for rule in family.rules) + tuple(
            figure.name for figure in self.figures
        )


# ---------------------------------------------------------------------------
# Reading one file
# ---------------------------------------------------------------------------


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


class _File:
    """One lexicon file being read, so that every problem names it."""

    def __init__(self, directory: Path, relative: str) -> None:
        self.path = directory / relative
        self.name = str(self.path)
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as e:
            self.fail("", f"cannot be read ({e.strerror})")
        try:
            self.data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a safe loader)
        except yaml.YAMLError as e:
            self.fail("", f"is not valid YAML: {' '.join(str(e).split())}")
        if not isinstance(self.data, dict):
            self.fail("", "must be a mapping")

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


def _entries(f: _File, key: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Each named entry of a top-level mapping: name, entry label and data."""
    for name, data in f.section(key, dict).items():
        entry = f"{key} {name!r}"
        if not isinstance(data, dict):
            f.fail(entry, "must be a mapping")
        yield str(name), entry, data


def _items(f: _File, key: str, label: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each entry of a top-level list: entry label (by name, or by number) and data."""
    for number, data in enumerate(f.section(key, list), start=1):
        if not isinstance(data, dict):
            f.fail(f"{key} #{number}", "must be a mapping")
        name = data.get("name")
        yield (f"{label} {name!r}" if isinstance(name, str) else f"{key} #{number}"), data


# ---------------------------------------------------------------------------
# Named lists ({NAME}) and compiling
# ---------------------------------------------------------------------------


class _Words:
    """The named lists of ``words.yml``, expanded into patterns on request."""

    def __init__(self, f: _File) -> None:
        self.file = f
        self.raw: dict[str, tuple[str, str]] = {}
        self.expanded: dict[str, str] = {}
        self.used: set[str] = set()
        self.examples: list[Example] = []
        for name, entry, data in _entries(f, "words"):
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
            pattern = _compile(source, f, entry)
            self.examples.append(Example(f.name, entry, example, "normalised", pattern=pattern))

    def expand(self, source: str, f: _File, entry: str, stack: tuple[str, ...] = ()) -> str:
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


def _compile(source: str, f: _File, entry: str) -> linear.Pattern:
    try:
        return linear.compile(source)
    except linear.PatternError as e:
        f.fail(entry, f"the pattern does not compile: {e}")


def _whole(pattern: str) -> str:
    """A pattern that matches only whole words."""
    return rf"\b(?:{pattern})\b"


# ---------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------


def _rules(f: _File, family: str, words: _Words, examples: list[Example]) -> list[Rule]:
    if f.data.get("family") != family:
        f.fail("", f"'family' must be {family!r}, as the file's name says")
    f.only("", f.data, {"family", "rules"})
    rules: list[Rule] = []
    for entry, data in _items(f, "rules", "rule"):
        f.only(entry, data, _RULE_KEYS)
        name = f.text(entry, data, "name")
        if _RULE_NAME.search(name) is None:
            f.fail(entry, "a name must be lower case letters, digits and _")
        category = f.choice(entry, data, "category", CATEGORIES)
        f.text(entry, data, "description")
        example = f.text(entry, data, "example")
        regex = _compile(_whole(words.expand(f.source(entry, data), f, entry)), f, entry)
        requires = tuple(
            _compile(_whole(words.expand(condition, f, entry)), f, entry)
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
            else _compile(_whole(words.expand(excludes, f, entry)), f, entry),
        )
        rules.append(rule)
        examples.append(Example(f.name, entry, example, "rule", name=rule.name))
    return rules


def _figures(f: _File, words: _Words, examples: list[Example]) -> list[Figure]:
    f.only("", f.data, {"figures"})
    figures: list[Figure] = []
    for entry, data in _items(f, "figures", "figure"):
        f.only(entry, data, {"name", *_ENTRY_KEYS})
        name = f.text(entry, data, "name")
        if _RULE_NAME.search(name) is None:
            f.fail(entry, "a name must be lower case letters, digits and _")
        category = f.choice(entry, data, "category", CATEGORIES)
        f.text(entry, data, "description")
        example = f.text(entry, data, "example")
        source = words.expand(f.source(entry, data), f, entry)
        _compile(_whole(source), f, entry)
        figures.append(Figure(f"fig.{name}", category, source))
        examples.append(Example(f.name, entry, example, "figure", name=f"fig.{name}"))
    return figures


def _replacements(
    f: _File, key: str, words: _Words, examples: list[Example]
) -> tuple[Replacement, ...]:
    found: list[Replacement] = []
    for entry, data in _items(f, key, key):
        f.only(entry, data, _REPLACEMENT_KEYS)
        example = f.text(entry, data, "example")
        pattern = _compile(words.expand(f.pattern(entry, data, "pattern"), f, entry), f, entry)
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


def _normalisation(f: _File, words: _Words, examples: list[Example], table: Path) -> Normalisation:
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


def _context(f: _File, words: _Words, examples: list[Example]) -> tuple[WordSets, Context]:
    f.only("", f.data, {"word_sets", "patterns"})
    sets: dict[str, frozenset[str]] = {}
    for name, entry, data in _entries(f, "word_sets"):
        f.only(entry, data, {"category", "description", "example", "words"})
        f.choice(entry, data, "category", _CONTEXT_CATEGORIES)
        f.text(entry, data, "description")
        example = f.text(entry, data, "example")
        sets[name] = frozenset(f.word_list(entry, data, "words", token=False))
        examples.append(Example(f.name, entry, example, "words", words=sets[name]))
    patterns: dict[str, linear.Pattern] = {}
    for name, entry, data in _entries(f, "patterns"):
        f.only(entry, data, _ENTRY_KEYS)
        f.choice(entry, data, "category", _CONTEXT_CATEGORIES)
        f.text(entry, data, "description")
        example = f.text(entry, data, "example")
        patterns[name] = _compile(words.expand(f.source(entry, data), f, entry), f, entry)
        examples.append(Example(f.name, entry, example, "masked", pattern=patterns[name]))
    return _fields(f, "word_sets", WordSets, sets), _fields(f, "patterns", Context, patterns)


def _fields(f: _File, section: str, kind: Callable[..., Any], found: Mapping[str, Any]) -> Any:
    """Build ``kind`` from ``found``, which must have exactly its fields."""
    names = [field.name for field in dataclasses.fields(kind)]  # type: ignore[arg-type]
    missing = [name for name in names if name not in found]
    if missing:
        f.fail(section, f"missing: {', '.join(missing)}")
    unknown = sorted(set(found) - set(names))
    if unknown:
        f.fail(section, f"not used by the detector: {', '.join(unknown)}")
    return kind(**{name: found[name] for name in names})


def load(directory: Path = LEXICON_DIR, text_speak_table: Path = text_speak.TABLE) -> Lexicon:
    """Read, check and compile the lexicon in ``directory``.

    The detector loads it once, on first use (:func:`bot.safety.detector.lexicon`), and
    checks its examples there.

    Args:
        directory: The folder holding ``words.yml``, ``normalise.yml``, ``figures.yml``,
            ``context.yml`` and ``rules/``.
        text_speak_table: The text-speak table shared with the search
            (:mod:`entitlements.text_speak`); the safety net reads its ``both`` and
            ``safety`` sections.

    Returns:
        The compiled :class:`Lexicon`.

    Raises:
        LexiconError: A file is missing or has a mistake; the message names the file,
            the entry and the problem.

    """
    words = _Words(_File(directory, "words.yml"))
    examples: list[Example] = list(words.examples)
    normalisation = _normalisation(
        _File(directory, "normalise.yml"), words, examples, text_speak_table
    )
    figures_file = _File(directory, "figures.yml")
    figures = _figures(figures_file, words, examples)
    families: list[Family] = []
    seen: dict[str, str] = {}
    for family, files in FAMILIES:
        rules: list[Rule] = []
        for name in files:
            f = _File(directory, f"rules/{name}.yml")
            for rule in _rules(f, family, words, examples):
                if rule.name in seen:
                    f.fail(
                        f"rule {rule.name!r}", f"has the same name as a rule in {seen[rule.name]}"
                    )
                seen[rule.name] = f.name
                rules.append(rule)
        union = "|".join(f"(?:{rule.regex.pattern})" for rule in rules)
        families.append(Family(family, tuple(rules), linear.compile(union)))
    known = {f"{name}.yml" for _, files in FAMILIES for name in files}
    for path in sorted((directory / "rules").glob("*")):
        if path.name not in known:
            raise LexiconError(
                str(path),
                "",
                "is not a file of a known family (see FAMILIES in bot/safety/lexicon.py)",
            )
    word_sets, context = _context(_File(directory, "context.yml"), words, examples)
    words.check_all_used()
    figure_union = "|".join(
        rf"(?P<g{i}>{_whole(figure.pattern)})" for i, figure in enumerate(figures)
    )
    return Lexicon(
        normalisation=normalisation,
        figures=tuple(figures),
        figure_union=_compile(figure_union, figures_file, "figures"),
        families=tuple(families),
        word_sets=word_sets,
        context=context,
        examples=tuple(examples),
    )


# ---------------------------------------------------------------------------
# Examples
# ---------------------------------------------------------------------------


def check_examples(
    lex: Lexicon,
    *,
    normalise: Callable[[Lexicon, str], str],
    mask: Callable[[Lexicon, str], tuple[str, list[str]]],
    rules: Callable[[Lexicon, str], tuple[str, ...]],
) -> None:
    """Check that every example of ``lex`` does what it says, run by the detector.

    Args:
        lex: The lexicon.
        normalise: The detector's normalisation.
        mask: The detector's masking of figures of speech: the masked text and the
            figures found.
        rules: The names of the rules (of every kind) the detector reports for a message.

    Raises:
        LexiconError: For the first example that does not fire its rule, is not masked
            as its figure, or does not contain its pattern or words.

    """
    for example in lex.examples:
        problem = _example_problem(lex, example, normalise, mask, rules)
        if problem:
            raise LexiconError(example.file, example.entry, problem)


def _example_problem(
    lex: Lexicon,
    example: Example,
    normalise: Callable[[Lexicon, str], str],
    mask: Callable[[Lexicon, str], tuple[str, list[str]]],
    rules: Callable[[Lexicon, str], tuple[str, ...]],
) -> str | None:
    """What is wrong with one example, or None when it does what it says."""
    text = example.text
    if example.kind == "rule":
        found = rules(lex, text)
        if example.name in found:
            return None
        return f"the example {text!r} does not fire the rule (it gives {list(found)})"
    if example.kind == "as_written":
        return _unless_found(example, text, text)
    normalised = normalise(lex, text)
    if example.kind == "normalised":
        return _unless_found(example, text, normalised)
    masked, figures = mask(lex, normalised)
    if example.kind == "figure":
        if example.name in figures:
            return None
        return f"the example {text!r} is not masked as this figure of speech"
    if example.kind == "words":
        if set(masked.split()) & example.words:
            return None
        return f"none of the words is in the example {text!r} (read as {masked!r})"
    return _unless_found(example, text, masked, near_words=True)


def _unless_found(
    example: Example, text: str, read: str, *, near_words: bool = False
) -> str | None:
    """None when the example's pattern is found in ``read``, otherwise the problem.

    With ``near_words``, it may also be found just before or after one of the words:
    some context patterns are anchored to the clause before or after a match.
    """
    pattern = example.pattern
    assert pattern is not None
    if pattern.search(read) is not None:
        return None
    if near_words:
        for i, c in enumerate(read):
            if c == " " and (pattern.search(read[: i + 1]) or pattern.match(read[i:])):
                return None
    shown = "" if read == text else f" (read as {read!r})"
    return f"the pattern is not found in the example {text!r}{shown}"
