"""Rule-based detector for messages that show immediate risk.

This is the pattern layer of the safety net. It is plain Python and regular
expressions, so it cannot be "trained away"; a trained model runs beside it.
It is tuned for young people leaving care texting from cheap phones: low
literacy, text-speak, typos, no punctuation.

What it looks for is data, reviewed by a safeguarding lead, in
``bot/safety/data/lexicon/`` (read by :mod:`bot.safety.lexicon` on first use); this
module is the procedure. The pipeline for one message is:

1. :func:`normalise` the text (case, accents, quotes, apostrophes, repeated
   letters, leet-speak, text-speak, common misspellings: ``normalise.yml``).
2. Mask figures of speech ("this form is killing me", "my phone is dead",
   "kms lol": ``figures.yml``) so that they cannot trigger a risk rule, while any
   real risk statement elsewhere in the message still can.
3. Run the risk rules (``rules/``), one family per category. A family is first
   checked with a single combined expression; only when that matches are its rules
   run one by one.
4. Check each risk match against its context (``context.yml``): negation ("i dont
   want to die"), who it is about ("my friend wants to die"), jokes, past framing
   ("when i was 15"), games, films, songs and the news, and for housing, future or
   conditional framing ("if i get evicted"). Overdoses and medical emergencies that
   are over ("the hospital sorted it") are not current; nor are questions about what
   to do if it ever happened to someone ("if someone has a seizure") or what a slang
   word means. Some rules also carry words that show an everyday meaning ("party",
   "shaving", "boxing").

Only rule names are reported, never any part of the message.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot import linear_re as linear
from bot.safety.categories import CATEGORIES
from bot.safety.lexicon import LEXICON_DIR, load
from bot.safety.lexicon_examples import check_examples
from bot.safety.lexicon_model import Lexicon, Rule

__all__ = [
    "CATEGORIES",
    "RULE_NAMES",  # noqa: F822 (given by __getattr__, which loads the lexicon)
    "RiskAssessment",
    "assess",
    "check_lexicon",
    "framing",
    "lexicon",
    "normalise",
]

# Longer input is cut before matching: it bounds the work done per message.
_MAX_CHARS = 8000


@dataclass(frozen=True)
class RiskAssessment:
    """The result of checking one message.

    Attributes:
        at_risk: True when the message shows immediate risk.
        categories: Which of :data:`CATEGORIES` were found, in order of their
            first match in the message.
        figure_of_speech: True when the message used alarming words only as
            a figure of speech, a joke, a past event or about a game, film,
            song or book. Always False when ``at_risk`` is True.
        rules: Names of the rules that fired (risk, figure-of-speech and
            context rules). Never contains any of the message text.
        mentions_risk: True when, figures of speech aside, the message uses any
            word of danger or distress at all (a wide net, far wider than the
            rules). A trained model's "crisis" is only trusted when this holds,
            so that the model alone cannot raise an alarm on a message about
            overdraft fees or a complaint.
        checked: False when the check could not finish (a message built to make the
            patterns work too hard). Such a message must be treated as possible risk,
            never as safe.

    """

    at_risk: bool
    categories: tuple[str, ...]
    figure_of_speech: bool
    rules: tuple[str, ...]
    mentions_risk: bool = False
    checked: bool = True


# ---------------------------------------------------------------------------
# The lexicon
# ---------------------------------------------------------------------------

# Context rules: reported when a risk rule's match was judged not current or not theirs.
_CONTEXT = "negated third_party no_subject joke media past future hypothetical info unchecked"
_CONTEXT_NAMES = tuple(f"ctx.{name}" for name in _CONTEXT.split())
_FIGURATIVE_CONTEXTS = frozenset({"ctx.joke", "ctx.media", "ctx.past"})


@functools.cache
def lexicon() -> Lexicon:
    """The lexicon in use: read, compiled and its examples checked, once, on first use.

    Raises:
        LexiconError: A lexicon file has a mistake, or an example does not do what it says.

    """
    return check_lexicon(LEXICON_DIR)


def check_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    """Load the lexicon in ``directory`` and check that every example does what it says.

    Args:
        directory: The lexicon's folder.

    Returns:
        The lexicon.

    Raises:
        LexiconError: Naming the file, the entry and the problem: a mistake in a file
            (:func:`bot.safety.lexicon.load`), or an example that does not do what it
            says when this detector runs it (:func:`bot.safety.lexicon_examples.check_examples`).

    """
    loaded = load(directory)
    check_examples(
        loaded, normalise=_normalise, mask=_mask, rules=lambda lex, text: _assess(lex, text).rules
    )
    return loaded


def __getattr__(name: str) -> frozenset[str]:
    """``RULE_NAMES``: every name a :class:`RiskAssessment` may report (loads the lexicon)."""
    if name == "RULE_NAMES":
        return frozenset(lexicon().rule_names + _CONTEXT_NAMES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------

_APOSTROPHES = "'`\u00b4\u2018\u2019\u201a\u201b\u2032\u02bc\uff07"
_DOUBLE_QUOTES = "\u201c\u201d\u201e\u201f\u2033\uff02"
_SPECIAL_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "œ": "oe", "ı": "i", "ð": "d", "þ": "th"}
)
_APOSTROPHE_TABLE = str.maketrans({c: None for c in _APOSTROPHES})
_DQUOTE_TABLE = str.maketrans({c: '"' for c in _DOUBLE_QUOTES})

_RE_OD_D = linear.compile(r"\bod[" + _APOSTROPHES + r"]?d\b")
_RE_LEET = (
    (linear.compile(r"(?<=[a-z])[1!|](?=[a-z])"), "i"),
    (linear.compile(r"(?<=[a-z])3(?=[a-z])"), "e"),
    (linear.compile(r"(?<=[a-z])0(?=[a-z])"), "o"),
    (linear.compile(r"(?<=[a-z])[@4](?=[a-z])"), "a"),
    (linear.compile(r"(?<=[a-z])\$(?=[a-z])"), "s"),
    (linear.compile(r"(?<=[a-z])\*+(?=[a-z])"), "i"),
)
_RE_AMPERSAND = linear.compile(r"&")
_RE_STOPS = linear.compile(r"[.!?;:\n\r\u2026]+")
_RE_COMMA = linear.compile(r",+")
_RE_OTHER = linear.compile(r"[^a-z0-9., ]+")
_RE_SPACES = linear.compile(r" {2,}")
_RE_WORD = linear.compile(r"[a-z]+")
_RE_TOKEN = linear.compile(r"[a-z0-9]+")
_STOP_TOKENS = frozenset({".", ","})


def _runs(word: str) -> list[tuple[str, int]]:
    """Split ``word`` into runs of one letter: ``"kiiill"`` gives ``[(k,1), (i,3), (l,2)]``."""
    return [(letter, len(list(group))) for letter, group in itertools.groupby(word)]


def _fix_repeats(word: str, doubles: frozenset[str]) -> str:
    """Shorten runs of three or more of one letter in a word.

    Args:
        word: One lower-case word.
        doubles: Words with a real double letter.

    Returns:
        The word with each run of three or more cut to two letters when that spells a
        word of ``doubles``, otherwise to one letter. A word with no such run is
        returned as it is.

    """
    runs = _runs(word)
    long_runs = [i for i, (_, n) in enumerate(runs) if n >= 3]
    if not long_runs:
        return word

    def _spell(kept: set[int]) -> str:
        return "".join(
            letter * (n if n < 3 else 2 if i in kept else 1) for i, (letter, n) in enumerate(runs)
        )

    two = _spell(set(long_runs))
    if two in doubles:
        return two
    one = _spell(set())
    if one in doubles:
        return one
    # Mixed runs ("kiiilllll"): try keeping a double on each run in turn.
    if 1 < len(long_runs) <= 4:
        for keep in long_runs:
            candidate = _spell({keep})
            if candidate in doubles:
                return candidate
    return one


def _last_stop_only(text: str) -> str:
    """Keep only the last of several ``.``/``,`` tokens in a row (". , ." becomes ".")."""
    tokens = text.split(" ")
    kept = [
        token
        for token, after in zip(tokens, [*tokens[1:], ""], strict=True)
        if not (token in _STOP_TOKENS and after in _STOP_TOKENS)
    ]
    return " ".join(kept)


def _ascii(text: str) -> str:
    """Every character outside ASCII becomes a space (after accents were taken off)."""
    return "".join(c if c < "\x80" else " " for c in text)


def normalise(text: str) -> str:
    """Normalise a message for matching.

    Lower-cases, strips accents, straightens quotes, removes apostrophes,
    shortens stretched letters, undoes simple leet-speak, expands text-speak
    and fixes common misspellings of the words the rules look for. Sentence
    punctuation is kept as separate ``.`` and ``,`` tokens; every other
    symbol becomes a space.

    Args:
        text: The raw message.

    Returns:
        Lower-case words and ``.``/``,`` tokens separated by single spaces.

    """
    return _normalise(lexicon(), text)


def _normalise(lex: Lexicon, text: str) -> str:
    """:func:`normalise` with the data of ``lex`` (``normalise.yml``)."""
    data = lex.normalisation
    text = text[:_MAX_CHARS]
    text = text.translate(data.joke_emoji_table)
    text = text.casefold().translate(_SPECIAL_LETTERS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(_DQUOTE_TABLE)
    text = _RE_OD_D.sub("oded", text)
    text = _ascii(text.translate(_APOSTROPHE_TABLE))
    for pattern, repl in _RE_LEET:
        text = pattern.sub(repl, text)
    text = _RE_AMPERSAND.sub(" and ", text)
    text = _RE_STOPS.sub(" . ", text)
    text = _RE_COMMA.sub(" , ", text)
    text = _RE_OTHER.sub(" ", text)
    text = _RE_WORD.sub(lambda m: _fix_repeats(m.group() or "", data.double_letter_words), text)
    text = data.dropped_g.sub(r"\1ing", text)
    text = _RE_TOKEN.sub(lambda m: data.spellings.get(m.group() or "", m.group() or ""), text)
    for fix in data.respell + data.joins:
        text = fix.pattern.sub(fix.replace, text)
    text = _RE_SPACES.sub(" ", text).strip()
    for fix in data.contextual:
        text = fix.pattern.sub(fix.replace, text)
    text = _last_stop_only(text)
    return _RE_SPACES.sub(" ", text).strip()


# ---------------------------------------------------------------------------
# Figures of speech: masked out before the risk rules run
# ---------------------------------------------------------------------------


def _mask_figures(text: str) -> tuple[str, list[str]]:
    """Replace figures of speech with a neutral ``~`` token.

    Args:
        text: Normalised message.

    Returns:
        The masked text and the names of the figure rules that matched.

    """
    return _mask(lexicon(), text)


def _mask(lex: Lexicon, text: str) -> tuple[str, list[str]]:
    """:func:`_mask_figures` with the figures of ``lex``."""
    fired: list[str] = []

    def _replace(match: linear.Match) -> str:
        group = match.lastgroup
        if group is not None:
            name = lex.figures[int(group[1:])].name
            if name not in fired:
                fired.append(name)
        return "~"

    return lex.figure_union.sub(_replace, text), fired


# ---------------------------------------------------------------------------
# Context checks
# ---------------------------------------------------------------------------


def _past_only(lex: Lexicon, clause: str, text: str) -> bool:
    """True when ``clause`` is about the past only.

    No word in it may place it now, and nothing in ``text`` may say it is happening again
    ("never again" counts as neither).
    """
    context = lex.context
    return (
        context.past.search(clause) is not None
        and context.present.search(context.never_again.sub(" ", clause)) is None
        and context.again.search(context.never_again.sub(" ", text)) is None
    )


def _bounds(text: str, pattern: linear.Pattern) -> list[int]:
    """Return the start offsets of the clauses of ``text``."""
    return [0] + [m.start() for m in pattern.finditer(text)]


def _span(bounds: list[int], start: int, end: int, length: int) -> tuple[int, int]:
    """Return the clause span that holds ``start`` and reaches at least ``end``."""
    i = bisect.bisect_right(bounds, start) - 1
    clause_start = bounds[i]
    j = bisect.bisect_left(bounds, end)
    clause_end = bounds[j] if j < len(bounds) else length
    return clause_start, max(clause_end, end)


def _nearest_subject(lex: Lexicon, tokens: list[str]) -> tuple[str, str]:
    """Judge who the words after ``tokens`` are about.

    Args:
        lex: The lexicon.
        tokens: The words of the clause before a match.

    Returns:
        ``"self"``, ``"third"`` or ``"none"``, and the word that decided it
        (empty for ``"none"``).

    """
    words = lex.word_sets
    last = len(tokens) - 1
    for i in range(last, max(-1, last - 9), -1):
        token = tokens[i]
        if token in words.first:
            return "self", token
        if token in words.third_pronouns:
            return "third", token
        if token in words.third_nouns and (i == last or tokens[i + 1] in words.subject_follow):
            return "third", token
    return "none", ""


def _generic(lex: Lexicon, word: str, tokens: list[str]) -> bool:
    """Return True when ``word``, the subject found in ``tokens``, is no one in particular."""
    if word in lex.word_sets.generic_people:
        return True
    if word not in lex.word_sets.generic_nouns:
        return False
    at = len(tokens) - 1 - tokens[::-1].index(word)
    return at > 0 and tokens[at - 1] in {"a", "your", "any", "some"}


def _negated(lex: Lexicon, tokens: list[str]) -> bool:
    """Return True when a negation comes in the last few words of ``tokens``."""
    for token in reversed(tokens[-4:]):
        if token in lex.word_sets.neg_boundary:
            return False
        if token in lex.word_sets.negators:
            return True
    return False


def _who_ok(who: str, subject: str) -> bool:
    """Check a rule's ``who`` requirement against the judged subject."""
    if who == "any":
        return True
    if who == "self":
        return subject == "self"
    if who == "person":
        return subject != "none"
    if who == "third":
        return subject == "third"
    if who == "not_self":
        return subject != "self"
    return subject != "third"


