"""The example bank of requests for a person: a mistake names its file, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.person_request.bank import DATA_FILE, PersonBankError, load

pytestmark = pytest.mark.timeout(60)

SETTINGS = (
    "settings:\n  threshold: 0.6\n  margin: 0.02\n  neighbours: 2\n  max_tokens: 64\n"
    "  min_words: 3\n"
)
REQUESTS = "requests:\n  speak_to_someone:\n    - can i talk to someone\n    - get me a human\n"
NEAR = "near_misses:\n  - what does a PA do\n"


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bank.yml"
    path.write_text(body)
    return path


def problem(tmp_path: Path, body: str) -> str:
    with pytest.raises(PersonBankError) as e:
        load(write(tmp_path, body))
    return str(e.value)


def test_a_good_file_loads(tmp_path):
    bank = load(write(tmp_path, SETTINGS + REQUESTS + NEAR))
    assert bank.requests == (
        ("can i talk to someone", "speak_to_someone"),
        ("get me a human", "speak_to_someone"),
    )
    assert bank.near_misses == ("what does a PA do",)
    assert (bank.settings.threshold, bank.settings.margin) == (0.6, 0.02)
    assert (bank.settings.neighbours, bank.settings.max_tokens) == (2, 64)
    assert bank.settings.min_words == 3


def test_the_reviewed_bank_loads_and_is_big_enough():
    bank = load(DATA_FILE)
    kinds = {kind for _, kind in bank.requests}
    assert kinds == {"speak_to_someone", "complaint", "pa_away", "anyone_there"}
    assert len(bank.requests) >= 200 and len(bank.near_misses) >= 120


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("settings: [", "bank.yml: is not valid YAML"),
        ("- a list", "bank.yml: must be a mapping with 'settings', 'requests' and 'near_misses'"),
        (SETTINGS + REQUESTS + NEAR + "extra: 1\n", "bank.yml: unknown top-level key(s): extra"),
        (REQUESTS + NEAR, "bank.yml, settings: must be a mapping"),
        (
            SETTINGS.replace("0.6", "1.5") + REQUESTS + NEAR,
            "bank.yml, settings: threshold: must be a number from 0 to 1, not 1.5",
        ),
        (
            SETTINGS.replace("  margin: 0.02\n", "") + REQUESTS + NEAR,
            "bank.yml, settings: margin: is missing",
        ),
        (
            SETTINGS.replace("neighbours: 2", "neighbours: two") + REQUESTS + NEAR,
            "bank.yml, settings: neighbours: must be a whole number from 1 to 10, not 'two'",
        ),
        (
            SETTINGS.replace("max_tokens: 64", "max_tokens: 500") + REQUESTS + NEAR,
            "bank.yml, settings: max_tokens: must be a whole number from 8 to 128, not 500",
        ),
        (
            SETTINGS + "requests:\n  chat:\n    - hi there\n" + NEAR,
            "bank.yml, requests 'chat': must be one of speak_to_someone, complaint, pa_away, "
            "anyone_there",
        ),
        (
            SETTINGS + "requests:\n  complaint: []\n" + NEAR,
            "bank.yml, requests 'complaint': must be a non-empty list of messages",
        ),
        (
            SETTINGS + "requests:\n  complaint:\n    - i want to complain\n    - 7\n" + NEAR,
            "bank.yml, requests 'complaint'[1]: must be a non-empty message",
        ),
        (
            SETTINGS + REQUESTS + "near_misses:\n  - ''\n",
            "bank.yml, near_misses[0]: must be a non-empty message",
        ),
        (SETTINGS + REQUESTS, "bank.yml: 'near_misses' must be a non-empty list"),
        (
            SETTINGS + REQUESTS + "near_misses:\n  - what does a PA do\n  - Get me a  HUMAN\n",
            "bank.yml, near_misses[1]: 'Get me a  HUMAN' is already in requests "
            "'speak_to_someone'[1]",
        ),
    ],
)
def test_a_mistake_is_named(tmp_path, body, expected):
    assert expected in problem(tmp_path, body)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(PersonBankError) as e:
        load(tmp_path / "nowhere.yml")
    assert "nowhere.yml: cannot be read" in str(e.value)
