"""The safety net's lexicon (bot/safety/data/lexicon/): every example does what it says, and
a mistake in a file is an error that names the file, the entry and the problem."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.safety import detector
from bot.safety.lexicon import LEXICON_DIR, load
from bot.safety.lexicon_examples import check_examples
from bot.safety.lexicon_model import Example, LexiconError
from bot.settings import PROJECT_ROOT
from entitlements import text_speak


def _examples() -> list[Example]:
    return list(load().examples)


def _id(example: Example) -> str:
    return f"{Path(example.file).name}: {example.entry}"


@pytest.mark.parametrize("example", _examples(), ids=_id)
def test_every_example_does_what_it_says(example: Example) -> None:
    # A rule's example fires it, a figure's is masked as it, a list's or a context
    # pattern's is found in the example message (see bot.safety.lexicon.check_examples).
    one = dataclasses.replace(detector.lexicon(), examples=(example,))
    check_examples(
        one,
        normalise=detector._normalise,
        mask=detector._mask,
        rules=lambda lex, text: detector._assess(lex, text).rules,
    )


def test_every_rule_and_figure_has_an_example() -> None:
    lexicon = detector.lexicon()
    named = {e.name for e in lexicon.examples if e.kind in ("rule", "figure")}
    assert named == set(lexicon.rule_names)
    assert len(named) > 150


def test_no_example_comes_from_the_dev_or_held_out_sets() -> None:
    held_apart: set[str] = set()
    for folder in ("tests/dev_set", "tests/evaluation"):
        for path in (PROJECT_ROOT / folder).glob("**/*.yml"):
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            held_apart |= {str(item.get("text", "")) for item in data.get("messages", [])}
    assert held_apart
    assert not [e.text for e in _examples() if e.text in held_apart]


def test_the_lexicon_is_not_loaded_when_the_detector_is_imported() -> None:
    code = (
        "import bot.safety.detector as d, bot.safety.screen, bot.safety.semantic; "
        "assert d.lexicon.cache_info().currsize == 0"
    )
    subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, check=True)


# ---------------------------------------------------------------------------
# Mistakes in the files
# ---------------------------------------------------------------------------


@pytest.fixture
def lexicon_copy(tmp_path: Path) -> Path:
    shutil.copytree(LEXICON_DIR, tmp_path / "lexicon")
    return tmp_path / "lexicon"


def _edit(folder: Path, name: str, change: Callable[[Any], None]) -> None:
    path = folder / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _rule(data: Any, name: str) -> dict[str, Any]:
    return next(rule for rule in data["rules"] if rule["name"] == name)


def _error(folder: Path) -> LexiconError:
    with pytest.raises(LexiconError) as caught:
        detector.check_lexicon(folder)
    return caught.value


def test_the_copy_used_below_loads(lexicon_copy: Path) -> None:
    assert detector.check_lexicon(lexicon_copy).rule_names == detector.lexicon().rule_names


def test_an_unknown_name_is_an_error(lexicon_copy: Path) -> None:
    def change(data: Any) -> None:
        _rule(data, "intent")["pattern"] = "{INTENTS} to {DEATH}"

    _edit(lexicon_copy, "rules/suicide.yml", change)
    error = _error(lexicon_copy)
    assert error.file == str(lexicon_copy / "rules" / "suicide.yml")
    assert error.entry == "rule 'intent'"
    assert "unknown {INTENTS}" in error.problem
    assert str(error).startswith(f"{error.file}, rule 'intent': ")


def test_a_pattern_that_does_not_compile_is_an_error(lexicon_copy: Path) -> None:
    def change(data: Any) -> None:
        data["figures"][0]["pattern"] = "dying (?:to|for [a-z]+"

    _edit(lexicon_copy, "figures.yml", change)
    error = _error(lexicon_copy)
    assert error.file.endswith("figures.yml")
    assert error.entry == "figure 'dying_to'"
    assert "does not compile" in error.problem


def test_a_pattern_that_cannot_run_in_linear_time_is_an_error(lexicon_copy: Path) -> None:
    def change(data: Any) -> None:
        data["words"]["ANYMORE"] = {**data["words"]["ANYMORE"], "words": ["(any)more \\1"]}

    _edit(lexicon_copy, "words.yml", change)
    error = _error(lexicon_copy)
    assert error.entry == "words 'ANYMORE'"
    assert "does not compile" in error.problem


def test_a_missing_example_is_an_error(lexicon_copy: Path) -> None:
    _edit(lexicon_copy, "rules/overdose.yml", lambda data: _rule(data, "poison").pop("example"))
    error = _error(lexicon_copy)
    assert error.file.endswith("overdose.yml")
    assert error.entry == "rule 'poison'"
    assert error.problem == "'example' must be a non-empty text"


def test_an_example_that_does_not_fire_its_rule_is_an_error(lexicon_copy: Path) -> None:
    def change(data: Any) -> None:
        _rule(data, "poison")["example"] = "how do i pay my council tax"

    _edit(lexicon_copy, "rules/overdose.yml", change)
    error = _error(lexicon_copy)
    assert error.file.endswith("overdose.yml")
    assert error.entry == "rule 'poison'"
    assert "does not fire the rule" in error.problem


def test_an_example_that_is_not_masked_is_an_error(lexicon_copy: Path) -> None:
    def change(data: Any) -> None:
        data["figures"][0]["example"] = "i want to die"

    _edit(lexicon_copy, "figures.yml", change)
    error = _error(lexicon_copy)
    assert error.entry == "figure 'dying_to'"
    assert "not masked" in error.problem


def test_an_example_without_its_words_is_an_error(lexicon_copy: Path) -> None:
    def change(data: Any) -> None:
        data["word_sets"]["negators"]["example"] = "i want to die"

    _edit(lexicon_copy, "context.yml", change)
    error = _error(lexicon_copy)
    assert error.entry == "word_sets 'negators'"
    assert "none of the words" in error.problem


def test_an_unknown_category_is_an_error(lexicon_copy: Path) -> None:
    _edit(lexicon_copy, "rules/nowhere.yml", lambda d: _rule(d, "rough").update(category="housing"))
    error = _error(lexicon_copy)
    assert error.entry == "rule 'rough'"
    assert error.problem.startswith("unknown category 'housing': must be one of suicide, ")


def test_an_unknown_who_is_an_error(lexicon_copy: Path) -> None:
    _edit(lexicon_copy, "rules/suicide.yml", lambda d: _rule(d, "going_die").update(who="me"))
    error = _error(lexicon_copy)
    assert error.entry == "rule 'going_die'"
    assert error.problem.startswith("unknown who 'me': must be one of self_or_none, ")


def test_a_misspelt_key_is_an_error(lexicon_copy: Path) -> None:
    _edit(lexicon_copy, "rules/suicide.yml", lambda d: _rule(d, "goodbye").update(negateable=False))
    error = _error(lexicon_copy)
    assert (error.entry, error.problem) == ("rule 'goodbye'", "unknown key(s): negateable")


def test_a_key_given_twice_is_an_error(lexicon_copy: Path) -> None:
    path = lexicon_copy / "words.yml"
    path.write_text(path.read_text(encoding="utf-8") + "  G1:\n    category: general\n")
    error = _error(lexicon_copy)
    assert error.file.endswith("words.yml")
    assert "'G1' is given twice" in error.problem


def test_a_word_listed_twice_is_an_error(lexicon_copy: Path) -> None:
    def change(data: Any) -> None:
        words = data["words"]["HARM_VERB"]["words"]
        words.append(words[0])

    _edit(lexicon_copy, "words.yml", change)
    error = _error(lexicon_copy)
    assert error.entry == "words 'HARM_VERB'"
    assert error.problem == "'words': 'hit' is listed twice"


def test_a_space_at_a_line_break_of_a_pattern_is_an_error(lexicon_copy: Path) -> None:
    def change(data: Any) -> None:
        _rule(data, "want_die")["pattern"] = "(?:want|need) \nto die\n"
        del _rule(data, "want_die")["any_of"]

    _edit(lexicon_copy, "rules/suicide.yml", change)
    error = _error(lexicon_copy)
    assert error.entry == "rule 'want_die'"
    assert "must not start or end with a space" in error.problem


def test_a_list_nothing_uses_is_an_error(lexicon_copy: Path) -> None:
    def change(data: Any) -> None:
        data["words"]["SPARE"] = {
            "category": "general",
            "description": "Not used.",
            "example": "spare",
            "words": ["spare"],
        }

    _edit(lexicon_copy, "words.yml", change)
    error = _error(lexicon_copy)
    assert (error.entry, error.problem[:15]) == ("words 'SPARE'", "is not used by ")


def test_two_rules_with_one_name_are_an_error(lexicon_copy: Path) -> None:
    def change(data: Any) -> None:
        data["rules"].append(dict(_rule(data, "letters")))

    _edit(lexicon_copy, "rules/suicide_indirect.yml", change)
    error = _error(lexicon_copy)
    assert error.file.endswith("suicide_indirect.yml")
    assert error.entry == "rule 'suicide.letters'"
    assert "same name as a rule in" in error.problem


def test_a_mistake_in_the_shared_text_speak_table_names_that_file(tmp_path: Path) -> None:
    table = tmp_path / "text_speak.yml"
    data = yaml.safe_load(text_speak.TABLE.read_text(encoding="utf-8"))
    data["safety"].setdefault("you", []).append("u")  # "u" is in both already
    table.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(LexiconError) as caught:
        load(LEXICON_DIR, text_speak_table=table)
    assert caught.value.file == str(table)
    assert caught.value.entry == "safety 'you'"
    assert caught.value.problem == "'u' is already spelled out as 'you' in both"


def test_the_safety_net_reads_the_shared_table_and_its_own_section() -> None:
    spellings = detector.lexicon().normalisation.spellings
    table = text_speak.load()
    assert spellings == table["safety"]
    assert spellings["2nite"] == "tonight"  # shared with the search
    assert spellings["dnt"] == "dont"  # its own: the rules read "dont" as one word
    assert table["search"]["dnt"] == "do not"


def test_a_missing_context_pattern_is_an_error(lexicon_copy: Path) -> None:
    _edit(lexicon_copy, "context.yml", lambda data: data["patterns"].pop("news"))
    error = _error(lexicon_copy)
    assert (error.entry, error.problem) == ("patterns", "missing: news")


def test_an_unknown_rules_file_is_an_error(lexicon_copy: Path) -> None:
    shutil.copy(lexicon_copy / "rules" / "suicide.yml", lexicon_copy / "rules" / "gambling.yml")
    error = _error(lexicon_copy)
    assert error.file.endswith("gambling.yml")
    assert "not a file of a known family" in error.problem
