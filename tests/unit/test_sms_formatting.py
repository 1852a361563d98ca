"""Unit tests for the SMS formatting of the bot's replies (bot.channels.sms.formatting).

Segment counts are checked against values worked out by hand from Twilio's rules
(https://www.twilio.com/docs/glossary/what-sms-character-limit): GSM-7 carries 160
septets in one segment, 153 in each segment of a longer message; UCS-2 carries 70
UTF-16 code units in one segment, 67 in each of a longer one; an extended GSM-7
character (2 septets) and a surrogate pair (2 units) are never split across segments.
"""

from __future__ import annotations

import itertools
import math
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.channels.sms.formatting import (
    GSM7_BASIC,
    GSM7_EXTENDED,
    MAX_MESSAGE_CHARS,
    MAX_OPTIONS,
    compose_reply,
    encoding,
    numbered_options,
    option_payload,
    segments,
    sms_turn,
    split_for_sms,
    to_gsm7,
)

EMOJI = "\U0001f600"  # 😀, a surrogate pair in UTF-16
THUMBS = "\U0001f44d"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
ZWJ = "\u200d"
NBSP = "\u00a0"
UCS2_BMP = "\u0119"  # ę: in the BMP, not in GSM-7, so one UTF-16 unit and UCS-2

BUTTONS = [
    ("Tell me more", "/more"),
    ("How do I get it?", "/how"),
    ("Who can get it?", "/who"),
]

# ---------------------------------------------------------------------------
# The alphabet
# ---------------------------------------------------------------------------


def test_gsm7_basic_is_the_127_characters_of_the_default_alphabet() -> None:
    assert len(GSM7_BASIC) == 127  # 128 positions, less the escape to the extension table
    assert "\x1b" not in GSM7_BASIC
    for char in "@£$¥èéùìòÇ\nØø\rÅåÆæßÉ!\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà _":
        assert char in GSM7_BASIC, repr(char)
    assert set("0123456789") <= GSM7_BASIC
    assert set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") <= GSM7_BASIC
    # Greek capitals, by code point: Δ Φ Γ Λ Ω Π Ψ Σ Θ Ξ
    greek = {0x394, 0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3, 0x398, 0x39E}
    assert {chr(code) for code in greek} <= GSM7_BASIC
    for char in "`ç€^{}\\[]~|\t\f" + "\u2019\u201c\u2013\u2026" + NBSP + EMOJI:
        assert char not in GSM7_BASIC, repr(char)


def test_gsm7_extended_is_the_extension_table() -> None:
    assert frozenset({"\f", "^", "{", "}", "\\", "[", "~", "]", "|", "€"}) == GSM7_EXTENDED
    assert not GSM7_BASIC & GSM7_EXTENDED


# ---------------------------------------------------------------------------
# to_gsm7
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # curly quotes
        ("It\u2019s \u2018fine\u2019", "It's 'fine'"),
        ("\u201cGreat\u201d, she said", '"Great", she said'),
        ("\u201elow\u201c and \u00abguillemets\u00bb", '"low" and "guillemets"'),
        ("don\u02bct and `ticks\u00b4", "don't and 'ticks'"),
        # dashes and minus
        ("16\u201318 year olds", "16-18 year olds"),
        ("money \u2014 and more", "money - and more"),
        ("\u2212\u00a35", "-£5"),
        ("non\u2011breaking hy\u2010phen \u2015 bar", "non-breaking hy-phen - bar"),
        # ellipsis
        ("Hmm\u2026 ok", "Hmm... ok"),
        # non-breaking and other Unicode spaces
        (f"\u00a3{NBSP}3,000", "£ 3,000"),
        (
            "thin\u2009space, narrow\u202fnbsp, ideographic\u3000space",
            "thin space, narrow nbsp, ideographic space",
        ),
        ("tab\there", "tab here"),
        ("line\u2028separator", "line\nseparator"),
        # bullets
        ("\u2022 rent\n\u2022 bills\n\u25e6 food", "- rent\n- bills\n- food"),
        # times
        ("2 \u00d7 \u00a350", "2 x £50"),
        # zero-width characters go
        (
            "zero\u200bwidth\ufeff word\u2060joiner soft\u00adhyphen",
            "zerowidth wordjoiner softhyphen",
        ),
        (f"stray{ZWJ}joiner and non\u200cjoiner", "strayjoiner and nonjoiner"),
        # accented letters GSM-7 lacks lose their accents
        ("\u00e1 \u00ed \u00f3 \u00fa \u00e2 \u00ea \u00ee \u00f4 \u00fb", "a i o u a e i o u"),
        ("fa\u00e7ade na\u00efve \u00c0 \u00c8", "facade naive A E"),
        ("\u0141\u00f3d\u017a \u0160koda Dvo\u0159\u00e1k", "Lodz Skoda Dvorak"),
        ("Nguy\u1ec5n", "Nguyen"),
        # a letter and a combining accent: composed when GSM-7 has the letter
        ("cafe\u0301", "caf\u00e9"),
        ("a\u0301", "a"),
        # compatibility singletons with a GSM-7 twin: Ohm sign, Angstrom sign
        ("10\u2126 \u212b", "10\u03a9 \u00c5"),
        # nothing to do
        (
            "Plain text, £5 & 10% off: ok? {yes} [no] ~ | ^ € \\",
            "Plain text, £5 & 10% off: ok? {yes} [no] ~ | ^ € \\",
        ),
    ],
)
def test_to_gsm7_replacements(text: str, expected: str) -> None:
    assert to_gsm7(text) == expected
    assert encoding(to_gsm7(text)) == "GSM-7"


