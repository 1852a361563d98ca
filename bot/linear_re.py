"""Regular expressions that run in linear time, lookarounds included.

User text never meets a backtracking engine: every pattern here runs on RE2
(google-re2), whose matching time grows linearly with the text whatever the
pattern. RE2 has no lookarounds, and the safety lexicon needs a few ("end it",
but not "end it with him"). So a pattern is parsed once, at load time, and each
lookaround is replaced by an empty marker group: RE2 finds the match, then each
marker that took part is checked with its own anchored RE2 match at the
marker's position (a lookahead from there, a fixed-width lookbehind ending
there). When a check fails, the match is tried again at the same start with the
path through that lookaround closed (as a backtracking engine would try the
pattern's next alternative), and then from the next position. The text scanned
again is counted: past :data:`MAX_RETRIES` times the text's length (plus a
constant), the call raises :class:`MatchBudgetExceeded`, so the work stays
linear in the text's length and the caller must fail safe.

The one difference from Python's ``re``: closing a path closes it for every way
through that lookaround at this start, where ``re`` would try each way in turn.
The safety tests and a comparison over every message the project holds
(``tests/unit/test_safety_linear.py``) check that this changes no verdict.

Backreferences, atomic groups and inline flags are refused when the pattern is
loaded, with the pattern named, never at match time.
"""

from __future__ import annotations

import functools
import re as _std_re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import re2

try:  # Python 3.11 and later
    from re import _constants as _sre  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # Python 3.10
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

__all__ = [
    "MAX_RETRIES",
    "SPACE",
    "Match",
    "MatchBudgetExceeded",
    "Pattern",
    "PatternError",
    "compile",
]

SPACE = "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""The characters Python's ``\\s`` matches in text (``str.isspace``), for a character class.

