"""The content files: the real set is valid, and every kind of mistake is reported well."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.settings import PROJECT_ROOT
from entitlements.loader import ContentError, ContentSet, load_content
from entitlements.validation import FIRST_REPLY_MAX, SUMMARY_MAX

CONTENT = PROJECT_ROOT / "entitlements" / "content"
TODAY = dt.date(2026, 12, 7)
SHARED_TOPICS = PROJECT_ROOT.parent / "shared" / "entitlements" / "topics.yaml"


def test_every_topic_has_one_entry_with_its_exact_title(content: ContentSet, topics):
    by_id = content.by_id()
    assert set(topics) <= set(by_id)
    # Every other entry is the council's own (local); a national entry must be a topic.
    assert {e.id for e in content.entries if e.id not in topics} == {
        e.id for e in content.entries if e.scope == "local" and e.id not in topics
    }
    for topic_id, title in topics.items():
        assert by_id[topic_id].title == title


@pytest.mark.skipif(not SHARED_TOPICS.exists(), reason="shared reference folder not present")
def test_topics_file_covers_the_design_briefs_list():
    # The design brief's list is what the knowledge base must cover, with the same titles;
    # topics added since (issue 16: what care leavers ask about that had no entry) extend it.
    ours = yaml.safe_load((PROJECT_ROOT / "entitlements" / "topics.yaml").read_text())
    shared = yaml.safe_load(SHARED_TOPICS.read_text())
    assert {k: ours.get(k) for k in shared} == shared


def test_summaries_fit_the_first_reply(content: ContentSet):
    for entry in content.entries:
        assert len(entry.summary) <= SUMMARY_MAX, entry.id
        assert len(f"{entry.title}: {entry.summary}") <= FIRST_REPLY_MAX, entry.id


def test_no_content_says_unconfirmed(content: ContentSet):
    for entry in content.entries:
        shown = " ".join([entry.summary, entry.details, entry.how_to_get, entry.legal_basis])
        assert "unconfirmed" not in shown.lower(), entry.id


def test_every_amount_in_the_text_has_a_source_and_date(content: ContentSet):
    for entry in content.entries:
        written = re.findall(
            r"£([\d,]+(?:\.\d\d)?)", " ".join([entry.summary, entry.details, entry.how_to_get])
        )
        known = {str(a.amount) for a in entry.amounts}
        for amount in written:
            assert amount.replace(",", "") in known, (entry.id, amount)
        for a in entry.amounts:
            assert a.source.startswith(("http://", "https://"))
            assert a.applies_from <= TODAY + dt.timedelta(days=366)


def test_setting_up_home_allowance_states_the_3000_minimum(content: ContentSet):
    entry = content.by_id()["setting-up-home-allowance"]
    assert "£3,000" in entry.summary
    three_k = [a for a in entry.amounts if a.amount == 3000]
    assert three_k and three_k[0].applies_from == dt.date(2023, 4, 1)


def test_reading_age_of_summaries_is_about_eleven(content: ContentSet):
    from entitlements.readability import reading_age

    ages = {e.id: reading_age(e.summary) for e in content.entries}
    assert max(ages.values()) <= 12.5, ages
    assert sum(ages.values()) / len(ages) <= 11.0


NEXT_STEP = re.compile(
    r"(?:^|[,:;] (?:so |then |and )?|\band |\bthen )"
    r"(?:ask|tell|talk|call|text|contact|look|check|apply|search|register|sign up|go|get|"
    r"speak|use|find|email|write|keep)\b",
    re.IGNORECASE,
)
"""A sentence that tells the young person what to do: an instruction, at its start or after a
comma ("If you are 16, ask your PA")."""

JARGON = {
    "Ombudsman": re.compile(r"independent", re.IGNORECASE),
    "special guardianship order": re.compile(r"court", re.IGNORECASE),
}
"""Words that must be explained, in plain words, in the sentence where a text first uses them."""

SECTION_NUMBER = re.compile(r"\bsection \d", re.IGNORECASE)


def test_every_sentence_is_twenty_words_or_fewer(content: ContentSet):
    from entitlements.loader import shown_texts
    from entitlements.readability import long_sentences

    too_long = [
        (entry.id, field, sentence)
        for entry in content.entries
        for field, text in shown_texts(entry).items()
        for sentence in long_sentences(text)
    ]
    assert too_long == []


def test_every_summary_ends_in_a_next_step(content: ContentSet):
    from entitlements.readability import sentences

    without = [
        (entry.id, sentences(entry.summary)[-1])
        for entry in content.entries
        if not NEXT_STEP.search(sentences(entry.summary)[-1])
    ]
    assert without == []


def test_jargon_is_explained_where_it_is_used(content: ContentSet):
    from entitlements.readability import sentences

    unexplained = []
    for entry in content.entries:
        for field in ("summary", "details", "how_to_get"):
            text = getattr(entry, field)
            for term, explanation in JARGON.items():
                first = next((s for s in sentences(text) if term.lower() in s.lower()), None)
                if first is not None and not explanation.search(first):
                    unexplained.append((entry.id, field, term, first))
            if SECTION_NUMBER.search(text):
                unexplained.append((entry.id, field, "section number", text))
    assert unexplained == []


def test_sentences_are_split_where_a_reader_would_stop():
    from entitlements.readability import sentences, word_count

    assert sentences("Ask your PA. Call 0300 061 0614, 9am to 5pm. It is free!") == [
        "Ask your PA.",
        "Call 0300 061 0614, 9am to 5pm.",
        "It is free!",
    ]
    assert sentences("Use sharefound.org: it is free. £200 was paid.") == [
        "Use sharefound.org: it is free.",
        "£200 was paid.",
    ]
    assert word_count("Section 23C(5A) - the law (2008).") == 5


def test_validate_warns_about_a_long_sentence(content_copy, topics):
    long = (
        "This sentence has far too many words in it for a young person to read it easily"
        " on a small phone screen at a bus stop."
    )
    _edit(content_copy, "staying-put", lambda d: d.__setitem__("details", long))
    loaded = load_content(content_copy, topics, today=TODAY)
    assert any(
        w.startswith("national/staying-put.yaml: details: a sentence is over 20 words")
        for w in loaded.warnings
    ), loaded.warnings


# --- mistakes ------------------------------------------------------------------------------


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def _edit(folder: Path, entry_id: str, change: Callable[[dict], None]) -> None:
    path = folder / "national" / f"{entry_id}.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def _problems(folder: Path, topics) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(folder, topics, today=TODAY)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d.pop("sources"), "sources", "is missing"),
        (lambda d: d.__setitem__("sumary", d.pop("summary")), "sumary", "did you mean 'summary'"),
        (lambda d: d.__setitem__("summary", "Words. " * 60), "summary", "the most allowed is 300"),
        (lambda d: d.__setitem__("title", "Staying-put"), "title", "must be exactly 'Staying put'"),
        (lambda d: d.__setitem__("id", "staying-puts"), "id", "file is named staying-put.yaml"),
        (lambda d: d.__setitem__("details", "You get £999 a week."), "details", "£999"),
        (lambda d: d.__setitem__("review_due", "soon"), "review_due", "YYYY-MM-DD"),
        (
            lambda d: d.__setitem__("review_due", dt.date(2020, 1, 1)),
            "review_due",
            "must be after last_reviewed",
        ),
        (
            lambda d: d.__setitem__("last_reviewed", dt.date(2030, 1, 1)),
            "last_reviewed",
            "is in the future",
        ),
        (
            lambda d: d["eligibility"]["rules"][0].__setitem__("statuses", ["in_care"]),
            "eligibility.rules[1].statuses",
            "unknown status 'in_care'",
        ),
        (
            lambda d: d["eligibility"]["rules"][0].__setitem__("below_age", 10),
            "eligibility.rules[1].below_age",
            "must be more than min_age",
        ),
        (
            lambda d: d.__setitem__("sources", ["www.gov.uk/staying-put"]),
            "sources[1]",
            "http(s):// address",
        ),
        (lambda d: d.__setitem__("examples", ["staying put?"]), "examples", "at least 8"),
        (
            lambda d: d.__setitem__("summary", "This is UNCONFIRMED but true."),
            "summary",
            "UNCONFIRMED",
        ),
        (lambda d: d.__setitem__("how_to_get", "Ask {name}."), "how_to_get", "{ or }"),
        (lambda d: d.__setitem__("varies_locally", "yes"), "varies_locally", "varies: true"),
    ],
)
def test_a_mistake_names_file_field_and_problem(content_copy, topics, change, field, words):
    _edit(content_copy, "staying-put", change)
    problems = _problems(content_copy, topics)
    expected_prefix = f"national/staying-put.yaml: {field}:"
    assert any(p.startswith(expected_prefix) and words in p for p in problems), problems


def test_an_amount_without_a_source_is_refused(content_copy, topics):
    def change(d):
        d["amounts"][0]["source"] = "the internet"

    _edit(content_copy, "setting-up-home-allowance", change)
    problems = _problems(content_copy, topics)
    assert any("setting-up-home-allowance.yaml: amounts[1].source:" in p for p in problems)


def test_yaml_syntax_error_gives_the_line(content_copy, topics):
    path = content_copy / "national" / "junior-isa.yaml"
    path.write_text(path.read_text() + "\nsummary: [unclosed\n")
    problems = _problems(content_copy, topics)
    assert any(
        p.startswith("national/junior-isa.yaml: line ") and "not valid YAML" in p for p in problems
    ), problems


def test_a_missing_topic_is_reported(content_copy, topics):
    (content_copy / "national" / "junior-isa.yaml").unlink()
    problems = _problems(content_copy, topics)
    assert (
        "national/junior-isa.yaml: (file): is missing: every topic in topics.yaml needs an "
        "entry" in problems
    )


def test_the_same_example_in_two_entries_is_refused(content_copy, topics):
    _edit(
        content_copy, "staying-put", lambda d: d["examples"].append("how do i get council tax off")
    )
    _edit(
        content_copy,
        "council-tax-exemption",
        lambda d: d["examples"].append("How do I get council tax off"),
    )
    problems = _problems(content_copy, topics)
    assert any("also an example or synonym of" in p for p in problems), problems


def test_all_problems_in_all_files_are_reported_at_once(content_copy, topics):
    _edit(content_copy, "staying-put", lambda d: d.pop("legal_basis"))
    _edit(content_copy, "junior-isa", lambda d: d.pop("how_to_get"))
    problems = _problems(content_copy, topics)
    assert any(p.startswith("national/staying-put.yaml: legal_basis") for p in problems)
    assert any(p.startswith("national/junior-isa.yaml: how_to_get") for p in problems)


def test_a_file_that_is_not_a_mapping_is_reported(content_copy, topics):
    (content_copy / "national" / "junior-isa.yaml").write_text("- just\n- a list\n")
    problems = _problems(content_copy, topics)
    assert (
        "national/junior-isa.yaml: (file): must be a mapping of field: value, got a list"
        in problems
    )


def test_a_local_entry_replaces_the_national_one(content_copy, topics):
    national = content_copy / "national" / "council-tax-exemption.yaml"
    local = content_copy / "local" / "council-tax-exemption.yaml"
    data = yaml.safe_load(national.read_text())
    data["summary"] = "Our council lets care leavers off council tax until 25. Ask your PA."
    local.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    content = load_content(content_copy, topics, today=TODAY)
    entry = content.by_id()["council-tax-exemption"]
    assert entry.scope == "local"
    assert entry.summary.startswith("Our council")


def test_a_new_local_entry_needs_no_topic(content_copy, topics):
    data = yaml.safe_load((content_copy / "national" / "junior-isa.yaml").read_text())
    data["id"] = "free-gym-pass"
    data["title"] = "Free gym pass"
    data["examples"] = [f"can i get a free gym pass {n}" for n in range(8)]
    data["synonyms"] = ["gym card", "leisure centre", "pool pass"]
    (content_copy / "local" / "free-gym-pass.yaml").write_text(
        yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    )
    content = load_content(content_copy, topics, today=TODAY)
    assert content.by_id()["free-gym-pass"].scope == "local"
