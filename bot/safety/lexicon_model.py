"""The safety net's lexicon as the detector uses it: compiled records, and its error.

:class:`Lexicon` holds everything :func:`bot.safety.lexicon.load` reads from the files
under ``bot/safety/data/lexicon/``: the normalisation (:class:`Normalisation`), the
figures of speech (:class:`Figure`), the risk rules by family (:class:`Rule`,
:class:`Family`), the context words and patterns (:class:`WordSets`, :class:`Context`)
and every entry's :class:`Example`. A mistake in a file is a :class:`LexiconError`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from bot import linear_re as linear
from entitlements.data_errors import DataFileError

# Whose risk a rule's match must be about (see :func:`bot.safety.detector._who_ok`).
WHO = ("self_or_none", "self", "person", "third", "not_self", "any")


class LexiconError(DataFileError):
    """A lexicon file has a mistake.

    Attributes:
        file: The file.
        entry: The entry, as ``section 'name'`` (empty for the file as a whole).
        problem: What is wrong.

    """


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