def _check(
    lex: Lexicon,
    rule: Rule,
    match: linear.Match,
    text: str,
    fine: list[int],
    coarse: list[int],
) -> str | None:
    """Check one risk match against its context.

    Args:
        lex: The lexicon.
        rule: The rule that matched.
        match: The match in the masked text.
        text: The masked, normalised message.
        fine: Clause starts split at commas and conjunctions.
        coarse: Clause starts split at sentence ends and contrast words.

    Returns:
        None when the match stands, otherwise the name of the context rule
        that suppresses it.

    """
    context = lex.context
    start, end = match.start(), match.end()
    fine_start, fine_end = _span(fine, start, end, len(text))
    tokens = text[fine_start:start].split()
    if rule.negatable and _negated(lex, tokens):
        return "ctx.negated"
    coarse_start, coarse_end = _span(coarse, start, end, len(text))
    clause = text[coarse_start:coarse_end]
    if context.media.search(clause) or context.news.search(text, fine_start, fine_end):
        return "ctx.media"
    subject, subject_word = _nearest_subject(lex, tokens)
    if not _who_ok(rule.who, subject):
        return "ctx.no_subject" if subject == "none" else "ctx.third_party"
    if rule.jokeable and context.joke.search(text, max(0, start - 40), min(len(text), end + 40)):
        return "ctx.joke"
    if _past_only(lex, clause, text):
        return "ctx.past"
    if rule.over and context.over.search(clause) and not context.ongoing.search(clause):
        return "ctx.past"
    if rule.future and context.future.search(clause) and not context.nowish.search(clause):
        return "ctx.future"
    if (
        _generic(lex, subject_word, tokens)
        and context.hypothetical.search(text, coarse_start, start)
        and not context.urgent_now.search(clause)
    ):
        return "ctx.hypothetical"
    if context.info_before.search(
        text, max(coarse_start, start - 40), start
    ) and context.info_after.match(text[end : end + 30]):
        return "ctx.info"
    return None


