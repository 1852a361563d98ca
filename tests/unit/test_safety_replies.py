"""The safety net's own words (bot/safety/data/replies.yml): complete, sourced, plain."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml

from bot.safety import replies
from bot.safety.categories import CATEGORIES

# Every number a reply may give, each from reference/entitlements-facts.md.
SOURCED_NUMBERS = {"999", "111", "116 123", "85258", "0800 1111", "0808 2000 247"}
NUMBER = re.compile(r"\d[\d ]*\d|\d")


def all_sent_texts() -> list[str]:
    said = replies.load()
    texts = [said.check_in, *said.told.values()]
    for category in (*CATEGORIES, "unspecified"):
        for over_19 in (False, True):
            texts.append(said.for_crisis((category,), over_19=over_19))
    return texts


def test_every_kind_of_risk_has_its_own_reply() -> None:
    said = replies.load()
    texts = {said.for_crisis((c,)) for c in CATEGORIES}
    assert len(texts) == len(CATEGORIES)
    assert said.for_crisis(()) == said.for_crisis(("no such kind",))


def test_every_reply_gives_only_sourced_numbers() -> None:
    for text in all_sent_texts():
        for number in NUMBER.findall(text):
            assert number.strip() in SOURCED_NUMBERS | {"18", "20", "16", "17", "19"}, text


def test_every_crisis_reply_gives_999_and_most_give_a_listening_line() -> None:
    said = replies.load()
    for category in (*CATEGORIES, "unspecified"):
        text = said.for_crisis((category,))
        assert "999" in text, category
    for category in ("suicide", "self_harm", "unspecified"):
        text = said.for_crisis((category,))
        assert "116 123" in text and "85258" in text and "111" in text, category


def test_the_overdose_reply_says_not_to_wait_for_symptoms() -> None:
    text = replies.load().for_crisis(("overdose",))
    assert "999 now" in text
    assert "Do not wait" in text


def test_the_hurt_or_threatened_reply_gives_the_domestic_abuse_helpline() -> None:
    assert "0808 2000 247" in replies.load().for_crisis(("harmed_or_threatened",))


def test_childline_is_for_under_19s_only() -> None:
    said = replies.load()
    assert "Childline" in said.for_crisis(("suicide",), over_19=False)
    assert "Childline" not in said.for_crisis(("suicide",), over_19=True)
    today = dt.date(2026, 12, 5)
    assert not replies.is_19_or_over(None, today)
    assert not replies.is_19_or_over(dt.date(2007, 12, 6), today)
    assert replies.is_19_or_over(dt.date(2007, 12, 5), today)


def test_nowhere_to_sleep_gives_the_councils_number_in_and_out_of_hours() -> None:
    said = replies.load()
    in_hours = replies.housing_contact("+447700900500", "+447700900600", in_office_hours=True)
    after = replies.housing_contact("+447700900500", "+447700900600", in_office_hours=False)
    assert in_hours is not None and "+447700900500" in in_hours
    assert after is not None and "+447700900600" in after
    text = said.for_crisis(("nowhere_safe_tonight",), housing_contact=after)
    assert "+447700900600" in text
    assert "18 to 20" in text
    unset = said.for_crisis(("nowhere_safe_tonight",), housing_contact=None)
    assert "housing team" in unset


def test_the_check_in_asks_plainly_and_gives_999_and_samaritans() -> None:
    text = replies.load().check_in
    assert "ending your life" in text
    assert "999" in text and "116 123" in text


def test_replies_are_short_sentences() -> None:
    for text in all_sent_texts():
        for sentence in re.split(r"(?<=[.?!])\s+", text):
            assert len(sentence.split()) <= 20, sentence


def test_a_missing_reply_names_the_file_and_the_entry(tmp_path) -> None:
    data = yaml.safe_load(replies.REPLIES_FILE.read_text(encoding="utf-8"))
    del data["crisis"]["overdose"]
    path = tmp_path / "replies.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(replies.RepliesError) as raised:
        replies.load.__wrapped__(path)
    assert str(path) in str(raised.value)
    assert "overdose" in str(raised.value)


def test_an_unknown_kind_of_risk_is_refused(tmp_path) -> None:
    data = yaml.safe_load(replies.REPLIES_FILE.read_text(encoding="utf-8"))
    data["crisis"]["overdoes"] = "a typo"
    with pytest.raises(replies.RepliesError, match="overdoes"):
        replies.parse(data, "replies.yml")


def test_a_crisis_reply_is_recognised_whatever_contact_it_gives() -> None:
    said = replies.load()
    with_number = said.for_crisis(
        ("nowhere_safe_tonight",),
        housing_contact=replies.housing_contact(None, "+447700900600", in_office_hours=False),
    )
    assert said.is_crisis_reply(with_number)
    assert said.is_crisis_reply(said.for_crisis(("nowhere_safe_tonight",)))
    assert said.is_crisis_reply(said.for_crisis(("overdose",), over_19=True))
    assert said.is_own(said.check_in) and not said.is_crisis_reply(said.check_in)
    assert not said.is_own("Staying put: you can stay with your foster carers after 18.")


def test_every_entry_that_follows_a_crisis_reply_exists_and_no_risk_to_life_has_one() -> None:
    from bot.safety.categories import ANSWERED_BY_ENTRY
    from bot.settings import PROJECT_ROOT
    from entitlements.loader import load_content, load_topics

    topics = load_topics(PROJECT_ROOT / "entitlements" / "topics.yaml")
    content = load_content(PROJECT_ROOT / "entitlements" / "content", topics)
    ids = {entry.id for entry in content.entries}
    assert set(ANSWERED_BY_ENTRY) <= set(CATEGORIES)
    assert set(ANSWERED_BY_ENTRY.values()) <= ids
    assert set(ANSWERED_BY_ENTRY) == {"nowhere_safe_tonight"}


def test_several_kinds_get_the_most_urgent_kinds_reply_whatever_their_order() -> None:
    said = replies.load()
    suicide = said.for_crisis(("suicide",))
    assert said.for_crisis(("nowhere_safe_tonight", "suicide")) == suicide
    assert said.for_crisis(("criminal_exploitation", "overdose")) == said.for_crisis(("overdose",))
    assert said.for_crisis(("not_a_kind", "self_harm")) == said.for_crisis(("self_harm",))