def test_to_gsm7_keeps_the_accented_letters_gsm7_has() -> None:
    kept = "é è ù ì ò Ç É Ä Ö Ñ Ü à ä ö ñ ü ß Å å Æ æ Ø ø"
    assert to_gsm7(kept) == kept


@pytest.mark.parametrize(
    "text",
    [
        f"Well done {EMOJI}",
        f"Nice {THUMBS}",
        f"Family {FAMILY}",
        "\u2764\ufe0f\u200d\U0001f525",  # heart on fire: a ZWJ sequence with a variation selector
        "\u0645\u0631\u062d\u0628\u0627",  # Arabic
        "\u4f60\u597d",  # Chinese
        "\u0928\u092e\u0938\u094d\u200d\u0924\u0947",  # Devanagari with a ZWJ
    ],
)
def test_to_gsm7_leaves_emoji_and_other_scripts(text: str) -> None:
    assert to_gsm7(text) == text
    assert encoding(to_gsm7(text)) == "UCS-2"


def test_to_gsm7_cleans_around_emoji_and_keeps_them() -> None:
    cleaned = to_gsm7(f"It\u2019s done \u2014 {EMOJI}")
    assert cleaned == f"It's done - {EMOJI}"
    assert encoding(cleaned) == "UCS-2"


def test_to_gsm7_keeps_an_ellipsis_where_dots_would_cost_more() -> None:
    # Still UCS-2 because of the emoji: "…" is 1 unit, "..." 3.
    text = EMOJI + "\u2026" * 40  # 42 units: 1 segment; with dots 122 units: 2
    assert to_gsm7(text) == text
    # GSM-7 but dearer: 70 ellipses are 70 units (1 segment), 210 dots 2 segments.
    assert to_gsm7("\u2026" * 70) == "\u2026" * 70
    # Where it costs nothing, the dots win.
    assert to_gsm7(f"So\u2026 {EMOJI}") == f"So... {EMOJI}"


def test_to_gsm7_saves_segments_on_a_typical_answer() -> None:
    text = (
        "You\u2019re entitled to a \u201csetting up home\u201d allowance \u2014 at least "
        "\u00a33,000\u2026 Ask your personal adviser."
    )
    assert encoding(text) == "UCS-2"
    assert segments(text) == 2  # 101 units
    assert encoding(to_gsm7(text)) == "GSM-7"
    assert segments(to_gsm7(text)) == 1


