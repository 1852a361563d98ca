"""The semantic layer: what the patterns have no rule for, from what a message means.

A classifier of its own (not an intent of the Rasa model) over the sentence vectors the
project already computes (all-MiniLM-L6-v2, :mod:`entitlements.embedding`), trained on
the phrase bank: the reviewed files in ``data/bank/`` (risk of each kind, possible
risk, and many kinds of no risk), the project's ordinary messages (Rasa's training
examples other than crisis, and the content's example questions: :func:`load_ordinary`),
and the phrases a safeguarding approver has added from the console.

- Two support-vector machines (RBF kernel): risk now against everything else (the
  crisis tier), and risk or distress against no risk (the check-in tier); a logistic
  regression over the risk examples says which kind of risk.
- A long message is read in overlapping windows of about 32 words, and its score is
  its riskiest window's, so risk stated at the end of a long run-on message counts.
- What one message costs is bounded: the sentence encoder's time is about linear in the
  tokens it reads, so each window is read to ``max_window_tokens`` and a message to
  ``max_message_tokens`` in all (:func:`within_budget`). No message of the dev set comes
  near either; a longer one is read in its first, last and evenly spread windows, and
  the patterns still read all of it.
- The patterns go first and stay in charge: a clear statement is a crisis whatever this
  says, and where the patterns judged the danger words a figure of speech, the past,
  someone else or a negation, or the message asks what something is or says the danger
  is over (:func:`bot.safety.detector.framing`), this layer does not overrule them.
- An approved phrase counts at once: a window whose vector is within
  ``nearest_similarity`` of an approved phrase takes that phrase's label (a missed risk
  becomes a crisis, a false alarm becomes no risk), before the next refit.

Thresholds are set for recall on the dev set (``data/semantic.yml``); the held-out
figures are in ``docs/safety.md`` and ``make bench``.

The parts, one idea each: :mod:`bot.safety.semantic_bank` (the phrase bank and the
settings), :mod:`bot.safety.semantic_windows` (windows and the token budget) and
:mod:`bot.safety.semantic_classifiers` (the fitted classifiers and their cache). This
module holds the layer itself and its place in the process; its ``__all__`` also names
the parts' public names the safety net's tests reach as ``semantic.<name>``.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.safety.categories import CATEGORIES
from bot.safety.detector import RiskAssessment, framing, normalise
from bot.safety.screen import Screen, Tier, Verdict
from bot.safety.semantic_bank import (
    LABELS,
    BankError,
    Example,
    Tuning,
    load_bank,
    load_tuning,
    training_examples,
)
from bot.safety.semantic_classifiers import (
    CountTokens,
    Encode,
    Fitted,
    RbfSvm,
    Softmax,
    VectorCache,
)
from bot.safety.semantic_windows import windows, within_budget

__all__ = [
    "LABELS",
    "BankError",
    "Example",
    "RbfSvm",
    "SemanticLayer",
    "Tuning",
    "VectorCache",
    "build_layer",
    "build_screen",
    "current_layer",
    "install_in_process",
    "keep_up_with_approved",
    "load_bank",
    "load_tuning",
    "main",
    "normalise",
    "vector_cache_path",
    "windows",
    "within_budget",
]

logger = logging.getLogger(__name__)


class SemanticLayer:
    """The classifier, refitted when approved phrases change. Thread-safe."""

    def __init__(
        self,
        encode: Encode,
        bank: list[Example],
        tuning: Tuning,
        cache: VectorCache | None = None,
        model_id: str = "",
        count_tokens: CountTokens | None = None,
        encode_one: Encode | None = None,
    ) -> None:
        """Fit (or load) the classifiers over the bank.

        Args:
            encode: The sentence encoder: texts in, unit vectors out; it takes
                ``max_tokens`` (how far to read each text) as a keyword.
            bank: The labelled examples.
            tuning: The settings.
            cache: Where the bank's vectors and the fitted classifiers are kept.
            model_id: The encoder's identity (weights, vocabulary and tokenizer:
                ``entitlements.embedding.encoder_id``), part of the cache's key, so that
                no vector from another encoder or tokenizer is used.
            count_tokens: How many tokens the encoder reads of a text, at most a limit
                (the cost of a window); by default, its words plus two.
            encode_one: How a message read in one window is encoded; by default
                ``encode``. The process's encoder passes one that offers the vector to
                the NLU, which takes it when the message as sent has the same tokens
                (``SentenceEncoder.take_offered``), so the message is encoded once.
        """
        self.encode = encode
        self.encode_one = encode_one or encode
        self.count_tokens: CountTokens = count_tokens or (
            lambda text, limit: min(len(text.split()) + 2, limit)
        )
        self.tuning = tuning
        self.bank = bank
        self._cache = cache or VectorCache(None)
        self._model_id = model_id
        self._bank_vectors = self._cache.vectors(
            [normalise(e.text) for e in bank], encode, model_id
        )
        self._lock = threading.Lock()
        self._fitted = self._cache.fitted(
            self._bank_vectors, [e.label for e in bank], tuning, lambda: self._fit([])
        )
        self.approved_version: object = None

    def _fit(self, approved: list[Example]) -> Fitted:
        extra = self.encode([normalise(e.text) for e in approved]) if approved else None
        vectors = self._bank_vectors if extra is None else np.vstack([self._bank_vectors, extra])
        labels = np.array([e.label for e in [*self.bank, *approved]])
        is_risk = np.isin(labels, CATEGORIES)
        is_distress = np.isin(labels, [*CATEGORIES, "possible"])
        c = self.tuning.svm_c
        return Fitted(
            risk=RbfSvm.fit(vectors, is_risk.astype(int), c),
            distress=RbfSvm.fit(vectors, is_distress.astype(int), c),
            kinds=Softmax.fit(vectors[is_risk], labels[is_risk]),
            nearest=extra if extra is not None else np.zeros((0, vectors.shape[1])),
            nearest_labels=[e.label for e in approved],
        )

    def use_nearest(self, approved: list[Example]) -> None:
        """Make approved phrases count at once (before the refit): encode them only."""
        vectors = (
            self.encode([normalise(e.text) for e in approved])
            if approved
            else np.zeros((0, self._bank_vectors.shape[1]))
        )
        with self._lock:
            self._fitted = dataclasses.replace(
                self._fitted, nearest=vectors, nearest_labels=[e.label for e in approved]
            )

    def refit(self, approved: list[Example], version: object) -> None:
        """Train again with the approved phrases (a few seconds, off the request path).

        The approved phrases that count at once (:meth:`use_nearest`) are left as they
        are: a newer set may have arrived while this one was being fitted.
        """
        fitted = self._fit(approved)
        with self._lock:
            self._fitted = dataclasses.replace(
                fitted,
                nearest=self._fitted.nearest,
                nearest_labels=self._fitted.nearest_labels,
            )
            self.approved_version = version
        logger.info(
            "Safety net's semantic layer refitted with %s approved phrase(s)", len(approved)
        )

    def scores(
        self, text: str, *, normalised: str | None = None
    ) -> tuple[float, float, str, str | None]:
        """Risk and distress scores of the riskiest window, its kind, and any approved match.

        ``normalised`` is ``normalise(text)`` when the caller has it already.
        """
        t = self.tuning
        parts = windows(text, t.window_words, t.window_step, t.max_windows, normalised=normalised)
        if not parts:
            return -9.0, -9.0, "", None
        # A window repeated (an adversary's repeated words) is encoded once, and the
        # tokens read are bounded whatever the message (each costs the encoder ~0.4 ms).
        distinct = list(dict.fromkeys(parts))
        costs = {part: self.count_tokens(part, t.max_window_tokens) for part in distinct}
        parts = within_budget(parts, costs, t.max_message_tokens)
        distinct = list(dict.fromkeys(parts))
        encode = self.encode_one if len(parts) == 1 else self.encode
        encoded = encode(distinct, max_tokens=t.max_window_tokens)
        vectors = encoded[[distinct.index(part) for part in parts]]
        with self._lock:
            fitted = self._fitted
        matched: str | None = None
        if len(fitted.nearest):
            similarity = vectors @ fitted.nearest.T
            best = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
            if similarity[best] >= t.nearest_similarity:
                matched = fitted.nearest_labels[int(best[1])]
        risk = fitted.risk.decision_function(vectors)
        distress = fitted.distress.decision_function(vectors)
        worst = int(np.argmax(risk))
        kind = fitted.kinds.predict(vectors[worst : worst + 1])[0]
        return float(risk[worst]), float(np.max(distress)), kind, matched

    def __call__(self, text: str, found: RiskAssessment) -> Verdict | None:
        """The verdict for a message the patterns did not call a crisis (None: no risk)."""
        normalised = normalise(text)  # once, for the framing and the windows
        explained = (
            found.figure_of_speech
            or any(r.startswith("ctx.") for r in found.rules)
            or bool(framing(text, normalised=normalised))
        )
        risk, distress, kind, matched = self.scores(text, normalised=normalised)
        if matched is not None:
            if matched == "none":
                return None
            if matched == "possible":
                return Verdict(Tier.POSSIBLE, detected_by="approved", rules=("semantic.approved",))
            return Verdict(
                Tier.CRISIS,
                categories=(matched,),
                detected_by="approved",
                rules=("semantic.approved",),
                mentions_risk=True,
            )
        if explained:
            return None
        if risk >= self.tuning.crisis_threshold:
            return Verdict(
                Tier.CRISIS,
                categories=(kind,),
                detected_by="semantic",
                rules=("semantic.risk",),
                mentions_risk=True,
            )
        if distress >= self.tuning.possible_threshold:
            return Verdict(
                Tier.POSSIBLE,
                detected_by="semantic",
                rules=("semantic.distress",),
                mentions_risk=True,
            )
        return None


def vector_cache_path() -> Path:
    """Where the bank's vectors are kept: next to the trained Rasa model."""
    from bot.settings import PROJECT_ROOT

    return PROJECT_ROOT / "models" / "safety-bank-vectors.npy"