RE2's ``\\s`` is ASCII only (tab, newline, form feed, carriage return, space): where a
no-break or other Unicode space must count as space, write ``[{SPACE}]`` or ``[^{SPACE}]``.
"""

# How much work one call may do when lookarounds drop matches: characters scanned again,
# per character of the text, plus a constant. Bounded, so the whole call stays linear.
MAX_RETRIES = 64
_BASE_BUDGET = 4096
# Large alternations (a family of rules in one pattern) need more than RE2's 8 MB default.
_MAX_MEM = 256 << 20
_MARK = "_m"


class PatternError(ValueError):
    """A pattern uses something that cannot run in linear time."""


class MatchBudgetExceeded(RuntimeError):
    """A search dropped too many matches; the caller must treat the text as unchecked."""


@dataclass(frozen=True)
class _Assertion:
    group: int  # RE2 group number of the marker
    ahead: bool
    negative: bool
    width: int  # lookbehind only: the fixed width it looks back
    pattern: Pattern


class Match:
    """One match: offsets and groups numbered as in the source pattern."""

    __slots__ = ("_groups", "_m", "_names", "_text")

    def __init__(self, raw: Any, text: str, groups: dict[int, int], names: dict[str, int]) -> None:
        self._m = raw
        self._text = text
        self._groups = groups
        self._names = names

    def _index(self, group: int | str) -> int:
        if isinstance(group, str):
            group = self._names[group]
        if group == 0:
            return 0
        return self._groups[group]

    def start(self, group: int | str = 0) -> int:
        """Where the match (or a group) starts, -1 if the group took no part."""
        return int(self._m.start(self._index(group)))

    def end(self, group: int | str = 0) -> int:
        """Where the match (or a group) ends, -1 if the group took no part."""
        return int(self._m.end(self._index(group)))

    def span(self, group: int | str = 0) -> tuple[int, int]:
        """``(start, end)`` of the match or a group."""
        return self.start(group), self.end(group)

    def group(self, group: int | str = 0) -> str | None:
        """The text of the match or a group (None if the group took no part)."""
        start, end = self.span(group)
        return None if start < 0 else self._text[start:end]

    def groups(self) -> tuple[str | None, ...]:
        """The text of every group, in order (None for a group that took no part)."""
        return tuple(self.group(number) for number in range(1, len(self._groups) + 1))

    @property
    def lastgroup(self) -> str | None:
        """The first named group that took part (names are unique per alternative)."""
        for name in self._names:
            if self.start(name) >= 0:
                return name
        return None

    def expand(self, template: str) -> str:
        r"""Fill ``\1``, ``\g<1>`` and ``\g<name>`` in ``template`` from this match."""

        def _ref(m: _std_re.Match[str]) -> str:
            ref = m.group(1) or m.group(2)
            key: int | str = int(ref) if ref.isdigit() else ref
            return self.group(key) or ""

        return _TEMPLATE.sub(_ref, template)


# Templates are the project's own strings, never user text.
_TEMPLATE = _std_re.compile(r"\\(\d)|\\g<(\w+)>")


class Pattern:
    """A compiled pattern with the parts of ``re.Pattern``'s interface the project uses."""

    def __init__(self, source: str) -> None:
        self.pattern = source
        try:
            tree = _sre_parse.parse(source)
        except _std_re.error as e:
            raise PatternError(f"{e} in pattern {source!r}") from e
        self._assertions: list[_Assertion] = []
        self._groups: dict[int, int] = {}
        self._names: dict[str, int] = dict(tree.state.groupdict)
        self._next_group = 0
        body = _flags(tree.state.flags, source) + self._seq(tree, in_repeat=False)
        self._body = body
        try:
            self._re2 = re2.compile(body.encode("utf-8"), _options())
        except re2.error as e:
            raise PatternError(f"RE2 cannot compile pattern {source!r}: {e}") from e
        self.groups = tree.state.groups - 1
        self.groupindex = dict(self._names)

    # -- conversion ---------------------------------------------------------------

    def _new_group(self) -> int:
        self._next_group += 1
        return self._next_group

    def _seq(self, items: Any, *, in_repeat: bool) -> str:
        return "".join(self._node(op, av, in_repeat=in_repeat) for op, av in items)

    def _node(self, op: Any, av: Any, *, in_repeat: bool) -> str:
        if op is _sre.LITERAL:
            return _literal(av)
        if op is _sre.NOT_LITERAL:
            return f"[^{_class_char(av)}]"
        if op is _sre.ANY:
            return "."
        if op is _sre.IN:
            return _char_class(av)
        if op is _sre.BRANCH:
            return "(?:" + "|".join(self._seq(b, in_repeat=in_repeat) for b in av[1]) + ")"
        if op is _sre.SUBPATTERN:
            group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                if group is not None or del_flags:
                    raise PatternError(f"inline flags are not supported: {self.pattern!r}")
                flags = _flags(add_flags, self.pattern)[2:-1]
                return f"(?{flags}:{self._seq(sub, in_repeat=in_repeat)})"
            if group is None:
                return f"(?:{self._seq(sub, in_repeat=in_repeat)})"
            # RE2 numbers groups by their opening parenthesis, as this walk meets them.
            self._groups[group] = self._new_group()
            return f"({self._seq(sub, in_repeat=in_repeat)})"
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            low, high, sub = av
            # An optional part ({0,1}) is taken at most once, so a marker in it is reliable.
            inner = self._seq(sub, in_repeat=in_repeat or high > 1)
            if high == _sre.MAXREPEAT:
                count = "*" if low == 0 else "+" if low == 1 else f"{{{low},}}"
            elif low == high:
                count = f"{{{low}}}"
            else:
                count = f"{{{low},{high}}}"
            lazy = "?" if op is _sre.MIN_REPEAT else ""
            return f"(?:{inner}){count}{lazy}"
        if op is _sre.AT:
            return _AT[av]
        if op is _sre.CATEGORY:
            return _CATEGORY[av]
        if op in (_sre.ASSERT, _sre.ASSERT_NOT):
            if in_repeat:
                raise PatternError(
                    f"a lookaround inside a repeat cannot be checked: {self.pattern!r}"
                )
            direction, sub = av
            sub_source = _unparse(sub)
            width = 0
            if direction < 0:
                low, high = sub.getwidth()
                if low != high:
                    raise PatternError(f"lookbehind must have a fixed width: {self.pattern!r}")
                width = low
            number = self._new_group()
            self._assertions.append(
                _Assertion(
                    group=number,
                    ahead=direction >= 0,
                    negative=op is _sre.ASSERT_NOT,
                    width=width,
                    pattern=_compiled(sub_source),
                )
            )
            return f"(?P<{_MARK}{number}>)"
        raise PatternError(f"{op} is not supported in linear-time patterns: {self.pattern!r}")

    # -- matching -----------------------------------------------------------------
    #
    # ASCII text (every normalised message) is matched as bytes, where RE2's offsets are
    # the string's own and nothing is re-encoded per call; other text as str.

    @functools.cached_property
    def _re2_str(self) -> Any:
        return re2.compile(self._body, _options())

    def _rx(self, subject: str | bytes, disabled: frozenset[int] = frozenset()) -> Any:
        if not disabled:
            return self._re2 if isinstance(subject, bytes) else self._re2_str
        return _variant(self._body, disabled, isinstance(subject, bytes))

    def _failed(self, raw: Any, subject: str | bytes) -> int | None:
        """The marker of the first lookaround that does not hold for this match, if any."""
        for a in self._assertions:
            at = raw.start(a.group)
            if at < 0:
                continue
            if a.ahead:
                ok = a.pattern._raw_match(subject, at) is not None
            else:
                ok = at >= a.width and a.pattern._raw_fullmatch(subject, at - a.width, at)
            if ok == a.negative:
                return a.group
        return None

    def _at(self, raw: Any, subject: str | bytes, budget: list[int]) -> Any:
        """The first accepted match at ``raw``'s start, trying the other paths there.

        When a lookaround fails, the match is tried again at the same start with the
        path through that lookaround closed, as a backtracking engine would try the
        pattern's next alternative. Each try costs ``budget`` the length it matched.
        """
        start = raw.start()
        disabled: frozenset[int] = frozenset()
        while raw is not None:
            failed = self._failed(raw, subject)
            if failed is None:
                return raw
            _spend(budget, raw.end() - start + 1, self.pattern)
            disabled = disabled | {failed}
            raw = self._rx(subject, disabled).match(subject, start)
        return None

    def _raw_match(self, subject: str | bytes, pos: int) -> Any:
        """Anchored at ``pos``: the first accepted match (the subject's end is its end)."""
        raw = self._rx(subject).match(subject, pos)
        if raw is None or not self._assertions:
            return raw
        return self._at(raw, subject, [_budget(len(subject))])

    def _raw_fullmatch(self, subject: str | bytes, pos: int, endpos: int) -> bool:
        if self._assertions:
            raise PatternError(f"lookaround inside a lookbehind: {self.pattern!r}")
        return self._rx(subject).fullmatch(subject, pos, endpos) is not None

    def _raw_iter(self, subject: str | bytes, pos: int) -> Iterator[Any]:
        """Accepted, non-overlapping matches from ``pos``; bounded work per call."""
        rx = self._rx(subject)
        if not self._assertions:
            yield from rx.finditer(subject, pos)
            return
        budget = [_budget(len(subject))]
        length = len(subject)
        while pos <= length:
            raw = rx.search(subject, pos)
            if raw is None:
                return
            start = raw.start()
            accepted = self._at(raw, subject, budget)
            if accepted is None:
                # Searched again from the next character: what it scanned is spent.
                _spend(budget, raw.end() - pos + 1, self.pattern)
                pos = start + 1
                continue
            yield accepted
            end = accepted.end()
            pos = end if end > start else end + 1

    def _wrap(self, raw: Any, text: str) -> Match:
        return Match(raw, text, self._groups, self._names)

    @staticmethod
    def _subject(text: str, endpos: int | None) -> tuple[str, str | bytes]:
        if endpos is not None and endpos < len(text):
            text = text[: max(endpos, 0)]
        return text, (text.encode("ascii") if text.isascii() else _encodable(text))

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> Match | None:
        """The first match at or after ``pos``, as ``re.Pattern.search`` finds it."""
        text, subject = self._subject(text, endpos)
        raw = next(self._raw_iter(subject, pos), None)
        return None if raw is None else self._wrap(raw, text)

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> Match | None:
        """A match starting exactly at ``pos``."""
        text, subject = self._subject(text, endpos)
        raw = self._raw_match(subject, pos)
        return None if raw is None else self._wrap(raw, text)

    def fullmatch(self, text: str) -> Match | None:
        """A match of the whole text (patterns without lookarounds only)."""
        if self._assertions:
            raise PatternError(f"fullmatch with a lookaround is not supported: {self.pattern!r}")
        text, subject = self._subject(text, None)
        raw = self._rx(subject).fullmatch(subject)
        return None if raw is None else self._wrap(raw, text)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[Match]:
        """Every non-overlapping match, left to right."""
        text, subject = self._subject(text, endpos)
        for raw in self._raw_iter(subject, pos):
            yield self._wrap(raw, text)

    def sub(self, repl: str | Callable[[Match], str], text: str) -> str:
        """Replace every match, as ``re.Pattern.sub`` does."""
        parts: list[str] = []
        last = 0
        for m in self.finditer(text):
            parts.append(text[last : m.start()])
            parts.append(repl(m) if callable(repl) else m.expand(repl))
            last = m.end()
        if not parts:
            return text
        parts.append(text[last:])
        return "".join(parts)

    def __repr__(self) -> str:
        return f"linear.compile({self.pattern!r})"


