"""Every pattern that reads user text runs in linear time, and gives the answers it gave.

Two kinds of check:

* no module in :data:`USER_TEXT_MODULES` imports Python's backtracking ``re`` (or
  ``regex``): an AST scan, so a new ``import re`` there fails here;
* each converted pattern, or the plain loop that replaced it, is fed adversarial text
  up to 70,000 characters (long runs of each character class it reads, its own words
  and alternatives repeated) and must give the right answer. Not a timing test: the
  test's own timeout is the only clock. Where the old pattern is cheap to run, short
  random texts are also compared with it (Python's ``re`` is fine here: this is a test).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import linear_re
from bot.cases.categories import Category, categorise, normalise
from bot.channels import pack
from bot.channels.payloads import NO_WORDS, OfferedPayloads, neutralise
from bot.channels.sms import formatting
from bot.channels.sms.keywords import Keyword, is_got_it, keyword
from bot.channels.web import sessions
from bot.channels.web.requests import content_security_policy
from bot.console.content_form import anchor
from bot.people.import_checks import parse_date, parse_email
from entitlements import normalise as search_words
from entitlements.embedding import WordPieceTokenizer
from entitlements.loader import council_contacts

ROOT = Path(__file__).resolve().parents[2]
LONGEST = 70_000

USER_TEXT_MODULES: dict[str, str] = {
    "bot/cases/categories.py": "a young person's pathway-plan query, to categorise it",
    "bot/channels/payloads.py": "every chat, SMS and REST message, before Rasa sees it",
    "bot/channels/sms/keywords.py": "every SMS: STOP, START, HELP and GOT IT",
    "bot/channels/sms/formatting.py": "SMS replies ('option 2') and staff messages split for SMS",
    "bot/channels/web/sessions.py": "the web chat's session token, from the browser",
    "bot/channels/web/conversation.py": "web chat frames (message ids)",
    "bot/channels/web/requests.py": "the Host header, for the page's security policy",
    "bot/channels/pack.py": "pack links' paths (tokens) in the access log",
    "bot/packs/service.py": "the token from a pack link",
    "bot/content_files.py": "the file names inside an uploaded content zip",
    "bot/console/areas/handoff_page.py": "the staff reply form's one-time key",
    "bot/console/areas/quality.py": "the week label in a quality-review URL",
    "bot/console/areas/reports.py": "the week label in a report URL",
    "bot/console/content_form.py": "field paths of the content editor's problems",
    "bot/people/importer.py": "staff and care-leaver CSV uploads (headers, dates, emails)",
    "bot/people/import_file.py": "staff and care-leaver CSV uploads: the header",
    "bot/people/import_checks.py": "staff and care-leaver CSV uploads: names, dates, emails",
    "bot/console/outbox.py": "staff messages to young people, checked for links and codes",
    "bot/safety/detector.py": "every message: the safety net's patterns",
    "bot/safety/lexicon.py": "every message: the safety net's phrase rules",
    "bot/safety/lexicon_entries.py": "every message: the safety net's phrase rules, compiled",
    "bot/safety/semantic.py": "every message: the safety net's semantic layer",
    "bot/safety/semantic_windows.py": "every message: cut into windows for the semantic layer",
    "entitlements/normalise.py": "every question, spelled out for the search",
    "entitlements/embedding.py": "every question, split into word pieces for the search",
    "entitlements/linear.py": "the search's and content checks' door to RE2",
    "bot/answering.py": "follow-up questions ('how do I get it'), to find what 'it' is",
    "bot/personal.py": "a young person's reply giving their age",
    "bot/people/sms_check.py": "the date of birth a young person texts to be checked",
    "bot/person_request/rules.py": "every message: whether it asks for a person",
    "bot/person_request/recogniser.py": "every message: whether it asks for a person",
}


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.timeout(60)
@pytest.mark.parametrize("module", sorted(USER_TEXT_MODULES))
def test_no_module_that_reads_user_text_imports_a_backtracking_engine(module: str) -> None:
    imported = _imported_modules(ROOT / module)
    assert not imported & {"re", "regex", "sre_compile", "sre_parse"}, (
        f"{module} reads {USER_TEXT_MODULES[module]}: use bot.linear_re (or "
        "entitlements.linear in entitlements/), not Python's re"
    )


@pytest.mark.timeout(60)
def test_the_scan_sees_every_way_of_importing_re(tmp_path: Path) -> None:
    for source in ("import re\n", "import re as r\n", "from re import sub\n", "import regex\n"):
        path = tmp_path / "m.py"
        path.write_text(source)
        assert _imported_modules(path) & {"re", "regex"}, source


@pytest.mark.timeout(60)
def test_the_search_words_depend_on_nothing_of_bot() -> None:
    for module in ("entitlements/linear.py", "entitlements/normalise.py"):
        assert "bot" not in _imported_modules(ROOT / module), module


def _fill(unit: str, length: int = LONGEST) -> str:
    return (unit * (length // len(unit) + 1))[:length]


def _repeat(unit: str) -> str:
    """``unit`` whole, as many times as fit in :data:`LONGEST`."""
    return unit * (LONGEST // len(unit))


# -- entitlements/normalise.py: every question -----------------------------------------

_OLD_DIGIT_COMMA = re.compile(r"(\d),(\d{3})\b")
_OLD_THOUSANDS = re.compile(r"\b(\d+)\s*(?:k|grand|thousand)\b")
_OLD_REPEATS = re.compile(r"([a-z])\1{2,}")
_OLD_TOKEN = re.compile(r"£?[a-z0-9]+(?:'[a-z]+)?")

_NUMBERS = st.text(
    alphabet=st.sampled_from(list("0123456789,, kgrandthous_aé\xa0\u2003\x0b\u0663ø.")),
    max_size=16,
)


@pytest.mark.timeout(300)
@settings(max_examples=600, deadline=None)
@given(_NUMBERS)
def test_the_number_and_letter_loops_do_what_the_old_patterns_did(text: str) -> None:
    assert search_words._join_digit_commas(text) == _OLD_DIGIT_COMMA.sub(r"\1\2", text)
    assert search_words._spell_thousands(text) == _OLD_THOUSANDS.sub(r"\g<1>000", text)
    assert search_words._squeeze_repeats(text) == _OLD_REPEATS.sub(r"\1\1", text)
    assert search_words.tokens(text) == [t.replace("'", "") for t in _OLD_TOKEN.findall(text)]


@pytest.mark.timeout(300)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1" * LONGEST, "1" * LONGEST),
        ("1" * (LONGEST - 1) + "k", "1" * (LONGEST - 1) + "000"),
        ("1" * (LONGEST - 2) + "kg", "1" * (LONGEST - 2) + "kg"),
        ("5" + " " * (LONGEST - 6) + "grand", "5000"),
        ("5" + " " * (LONGEST - 5) + "gran", "5" + " " * (LONGEST - 5) + "gran"),
        (_fill("1 "), _fill("1 ")),
        (_fill("1k "), _OLD_THOUSANDS.sub(r"\g<1>000", _fill("1k "))),
        (_fill("1,"), _fill("1,")),
        (_fill("1,000 "), _OLD_DIGIT_COMMA.sub(r"\1\2", _fill("1,000 "))),
        (
            "9" + ",000" * (LONGEST // 4),
            _OLD_DIGIT_COMMA.sub(r"\1\2", "9" + ",000" * (LONGEST // 4)),
        ),
        ("a" * LONGEST, "aa"),
        (_fill("aab"), _fill("aab")),
        (_fill("aaab"), _fill("aab", LONGEST // 4 * 3)),
        ("£" * LONGEST, "£" * LONGEST),
        ("_" * LONGEST, "_" * LONGEST),
    ],
    ids=lambda v: repr(v[:12]) if isinstance(v, str) else str(v),
)
def test_cleaning_a_question_is_right_on_adversarial_text(text: str, expected: str) -> None:
    assert search_words.clean(text) == expected


@pytest.mark.timeout(300)
def test_the_search_tokens_and_phrases_are_right_on_adversarial_text() -> None:
    assert search_words.tokens(_fill("don't ")) == ["dont"] * (LONGEST // 6) + ["don"]
    assert search_words.tokens("'" * LONGEST) == []
    assert search_words.tokens(_fill("£5'a")) == ["£5a"] * (LONGEST // 4)
    text = _repeat("my foster mum ")
    assert search_words.expand(text).split() == ["my", "foster", "carer"] * (LONGEST // 14)
    assert set(search_words.expand(_repeat("job centre ")).split()) == {"jobcentre"}
    assert set(search_words.expand(_repeat("a and e ")).split()) == {"hospital"}


@pytest.mark.timeout(300)
def test_a_lone_surrogate_is_read_as_before_not_a_crash() -> None:
    # A stray byte in a header, or "\\ud800" in JSON, reaches the code as a lone
    # surrogate; RE2 reads UTF-8, which cannot hold one.
    odd = "\ud800"
    assert search_words.tokens(f"don't{odd}5k") == ["dont", "5k"]
    assert search_words.expand(f"a{odd}b") == "a b"
    assert council_contacts(f"{odd}pa@example.org{odd}") == ["pa@example.org"]
    assert keyword(f"stop{odd}") is Keyword.STOP
    assert categorise(f"review{odd}") is Category.REVIEW_DATE
    assert neutralise(f"/{odd}/greet", OfferedPayloads(exact=frozenset())) == f"{odd}/greet"
    assert "ws://" not in content_security_policy(f"example.org{odd}")
    assert formatting.option_payload(f"1{odd}", {"1": "/one"}) is None
    assert parse_email(f"a{odd}@b.c") == (f"a{odd}@b.c", None)


@pytest.mark.timeout(300)
def test_word_pieces_split_as_before_on_adversarial_text() -> None:
    basic = WordPieceTokenizer._basic
    assert basic("a" * LONGEST) == ["a" * LONGEST]
    assert basic("_" * LONGEST) == ["_"] * LONGEST
    assert basic(_fill("ab_")) == ["ab", "_"] * (LONGEST // 3) + ["a"]
    # Each CJK character a word of its own, as the reference tokenizer splits them.
    assert basic(_fill("日本.")) == ["日", "本", "."] * (LONGEST // 3) + ["日"]
    assert basic("[" * LONGEST) == ["["] * LONGEST
    assert basic(_fill("[SEP]")) == ["[SEP]"] * (LONGEST // 5)


# -- bot/: messages, request fields, uploads -------------------------------------------


@pytest.mark.timeout(300)
def test_plan_queries_are_categorised_right_on_adversarial_text() -> None:
    assert categorise(_fill("dont ") + " agree") is Category.DISAGREE
    assert normalise(_fill("dont ")) == " ".join(["do not"] * (LONGEST // 5))
    assert categorise(_fill("updat")) is Category.CHANGE_PLAN  # updat\w*, one long word
    assert categorise(_fill("review ")) is Category.REVIEW_DATE
    assert categorise(_fill("?! ")) is Category.OTHER
    assert normalise("\u2003" * LONGEST) == ""
    assert categorise(_repeat("never ") + "got") is Category.COPY_OF_PLAN


@pytest.mark.timeout(300)
def test_sms_words_and_options_are_right_on_adversarial_text() -> None:
    assert keyword("S" + "!" * LONGEST + "TOP") is Keyword.STOP
    assert is_got_it("got" + "." * LONGEST + " it")
    assert not is_got_it("g" * LONGEST)
    options = {"2": "/two"}
    assert formatting.option_payload("option" + " " * LONGEST + "2", options) == "/two"
    assert formatting.option_payload("option" + "\xa0" * LONGEST + "2)", options) == "/two"
    assert formatting.option_payload("#" * LONGEST + "2", options) is None
    assert formatting.option_payload(_fill("option "), options) is None
    parts = formatting.split_for_sms(_fill("word. "))
    assert " ".join(parts).split() == _fill("word. ").split()
    assert formatting.split_for_sms("." * LONGEST) != []


@pytest.mark.timeout(300)
def test_payload_neutralising_is_right_on_adversarial_text() -> None:
    offered = OfferedPayloads(exact=frozenset({"/greet"}))
    assert neutralise("/" + "\u2003/" * (LONGEST // 2), offered) == NO_WORDS
    assert neutralise(_fill("/ ") + "greet", offered) == "greet"
    choice = '/ask_entitlement{"entitlement_id": "' + _fill("a-") + 'b"}'
    assert neutralise(choice, offered) == choice  # an id of the right form: allowed
    assert neutralise(choice + "x", offered) == choice[1:] + "x"


@pytest.mark.timeout(300)
def test_request_fields_are_checked_right_on_adversarial_text() -> None:
    key = b"k" * 32
    with pytest.raises(sessions.TokenError):
        sessions.read_token(key, "web-" + "a" * LONGEST + ".1.x", now=0)
    valid = "web-" + "a" * 24
    assert sessions.issue_token(key, valid, now=0, lifetime_seconds=60)
    with pytest.raises(ValueError):
        sessions.issue_token(key, valid + "\n", now=0, lifetime_seconds=60)
    with pytest.raises(ValueError):
        sessions.issue_token(key, "web-" + "a" * LONGEST, now=0, lifetime_seconds=60)
    assert "ws://" not in content_security_policy("a" * LONGEST + ":")
    assert "ws://" not in content_security_policy("example.org\n")
    assert "ws://example.org:8080" in content_security_policy("example.org:8080")
    assert anchor("amounts[" + "1" * 4000 + "]") == "f-amount-1-label"
    assert anchor("amounts[1]." + "x" * LONGEST) == "f-amount-1-label"
    assert anchor("sources[" + "1" * LONGEST) != "f-sources"


@pytest.mark.timeout(300)
def test_pack_tokens_are_hidden_from_logs_on_adversarial_paths() -> None:
    import logging

    record = logging.LogRecord("sanic.access", logging.INFO, "", 0, "", None, None)
    record.request = "GET " + "/pack/" * (LONGEST // 6) + "abc"
    pack.HideTokens().filter(record)
    assert "abc" not in record.request
    record.request = "GET /pack/pack.css" + "/pack/pack.js" * (LONGEST // 13)
    pack.HideTokens().filter(record)
    assert record.request.startswith("GET /pack/pack.css/pack/pack.js")


@pytest.mark.timeout(300)
def test_uploads_are_read_right_on_adversarial_text() -> None:
    assert parse_date("1" * LONGEST)[0] is None
    assert parse_date(_fill("1/"))[0] is None
    assert parse_email(_fill("a.") + "@b.c")[0] is None  # too long: refused before any pattern
    assert parse_email("a@" + "b." * 120 + "c") == ("a@" + "b." * 120 + "c", None)
    assert parse_email("a@" + "b." * 120 + "!")[0] is not None
    assert parse_email("a@" + "." * 250)[0] is None
    assert parse_email("a\xa0b@c.d")[0] is None


@pytest.mark.timeout(120)
def test_an_age_and_a_follow_up_are_read_right_on_adversarial_text() -> None:
    from bot.answering import _BACK_REFERENCE
    from bot.personal import parse_age

    assert parse_age(_fill("im ") + " 19") == 19
    assert parse_age(_fill("9")) is None  # one long number is no age
    assert parse_age(_fill("twenty ")) == 20
    assert parse_age(_fill("-") + "twenty-one") == 21
    assert parse_age("\u2003" * LONGEST) is None
    back = linear_re.compile(_BACK_REFERENCE)
    assert back.search(_fill("x") + " it") is not None
    assert back.search(_fill("itt")) is None
    assert back.search(_fill("tha ") + "THAT") is not None


@pytest.mark.timeout(60)
def test_a_request_for_a_person_is_read_right_on_adversarial_text() -> None:
    from bot.person_request.recogniser import asks_for_person

    assert not asks_for_person("my pa " * 12_000 + "x").asks
    assert asks_for_person("is " + "any " * 20_000 + "one there " * 3).asks
    assert asks_for_person("hello" + "?" * 70_000).asks
