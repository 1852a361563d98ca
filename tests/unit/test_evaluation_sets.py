"""The held-out evaluation set stays apart from everything the bot learns or searches.

Its messages must not be training data (data/nlu), retrieval examples (the content
files' examples and synonyms), conversation tests, or the dev set used to tune
thresholds: not the same message, and not a near copy of one.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from rapidfuzz import fuzz, process

from bot.settings import PROJECT_ROOT
from entitlements.normalise import clean, tokens

EVALUATION = PROJECT_ROOT / "tests" / "evaluation"
DEV_SET = PROJECT_ROOT / "tests" / "dev_set"
NEAR_COPY = 92
PERSON_REQUESTS = PROJECT_ROOT / "bot" / "person_request" / "data" / "requests.yml"
PERSON_BANK = PROJECT_ROOT / "bot" / "person_request" / "data" / "bank.yml"
PERSON_DEV_SETS = ("person_requests.yml", "person_requests_more.yml")


def _key(text: str) -> str:
    return " ".join(tokens(clean(text)))


def _set_messages(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.glob("*.yml")):
        found += [m["text"] for m in yaml.safe_load(path.read_text())["messages"]]
    return found


def _training_messages() -> list[str]:
    found = []
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text())["nlu"]:
            found += [line[2:].strip() for line in item["examples"].splitlines() if line.strip()]
    return found


def _retrieval_examples(content) -> list[str]:
    return [text for e in content.entries for text in (*e.examples, *e.synonyms)]


def _safety_bank() -> list[str]:
    found = []
    for path in sorted((PROJECT_ROOT / "bot" / "safety" / "data" / "bank").glob("*.yml")):
        found += [m["text"] for m in yaml.safe_load(path.read_text())["messages"]]
    return found


def _person_request_examples() -> list[str]:
    # The reviewed rules' examples and near misses (bot/person_request/data/requests.yml).
    data = yaml.safe_load(PERSON_REQUESTS.read_text())
    return [r["example"] for r in data["rules"]] + list(data["not_requests"])


def _person_request_bank() -> list[str]:
    # The meaning-based layer's example bank: requests by kind, and near misses.
    data = yaml.safe_load(PERSON_BANK.read_text())
    return [t for texts in data["requests"].values() for t in texts] + data["near_misses"]


def _near_copies(messages: list[str], others: list[str]) -> list[tuple[str, str]]:
    other_keys = [_key(t) for t in others]
    exact = set(other_keys)
    clashes = []
    for message in messages:
        key = _key(message)
        if key in exact:
            clashes.append((message, "same"))
            continue
        found = process.extractOne(key, other_keys, scorer=fuzz.ratio, score_cutoff=NEAR_COPY)
        if found and len(key) > 12:
            clashes.append((message, found[0]))
    return clashes


def _conversation_tests() -> list[str]:
    text = (PROJECT_ROOT / "tests" / "conversations" / "test_conversations.yml").read_text()
    return [m.strip() for m in re.findall(r"- user: \|\n\s+(.+)", text)]


@pytest.fixture(scope="module")
def evaluation() -> list[str]:
    return _set_messages(EVALUATION)


def test_the_evaluation_set_is_big_enough():
    questions = yaml.safe_load((EVALUATION / "entitlement_questions.yml").read_text())["messages"]
    crisis = yaml.safe_load((EVALUATION / "crisis.yml").read_text())["messages"]
    calm = yaml.safe_load((EVALUATION / "non_crisis_alarming.yml").read_text())["messages"]
    assert len(questions) >= 200 and len(crisis) >= 30 and len(calm) >= 30
    assert len(questions) + len(crisis) + len(calm) >= 250


@pytest.mark.parametrize(
    "source",
    [
        "training data",
        "retrieval examples",
        "conversation tests",
        "dev set",
        "safety bank",
        "person request examples",
        "person request bank",
    ],
)
def test_no_evaluation_message_is_used_elsewhere(evaluation, content, source):
    others = {
        "training data": _training_messages,
        "retrieval examples": lambda: _retrieval_examples(content),
        "conversation tests": _conversation_tests,
        "dev set": lambda: _set_messages(DEV_SET),
        "safety bank": _safety_bank,
        "person request examples": _person_request_examples,
        "person request bank": _person_request_bank,
    }[source]()
    other_keys = [_key(t) for t in others]
    exact = set(other_keys)
    clashes = []
    for message in evaluation:
        key = _key(message)
        if key in exact:
            clashes.append((message, "same"))
            continue
        found = process.extractOne(key, other_keys, scorer=fuzz.ratio, score_cutoff=NEAR_COPY)
        if found and len(key) > 12:
            clashes.append((message, found[0]))
    assert clashes == []


def test_the_dev_set_is_not_the_safety_banks_training_data():
    # Thresholds are tuned on the dev set: it must not be what the layer learned from.
    bank_keys = [_key(t) for t in _safety_bank()]
    exact = set(bank_keys)
    clashes = []
    for message in _set_messages(DEV_SET):
        key = _key(message)
        if key in exact:
            clashes.append((message, "same"))
            continue
        found = process.extractOne(key, bank_keys, scorer=fuzz.ratio, score_cutoff=NEAR_COPY)
        if found and len(key) > 12:
            clashes.append((message, found[0]))
    assert clashes == []


@pytest.mark.parametrize("name", PERSON_DEV_SETS)
def test_the_person_request_dev_set_is_not_the_rules_examples(name):
    # The recogniser's figures are measured on the dev set: not on what its rules show.
    example_keys = {_key(t) for t in _person_request_examples()}
    dev = yaml.safe_load((DEV_SET / name).read_text())["messages"]
    assert [m["text"] for m in dev if _key(m["text"]) in example_keys] == []


def test_the_person_request_bank_is_not_the_dev_sets_or_the_rules_examples():
    # The layer's threshold and margin are set on the dev sets: not on what it learned.
    dev = _set_messages(DEV_SET)
    assert _near_copies(_person_request_bank(), dev + _person_request_examples()) == []


def test_every_expected_topic_exists(topics):
    for folder in (EVALUATION, DEV_SET):
        data = yaml.safe_load((folder / "entitlement_questions.yml").read_text())["messages"]
        for message in data:
            assert message["expected"] in topics
            assert set(message.get("acceptable", [])) <= set(topics)


def test_the_young_voices_dev_set_covers_every_entry(content):
    # Issue 16 item 1: the search is tuned on at least 15 questions per entry, in young
    # people's voices, labelled with published entries only.
    messages = yaml.safe_load((DEV_SET / "young_voices.yml").read_text())["messages"]
    counts = Counter(m["expected"] for m in messages)
    entries = {e.id for e in content.entries}
    assert set(counts) == entries
    assert min(counts.values()) >= 15
    for message in messages:
        assert set(message.get("acceptable", [])) <= entries
    keys = [_key(m["text"]) for m in messages]
    assert len(keys) == len(set(keys))
