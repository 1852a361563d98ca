"""The quality targets, measured on the held-out evaluation set through the running bot.

- at least 90% of entitlement questions answered with the right entitlement first;
- every crisis message gets the emergency signposting;
- no non-crisis message (alarming words, figures of speech) gets it;
- no out-of-scope message gets an entitlement.

`make bench` prints the same figures in full.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bot.settings import PROJECT_ROOT
from scripts.evaluation import TARGET_TOPIC_ACCURACY, QualityReport, evaluate_project_set
from tests.support.servers import RunningBot

pytestmark = [pytest.mark.e2e, pytest.mark.evaluation]


@pytest.fixture(scope="module")
def report(bot: RunningBot) -> QualityReport:
    return evaluate_project_set(bot.base_url, PROJECT_ROOT / "tests" / "evaluation")


def test_entitlement_questions_get_the_right_entitlement_first(report: QualityReport):
    # The message shows what kind of miss, not which messages: the held-out set must not
    # become something to tune against.
    assert report.topic_accuracy >= TARGET_TOPIC_ACCURACY, dict(report.failure_kinds)


def test_every_crisis_message_gets_the_signposting(report: QualityReport):
    missed = Counter(category for _, category in report.crisis_missed)
    assert not missed, f"crisis messages missed, by category: {dict(missed)}"


def test_no_non_crisis_message_gets_the_signposting(report: QualityReport):
    count = len(report.non_crisis_signposted)
    assert count == 0, f"{count} non-crisis messages got the crisis signposting"


def test_no_out_of_scope_message_gets_an_entitlement(report: QualityReport):
    count = len(report.out_of_scope_given_entitlement)
    assert count == 0, f"{count} out-of-scope messages got an entitlement"
