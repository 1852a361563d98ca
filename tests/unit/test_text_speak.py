"""The text-speak table the search and the safety net share (entitlements/data/text_speak.yml):
each reader's view, and a mistake in the file named by file, entry and problem."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from entitlements import normalise, text_speak


def _table(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "text_speak.yml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
both:
  you: [u, ya]
search:
  do not: [dnt]
safety:
  dont: [dnt]
"""


def test_each_reader_sees_the_shared_section_and_its_own(tmp_path: Path) -> None:
    table = _table(tmp_path, GOOD)
    assert text_speak.for_search(table) == {"u": "you", "ya": "you", "dnt": "do not"}
    assert text_speak.for_safety(table) == {"u": "you", "ya": "you", "dnt": "dont"}


def test_the_search_spells_out_from_the_shared_table() -> None:
    assert normalise.expand("wat r u up 2 2nite") == "what are you up to tonight"
    assert text_speak.for_search()["2nite"] == text_speak.for_safety()["2nite"] == "tonight"


def test_no_spelling_is_in_two_sections_a_reader_sees() -> None:
    data = yaml.safe_load(text_speak.TABLE.read_text(encoding="utf-8"))
    shared = {s for spellings in data["both"].values() for s in spellings}
    for reader in text_speak.READERS:
        own = {s for spellings in data[reader].values() for s in spellings}
        assert not shared & own, reader


@pytest.mark.parametrize(
    ("text", "entry", "problem"),
    [
        ("- u\n", "", "must be a mapping of sections"),
        (GOOD + "extra:\n  x: [y]\n", "", "unknown section(s) extra"),
        (GOOD.replace("search:\n  do not: [dnt]\n", ""), "search", "must be a mapping"),
        (GOOD.replace("[u, ya]", "[u, u]"), "both 'you'", "'u' is already spelled out as 'you'"),
        (GOOD.replace("[u, ya]", "[u, Ya]"), "both 'you'", "'Ya' must be one word"),
        (GOOD.replace("[u, ya]", "[u, you]"), "both 'you'", "spelled out as itself"),
        (GOOD.replace("[u, ya]", "[]"), "both 'you'", "non-empty list"),
        (GOOD.replace("dont: [dnt]", "your: [u]"), "safety 'your'", "in both"),
        ("both: [unclosed\n", "", "is not valid YAML"),
    ],
)
def test_a_mistake_names_the_file_the_entry_and_the_problem(
    tmp_path: Path, text: str, entry: str, problem: str
) -> None:
    table = _table(tmp_path, text)
    with pytest.raises(text_speak.TextSpeakError) as caught:
        text_speak.load(table)
    assert caught.value.file == str(table)
    assert caught.value.entry == entry
    assert problem in caught.value.problem


def test_a_missing_table_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(text_speak.TextSpeakError, match="cannot be read"):
        text_speak.load(tmp_path / "missing.yml")


def test_the_table_is_not_read_when_the_search_is_imported() -> None:
    import subprocess
    import sys

    code = (
        "import entitlements.normalise, entitlements.text_speak as t; "
        "print(t.load.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