# ---------------------------------------------------------------------------
# encoding and segments
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "GSM-7"),
        ("Hello £5 @ 10%", "GSM-7"),
        ("Curly {braces} cost €2", "GSM-7"),
        ("line\nbreak\r\n", "GSM-7"),
        ("fa\u00e7ade", "UCS-2"),  # ç is not GSM-7 (Ç is)
        ("It\u2019s", "UCS-2"),
        (f"Hi {EMOJI}", "UCS-2"),
        ("tab\t", "UCS-2"),
    ],
)
def test_encoding(text: str, expected: str) -> None:
    assert encoding(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        (" ", 1),
        ("a", 1),
        # GSM-7: 160 septets in one segment, then 153 per segment
        ("a" * 160, 1),
        ("a" * 161, 2),  # ceil(161 / 153)
        ("a" * 306, 2),  # 153 * 2
        ("a" * 307, 3),
        ("a" * 459, 3),  # 153 * 3
        ("a" * 460, 4),
        # extended characters cost 2 septets
        ("€" * 80, 1),  # 160 septets
        ("€" * 81, 2),  # 162 septets
        ("a" * 159 + "€", 2),  # 161 septets
        ("a" * 158 + "€", 1),  # 160 septets
        # ...and are never split across segments (septets per segment after "#")
        ("a" * 151 + "€" + "a" * 153, 2),  # 306 septets: 151+2 | 153
        ("a" * 152 + "€" + "a" * 151, 2),  # 305 septets: 152 | 2+151
        ("a" * 152 + "€" + "a" * 152, 3),  # 306 septets, ceil(306/153) = 2, but: 152 | 2+151 | 1
        ("€" * 152, 2),  # 304 septets: 76 euros a segment, 152 | 152
        ("€" * 153, 3),  # 306 septets, but: 152 | 152 | 2
        # UCS-2: 70 units in one segment, then 67 per segment
        (UCS2_BMP * 70, 1),
        (UCS2_BMP * 71, 2),
        (UCS2_BMP * 134, 2),  # 67 * 2
        (UCS2_BMP * 135, 3),
        ("a" * 69 + UCS2_BMP, 1),  # one non-GSM character makes all of it UCS-2
        ("a" * 70 + UCS2_BMP, 2),
        # a surrogate pair is 2 units
        (EMOJI * 35, 1),  # 70 units
        (EMOJI * 36, 2),  # 72 units
        ("a" * 68 + EMOJI, 1),  # 70 units
        ("a" * 69 + EMOJI, 2),  # 71 units
        # ...and a pair is never split across segments (units per segment after "#")
        (EMOJI * 66, 2),  # 132 units: 33 pairs a segment, 66 | 66
        (EMOJI * 67, 3),  # 134 units, ceil(134/67) = 2, but: 66 | 66 | 2
        (UCS2_BMP * 66 + EMOJI + UCS2_BMP * 66, 3),  # 134 units: 66 | 2+65 | 1
        (UCS2_BMP * 65 + EMOJI + UCS2_BMP * 67, 2),  # 134 units: 65+2 | 67
    ],
)
def test_segments_at_the_boundaries(text: str, expected: int) -> None:
    assert segments(text) == expected


# ---------------------------------------------------------------------------
# split_for_sms
# ---------------------------------------------------------------------------


def sentence(n: int, length: int = 60) -> str:
    """A GSM-7 sentence of exactly ``length`` characters, ending with a full stop."""
    words = f"Sentence {n} is about money and where to get it and more".split()
    text = ""
    for word in itertools.cycle(words):
        if len(text) + len(word) + 2 > length:
            break
        text = f"{text} {word}" if text else word
    return text + "x" * (length - len(text) - 1) + "."


def test_split_keeps_a_text_that_fits_whole() -> None:
    text = "  Short and sweet.\n  "
    assert split_for_sms(text) == ["Short and sweet."]
    assert split_for_sms("a" * 459) == ["a" * 459]


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_split_of_nothing_is_nothing(text: str) -> None:
    assert split_for_sms(text) == []


def test_split_refuses_fewer_than_one_segment() -> None:
    with pytest.raises(ValueError, match="max_segments"):
        split_for_sms("hello", 0)


@pytest.mark.parametrize(("max_segments", "messages"), [(1, 8), (2, 4), (3, 3)])
def test_split_long_text_within_the_limit(max_segments: int, messages: int) -> None:
    text = " ".join(sentence(n) for n in range(20))  # 20 * 60 + 19 = 1219 characters
    parts = split_for_sms(text, max_segments)
    assert all(segments(part) <= max_segments for part in parts)
    assert " ".join(parts).split() == text.split()
    # The fewest messages: a message carries at most 160, 306 or 459 characters.
    assert len(parts) == messages == math.ceil(1219 / {1: 160, 2: 306, 3: 459}[max_segments])
    # 8 segments, the least: 8 x 160, 4 x (2 segments), or 3 + 3 + 2.
    assert sum(segments(part) for part in parts) == 8


def test_split_at_sentence_ends_where_that_costs_nothing() -> None:
    text = " ".join(sentence(n) for n in range(20))
    parts = split_for_sms(text, 2)  # five sentences (304 characters) are 2 segments
    assert parts == [" ".join(sentence(n) for n in range(k, k + 5)) for k in (0, 5, 10, 15)]


