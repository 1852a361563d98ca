"""How much of a message the semantic layer reads: overlapping windows, within a token budget.

:func:`windows` cuts the normalised message into overlapping windows of words (at most a
limit, evenly spread); :func:`within_budget` keeps as many of them as the encoder's token
budget for one message allows. The patterns still read all of every message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from bot.safety.detector import normalise


def windows(
    text: str, size: int, step: int, limit: int, *, normalised: str | None = None
) -> list[str]:
    """The normalised message, cut into overlapping windows of ``size`` words.

    At most ``limit`` windows: the first, the last, and those in between most evenly
    spread (a longer message than that is still read by the patterns in full).
    ``normalised`` is ``normalise(text)`` when the caller has it already.
    """
    words = (normalise(text) if normalised is None else normalised).split()
    if len(words) <= size + size // 4:
        return [" ".join(words)] if words else []
    starts = list(range(0, len(words) - size + 1, step))
    if starts[-1] != len(words) - size:
        starts.append(len(words) - size)
    if len(starts) > limit:
        picked = np.linspace(0, len(starts) - 1, limit).round().astype(int)
        starts = [starts[i] for i in sorted(set(picked.tolist()))]
    return [" ".join(words[s : s + size]) for s in starts]


def within_budget(parts: Sequence[str], costs: Mapping[str, int], budget: int) -> list[str]:
    """Which windows to read: as many as ``budget`` tokens allow, evenly spread.

    Args:
        parts: The windows, in the order of the message.
        costs: Each window's tokens. A window chosen twice costs once (a repeated
            window is encoded once).
        budget: The most tokens to read in all.

    Returns:
        The most windows whose distinct tokens fit, evenly spread from the first to
        the last (always at least the first), in order.
    """
    count = len(parts)
    for wanted in range(count, 1, -1):
        picked = [
            parts[i]
            for i in sorted(set(np.linspace(0, count - 1, wanted).round().astype(int).tolist()))
        ]
        if sum(costs[part] for part in set(picked)) <= budget:
            return picked
    return list(parts[:1])