def build_layer(cache: Path | None = None) -> SemanticLayer:
    """The semantic layer over the bank files, with this process's sentence encoder."""
    from entitlements.embedding import encoder_id, shared_encoder

    encoder = shared_encoder()
    return SemanticLayer(
        encoder.encode,
        training_examples(),
        load_tuning(),
        VectorCache(cache or vector_cache_path()),
        model_id=encoder_id(),
        count_tokens=encoder.count_tokens,
        encode_one=functools.partial(encoder.encode, offer=True),
    )


def build_screen(cache: Path | None = None) -> Screen:
    """Patterns and the semantic layer together."""
    return Screen(build_layer(cache))


def install_in_process(cache: Path | None = None) -> bool:
    """Build the semantic layer and use it for every check in this process.

    Returns:
        False when it could not be built (the patterns alone then keep checking).
    """
    from bot.safety.screen import install

    try:
        install(build_screen(cache))
    except Exception:
        logger.exception("ALERT: the safety net's semantic layer could not be built; patterns only")
        return False
    logger.info("Safety net: patterns and the semantic layer")
    return True


def current_layer() -> SemanticLayer | None:
    """The semantic layer installed in this process, if any."""
    from bot.safety.screen import shared

    semantic = shared().semantic
    return semantic if isinstance(semantic, SemanticLayer) else None


