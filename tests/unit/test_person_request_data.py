"""The data file of requests for a person: a mistake is named with its file, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.person_request.rules import PersonRequestDataError, load

pytestmark = pytest.mark.timeout(60)

GOOD_RULE = """
  - name: talk_to
    kind: speak_to_someone
    example: can i talk to my worker
    pattern: \\btalk to {MY} worker\\b
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "requests.yml"
    path.write_text(body)
    return path


def problem(tmp_path: Path, body: str) -> str:
    with pytest.raises(PersonRequestDataError) as e:
        load(write(tmp_path, body))
    return str(e.value)


def test_a_good_file_loads(tmp_path):
    loaded = load(
        write(
            tmp_path,
            f"words:\n  MY: (?:my|the)\nrules:{GOOD_RULE}"
            "not_requests:\n  - what does my worker do\n",
        )
    )
    assert [r.name for r in loaded.rules] == ["talk_to"]
    assert loaded.not_requests == ("what does my worker do",)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("words: [", "requests.yml: is not valid YAML"),
        ("- a list", "requests.yml: must be a mapping"),
        ("words:\n  MY: my\nrules: []\nnot_requests: [x]\n", "'rules' must be a non-empty list"),
        (
            "words:\n  MY: my\nrules:\n  - name: a\n    kind: speak_to_someone\n    pattern: x\n"
            "not_requests: [y]\n",
            "rules[0] 'a': example: is missing or empty",
        ),
        (
            "words:\n  MY: my\nrules:\n  - name: a\n    kind: chat\n    example: x\n"
            "    pattern: x\nnot_requests: [y]\n",
            "rules[0] 'a': kind: must be one of speak_to_someone, complaint, pa_away, anyone_there",
        ),
        (
            "words:\n  MY: my\nrules:\n  - name: a\n    kind: complaint\n    example: x\n"
            "    patern: x\nnot_requests: [y]\n",
            "rules[0] 'a': unknown field(s): patern",
        ),
        (
            "words:\n  MY: my\nrules:\n  - name: a\n    kind: complaint\n    example: x\n"
            "    pattern: '{THEM}'\nnot_requests: [y]\n",
            "rules[0] 'a': pattern: unknown word list(s) THEM",
        ),
        (
            "words:\n  MY: my\nrules:\n  - name: a\n    kind: complaint\n    example: x\n"
            "    pattern: '(a)\\1'\nnot_requests: [y]\n",
            "rules[0] 'a': pattern: cannot run in linear time",
        ),
        (
            "words:\n  MY: my\nrules:\n  - name: a\n    kind: complaint\n    example: hello\n"
            "    pattern: goodbye\nnot_requests: [y]\n",
            "rules[0] 'a': example: the rule does not fire on its own example 'hello'",
        ),
        (
            "words:\n  MY: my\nrules:\n  - name: a\n    kind: complaint\n    example: hello\n"
            "    pattern: hello\n    reads: letters\nnot_requests: [y]\n",
            "rules[0] 'a': reads: must be one of words, typed",
        ),
        (
            f"words:\n  MY: my\nrules:{GOOD_RULE}not_requests:\n  - i want to talk to my worker\n",
            "not_requests[0]: 'i want to talk to my worker' is not a request for a person, "
            "but rule(s) talk_to fire",
        ),
        (
            f"words:\n  MY: my\nrules:{GOOD_RULE}{GOOD_RULE}not_requests: [y]\n",
            "rule 'talk_to': name: is given to two rules",
        ),
        ("words:\n  my: my\nrules: [x]\nnot_requests: [y]\n", "words 'my': a word list's name"),
        ("wrds: {}\n", "unknown top-level key(s): wrds"),
    ],
)
def test_each_mistake_is_named(tmp_path, body, expected):
    said = problem(tmp_path, body)
    assert str(tmp_path / "requests.yml") in said
    assert expected in said


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(PersonRequestDataError, match=r"requests\.yml: cannot be read"):
        load(tmp_path / "requests.yml")
