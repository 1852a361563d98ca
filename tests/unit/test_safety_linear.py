"""Nothing can jam the safety net: every pattern runs on RE2, and adversarial input ends.

How long the patterns take on adversarial input is measured in ``make bench``, not here:
these tests check the engine, that the work per message is bounded, and that a check
that cannot finish is treated as possible risk, never as safe.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from bot import linear_re
from bot.safety import detector
from bot.settings import PROJECT_ROOT
from tests.support import adversarial

pytestmark = pytest.mark.timeout(300)


def _patterns_in(value: Any, seen: set[int]) -> Iterator[Any]:
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, (linear_re.Pattern, re.Pattern)):
        yield value
    elif isinstance(value, (tuple, list, frozenset, set)):
        for item in value:
            yield from _patterns_in(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _patterns_in(item, seen)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _patterns_in(getattr(value, field.name), seen)


def safety_patterns() -> list[Any]:
    """Every compiled pattern the safety net's modules hold, its lexicon's included."""
    seen: set[int] = set()
    found: list[Any] = []
    for value in [*vars(detector).values(), detector.lexicon()]:
        found.extend(_patterns_in(value, seen))
    return found


def test_the_safety_net_holds_hundreds_of_patterns_all_on_re2() -> None:
    patterns = safety_patterns()
    assert len(patterns) > 250
    backtracking = [p.pattern[:60] for p in patterns if not isinstance(p, linear_re.Pattern)]
    assert not backtracking
    for pattern in patterns:
        assert type(pattern._re2).__module__ == "re2"


def test_no_safety_module_imports_pythons_backtracking_engine() -> None:
    for path in sorted((PROJECT_ROOT / "bot" / "safety").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not {"re", "regex", "sre_compile"} & set(names), path.name


def test_the_jam_from_issue_14_is_checked() -> None:
    # 25 s on the backtracking engine at 24 words, doubling with each word.
    for words in (24, 30, 300):
        result = detector.assess("he " + "now " * words + "x")
        assert result.checked
        assert not result.at_risk


def test_adversarial_messages_for_every_pattern_are_checked() -> None:
    messages = [
        message
        for pattern in safety_patterns()
        for message in adversarial.for_pattern(pattern, adversarial.SMS_LONGEST, each_word=False)
    ]
    messages += list(adversarial.known_jams(adversarial.SMS_LONGEST))
    messages += list(adversarial.known_jams(adversarial.CHECK_LONGEST))
    assert len(messages) > 500
    for message in messages:
        assert isinstance(detector.assess(message), detector.RiskAssessment)


def test_a_risk_stated_at_the_end_of_a_long_run_on_message_is_found() -> None:
    filler = "can i get help with council tax and the bursary and my pathway plan "
    message = filler * 22 + "i want to die"
    assert len(message) > adversarial.SMS_LONGEST - 100
    assert detector.assess(message).at_risk


def test_a_check_that_cannot_finish_counts_as_possible_risk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With no room for a single dropped match, a message whose first match fails its
    # lookahead ("end it" followed by "with") cannot be checked.
    monkeypatch.setattr(linear_re, "MAX_RETRIES", 0)
    result = detector.assess("im going to end it with him tonight")
    assert result == detector.UNCHECKED
    assert not result.checked
    assert result.mentions_risk
    assert "ctx.unchecked" in result.rules


def _project_messages(limit: int) -> list[str]:
    texts: list[str] = []
    for folder in ("tests/dev_set", "tests/evaluation", "data/nlu"):
        for path in sorted((PROJECT_ROOT / folder).glob("**/*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for item in data.get("messages", []):
                texts.append(str(item.get("text", "")))
            for item in data.get("nlu", []):
                for line in str(item.get("examples", "")).splitlines():
                    texts.append(line.lstrip("- ").strip())
    return [t for t in dict.fromkeys(texts) if t][:limit]


def test_lookarounds_match_as_pythons_engine_would_on_every_project_message() -> None:
    # The one way this engine differs from Python's (a failed lookaround after a part of
    # varying length) must not change what any safety pattern finds in real messages.
    # Python's engine is safe here: these are the project's own ordinary messages.
    masked = [detector._mask_figures(detector.normalise(t))[0] for t in _project_messages(2500)]
    assert len(masked) > 1000
    differing: list[str] = []
    for pattern in safety_patterns():
        if not pattern._assertions:
            continue
        python = re.compile(pattern.pattern)
        for text in masked:
            if [m.span() for m in pattern.finditer(text)] != [
                m.span() for m in python.finditer(text)
            ]:
                differing.append(f"{pattern.pattern[:80]} on {text[:60]!r}")
                break
    assert not differing, differing[:5]
