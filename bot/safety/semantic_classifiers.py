"""The semantic layer's fitted classifiers as plain arrays, and the file that keeps them.

:class:`RbfSvm` and :class:`Softmax` are the fitted support-vector machines and logistic
regression (fitted with scikit-learn, run with numpy alone, no pickle); :class:`Fitted`
is the set the layer uses; :class:`VectorCache` keeps the bank's vectors and the fitted
classifiers in files keyed by what they were made from, so each server starts in a moment.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bot.safety.semantic_bank import Tuning

Array = np.ndarray[Any, Any]

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
        self, vectors: Array, labels: list[str], tuning: Tuning, fit: Callable[[], Fitted]
    ) -> Fitted:
        """The classifiers fitted on the bank, from the file when it has them.

        Kept as plain arrays (no pickle), so each server starts in a moment.
        """
        key = hashlib.sha256(vectors.tobytes())
        key.update("\n".join([*labels, repr(dataclasses.astuple(tuning))]).encode())
        digest = key.hexdigest()[:16]
        found = None if self.path is None else self.path.with_name(f"safety-fitted-{digest}.npz")
        if found is not None and found.exists():
            with np.load(found) as data:
                return Fitted(
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
    # Each support vector's squared length, worked out once rather than on every message.
    _support_norms: Array = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_support_norms", (self.support**2).sum(axis=1))

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
            + self._support_norms[None, :]
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
class Fitted:
    """The classifiers the layer uses now, and the approved phrases that count at once."""

    risk: RbfSvm
    distress: RbfSvm
    kinds: Softmax
    nearest: Array  # approved phrases' vectors
    nearest_labels: list[str]
