"""Checking that every lexicon entry's example does what it says, run by the detector.

Only the detector can run the lexicon (normalise, mask figures of speech, apply the
rules), so :func:`check_examples` takes its functions as arguments;
:func:`bot.safety.detector.check_lexicon` calls it.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.safety.lexicon_model import Example, Lexicon, LexiconError


def check_examples(
    lex: Lexicon,
    *,
    normalise: Callable[[Lexicon, str], str],
    mask: Callable[[Lexicon, str], tuple[str, list[str]]],
    rules: Callable[[Lexicon, str], tuple[str, ...]],
) -> None:
    """Check that every example of ``lex`` does what it says, run by the detector.

    Args:
        lex: The lexicon.
        normalise: The detector's normalisation.
        mask: The detector's masking of figures of speech: the masked text and the
            figures found.
        rules: The names of the rules (of every kind) the detector reports for a message.

    Raises:
        LexiconError: For the first example that does not fire its rule, is not masked
            as its figure, or does not contain its pattern or words.

    """
    for example in lex.examples:
        problem = _example_problem(lex, example, normalise, mask, rules)
        if problem:
            raise LexiconError(example.file, example.entry, problem)


def _example_problem(
    lex: Lexicon,
    example: Example,
    normalise: Callable[[Lexicon, str], str],
    mask: Callable[[Lexicon, str], tuple[str, list[str]]],
    rules: Callable[[Lexicon, str], tuple[str, ...]],
) -> str | None:
    """What is wrong with one example, or None when it does what it says."""
    text = example.text
    if example.kind == "rule":
        found = rules(lex, text)
        if example.name in found:
            return None
        return f"the example {text!r} does not fire the rule (it gives {list(found)})"
    if example.kind == "as_written":
        return _unless_found(example, text, text)
    normalised = normalise(lex, text)
    if example.kind == "normalised":
        return _unless_found(example, text, normalised)
    masked, figures = mask(lex, normalised)
    if example.kind == "figure":
        if example.name in figures:
            return None
        return f"the example {text!r} is not masked as this figure of speech"
    if example.kind == "words":
        if set(masked.split()) & example.words:
            return None
        return f"none of the words is in the example {text!r} (read as {masked!r})"
    return _unless_found(example, text, masked, near_words=True)


def _unless_found(
    example: Example, text: str, read: str, *, near_words: bool = False
) -> str | None:
    """None when the example's pattern is found in ``read``, otherwise the problem.

    With ``near_words``, it may also be found just before or after one of the words:
    some context patterns are anchored to the clause before or after a match.
    """
    pattern = example.pattern
    assert pattern is not None
    if pattern.search(read) is not None:
        return None
    if near_words:
        for i, c in enumerate(read):
            if c == " " and (pattern.search(read[: i + 1]) or pattern.match(read[i:])):
                return None
    shown = "" if read == text else f" (read as {read!r})"
    return f"the pattern is not found in the example {text!r}{shown}"
