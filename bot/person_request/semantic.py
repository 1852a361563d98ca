"""The meaning-based layer: requests for a person the patterns have no rule for.

Beside the reviewed patterns (:mod:`bot.person_request.rules`), modelled on the safety
net's semantic layer (:mod:`bot.safety.semantic`) but simpler: nearest neighbours over
sentence vectors from the project's encoder (all-MiniLM-L6-v2,
:mod:`entitlements.embedding`), no classifier to fit.

- The example bank (``data/bank.yml``, :mod:`bot.person_request.bank`) has requests for a
  person in many voices, grouped by kind, and near misses: questions about PAs and
  entitlements, how complaints work, greetings. The content's example questions and
  Rasa's training examples of other intents that no pattern fires on are near misses
  too (:func:`ordinary_messages`), so an ordinary question has close neighbours there.
- A message is a request when the mean similarity of its ``neighbours`` nearest requests
  is at least ``threshold`` and beats the same figure for the near misses by ``margin``
  (both set on the dev set, docs/matching.md). Its kind is the nearest request's.
- What one message costs is bounded: one sentence vector, read to ``max_tokens`` tokens,
  and two matrix products with the bank (about 1,400 vectors). In the Rasa pipeline the
  vector is the one the featurizer already made for the message
  (:mod:`bot.rasa_plugins.sentence_features`), so nothing more is encoded at all.
- The bank's vectors are encoded once and kept next to the Rasa model
  (``models/person-bank-vectors-<digest>.npy``, keyed by the texts and the encoder;
  ``make train`` writes it), so a server starts in a moment.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot import linear_re
from bot.person_request import bank as bank_module
from bot.person_request import rules as rules_module
from bot.safety.semantic_classifiers import Encode, VectorCache

logger = logging.getLogger(__name__)

Array = np.ndarray[Any, Any]


@dataclasses.dataclass(frozen=True)
class Score:
    """How close a message is to each side of the bank.

    Attributes:
        request: The mean similarity of its nearest requests.
        near_miss: The same for the near misses.
        kind: The nearest request's kind.

    """

    request: float
    near_miss: float
    kind: str


class Layer:
    """The bank's vectors and the decision over them."""

    def __init__(
        self,
        settings: bank_module.Settings,
        requests: Array,
        kinds: Sequence[str],
        near_misses: Array,
        encode: Encode | None = None,
    ) -> None:
        """Keep the vectors.

        Args:
            settings: Threshold, margin, neighbours and how far to read a message.
            requests: One unit vector per request in the bank.
            kinds: Each request's kind.
            near_misses: One unit vector per near miss.
            encode: The sentence encoder, for a message that comes without its vector.

        """
        self.settings = settings
        self.requests = np.asarray(requests, dtype=np.float32)
        self.kinds = tuple(kinds)
        self.near_misses = np.asarray(near_misses, dtype=np.float32)
        self.encode = encode

    def vector(self, text: str) -> Array:
        """The message's sentence vector: one encode, read to ``max_tokens`` tokens."""
        if self.encode is None:
            raise RuntimeError("this layer has no encoder: give the message's vector")
        found: Array = self.encode([text], max_tokens=self.settings.max_tokens)[0]
        return found

    def score(self, vector: Array) -> Score:
        """How close ``vector`` is to the requests and to the near misses."""
        v = np.asarray(vector, dtype=np.float32).reshape(-1)
        k = self.settings.neighbours
        to_requests = self.requests @ v
        to_near = self.near_misses @ v
        return Score(
            request=_mean_of_top(to_requests, k),
            near_miss=_mean_of_top(to_near, k),
            kind=self.kinds[int(np.argmax(to_requests))],
        )

    def judges(self, text: str) -> bool:
        """Whether the message is long enough for this layer (``min_words``)."""
        return len(text.split()) >= self.settings.min_words

    def asks(self, vector: Array) -> str | None:
        """The kind of request ``vector`` makes, or None when it is not one."""
        found = self.score(vector)
        if found.request < self.settings.threshold:
            return None
        if found.request - found.near_miss < self.settings.margin:
            return None
        return found.kind