def test_split_cuts_sentences_where_whole_sentences_would_cost_more() -> None:
    text = " ".join(sentence(n) for n in range(20))
    parts = split_for_sms(text, 1)  # two sentences a message would be 10 messages, not 8
    assert len(parts) == 8
    assert not all(part.endswith(".") for part in parts)
    parts = split_for_sms(text, 3)  # 7 + 7 + 6 sentences would be 3 + 3 + 3 segments
    assert [segments(part) for part in parts] == [3, 3, 2]
    assert not all(part.endswith(".") for part in parts)


def test_split_prefers_sentence_ends_when_it_costs_nothing() -> None:
    first, second = sentence(1, 100), sentence(2, 100)  # 201 characters: 2 segments
    assert split_for_sms(f"{first} {second}", 1) == [first, second]
    # A line break is as good a place as a sentence end, a paragraph break better.
    text = "no full stop here " * 5 + "\n" + "nor here " * 5 + "\n\n" + "x " * 60
    assert split_for_sms(text, 1) == [
        ("no full stop here " * 5 + "\n" + "nor here " * 5).strip(),
        ("x " * 60).strip(),
    ]


def test_split_does_not_send_a_short_first_sentence_alone_when_that_costs_more() -> None:
    text = "Hi. " + " ".join(["word"] * 60)  # 303 characters: two 1-segment messages
    parts = split_for_sms(text, 1)
    assert len(parts) == 2
    assert parts[0].startswith("Hi. word")


def test_split_minimises_messages_then_segments() -> None:
    text = " ".join(["abcdefghi"] * 47)  # 47 * 10 - 1 = 469 characters: 4 segments
    parts = split_for_sms(text, 3)
    # Two messages are needed; any two cost 4 segments (three single ones would cost 3,
    # but fewer messages come first). On a tie, the first message is the longest.
    assert [len(part) for part in parts] == [459, 9]
    assert [segments(part) for part in parts] == [3, 1]
    # 309 characters, 3 segments, are two messages for max_segments=2: 159 + 149
    # characters (1 + 1 segments) rather than 299 + 9 (2 + 1).
    text = " ".join(["abcdefghi"] * 31)
    assert [len(part) for part in split_for_sms(text, 2)] == [159, 149]


def test_split_keeps_a_ucs2_text_that_fits_whole() -> None:
    text = " ".join(["abcdefghi"] * 15) + " " + EMOJI  # 149 + 1 + 2 units
    assert segments(text) == 3  # 152 UCS-2 units
    assert split_for_sms(text, 3) == [text]


def test_split_puts_an_emoji_where_it_makes_the_least_ucs2() -> None:
    text = " ".join(["abcdefghi"] * 15) + " " + EMOJI  # 3 segments: too long for 2
    parts = split_for_sms(text, 2)
    assert parts == [" ".join(["abcdefghi"] * 15), EMOJI]
    assert [segments(part) for part in parts] == [1, 1]  # not 2 + 1: 140 + 12 units


def test_split_never_cuts_a_word_where_there_is_a_space() -> None:
    text = " ".join(["supercalifragilistic"] * 30)
    parts = split_for_sms(text, 1)
    assert all(set(part.split()) == {"supercalifragilistic"} for part in parts)
    assert all(segments(part) == 1 for part in parts)


def test_split_sends_a_word_too_long_for_the_limit_whole() -> None:
    link = "https://example.org/" + "x" * 300
    parts = split_for_sms(f"See {link} for more.", 1)
    assert parts == ["See", link, "for more."]
    assert segments(link) == 3


def test_split_never_cuts_a_surrogate_pair_or_an_extended_character() -> None:
    # 23 emoji and their spaces are 23 * 3 - 1 = 68 units; 24 would be 71.
    parts = split_for_sms(" ".join([EMOJI] * 40), 1)
    assert parts == [" ".join([EMOJI] * 23), " ".join([EMOJI] * 17)]
    # 53 euros and their spaces are 53 * 3 - 1 = 158 septets; 54 would be 161.
    parts = split_for_sms(" ".join(["€"] * 60), 1)
    assert parts == [" ".join(["€"] * 53), " ".join(["€"] * 7)]
    assert [segments(part) for part in parts] == [1, 1]


# ---------------------------------------------------------------------------
# numbered_options and option_payload
# ---------------------------------------------------------------------------


def test_numbered_options() -> None:
    line, options = numbered_options(BUTTONS)
    assert line == "Reply 1 for Tell me more, 2 for How do I get it?, 3 for Who can get it?"
    assert options == {"1": "/more", "2": "/how", "3": "/who"}
    assert encoding(line) == "GSM-7"