async def keep_up_with_approved(engine: Any, every: float = 5.0) -> None:
    """Pick up phrases a safeguarding approver adds, every ``every`` seconds, for ever.

    A changed set of approved phrases counts at once for messages close to them, and the
    classifiers are refitted with them in the background. A database that cannot be
    reached is tried again next time.
    """
    import asyncio

    from bot.safety.review import approved_phrases, phrases_version

    seen: object = (0, 0)  # no phrases approved yet: nothing to pick up
    refitting: asyncio.Future[None] | None = None
    waiting: tuple[list[Example], object] | None = None
    while True:
        layer = current_layer()
        try:
            version = await asyncio.to_thread(phrases_version, engine)
            if layer is not None and version != seen:
                phrases = await asyncio.to_thread(approved_phrases, engine)
                examples = [Example(p.text, p.label, "approved") for p in phrases]
                await asyncio.to_thread(layer.use_nearest, examples)  # counts at once
                seen = version
                waiting = (examples, version)
            if layer is not None and waiting and (refitting is None or refitting.done()):
                # The classifiers learn them too, in the background: one refit at a time,
                # with the newest phrases.
                refitting = asyncio.ensure_future(asyncio.to_thread(layer.refit, *waiting))
                waiting = None
        except Exception as error:  # the loop outlives any one failure
            logger.warning("Approved safety phrases not read this time: %s", type(error).__name__)
        await asyncio.sleep(every)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bot.safety.semantic build``: encode the bank once (make train runs it)."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["build"]:
        print("usage: python -m bot.safety.semantic build", file=sys.stderr)
        return 2
    try:
        layer = build_layer()
    except BankError as error:
        print(f"phrase bank: {error}", file=sys.stderr)
        return 1
    print(f"safety net: {len(layer.bank)} bank messages encoded and fitted")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