def _encodable(text: str) -> str:
    r"""``text`` with each lone surrogate (a stray byte in a header or JSON) made U+FFFD.

    RE2 reads UTF-8, which has no lone surrogates. One character stands for one, so
    offsets are unchanged, and every class that matches one matches the other (``.``,
    ``\W``, ``\S``, ``[^...]``): what a pattern finds is what Python's ``re`` found.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.translate(_NO_SURROGATES)
    return text


_NO_SURROGATES = dict.fromkeys(range(0xD800, 0xE000), 0xFFFD)


def _budget(length: int) -> int:
    """The work one call may spend on dropped matches (read at call time, for tests)."""
    return MAX_RETRIES * length + (_BASE_BUDGET if MAX_RETRIES else 0)


def _spend(budget: list[int], amount: int, pattern: str) -> None:
    budget[0] -= amount
    if budget[0] < 0:
        raise MatchBudgetExceeded(pattern[:60])


@functools.lru_cache(maxsize=4096)
def _variant(body: str, disabled: frozenset[int], as_bytes: bool) -> Any:
    """``body`` with the markers in ``disabled`` made impossible (the group numbers stay)."""
    for group in disabled:
        body = body.replace(f"(?P<{_MARK}{group}>)", f"(?P<{_MARK}{group}>\\b\\B)")
    return re2.compile(body.encode("utf-8") if as_bytes else body, _options())


def _options() -> Any:
    options = re2.Options()
    options.max_mem = _MAX_MEM
    return options


@functools.cache
def _compiled(source: str) -> Pattern:
    return Pattern(source)


def compile(pattern: str, flags: int = 0) -> Pattern:
    r"""Compile ``pattern`` (Python ``re`` syntax) to run in linear time.

    Args:
        pattern: A pattern in Python's syntax. Lookaheads and fixed-width lookbehinds
            are allowed outside repeats; backreferences and atomic groups are not.
            RE2's ``\w``, ``\d`` and ``\b`` are ASCII only.
        flags: ``re.IGNORECASE``, ``re.MULTILINE`` or ``re.DOTALL`` (others are refused).

    Returns:
        A :class:`Pattern` (cached: the same source gives the same object).

    Raises:
        PatternError: The pattern cannot run in linear time; the message names it.

    """
    if flags:
        pattern = _flags(flags, pattern) + pattern
    return _compiled(pattern)


# -- pieces of RE2 syntax ---------------------------------------------------------------

_AT = {
    _sre.AT_BEGINNING: "^",
    _sre.AT_BEGINNING_STRING: r"\A",
    _sre.AT_END: "$",
    _sre.AT_END_STRING: r"\z",
    _sre.AT_BOUNDARY: r"\b",
    _sre.AT_NON_BOUNDARY: r"\B",
}
_CATEGORY = {
    _sre.CATEGORY_DIGIT: r"\d",
    _sre.CATEGORY_NOT_DIGIT: r"\D",
    _sre.CATEGORY_SPACE: r"\s",
    _sre.CATEGORY_NOT_SPACE: r"\S",
    _sre.CATEGORY_WORD: r"\w",
    _sre.CATEGORY_NOT_WORD: r"\W",
}


_FLAG_LETTERS = {
    _sre.SRE_FLAG_IGNORECASE: "i",
    _sre.SRE_FLAG_MULTILINE: "m",
    _sre.SRE_FLAG_DOTALL: "s",
}
# Python sets these itself; VERBOSE is already applied by the parser.
_FLAGS_IGNORED = _sre.SRE_FLAG_UNICODE | _sre.SRE_FLAG_VERBOSE


def _flags(flags: int, source: str) -> str:
    """RE2's spelling of Python's flags (``(?i)`` and so on); others are refused."""
    letters = "".join(letter for flag, letter in _FLAG_LETTERS.items() if flags & flag)
    other = flags & ~_FLAGS_IGNORED & ~sum(_FLAG_LETTERS)
    if other:
        raise PatternError(f"inline flags are not supported: {source!r}")
    return f"(?{letters})" if letters else ""


def _literal(code: int) -> str:
    char = chr(code)
    if char.isascii() and (char.isalnum() or char == " "):
        return char
    return f"\\x{{{code:x}}}"


def _class_char(code: int) -> str:
    char = chr(code)
    if char.isascii() and char.isalnum():
        return char
    return f"\\x{{{code:x}}}"


def _char_class(items: Any) -> str:
    parts: list[str] = []
    negate = ""
    for op, av in items:
        if op is _sre.NEGATE:
            negate = "^"
        elif op is _sre.LITERAL:
            parts.append(_class_char(av))
        elif op is _sre.RANGE:
            parts.append(f"{_class_char(av[0])}-{_class_char(av[1])}")
        elif op is _sre.CATEGORY:
            parts.append(_CATEGORY[av])
        else:
            raise PatternError(f"{op} in a character class is not supported")
    return f"[{negate}{''.join(parts)}]"


def _unparse(items: Any) -> str:
    """Rebuild a lookaround's body as Python source (it is compiled on its own)."""
    out: list[str] = []
    for op, av in items:
        if op is _sre.LITERAL:
            out.append(_std_re.escape(chr(av)))
        elif op is _sre.NOT_LITERAL:
            out.append(f"[^{_std_re.escape(chr(av))}]")
        elif op is _sre.ANY:
            out.append(".")
        elif op is _sre.IN:
            out.append(_py_class(av))
        elif op is _sre.BRANCH:
            out.append("(?:" + "|".join(_unparse(b) for b in av[1]) + ")")
        elif op is _sre.SUBPATTERN:
            out.append(f"(?:{_unparse(av[3])})")
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            low, high, sub = av
            high_s = "" if high == _sre.MAXREPEAT else str(high)
            lazy = "?" if op is _sre.MIN_REPEAT else ""
            out.append(f"(?:{_unparse(sub)}){{{low},{high_s}}}{lazy}")
        elif op is _sre.AT:
            out.append(_AT[av].replace(r"\z", r"\Z"))
        elif op is _sre.CATEGORY:
            out.append(_CATEGORY[av])
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            direction, sub = av
            kind = (
                ("=" if op is _sre.ASSERT else "!")
                if direction >= 0
                else ("<=" if op is _sre.ASSERT else "<!")
            )
            out.append(f"(?{kind}{_unparse(sub)})")
        else:
            raise PatternError(f"{op} is not supported in linear-time patterns")
    return "".join(out)


def _py_class(items: Any) -> str:
    parts: list[str] = []
    negate = ""
    for op, av in items:
        if op is _sre.NEGATE:
            negate = "^"
        elif op is _sre.LITERAL:
            parts.append(_std_re.escape(chr(av)))
        elif op is _sre.RANGE:
            parts.append(f"{_std_re.escape(chr(av[0]))}-{_std_re.escape(chr(av[1]))}")
        elif op is _sre.CATEGORY:
            parts.append(_CATEGORY[av])
        else:
            raise PatternError(f"{op} in a character class is not supported")
    return f"[{negate}{''.join(parts)}]"