def test_numbered_options_cleans_titles() -> None:
    line, options = numbered_options([("What\u2019s \u201cPA\u201d?", "/pa"), (" Yes\n ok ", "/y")])
    assert line == 'Reply 1 for What\'s "PA"?, 2 for Yes ok'
    assert options == {"1": "/pa", "2": "/y"}


def test_numbered_options_of_one_and_of_none() -> None:
    assert numbered_options([("Yes", "/yes")]) == ("Reply 1 for Yes", {"1": "/yes"})
    assert numbered_options([]) == ("", {})


def test_numbered_options_at_most_nine() -> None:
    nine = [(f"Option {n}", f"/o{n}") for n in range(1, 10)]
    line, options = numbered_options(nine)
    assert line.endswith("9 for Option 9")
    assert list(options) == [str(n) for n in range(1, 10)]
    assert MAX_OPTIONS == 9
    with pytest.raises(ValueError, match="at most 9"):
        numbered_options([*nine, ("Ten", "/ten")])


def test_numbered_options_refuses_a_blank_title() -> None:
    with pytest.raises(ValueError, match="no title"):
        numbered_options([("Yes", "/yes"), ("\u200b ", "/blank")])


OPTIONS = {"1": "/more", "2": "/how", "3": "/who"}


@pytest.mark.parametrize(
    ("reply", "payload"),
    [
        ("1", "/more"),
        (" 2 ", "/how"),
        ("2.", "/how"),
        ("2)", "/how"),
        ("option 2", "/how"),
        ("Option 2", "/how"),
        ("OPTION #3", "/who"),
        ("option2", "/how"),
        ("#3", "/who"),
        ("# 3", "/who"),
        ("\n3\n", "/who"),
        ("\uff12", "/how"),  # full-width 2
        ("3\ufe0f\u20e3", "/who"),  # keycap 3 emoji
        ("4", None),  # not on offer
        ("0", None),
        ("12", None),
        ("1 2", None),
        ("2 please", None),
        ("I want 2", None),
        ("two", None),
        ("", None),
        ("option", None),
        ("-1", None),
    ],
)
def test_option_payload(reply: str, payload: str | None) -> None:
    assert option_payload(reply, OPTIONS) == payload


def test_option_payload_without_options() -> None:
    assert option_payload("1", {}) is None


# ---------------------------------------------------------------------------
# compose_reply
# ---------------------------------------------------------------------------

ANSWER = (
    "You can get a setting up home allowance of at least \u00a33,000 when you move into "
    "your own place. It\u2019s for things like furniture, a cooker, bedding and kitchen "
    "stuff. Your personal adviser helps you plan what to buy, and the council pays for it. "
    "Ask them early \u2014 before you move \u2014 so it is ready for you."
)


def test_compose_reply_typical_answer_fits_one_sms_of_three_segments() -> None:
    assert len(ANSWER) == 300
    bodies, options = compose_reply([ANSWER], BUTTONS)
    assert bodies == [
        to_gsm7(ANSWER)
        + "\n\nReply 1 for Tell me more, 2 for How do I get it?, 3 for Who can get it?"
    ]
    assert encoding(bodies[0]) == "GSM-7"
    assert segments(bodies[0]) == 3  # 300 + 2 + 71 = 373 septets
    assert options == {"1": "/more", "2": "/how", "3": "/who"}


def test_compose_reply_joins_the_texts_with_blank_lines() -> None:
    bodies, options = compose_reply(["Hi \u2014 I\u2019m the bot.", "  ", "Ask me anything.  "])
    assert bodies == ["Hi - I'm the bot.\n\nAsk me anything."]
    assert options == {}


def test_compose_reply_of_nothing() -> None:
    assert compose_reply([]) == ([], {})
    assert compose_reply(["", " \n"]) == ([], {})


def test_compose_reply_of_buttons_alone() -> None:
    assert compose_reply([], [("Yes", "/yes"), ("No", "/no")]) == (
        ["Reply 1 for Yes, 2 for No"],
        {"1": "/yes", "2": "/no"},
    )