def _mean_of_top(similarities: Array, k: int) -> float:
    if similarities.size == 0:
        return -1.0
    k = min(k, similarities.size)
    return float(np.mean(np.partition(similarities, -k)[-k:]))


# Rasa's training intents whose examples are not near misses: requests for a person
# themselves, and crises (the safety net's, never this layer's).
_NOT_NEAR_MISSES = frozenset({"ask_for_pa", "crisis"})
_MARKUP = linear_re.compile(r"\[([^\]]*)\]\([^)]*\)")  # Rasa's entity markup: [text](entity)


def ordinary_messages(root: Path | None = None) -> list[str]:
    """What ordinary messages look like: the content's example questions, then Rasa's.

    The content files' example questions, and every Rasa training example
    (``data/nlu``) of an intent other than ``ask_for_pa`` and ``crisis`` (greetings,
    thanks, out of scope, follow-ups...). Never the dev or held-out sets.
    """
    from bot.settings import PROJECT_ROOT

    root = root or PROJECT_ROOT
    found: list[str] = []
    for path in sorted(root.glob("entitlements/content/*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found += [str(t) for t in data.get("examples") or []]
    for path in sorted(root.glob("data/nlu/*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("nlu") or []:
            if item.get("intent") and item["intent"] not in _NOT_NEAR_MISSES:
                found += [
                    _MARKUP.sub(r"\1", line.strip()[2:].strip())
                    for line in str(item.get("examples", "")).splitlines()
                    if line.strip().startswith("- ")
                ]
    return list(dict.fromkeys(t for t in found if t.strip()))


def near_miss_texts(
    bank: bank_module.Bank, rules: rules_module.Rules, questions: Sequence[str]
) -> list[str]:
    """The bank's near misses, then each ordinary message no pattern fires on.

    An ordinary message a pattern fires on ("want to complain about my PA", an example
    of the complaints entry) is a request here, so it is left out rather than counted
    against messages like it.
    """
    seen = {bank_module.key(t) for t in bank.near_misses}
    seen |= {bank_module.key(t) for t, _ in bank.requests}
    extra = []
    for text in questions:
        if bank_module.key(text) in seen:
            continue
        seen.add(bank_module.key(text))
        view = rules_module.views(text)
        if not any(rule.fires(view) for rule in rules.rules):
            extra.append(text)
    return [*bank.near_misses, *extra]


def cache_path() -> Path:
    """Where the bank's vectors are kept: next to the trained Rasa model."""
    from bot.settings import PROJECT_ROOT

    return PROJECT_ROOT / "models" / "person-bank-vectors.npy"


def build(
    cache: Path | None = None,
    bank: bank_module.Bank | None = None,
    encode: Encode | None = None,
    model_id: str | None = None,
) -> Layer:
    """The layer over the bank file and the content, with this process's encoder.

    Args:
        cache: Where the vectors are kept (:func:`cache_path` by default).
        bank: The bank (the reviewed file by default).
        encode: The encoder (the process's shared one by default).
        model_id: The encoder's identity, part of the cache's key.

    Raises:
        PersonBankError: The bank file has a mistake.

    """
    if encode is None:
        from entitlements.embedding import encoder_id, shared_encoder

        encode = shared_encoder().encode
        model_id = model_id or encoder_id()
    bank = bank or bank_module.load()
    near = near_miss_texts(bank, rules_module.load(), ordinary_messages())
    texts = [t for t, _ in bank.requests] + near
    vectors = VectorCache(cache or cache_path()).vectors(texts, encode, model_id or "")
    count = len(bank.requests)
    return Layer(
        bank.settings, vectors[:count], [k for _, k in bank.requests], vectors[count:], encode
    )


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bot.person_request.semantic build``: encode the bank once (make train)."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["build"]:
        print("usage: python -m bot.person_request.semantic build", file=sys.stderr)
        return 2
    try:
        layer = build()
    except bank_module.PersonBankError as error:
        print(f"person-request bank: {error}", file=sys.stderr)
        return 1
    print(
        f"requests for a person: {len(layer.requests)} requests and "
        f"{len(layer.near_misses)} near misses encoded"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
