"""The linear-time regular expressions (bot.linear_re): RE2 underneath, lookarounds checked."""

from __future__ import annotations

import re

import pytest
import re2
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import linear_re

# Patterns of the shapes the project uses, checked against Python's own engine.
SAME_AS_PYTHON = [
    r"\bend (?:it all|it(?! (?:with|for)))\b",
    r"(?<=\bi )(?:could|would) kill",
    r"(?<![\w+])\d{3}(?!\d)",
    r"(?:made my mind up(?=(?: [.,~])*$)|made my mind up (?:[.,] )?tonight)",
    r"\b(kill|cutt)in\b",
    r"x{0,3}?y",
    r"(?P<g0>\bdead\b)|(?P<g1>\bkill me\b)",
    r"\b(?:he|she) (?:(?:is|has|been|now|has been) )*hit\b",
    r"(?:^|(?<=[.,] ))(?:dad|mum) hit me",
    r"[^a-z0-9., ]+",
]
TEXTS = [
    "i want to end it with him",
    "i want to end it tonight . end it all",
    "i could kill , hi would kill",
    "+44 123 4567 tel 999",
    "i have made my mind up , tonight",
    "i have made my mind up .",
    "killin cuttin kill",
    "xxy xxxxy y",
    "they kill me dead",
    "he has been now is hit . she hit",
    "dad hit me . mum hit me",
    "café £30!! ok",
    "",
]


@pytest.mark.parametrize("pattern", SAME_AS_PYTHON)
def test_matches_as_pythons_engine_does(pattern: str) -> None:
    compiled = linear_re.compile(pattern)
    python = re.compile(pattern)
    for text in TEXTS:
        assert [m.span() for m in compiled.finditer(text)] == [
            m.span() for m in python.finditer(text)
        ], (pattern, text)
        found, expected = compiled.search(text), python.search(text)
        assert (found and found.span()) == (expected and expected.span()), (pattern, text)


def test_a_failed_lookahead_tries_the_patterns_next_alternative_at_the_same_start() -> None:
    # The first alternative matches but its lookahead fails; the second must still be found.
    pattern = linear_re.compile(r"i (?:made my mind up(?=$)|made my mind up , tonight)")
    found = pattern.search("i made my mind up , tonight")
    assert found is not None
    assert found.span() == (0, 27)


def test_groups_keep_their_numbers_and_names() -> None:
    pattern = linear_re.compile(r"(?P<who>he|she)(?! said) (hit|kicked) (me)")
    found = pattern.search("she hit me")
    assert found is not None
    assert found.group("who") == "she"
    assert found.group(2) == "hit"
    assert found.group(3) == "me"
    assert pattern.groupindex == {"who": 1}


def test_sub_expands_group_references_and_calls_functions() -> None:
    assert linear_re.compile(r"\b(kill|cutt)in\b").sub(r"\1ing", "killin x") == "killing x"
    shout = linear_re.compile(r"[a-z]+").sub(lambda m: (m.group() or "").upper(), "ab, cd")
    assert shout == "AB, CD"


def test_endpos_ends_the_text_as_pythons_engine_does() -> None:
    found = linear_re.compile(r"\bis $").search("this is x", 0, 8)
    assert found is not None
    assert found.span() == (5, 8)


def test_text_outside_ascii_is_matched_by_characters() -> None:
    found = linear_re.compile(r"£\d+").search("café costs £30")
    assert found is not None
    assert found.group() == "£30"


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        (r"([a-z])\1", "GROUPREF"),
        (r"(?a)abc", "inline flags"),
        (r"(?-i:abc)", "inline flags"),
        (r"(?:a(?!b))+", "inside a repeat"),
        (r"(?<=a+)b", "fixed width"),
        (r"(?>ab)", "ATOMIC"),
    ],
)
def test_what_cannot_run_in_linear_time_is_refused_when_loaded(pattern: str, problem: str) -> None:
    if problem == "ATOMIC":
        try:
            re.compile(pattern)
        except re.error:
            pytest.skip("this Python has no atomic groups")
    with pytest.raises((linear_re.PatternError, re.error)) as raised:
        linear_re.Pattern(pattern)
    assert pattern in str(raised.value) or problem.lower() in str(raised.value).lower()


def test_every_search_runs_on_re2() -> None:
    compiled = linear_re.compile(r"\bend it(?! with)\b")
    assert isinstance(compiled._re2, re2._Regexp)
    for assertion in compiled._assertions:
        assert isinstance(assertion.pattern._re2, re2._Regexp)


def test_many_cheap_dropped_matches_are_fine() -> None:
    # Every "a" matches and every lookahead fails, but each costs one character: linear.
    assert linear_re.compile(r"a(?!a|$)").search("a" * 5000) is None


def test_a_search_that_would_rescan_too_much_gives_up_rather_than_run_on() -> None:
    # Each start matches the whole run of "a"s and its lookahead fails: rescanning it from
    # every start would be quadratic. The call gives up; the caller must fail safe.
    pattern = linear_re.compile(r"a+(?!b)")
    with pytest.raises(linear_re.MatchBudgetExceeded):
        pattern.search("a" * 2000 + "b")
    assert pattern.search("a" * 20 + "b") is None


def test_a_lookaround_after_a_part_of_varying_length_closes_that_path() -> None:
    # The documented difference from Python: Python would try a shorter "a+" here; this
    # engine tries the next start instead. Patterns are written so that it never matters
    # (the safety patterns are compared with Python's engine over every message we hold).
    assert re.search(r"a+(?=a)", "aaa") is not None
    assert linear_re.compile(r"a+(?=a)").search("aaa") is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcdeit ,.", max_size=60))
def test_same_spans_as_python_on_any_short_text(text: str) -> None:
    for pattern in (r"\bit(?! (?:a|b)\b) [a-e]+", r"(?<=[.,] )(?:a|b) c(?! d)"):
        assert [m.span() for m in linear_re.compile(pattern).finditer(text)] == [
            m.span() for m in re.compile(pattern).finditer(text)
        ], (pattern, text)


def test_ignorecase_as_a_flag_or_inline() -> None:
    assert linear_re.compile(r"kill", re.IGNORECASE).search("KILL") is not None
    assert linear_re.compile(r"(?i)kill").search("Kill") is not None
    assert linear_re.compile(r"a(?i:kill)").search("aKILL") is not None
    assert linear_re.compile(r"kill").search("KILL") is None