def test_compose_reply_a_long_answer_is_one_message_for_twilio_to_segment() -> None:
    """Several texts could arrive out of order; one message of up to 1,600 characters
    is cut into segments by Twilio and joined again, in order, by the phone."""
    texts = [" ".join(sentence(n) for n in range(8)), " ".join(sentence(n) for n in range(8, 12))]
    bodies, _ = compose_reply(texts, BUTTONS)
    line = "Reply 1 for Tell me more, 2 for How do I get it?, 3 for Who can get it?"
    assert segments(bodies[0]) > 3
    assert len(bodies) == 1 and len(bodies[0]) <= MAX_MESSAGE_CHARS
    assert bodies[0].endswith(line)
    assert bodies[0].split() == " ".join([*texts, line]).split()


def test_compose_reply_over_1600_characters_keeps_the_options_line_whole() -> None:
    texts = [" ".join(sentence(n) for n in range(40)), " ".join(sentence(n) for n in range(40, 60))]
    bodies, _ = compose_reply(texts, BUTTONS)
    assert len(bodies) > 1
    assert all(len(body) <= MAX_MESSAGE_CHARS for body in bodies)
    line = "Reply 1 for Tell me more, 2 for How do I get it?, 3 for Who can get it?"
    assert sum(body.count(line) for body in bodies) == 1
    assert bodies[-1].endswith(line)
    assert " ".join(bodies).split() == " ".join([*texts, line]).split()


def test_compose_reply_cuts_a_long_options_line_only_between_options() -> None:
    buttons = [(f"The {n}th rather long option title here", f"/o{n}") for n in range(1, 10)]
    bodies, options = compose_reply(["Pick one."], buttons, 60)
    assert len(options) == 9
    assert all(len(body) <= 60 for body in bodies)
    chunks = [c for c in "\n".join(bodies).replace(", ", ",\n").splitlines() if c]
    assert chunks[0] == "Pick one."
    assert chunks[1].startswith("Reply 1 for The 1th")
    assert all(chunk.rstrip(",").endswith("title here") for chunk in chunks[1:])


def test_compose_reply_with_emoji_goes_ucs2_in_one_message() -> None:
    bodies, _ = compose_reply([f"Well done {EMOJI} " + ANSWER], BUTTONS)
    assert len(bodies) == 1 and EMOJI in bodies[0]
    assert all("\u2019" not in body and "\u2014" not in body for body in bodies)


def test_compose_reply_refuses_fewer_than_one_character() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        compose_reply(["hi"], max_chars=0)


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

_ACCENTED = "áíóúâêîôûãõçÀÁÈÌÒÙÍÓÚÝýÿāăąćčďęěğńňőřśşšţťůűźżžłŁđ"
_REPLACEABLE = (
    "\u2018\u2019\u201c\u201d\u2013\u2014\u2212\u2022\u00d7\u200b\ufeff\u00ad"
    + NBSP
    + "\u2009\u202f\u3000"
)
_SPECIAL = (
    _ACCENTED
    + _REPLACEABLE
    + "".join(sorted(GSM7_EXTENDED))
    + "\u2026\u0301\u0308"
    + ZWJ
    + "\u200c\ufe0f"
    + EMOJI
    + THUMBS
    + "\u2764\u4f60\u0645"
)
_GSM7_CHARS = "".join(sorted(GSM7_BASIC))

characters = st.one_of(
    st.sampled_from(_GSM7_CHARS),
    st.sampled_from(_SPECIAL),
    st.sampled_from(" \n"),
    st.characters(exclude_categories=("Cs",)),  # anything but lone surrogates
)
texts = st.text(characters, max_size=400)
words = st.text(characters.filter(lambda char: not char.isspace()), min_size=1, max_size=25)
spaces = st.sampled_from([" ", " ", " ", "  ", "\n", "\n\n", " \n ", "\t", NBSP])
prose = st.builds(
    lambda ws, gaps: "".join(w + g for w, g in zip(ws, gaps, strict=False)),
    st.lists(words, max_size=120),
    st.lists(spaces, min_size=120, max_size=120),
)
long_texts = st.one_of(prose, texts)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(long_texts, st.integers(min_value=1, max_value=4))
@example("a" * 152 + "€" + " " + "a" * 152, 1)
@example(" ".join([EMOJI * 34] * 5), 1)
def test_split_properties(text: str, max_segments: int) -> None:
    parts = split_for_sms(text, max_segments)
    for part in parts:
        assert part
        assert part == part.strip()
        assert segments(part) <= max_segments or len(part.split()) == 1
        assert not any(0xD800 <= ord(char) <= 0xDFFF for char in part)  # no half pairs
        part.encode("utf-16")  # would raise on a lone surrogate
    assert " ".join(parts).split() == text.split()
    non_bmp = sorted(char for char in text if ord(char) > 0xFFFF)
    assert sorted(char for part in parts for char in part if ord(char) > 0xFFFF) == non_bmp


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(st.sampled_from("abcdefg€" + EMOJI + UCS2_BMP), min_size=1, max_size=60),
        min_size=1,
        max_size=9,
    ),
    st.integers(min_value=1, max_value=2),
)
def test_split_makes_the_fewest_messages_then_segments(
    word_list: list[str], max_segments: int
) -> None:
    """Against every way of cutting the text between words."""
    text = " ".join(word_list)
    parts = split_for_sms(text, max_segments)
    cost = (len(parts), sum(segments(part) for part in parts))
    best = None
    n = len(word_list)
    for cuts in itertools.product([False, True], repeat=n - 1):
        candidate: list[str] = []
        current = [word_list[0]]
        for word, cut in zip(word_list[1:], cuts, strict=True):
            if cut:
                candidate.append(" ".join(current))
                current = [word]
            else:
                current.append(word)
        candidate.append(" ".join(current))
        if any(segments(c) > max_segments and " " in c for c in candidate):
            continue
        option = (len(candidate), sum(segments(c) for c in candidate))
        best = option if best is None else min(best, option)
    assert cost == best


