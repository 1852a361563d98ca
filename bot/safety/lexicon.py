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
:mod:`bot.linear_re`. A mistake is a :class:`~bot.safety.lexicon_model.LexiconError` that
names the file, the entry and the problem. Every entry has an example;
:func:`bot.safety.detector.check_lexicon` checks that each one does what it says, since
only the detector can run them (:mod:`bot.safety.lexicon_examples`).

The parts, one idea each: :mod:`bot.safety.lexicon_model` (the compiled records and
:class:`~bot.safety.lexicon_model.LexiconError`), :mod:`bot.safety.lexicon_file` (reading
one file), :mod:`bot.safety.lexicon_entries` (named lists, compiling, each kind of file)
and :mod:`bot.safety.lexicon_examples` (checking the examples); this module holds the
families and :func:`load`, which puts them together.
"""

from __future__ import annotations

from pathlib import Path

from bot import linear_re as linear
from bot.safety.lexicon_entries import (
    Words,
    compile_entry,
    read_context,
    read_figures,
    read_normalisation,
    read_rules,
    whole_words,
)
from bot.safety.lexicon_file import LexiconFile
from bot.safety.lexicon_model import Example, Family, Lexicon, LexiconError, Rule
from entitlements import text_speak

__all__ = [
    "FAMILIES",
    "LEXICON_DIR",
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
    words = Words(LexiconFile(directory, "words.yml"))
    examples: list[Example] = list(words.examples)
    normalisation = read_normalisation(
        LexiconFile(directory, "normalise.yml"), words, examples, text_speak_table
    )
    figures_file = LexiconFile(directory, "figures.yml")
    figures = read_figures(figures_file, words, examples)
    families: list[Family] = []
    seen: dict[str, str] = {}
    for family, files in FAMILIES:
        rules: list[Rule] = []
        for name in files:
            f = LexiconFile(directory, f"rules/{name}.yml")
            for rule in read_rules(f, family, words, examples):
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
    word_sets, context = read_context(LexiconFile(directory, "context.yml"), words, examples)
    words.check_all_used()
    figure_union = "|".join(
        rf"(?P<g{i}>{whole_words(figure.pattern)})" for i, figure in enumerate(figures)
    )
    return Lexicon(
        normalisation=normalisation,
        figures=tuple(figures),
        figure_union=compile_entry(figure_union, figures_file, "figures"),
        families=tuple(families),
        word_sets=word_sets,
        context=context,
        examples=tuple(examples),
    )