def _live_cue(lex: Lexicon, cue: linear.Match, text: str, coarse: list[int]) -> bool:
    """Return True when a danger word is used in a current, un-negated statement.

    Args:
        lex: The lexicon.
        cue: A match of the risk cues (``context.yml``) in the masked text.
        text: The masked, normalised message.
        coarse: Clause starts split at sentence ends and contrast words.

    Returns:
        False when the word is negated ("not in danger") or its clause is only
        about the past ("i used to self harm"), otherwise True.

    """
    if _negated(lex, text[: cue.start()].split()):
        return False
    start, end = _span(coarse, cue.start(), cue.end(), len(text))
    return not _past_only(lex, text[start:end], text)


def framing(text: str, *, normalised: str | None = None) -> frozenset[str]:
    """How the whole message is framed: ``info``, ``safe`` or ``past``.

    ``info``: a short question about what a word means; ``safe``: the danger is said to
    be over or not there; ``past``: only the past. Used to keep the semantic layer from
    overruling the framing; a pattern's own verdict already takes its context into account.
    ``normalised`` is ``normalise(text)`` when the caller has it already.
    """
    lex = lexicon()
    context = lex.context
    try:
        words = _normalise(lex, text) if normalised is None else normalised
        masked, _ = _mask(lex, words)
        found: set[str] = set()
        if context.asks_what.search(masked) or context.info_context.search(masked):
            found.add("info")
        if context.said_safe.search(masked):
            found.add("safe")
        if _past_only(lex, masked, masked):
            found.add("past")
        return frozenset(found)
    except linear.MatchBudgetExceeded:
        return frozenset()