@FAST
@given(texts, st.text(characters, min_size=1, max_size=30))
@example("a" * 160, "a")
@example("a" * 152, "€")
@example("€" * 80, UCS2_BMP)
@example(UCS2_BMP * 66, EMOJI)
@example("a" * 306, EMOJI)
def test_segments_grow_as_characters_are_appended(text: str, more: str) -> None:
    assert segments(text) <= segments(text + more)
    for i in range(len(more)):
        assert segments(text + more[:i]) <= segments(text + more[: i + 1])


@FAST
@given(st.text(st.sampled_from(_GSM7_CHARS), max_size=1000))
def test_segments_of_plain_gsm7_text_is_the_documented_formula(text: str) -> None:
    n = len(text)
    assert segments(text) == (0 if n == 0 else 1 if n <= 160 else math.ceil(n / 153))


@FAST
@given(st.text(st.sampled_from("\u0119\u4f60\u0645\u2019"), max_size=500))
def test_segments_of_bmp_ucs2_text_is_the_documented_formula(text: str) -> None:
    n = len(text)
    assert segments(text) == (0 if n == 0 else 1 if n <= 70 else math.ceil(n / 67))


@FAST
@given(long_texts)
@example("\u2026" * 70)
@example(EMOJI + "\u2026" * 40)
@example("e" + ZWJ + "\u0301")
@example("\u2019" + ZWJ + EMOJI)
@example("e\u200b\u0301")
@example("\u0142\u0301")
def test_to_gsm7_is_idempotent_and_never_dearer(text: str) -> None:
    cleaned = to_gsm7(text)
    assert to_gsm7(cleaned) == cleaned
    assert segments(cleaned) <= segments(text)
    # Emoji survive
    assert sorted(c for c in cleaned if ord(c) > 0xFFFF) == sorted(
        c for c in text if ord(c) > 0xFFFF
    )


@FAST
@given(
    st.text(
        st.one_of(
            st.sampled_from(_GSM7_CHARS),
            st.sampled_from(_ACCENTED + _REPLACEABLE + ZWJ + "\u200c"),
        ),
        max_size=300,
    )
)
def test_to_gsm7_makes_latin_text_gsm7(text: str) -> None:
    assert encoding(to_gsm7(text)) == "GSM-7"


@FAST
@given(
    st.lists(long_texts, max_size=4),
    st.lists(st.tuples(words, st.text(max_size=10)), max_size=MAX_OPTIONS),
    st.integers(min_value=20, max_value=700),
)
def test_compose_reply_properties(
    texts_: list[str], buttons: list[tuple[str, str]], max_chars: int
) -> None:
    buttons = [(title, payload) for title, payload in buttons if to_gsm7(title).strip()]
    bodies, options = compose_reply(texts_, buttons, max_chars)
    line, expected_options = numbered_options(buttons)
    assert options == expected_options
    for body in bodies:
        assert body
        assert body == body.strip()
        assert to_gsm7(body) == body
        if len(body) > max_chars:  # only one word, or one option, alone
            assert len(body.split()) == 1 or dots(body) in dots(line)
    # The words of the texts and the options, in order (each body went through to_gsm7
    # again, which may have turned an ellipsis into dots where that no longer costs).
    expected = " ".join([*(to_gsm7(text) for text in texts_), line])
    assert dots(" ".join(bodies)).split() == dots(expected).split()


