"""The bot's replies written for SMS: GSM-7 where possible, counted and split by segment.

Pure functions, no I/O. A reply costs one SMS segment per 160 GSM-7 septets (153 each
once it needs more than one), or per 70 UTF-16 code units (67 each) as soon as one
character is outside GSM-7, as Twilio documents it
(https://www.twilio.com/docs/glossary/what-sms-character-limit). One curly quote in a
chatbot answer can thus more than double what it costs, so:

* :func:`to_gsm7` replaces the characters that force UCS-2 where GSM-7 has a plain
  equivalent (much as Twilio's Smart Encoding does), and leaves emoji and other
  scripts alone: they cost more, but deleting them would delete meaning;
* :func:`encoding` and :func:`segments` count as Twilio does: an extended character
  (``€``, ``{``, ...) costs two septets and a surrogate pair two code units, and
  neither is ever split across two segments;
* :func:`split_for_sms` cuts a long text into messages of at most ``max_segments``
  segments each, at whitespace only: the fewest messages, then the fewest segments;
* :func:`numbered_options` and :func:`option_payload` stand in for buttons ("Reply 1
  for ...", and the "1" that comes back);
* :func:`sms_turn` writes an answer's follow-up buttons ("Who can get it?", "How do I
  get it?", "Tell me more") as reply words instead ("Reply WHO, HOW or MORE"), and only
  when the answer stays within :data:`ANSWER_SEGMENTS` segments with them; the words
  work whether or not they were shown (:func:`option_payload`);
* :func:`compose_reply` does all of it for one turn of the bot: one message of up to
  1,600 characters (Twilio's longest), which Twilio cuts into segments and the phone
  puts back together in order. Several texts for one reply could arrive out of order (a
  retried first one overtaken by the second); only a reply longer than 1,600 characters
  is more than one, and the SMS queue sends each part only after the one before it has
  been taken by Twilio (:class:`bot.notify.sms.SmsQueue`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from bot import linear_re

SmsEncoding = Literal["GSM-7", "UCS-2"]

GSM7_BASIC: frozenset[str] = frozenset(
    # GSM 03.38 / 3GPP TS 23.038 default alphabet, row by row (0x1B, the escape to the
    # extension table, is not a character and is left out). The Greek capitals are
    # U+0394, U+03A6, U+0393, U+039B, U+03A9, U+03A0, U+03A8, U+03A3, U+0398, U+039E.
    "@£$¥èéùìòÇ\nØø\rÅå"
    "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039eÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
"""The 127 characters of the GSM-7 default alphabet: one septet each."""

GSM7_EXTENDED: frozenset[str] = frozenset("\f^{}\\[~]|€")
"""The GSM-7 extension table (form feed, ``^ { } \\ [ ~ ] | €``): two septets each."""

GSM7_SINGLE_SEPTETS = 160
"""Septets in a GSM-7 message that fits in one segment."""
GSM7_SEGMENT_SEPTETS = 153
"""Septets in each segment of a longer GSM-7 message (the rest is the 6-byte header)."""
UCS2_SINGLE_UNITS = 70
"""UTF-16 code units in a UCS-2 message that fits in one segment."""
UCS2_SEGMENT_UNITS = 67
"""UTF-16 code units in each segment of a longer UCS-2 message."""
MAX_OPTIONS = 9
"""Numbered options are one digit each: at most 9 of them."""
MAX_MESSAGE_CHARS = 1600
"""The longest message body Twilio takes (it sends it as as many segments as it needs)."""
ANSWER_SEGMENTS = 2
"""The most segments an answer may take with its reply words: the words are left out
(they still work) rather than make the answer a segment longer."""
REPLY_WORDS: dict[str, str] = {
    "/ask_who_can_get": "WHO",
    "/ask_how_to_get": "HOW",
    "/ask_more": "MORE",
}
"""Buttons that are follow-ups to an answer, by payload, and the word that stands for each
by SMS. None is a keyword Twilio or the service acts on (STOP, START, YES, HELP...:
:mod:`bot.channels.sms.keywords`), and each is a word a young person would type anyway."""

_GSM7 = GSM7_BASIC | GSM7_EXTENDED
_ELLIPSIS = "\u2026"
_JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner
_INVISIBLE = frozenset("\u200b\u2060\ufeff\u00ad")  # zero-width space, word joiner, BOM, SHY

# One character for one character (or for nothing): never longer, so never dearer.
_REPLACEMENTS: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2039\u203a\u00b4`\u02bc\uff07", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\uff02", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe63\uff0d", "-"),
    **dict.fromkeys("\u2022\u2023\u25e6\u2219\u25aa\u25cf", "-"),  # bullets
    **dict.fromkeys("\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006", " "),
    **dict.fromkeys("\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\x1c\x1d\x1e\x1f", " "),
    **dict.fromkeys("\x0b\x85\u2028\u2029", "\n"),
    "\u00d7": "x",
    # Letters without a Unicode decomposition to their base letter.
    "\u0141": "L",  # Ł
    "\u0142": "l",  # ł
    "\u0110": "D",  # Đ
    "\u0111": "d",  # đ
    "\u0126": "H",  # Ħ
    "\u0127": "h",  # ħ
    "\u0131": "i",  # dotless i
}

# Python's \s and \S (Unicode spaces included), spelled out for RE2 (bot.linear_re).
_WORD = f"[^{linear_re.SPACE}]+"
_SENTENCE_END = r"[.!?\u2026][\"')\]\u2019\u201d]*\Z"
_SPACE = linear_re.SPACE
_OPTION = f"(?i)(?:option[{_SPACE}]*)?#?[{_SPACE}]*([1-9])[{_SPACE}]*[.)]?"

# How good a place to break between two messages is (lower is better).
_BREAK_PARAGRAPH = 0
_BREAK_SENTENCE = 1
_BREAK_SPACE = 2


def _is_mark(char: str) -> bool:
    """Whether a character is one of Unicode's combining diacritical marks (accents)."""
    return "\u0300" <= char <= "\u036f"