UNCHECKED = RiskAssessment(
    at_risk=False,
    categories=(),
    figure_of_speech=False,
    rules=("ctx.unchecked",),
    mentions_risk=True,
    checked=False,
)


def assess(text: str) -> RiskAssessment:
    """Check one message for immediate risk, in time linear in its length.

    Args:
        text: The message as the young person sent it (any length; only the
            first few thousand characters are read).

    Returns:
        A :class:`RiskAssessment`; :data:`UNCHECKED` when the patterns gave up on a
        message built to make them work too hard.

    """
    lex = lexicon()
    try:
        return _assess(lex, text)
    except linear.MatchBudgetExceeded:
        return UNCHECKED


def _assess(lex: Lexicon, text: str) -> RiskAssessment:
    """Check one message for immediate risk.

    Args:
        lex: The lexicon.
        text: The message as the young person sent it (any length; only the
            first few thousand characters are read).

    Returns:
        A :class:`RiskAssessment`. ``at_risk`` is True when any risk rule
        matched in a current, first-hand (or urgent third-party) framing.

    """
    context = lex.context
    masked, figure_rules = _mask(lex, _normalise(lex, text))
    fine = _bounds(masked, context.fine_boundary)
    coarse = _bounds(masked, context.coarse_boundary)
    mentions_risk = any(
        _live_cue(lex, cue, masked, coarse) for cue in context.risk_cues.finditer(masked)
    )

    hits: list[tuple[int, int, str, str]] = []
    contexts: list[str] = []
    for index, family in enumerate(lex.families):
        if family.union.search(masked) is None:
            continue
        for rule in family.rules:
            if any(need.search(masked) is None for need in rule.requires):
                continue
            if rule.excludes is not None and rule.excludes.search(masked):
                continue
            for match in rule.regex.finditer(masked):
                verdict = _check(lex, rule, match, masked, fine, coarse)
                if verdict is None:
                    hits.append((match.start(), index, rule.category, rule.name))
                    break
                if verdict not in contexts:
                    contexts.append(verdict)

    hits.sort()
    categories: list[str] = []
    risk_rules: list[str] = []
    for _, _, category, name in hits:
        if category not in categories:
            categories.append(category)
        if name not in risk_rules:
            risk_rules.append(name)
    at_risk = bool(hits)
    figurative = bool(figure_rules) or any(c in _FIGURATIVE_CONTEXTS for c in contexts)
    if not at_risk and (contexts or context.info_context.search(masked)):
        # The rules saw the danger words and judged them not current or not the young
        # person's own (a friend, a hypothetical, the past, homework): the model's word
        # alone must not overturn that.
        mentions_risk = False
    return RiskAssessment(
        at_risk=at_risk,
        categories=tuple(categories),
        figure_of_speech=figurative and not at_risk,
        rules=tuple(risk_rules + figure_rules + contexts),
        mentions_risk=mentions_risk or at_risk,
    )