def dots(text: str) -> str:
    return text.replace("\u2026", "...")


def test_unicode_data_is_as_expected() -> None:
    """The fold relies on these decompositions (guards against a surprising Python)."""
    assert unicodedata.normalize("NFD", "\u00e1") == "a\u0301"
    assert unicodedata.normalize("NFC", "\u2126") == "\u03a9"


# ---- an answer's follow-ups as reply words (sms_turn) ------------------------------------------

FOLLOW_UPS = [
    {"title": "Who can get it?", "payload": "/ask_who_can_get"},
    {"title": "How do I get it?", "payload": "/ask_how_to_get"},
    {"title": "Tell me more", "payload": "/ask_more"},
]
WORDS = {"who": "/ask_who_can_get", "how": "/ask_how_to_get", "more": "/ask_more"}


def answer_of(chars: int) -> str:
    """A plain GSM-7 answer of exactly ``chars`` characters."""
    words = ("Staying put: you can stay with your foster carers after 18. " * 10)[:chars]
    return words[:-1] + "." if chars else ""


def test_a_short_answer_offers_its_follow_ups_as_reply_words_in_the_same_text() -> None:
    bodies, options = sms_turn([{"text": answer_of(200), "buttons": FOLLOW_UPS}])
    assert bodies == [answer_of(200) + "\nReply WHO, HOW or MORE"]
    assert segments(bodies[0]) == 2
    assert options == WORDS


@pytest.mark.parametrize(
    ("chars", "line"),
    [
        (283, "\nReply WHO, HOW or MORE"),  # 283 + 23 = 306: two full segments
        (284, "\nReply WHO or HOW"),
        (289, "\nReply WHO or HOW"),
        (290, "\nReply WHO"),
        (296, "\nReply WHO"),
        (297, ""),
        (306, ""),
    ],
)
def test_reply_words_are_offered_only_as_far_as_two_segments_allow(chars: int, line: str) -> None:
    bodies, options = sms_turn([{"text": answer_of(chars), "buttons": FOLLOW_UPS}])
    assert bodies == [answer_of(chars) + line]
    assert segments(bodies[0]) <= 2
    assert options == WORDS  # the words work whether they were shown or not


def test_an_answer_too_long_for_two_segments_gets_no_reply_words() -> None:
    bodies, options = sms_turn([{"text": answer_of(400), "buttons": FOLLOW_UPS}])
    assert bodies == [answer_of(400)]
    assert options == WORDS


def test_other_buttons_stay_numbered_options_whatever_the_length() -> None:
    choice = [
        {"title": "Staying put", "payload": '/ask_entitlement{"entitlement_id": "staying-put"}'},
        {"title": "Junior ISA", "payload": '/ask_entitlement{"entitlement_id": "junior-isa"}'},
    ]
    bodies, options = sms_turn(
        [{"text": "Do you mean Staying put or Junior ISA?", "buttons": choice}]
    )
    assert bodies == [
        "Do you mean Staying put or Junior ISA?\n\nReply 1 for Staying put, 2 for Junior ISA"
    ]
    assert options == {"1": choice[0]["payload"], "2": choice[1]["payload"]}


def test_a_turn_joins_its_messages_and_uses_the_last_buttons() -> None:
    bodies, _ = sms_turn(
        [{"text": "Staying put: yes."}, {"text": "Demo Taylor, this applies to you."}],
        before=["Thanks, that's right."],
    )
    assert bodies == [
        "Thanks, that's right.\n\nStaying put: yes.\n\nDemo Taylor, this applies to you."
    ]


@pytest.mark.parametrize(
    ("reply", "payload"),
    [
        ("who", "/ask_who_can_get"),
        ("WHO", "/ask_who_can_get"),
        (" How? ", "/ask_how_to_get"),
        ("more.", "/ask_more"),
        ("More!", "/ask_more"),
        ("who is my pa", None),
        ("whom", None),
        ("1", None),  # reply words replace the numbers for follow-ups
        ("", None),
    ],
)
def test_a_reply_word_chooses_its_follow_up(reply: str, payload: str | None) -> None:
    assert option_payload(reply, WORDS) == payload


def test_a_reply_word_not_on_offer_is_words_for_the_bot() -> None:
    assert option_payload("who", {"1": "/ask_more"}) is None
    assert option_payload("more", {}) is None