def _is_foreign(char: str) -> bool:
    """Whether a character is one to_gsm7 keeps although it is not GSM-7 (emoji, scripts)."""
    return char not in _GSM7 and char != _ELLIPSIS and char not in _JOINERS


def _fold(cluster: str) -> str | None:
    """The GSM-7 letter for a letter and its accents, if there is one.

    Args:
        cluster: One character and the combining marks after it (perhaps none).

    Returns:
        The same letter composed, if GSM-7 has it (``e`` + acute -> ``é``); else the
        base letter without its accents (``á`` -> ``a``); else None (not a letter).
    """
    composed = unicodedata.normalize("NFC", cluster)
    if len(composed) == 1 and composed in GSM7_BASIC:
        return composed
    decomposed = unicodedata.normalize("NFD", cluster)
    base, marks = decomposed[0], decomposed[1:]
    if marks and base.isascii() and base.isalpha() and all(_is_mark(m) for m in marks):
        return base
    return None


def _clean_once(text: str) -> str:
    """One pass of the replacements to_gsm7 makes, the ellipsis apart."""
    text = "".join(char for char in text if char not in _INVISIBLE)
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        j = i + 1
        while j < len(text) and _is_mark(text[j]):
            j += 1
        cluster = text[i:j]
        if char in _GSM7 and j == i + 1:
            out.append(char)
        elif char in _REPLACEMENTS and j == i + 1:
            out.append(_REPLACEMENTS[char])
        else:
            folded = _fold(cluster)
            if folded is None:
                out.append(_REPLACEMENTS.get(char, char) + cluster[1:])
            else:
                out.append(folded)
        i = j
    cleaned = "".join(out)
    # A zero-width (non-)joiner stays only inside an emoji sequence or a script that
    # needs it: between two characters that are themselves kept outside GSM-7.
    kept: list[str] = []
    i = 0
    while i < len(cleaned):
        if cleaned[i] not in _JOINERS:
            kept.append(cleaned[i])
            i += 1
            continue
        j = i
        while j < len(cleaned) and cleaned[j] in _JOINERS:
            j += 1
        if i > 0 and j < len(cleaned) and _is_foreign(cleaned[i - 1]) and _is_foreign(cleaned[j]):
            kept.append(cleaned[i:j])
        i = j
    return "".join(kept)


