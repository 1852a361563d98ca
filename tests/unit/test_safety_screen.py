"""The safety net's verdict: tiers, a hard deadline, and no silence when a check fails."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from bot import linear_re
from bot.safety import screen
from bot.safety.detector import RiskAssessment
from bot.safety.screen import Screen, Tier, Verdict

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def installed() -> Iterator[None]:
    before = screen.shared()
    yield
    screen.install(before)


def test_a_plain_statement_of_risk_is_a_crisis_by_the_patterns() -> None:
    verdict = Screen().check("i want to kill myself tonight")
    assert verdict.tier is Tier.CRISIS
    assert verdict.categories == ("suicide",)
    assert verdict.detected_by == "pattern"
    assert verdict.needs_alert


def test_an_ordinary_question_is_no_risk() -> None:
    verdict = Screen().check("how much is the setting up home allowance")
    assert verdict.tier is Tier.NONE
    assert not verdict.needs_alert


def test_a_figure_of_speech_is_no_risk_and_says_so() -> None:
    verdict = Screen().check("this form is killing me lol")
    assert verdict.tier is Tier.NONE
    assert verdict.figure_of_speech


def test_a_check_that_gives_up_is_possible_risk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(linear_re, "MAX_RETRIES", 0)
    verdict = Screen().check("im going to end it with him tonight")
    assert verdict.tier is Tier.POSSIBLE
    assert verdict.detected_by == "unchecked"
    assert verdict.needs_alert


def test_the_semantic_layer_decides_what_the_patterns_do_not() -> None:
    def semantic(text: str, found: RiskAssessment) -> Verdict | None:
        return Verdict(Tier.POSSIBLE, detected_by="semantic")

    assert Screen(semantic).check("everything is falling apart").tier is Tier.POSSIBLE
    # The patterns' crisis stands whatever the semantic layer would say.
    assert Screen(semantic).check("i want to die").tier is Tier.CRISIS


def test_a_failing_semantic_layer_leaves_the_patterns() -> None:
    def broken(text: str, found: RiskAssessment) -> Verdict | None:
        raise RuntimeError("model file missing")

    assert Screen(broken).check("i want to die").tier is Tier.CRISIS
    assert Screen(broken).check("how do i apply for a bursary").tier is Tier.NONE


async def test_patterns_past_their_deadline_make_possible_risk(installed: None) -> None:
    release = threading.Event()

    class StuckPatterns(Screen):
        @staticmethod
        def patterns(text: str) -> tuple[RiskAssessment, Verdict | None]:
            release.wait(30)
            return Screen.patterns(text)

    screen.install(StuckPatterns())
    try:
        verdict = await screen.screen("hello there", deadline=0.05)
    finally:
        release.set()
    assert verdict == screen.UNCHECKED
    assert verdict.tier is Tier.POSSIBLE


async def test_a_late_semantic_layer_makes_risk_words_possible_risk(installed: None) -> None:
    release = threading.Event()

    def stuck(text: str, found: RiskAssessment) -> Verdict | None:
        release.wait(30)
        return None

    screen.install(Screen(stuck))
    try:
        worried = await screen.screen("im so scared and i feel hopeless", deadline=0.2)
        ordinary = await screen.screen("how do i get a bus pass", deadline=0.2)
    finally:
        release.set()
    assert worried.tier is Tier.POSSIBLE
    assert worried.detected_by == "unchecked"
    assert ordinary.tier is Tier.NONE


async def test_the_event_loop_is_free_while_a_check_runs(installed: None) -> None:
    started, release = threading.Event(), threading.Event()

    def slow(text: str, found: RiskAssessment) -> Verdict | None:
        started.set()
        release.wait(30)
        return None

    screen.install(Screen(slow))
    check = asyncio.ensure_future(screen.screen("hello", deadline=30))
    # Another conversation's work runs while the check waits on its own thread.
    await asyncio.to_thread(started.wait, 30)
    other = await asyncio.wait_for(asyncio.sleep(0, result="answered"), timeout=5)
    assert other == "answered"
    assert not check.done()
    release.set()
    assert (await check).tier is Tier.NONE


def test_a_verdict_is_remembered_once_for_rasas_nlu() -> None:
    verdict = Verdict(Tier.CRISIS, categories=("overdose",), detected_by="semantic")
    screen.remember("took all my tablets", verdict)
    assert screen.recall("took all my tablets") == verdict
    assert screen.recall("took all my tablets") is None


def test_the_same_words_in_two_conversations_at_once_keep_a_verdict_each() -> None:
    # "more" sent in two conversations: each NLU finds its channel's verdict, and does
    # not check the message a second time.
    first = Verdict(Tier.NONE, detected_by="patterns")
    second = Verdict(Tier.POSSIBLE, detected_by="semantic")
    screen.remember("more please", first)
    screen.remember("more please", second)
    assert screen.recall("more please") == first
    assert screen.recall("more please") == second
    assert screen.recall("more please") is None


def test_a_verdict_is_found_for_the_words_rasa_sees_without_outer_spaces() -> None:
    # Rasa strips the text before its NLU recalls the verdict; an SMS often ends in a
    # newline. Without this the NLU checked every such message a second time.
    verdict = Verdict(Tier.POSSIBLE, detected_by="semantic")
    screen.remember("  feel rubbish today\n", verdict)
    assert screen.recall("feel rubbish today") == verdict
    assert screen.recall("feel rubbish today") is None


def test_a_flood_of_the_same_words_keeps_only_the_latest_verdicts() -> None:
    verdicts = [Verdict(Tier.NONE, detected_by=f"n{n}") for n in range(40)]
    for verdict in verdicts:
        screen.remember("hello", verdict)
    kept = []
    while (found := screen.recall("hello")) is not None:
        kept.append(found)
    assert kept == verdicts[-screen._REMEMBER_EACH :]


def test_the_verdict_as_data_holds_no_words() -> None:
    verdict = Screen().check("i want to kill myself")
    described = screen.describe(verdict)
    assert "kill" not in str(described)
    assert described["tier"] == "crisis"
