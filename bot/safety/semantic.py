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
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot import linear_re
from bot.safety.categories import CATEGORIES
from bot.safety.detector import RiskAssessment, framing, normalise
from bot.safety.screen import Screen, Tier, Verdict

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
BANK_DIR = DATA_DIR / "bank"
SETTINGS_FILE = DATA_DIR / "semantic.yml"
LABELS: tuple[str, ...] = (*CATEGORIES, "possible", "none")

Array = np.ndarray[Any, Any]


class BankError(ValueError):
    """A phrase bank file has a mistake; the message names the file, entry and problem."""


@dataclasses.dataclass(frozen=True)
class Example:
    """One labelled message of the phrase bank."""

    text: str
    label: str
    source: str = ""


@dataclasses.dataclass(frozen=True)
class Tuning:
    """The layer's settings (``data/semantic.yml``)."""

    crisis_threshold: float
    possible_threshold: float
    svm_c: float
    window_words: int
    window_step: int
    max_windows: int
    max_window_tokens: int
    max_message_tokens: int
    nearest_similarity: float


def load_tuning(path: Path = SETTINGS_FILE) -> Tuning:
    """The layer's settings.

    Raises:
        BankError: A setting is missing or not a number (names the file and setting).
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    values: dict[str, Any] = {}
    for field in dataclasses.fields(Tuning):
        value = data.get(field.name)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise BankError(f"{path}: '{field.name}' must be a number")
        values[field.name] = int(value) if field.type in ("int", int) else float(value)
    return Tuning(**values)


def load_bank(directory: Path = BANK_DIR) -> list[Example]:
    """Every message of the phrase bank files, checked.

    Raises:
        BankError: Naming the file, the entry's number and what is wrong with it.
    """
    examples: list[Example] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        messages = data.get("messages") if isinstance(data, dict) else None
        if not isinstance(messages, list):
            raise BankError(f"{path}: must be a mapping with a 'messages' list")
        for number, item in enumerate(messages, start=1):
            where = f"{path}, message {number}"
            if not isinstance(item, dict):
                raise BankError(f"{where}: must be a mapping with 'text' and 'label'")
            text, label = item.get("text"), item.get("label")
            if not isinstance(text, str) or not text.strip():
                raise BankError(f"{where}: 'text' must be a non-empty text")
            if label not in LABELS:
                raise BankError(f"{where}: 'label' must be one of {', '.join(LABELS)}")
            key = " ".join(text.lower().split())
            if key in seen:
                raise BankError(f"{where}: the same message is already in {seen[key]}")
            seen[key] = path.name
            examples.append(Example(text, label, path.name))
    return examples


_MARKUP = linear_re.compile(r"\[([^\]]*)\]\([^)]*\)")  # Rasa's entity markup: [text](entity)


def load_ordinary(root: Path | None = None) -> list[Example]:
    """Ordinary messages the project already has, labelled no risk.

    Every Rasa training example of an intent other than ``crisis`` (``data/nlu``), and
    the content's example questions. They teach the layer what everyday questions
    about entitlements look like, so it does not mistake hardship ("my UC has been
    cut") for a crisis. Never the dev or held-out sets.
    """
    from bot.settings import PROJECT_ROOT

    root = root or PROJECT_ROOT
    texts: list[str] = []
    for path in sorted((root / "data" / "nlu").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu", []):
            if item.get("intent") and item["intent"] != "crisis":
                texts += [
                    _MARKUP.sub(r"\1", line.strip()[2:].strip())
                    for line in str(item.get("examples", "")).splitlines()
                    if line.strip().startswith("- ")
                ]
    for path in sorted((root / "entitlements" / "content").glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        texts += [str(t) for t in data.get("examples") or []]
    return [Example(t, "none", "ordinary") for t in dict.fromkeys(t for t in texts if t.strip())]


def training_examples() -> list[Example]:
    """The bank files, then the ordinary messages not already in them."""
    bank = load_bank()
    seen = {" ".join(e.text.lower().split()) for e in bank}
    ordinary = [e for e in load_ordinary() if " ".join(e.text.lower().split()) not in seen]
    return bank + ordinary


def windows(text: str, size: int, step: int, limit: int) -> list[str]:
    """The normalised message, cut into overlapping windows of ``size`` words.

    At most ``limit`` windows: the first, the last, and those in between most evenly
    spread (a longer message than that is still read by the patterns in full).
    """
    words = normalise(text).split()
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


Encode = Callable[..., Array]
CountTokens = Callable[[str, int], int]


class VectorCache:
    """The bank's vectors, kept in a file so that each server does not encode them again."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def vectors(self, texts: list[str], encode: Encode, model_id: str) -> Array:
        """The vectors of ``texts``, from the file when it has them, else encoded and kept."""
        digest = hashlib.sha256("\n".join([model_id, *texts]).encode()).hexdigest()[:16]
        if self.path is not None:
            found = self.path.with_name(f"{self.path.stem}-{digest}.npy")
            if found.exists():
                loaded: Array = np.load(found)
                if loaded.shape[0] == len(texts):
                    return loaded
        vectors = encode(texts)
        if self.path is not None:
            self._save(self.path.with_name(f"{self.path.stem}-{digest}.npy"), vectors)
        return vectors

    @staticmethod
    def _save(found: Path, value: Array) -> None:
        found.parent.mkdir(parents=True, exist_ok=True)
        partial = found.with_name(f"{found.name}.{os.getpid()}.tmp")
        with partial.open("wb") as out:
            np.save(out, value)
        os.replace(partial, found)
        _forget_others(found)

    def fitted(
        self, vectors: Array, labels: list[str], tuning: Tuning, fit: Callable[[], _Fitted]
    ) -> _Fitted:
        """The classifiers fitted on the bank, from the file when it has them.

        Kept as plain arrays (no pickle), so each server starts in a moment.
        """
        key = hashlib.sha256(vectors.tobytes())
        key.update("\n".join([*labels, repr(dataclasses.astuple(tuning))]).encode())
        digest = key.hexdigest()[:16]
        found = None if self.path is None else self.path.with_name(f"safety-fitted-{digest}.npz")
        if found is not None and found.exists():
            with np.load(found) as data:
                return _Fitted(
                    risk=RbfSvm(
                        data["risk_support"],
                        data["risk_dual"],
                        float(data["risk_intercept"]),
                        float(data["risk_gamma"]),
                    ),
                    distress=RbfSvm(
                        data["distress_support"],
                        data["distress_dual"],
                        float(data["distress_intercept"]),
                        float(data["distress_gamma"]),
                    ),
                    kinds=Softmax(
                        data["kinds_coef"],
                        data["kinds_intercept"],
                        tuple(str(c) for c in data["kinds_classes"]),
                    ),
                    nearest=np.zeros((0, vectors.shape[1])),
                    nearest_labels=[],
                )
        result = fit()
        if found is not None:
            found.parent.mkdir(parents=True, exist_ok=True)
            partial = found.with_name(f"{found.name}.{os.getpid()}.tmp.npz")
            np.savez(
                partial,
                risk_support=result.risk.support,
                risk_dual=result.risk.dual,
                risk_intercept=result.risk.intercept,
                risk_gamma=result.risk.gamma,
                distress_support=result.distress.support,
                distress_dual=result.distress.dual,
                distress_intercept=result.distress.intercept,
                distress_gamma=result.distress.gamma,
                kinds_coef=result.kinds.coef,
                kinds_intercept=result.kinds.intercept,
                kinds_classes=np.array(result.kinds.classes),
            )
            os.replace(partial, found)
            _forget_others(found)
        return result


def _forget_others(kept: Path) -> None:
    """Remove the files an earlier bank left beside ``kept`` (same kind, other digest)."""
    prefix = kept.name.rsplit("-", 1)[0] + "-"
    for other in kept.parent.glob(f"{prefix}*{kept.suffix}"):
        if other != kept:
            other.unlink(missing_ok=True)


@dataclasses.dataclass(frozen=True)
class RbfSvm:
    """A fitted two-class support-vector machine with an RBF kernel, as plain arrays.

    ``decision(x) = dual @ exp(-gamma * |support - x|^2) + intercept``: what scikit-learn's
    ``SVC.decision_function`` computes, without scikit-learn (or pickle) at run time.
    """

    support: Array
    dual: Array
    intercept: float
    gamma: float

    @classmethod
    def fit(cls, vectors: Array, labels: Array, c: float) -> RbfSvm:
        """Fit with scikit-learn's SVC (``gamma="scale"``) and keep its parameters."""
        from sklearn.svm import SVC

        fitted = SVC(C=c, kernel="rbf").fit(vectors, labels)
        return cls(
            support=np.asarray(fitted.support_vectors_, dtype=np.float32),
            dual=np.asarray(fitted.dual_coef_[0], dtype=np.float32),
            intercept=float(fitted.intercept_[0]),
            gamma=float(fitted._gamma),
        )

    def decision_function(self, vectors: Array) -> Array:
        """The signed distance of each vector from the boundary (positive: the class 1 side)."""
        distances = (
            (vectors**2).sum(axis=1)[:, None]
            + (self.support**2).sum(axis=1)[None, :]
            - 2.0 * vectors @ self.support.T
        )
        result: Array = np.exp(-self.gamma * np.maximum(distances, 0.0)) @ self.dual
        return result + self.intercept


@dataclasses.dataclass(frozen=True)
class Softmax:
    """A fitted multinomial logistic regression, as plain arrays."""

    coef: Array
    intercept: Array
    classes: tuple[str, ...]

    @classmethod
    def fit(cls, vectors: Array, labels: Array) -> Softmax:
        """Fit with scikit-learn's LogisticRegression and keep its parameters."""
        from sklearn.linear_model import LogisticRegression

        fitted = LogisticRegression(C=4.0, max_iter=3000).fit(vectors, labels)
        return cls(
            coef=np.asarray(fitted.coef_, dtype=np.float32),
            intercept=np.asarray(fitted.intercept_, dtype=np.float32),
            classes=tuple(str(c) for c in fitted.classes_),
        )

    def predict(self, vectors: Array) -> list[str]:
        """The most likely class of each vector."""
        scores = vectors @ self.coef.T + self.intercept
        return [self.classes[int(i)] for i in np.argmax(scores, axis=1)]


@dataclasses.dataclass
class _Fitted:
    risk: RbfSvm
    distress: RbfSvm
    kinds: Softmax
    nearest: Array  # approved phrases' vectors
    nearest_labels: list[str]


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
        """
        self.encode = encode
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

    def _fit(self, approved: list[Example]) -> _Fitted:
        extra = self.encode([normalise(e.text) for e in approved]) if approved else None
        vectors = self._bank_vectors if extra is None else np.vstack([self._bank_vectors, extra])
        labels = np.array([e.label for e in [*self.bank, *approved]])
        is_risk = np.isin(labels, CATEGORIES)
        is_distress = np.isin(labels, [*CATEGORIES, "possible"])
        c = self.tuning.svm_c
        return _Fitted(
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

    def scores(self, text: str) -> tuple[float, float, str, str | None]:
        """Risk and distress scores of the riskiest window, its kind, and any approved match."""
        t = self.tuning
        parts = windows(text, t.window_words, t.window_step, t.max_windows)
        if not parts:
            return -9.0, -9.0, "", None
        # A window repeated (an adversary's repeated words) is encoded once, and the
        # tokens read are bounded whatever the message (each costs the encoder ~0.4 ms).
        distinct = list(dict.fromkeys(parts))
        costs = {part: self.count_tokens(part, t.max_window_tokens) for part in distinct}
        parts = within_budget(parts, costs, t.max_message_tokens)
        distinct = list(dict.fromkeys(parts))
        encoded = self.encode(distinct, max_tokens=t.max_window_tokens)
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
        explained = (
            found.figure_of_speech
            or any(r.startswith("ctx.") for r in found.rules)
            or bool(framing(text))
        )
        risk, distress, kind, matched = self.scores(text)
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