def to_gsm7(text: str) -> str:
    """Replace the characters that would force UCS-2 where GSM-7 has a plain equivalent.

    Curly quotes become ``'`` and ``"``; dashes, the minus sign and bullets ``-``;
    ``…`` becomes ``...``; non-breaking and other Unicode spaces a space (tab too);
    line and paragraph separators a newline; ``×`` ``x``; zero-width spaces, word
    joiners, byte-order marks and soft hyphens go; accented letters GSM-7 lacks lose
    their accents (``á`` -> ``a``, ``ç`` -> ``c``, ``Ł`` -> ``L``), while those it has
    stay (``é è ù ì ò à ä ö ñ ü Ä Ö Ñ Ü Ç É Å å Æ æ Ø ø ß``), and a letter followed by
    combining accents is composed first (``e`` + U+0301 -> ``é``).

    Emoji, other scripts and anything else without a GSM-7 equivalent are left as they
    are, as are the zero-width joiners inside emoji sequences: the message then goes
    as UCS-2, but nothing the reader should see is deleted.

    The result never costs more segments than the text: every replacement is one
    character for at most one, except ``…`` -> ``...``, which is made only when it
    costs no more (it does cost more in a message that stays UCS-2, or in one made of
    ellipses). The function is idempotent.

    Args:
        text: Any text.

    Returns:
        The text, as far as possible in the GSM-7 alphabet.
    """
    cleaned = text
    while True:  # to a fixed point: each pass that changes anything shortens the text
        again = _clean_once(cleaned)  # or turns a character into a GSM-7 one
        if again == cleaned:
            break
        cleaned = again
    if _ELLIPSIS not in cleaned:
        return cleaned
    expanded = cleaned.replace(_ELLIPSIS, "...")
    return expanded if segments(expanded) <= segments(cleaned) else cleaned


def encoding(text: str) -> SmsEncoding:
    """The encoding an SMS of this text goes in.

    Args:
        text: The message body.

    Returns:
        ``"GSM-7"`` if every character is in the GSM-7 default alphabet or its
        extension table (so also for ``""``), else ``"UCS-2"``.
    """
    return "GSM-7" if all(char in _GSM7 for char in text) else "UCS-2"


class _SegmentCounter:
    """Segments of a text, counted as it grows, in both encodings at once."""

    __slots__ = (
        "gsm7",
        "gsm7_fill",
        "gsm7_segments",
        "septets",
        "ucs2_fill",
        "ucs2_segments",
        "units",
    )

    def __init__(self) -> None:
        self.gsm7 = True
        self.septets = 0
        self.gsm7_segments = 0
        self.gsm7_fill = 0
        self.units = 0
        self.ucs2_segments = 0
        self.ucs2_fill = 0

    def add(self, text: str) -> None:
        """Append text: a character that does not fit a segment's room starts the next."""
        for char in text:
            units = 2 if ord(char) > 0xFFFF else 1
            self.units += units
            if self.ucs2_segments == 0 or self.ucs2_fill + units > UCS2_SEGMENT_UNITS:
                self.ucs2_segments += 1
                self.ucs2_fill = units
            else:
                self.ucs2_fill += units
            if not self.gsm7:
                continue
            if char in GSM7_BASIC:
                septets = 1
            elif char in GSM7_EXTENDED:
                septets = 2
            else:
                self.gsm7 = False
                continue
            self.septets += septets
            if self.gsm7_segments == 0 or self.gsm7_fill + septets > GSM7_SEGMENT_SEPTETS:
                self.gsm7_segments += 1
                self.gsm7_fill = septets
            else:
                self.gsm7_fill += septets

    def count(self) -> int:
        """The segments of the text so far."""
        if self.units == 0:
            return 0
        if self.gsm7:
            return 1 if self.septets <= GSM7_SINGLE_SEPTETS else self.gsm7_segments
        return 1 if self.units <= UCS2_SINGLE_UNITS else self.ucs2_segments


def segments(text: str) -> int:
    """The SMS segments a text costs, as Twilio counts them.

    GSM-7: one segment up to 160 septets, else segments of 153 septets, where an
    extended character costs 2 septets and is never split across two segments.
    UCS-2: one segment up to 70 UTF-16 code units, else segments of 67 units, where a
    character outside the Basic Multilingual Plane (most emoji) is a surrogate pair,
    costs 2 units and is never split across two segments. Each further segment is
    thus ``ceil(septets / 153)`` or ``ceil(units / 67)``, or one more when an
    unsplittable character would straddle a boundary.

    Args:
        text: The message body.

    Returns:
        The number of segments; 0 for ``""`` (which Twilio would not send at all).
    """
    counter = _SegmentCounter()
    counter.add(text)
    return counter.count()


def _break_quality(text: str, before: tuple[int, int], after: tuple[int, int]) -> int:
    """How good a place to end a message the whitespace between two atoms is."""
    gap = text[before[1] : after[0]]
    if gap.count("\n") >= 2:
        return _BREAK_PARAGRAPH
    if "\n" in gap or linear_re.compile(_SENTENCE_END).search(text[before[0] : before[1]]):
        return _BREAK_SENTENCE
    return _BREAK_SPACE


def _split(
    text: str,
    atoms: Sequence[tuple[int, int]],
    max_segments: int | None,
    max_chars: int | None = None,
) -> list[str]:
    """Cut a text between its atoms into the fewest messages, then the fewest segments.

    Args:
        text: The text.
        atoms: The ``(start, end)`` spans, in order, that are never cut (words, or a
            line of options); everything between two atoms is whitespace.
        max_segments: The most segments a message may have, unless it is one atom
            (None: no limit).
        max_chars: The most characters a message may have, unless it is one atom
            (None: no limit).

    Returns:
        The messages: ``text[start of first atom : end of last atom]`` for each.
    """
    n = len(atoms)
    quality = [0] + [_break_quality(text, atoms[k - 1], atoms[k]) for k in range(1, n)] + [0]
    # best[i]: (messages, segments, break badness) for atoms i.. ; end[i]: where the
    # first of those messages ends (exclusive). Found from the last atom backwards.
    best: list[tuple[int, int, int]] = [(0, 0, 0)] * (n + 1)
    end = [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        counter = _SegmentCounter()
        position = atoms[i][0]
        chosen = (0, 0, 0)
        for j in range(i + 1, n + 1):
            counter.add(text[position : atoms[j - 1][1]])
            position = atoms[j - 1][1]
            count = counter.count()
            over = (max_segments is not None and count > max_segments) or (
                max_chars is not None and atoms[j - 1][1] - atoms[i][0] > max_chars
            )
            if over and j > i + 1:
                break  # messages only grow as text is added: no longer one fits
            rest = best[j]
            candidate = (1 + rest[0], count + rest[1], quality[j] + rest[2])
            if j == i + 1 or candidate <= chosen:  # on a tie, the longer message
                chosen = candidate
                end[i] = j
            if over:
                break  # one atom alone, too long: it goes whole
        best[i] = chosen
    parts: list[str] = []
    i = 0
    while i < n:
        parts.append(text[atoms[i][0] : atoms[end[i] - 1][1]])
        i = end[i]
    return parts


def split_for_sms(text: str, max_segments: int = 3) -> list[str]:
    """Split a text into SMS messages of at most ``max_segments`` segments each.

    The text is cut at whitespace only, never inside a word, so never inside a
    surrogate pair or an extended GSM-7 character either. A word too long for
    ``max_segments`` on its own (a long link, say) goes whole, as a message of its own
    that is longer than asked. Of the ways to cut, the one chosen has the fewest
    messages (a text that fits stays whole), then costs the fewest segments in all
    (each message is counted in its own encoding, so an emoji may go to the message
    where it makes the least UCS-2), then breaks at paragraph ends, then at line and
    sentence ends, before other spaces. So a sentence is cut where keeping sentences
    whole would cost a message or a segment more.

    Each message is stripped, none is empty, and joining them with spaces gives back
    the text up to whitespace: ``" ".join(parts).split() == text.split()``.

    Args:
        text: The text, as it is to be sent (see :func:`to_gsm7`).
        max_segments: The most segments in one message, at least 1.

    Returns:
        The messages, in order; ``[]`` for a text that is empty or only whitespace.

    Raises:
        ValueError: If ``max_segments`` is less than 1.
    """
    if max_segments < 1:
        raise ValueError(f"max_segments must be at least 1, not {max_segments}")
    atoms = [match.span() for match in linear_re.compile(_WORD).finditer(text)]
    return _split(text, atoms, max_segments)


def _option_chunks(buttons: Sequence[tuple[str, str]]) -> list[str]:
    """The options line in pieces: ``["Reply 1 for A,", "2 for B,", "3 for C"]``."""
    if len(buttons) > MAX_OPTIONS:
        raise ValueError(f"at most {MAX_OPTIONS} options fit one digit, not {len(buttons)}")
    chunks: list[str] = []
    for number, (title, _payload) in enumerate(buttons, start=1):
        clean = " ".join(to_gsm7(title).split())
        if not clean:
            raise ValueError(f"option {number} has no title")
        chunks.append(f"{number} for {clean}")
    if chunks:
        chunks[0] = "Reply " + chunks[0]
    return [chunk + "," for chunk in chunks[:-1]] + chunks[-1:]


def numbered_options(buttons: Sequence[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    """Buttons as a line of numbered options, and what each number stands for.

    Args:
        buttons: ``(title, payload)`` pairs, in order; at most :data:`MAX_OPTIONS`.

    Returns:
        The line (``"Reply 1 for Tell me more, 2 for How do I get it?"``, titles
        through :func:`to_gsm7` and on one line) and ``{"1": payload, ...}``;
        ``("", {})`` for no buttons.

    Raises:
        ValueError: If there are more than :data:`MAX_OPTIONS` buttons, or a title
            is blank.
    """
    line = " ".join(_option_chunks(buttons))
    return line, {str(number): payload for number, (_, payload) in enumerate(buttons, start=1)}


def compose_reply(
    texts: Sequence[str],
    buttons: Sequence[tuple[str, str]] = (),
    max_chars: int = MAX_MESSAGE_CHARS,
) -> tuple[list[str], dict[str, str]]:
    """The SMS bodies for one turn of the bot, and the numbered options they offer.

    The texts (through :func:`to_gsm7`, blank ones dropped) are joined with a blank
    line between them, the options line (see :func:`numbered_options`) after another,
    and sent as one message when the whole is at most ``max_chars`` characters (1,600,
    Twilio's longest body: Twilio cuts it into segments, which the phone joins in
    order). A longer reply is cut as :func:`split_for_sms` cuts, by characters: the
    fewest messages, then the fewest segments, at paragraph and sentence ends where that
    costs nothing. The options line stays whole, in the last message, if it fits in
    ``max_chars``; else it is cut only between options. Words are never cut: a single
    word (or option) longer than ``max_chars`` goes whole.

    Args:
        texts: The bot's messages for the turn, in order.
        buttons: The last message's buttons, ``(title, payload)``; at most 9.
        max_chars: The most characters in one SMS, at least 1.

    Returns:
        The bodies to send, in order (``[]`` if there is nothing to say), and the
        options as :func:`option_payload` reads them (``{"1": payload, ...}``).

    Raises:
        ValueError: If ``max_chars`` is less than 1, there are more than 9 buttons,
            or a button's title is blank.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, not {max_chars}")
    cleaned = [to_gsm7(text).strip() for text in texts]
    body = "\n\n".join(text for text in cleaned if text)
    atoms = [match.span() for match in linear_re.compile(_WORD).finditer(body)]
    chunks = _option_chunks(buttons)
    options = {str(number): payload for number, (_, payload) in enumerate(buttons, start=1)}
    if chunks:
        start = len(body) + 2 if body else 0
        body = body + "\n\n" + " ".join(chunks) if body else " ".join(chunks)
        if len(body) - start <= max_chars:
            atoms.append((start, len(body)))
        else:
            for chunk in chunks:
                atoms.append((start, start + len(chunk)))
                start += len(chunk) + 1
    bodies = (to_gsm7(part).strip() for part in _split(body, atoms, None, max_chars))
    return [part for part in bodies if part], options


def sms_turn(
    messages: Sequence[Mapping[str, Any]], before: Sequence[str] = ()
) -> tuple[list[str], dict[str, str]]:
    """The SMS bodies for one turn of the bot, from the messages Rasa's channel collected.

    The last message's buttons become numbered options (:func:`compose_reply`), except
    an answer's follow-ups (every payload in :data:`REPLY_WORDS`): those are offered as
    one line of reply words after the answer ("Reply WHO, HOW or MORE"), only if the
    answer is one text that stays within :data:`ANSWER_SEGMENTS` segments with it; if
    not, the first words that fit ("Reply WHO or HOW"), else none. Every word is
    returned as an option either way, so typing one works even when it was not shown.

    Args:
        messages: The turn's messages as ``CollectingOutputChannel`` keeps them (``text``,
            and ``buttons`` of ``{"title", "payload"}``).
        before: Texts of the channel's own to send first (the identity check's reply).

    Returns:
        As :func:`compose_reply`: the bodies to send, and the options they offer.
    """
    texts = [str(m["text"]) for m in messages if m.get("text")]
    buttons = next(
        (
            [(str(b["title"]), str(b["payload"])) for b in m["buttons"]]
            for m in reversed(messages)
            if m.get("buttons")
        ),
        [],
    )
    if not buttons or any(payload not in REPLY_WORDS for _, payload in buttons):
        return compose_reply([*before, *texts], buttons)
    bodies, _ = compose_reply([*before, *texts])
    words = [REPLY_WORDS[payload] for _, payload in buttons]
    options = {REPLY_WORDS[payload].lower(): payload for _, payload in buttons}
    if not bodies:
        return [reply_words_line(words)], options
    if len(bodies) == 1:
        for shown in range(len(words), 0, -1):  # all the words, else the first ones
            offered = f"{bodies[0]}\n{reply_words_line(words[:shown])}"
            if segments(offered) <= ANSWER_SEGMENTS:
                return [offered], options
    return bodies, options


def reply_words_line(words: Sequence[str]) -> str:
    """``"Reply WHO, HOW or MORE"``: the reply words of an answer's follow-ups."""
    if len(words) == 1:
        return f"Reply {words[0]}"
    return f"Reply {', '.join(words[:-1])} or {words[-1]}"


def option_payload(reply: str, options: Mapping[str, str]) -> str | None:
    """The payload of the numbered option or reply word a reply chooses, if it is nothing else.

    ``"1"``, ``" 2 "``, ``"2."``, ``"2)"``, ``"option 2"``, ``"Option #2"`` and
    ``"#3"`` choose; so do full-width digits and keycap emoji (``1️⃣``). ``"2 please"``,
    ``"12"`` or a number not on offer do not. A reply word on offer chooses in any case
    and with a full stop, question or exclamation mark after it (``"who"``, ``"How?"``);
    ``"who is my PA"`` does not.

    Args:
        reply: The SMS as received.
        options: The options last offered, ``{"1": payload, ...}``.

    Returns:
        The chosen option's payload, or None.
    """
    normal = unicodedata.normalize("NFKC", reply).replace("\ufe0f", "").replace("\u20e3", "")
    word = normal.strip().rstrip(".!?").strip().casefold()
    if word.isalpha() and word in options:
        return options[word]
    match = linear_re.compile(_OPTION).fullmatch(normal.strip())
    return options.get(match.group(1) or "") if match else None
