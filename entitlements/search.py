"""Finds the entitlement a question is about, by searching the knowledge base.

The index is built from the published content (titles, synonyms, example questions
and summaries), so a member of staff who adds an example question changes what
the bot answers as soon as the content is reloaded, with no model to retrain.

A question is scored against every entry in two ways, and the two are blended.

First, a lexical score: a nearest-neighbour score, itself a blend of three overlaps,

- word overlap with the entry's closest example (stemmed words and word pairs,
  TF-IDF weighted), after text-speak is spelled out and typos corrected against
  the knowledge base's own vocabulary;
- character overlap with the closest example (3 to 5 letter pieces), which
  forgives misspellings the correction missed;
- word overlap with everything written for the entry at once, which catches a
  question that describes a situation in words spread over several examples
  ("got nothing in my new flat not even a bed").

averaged with a logistic-regression classifier fitted, when the content is
loaded, on the same titles, synonyms and example questions: it learns which
words tell entries apart. Fitting it takes a second or two and is not
"retraining the model": it is part of loading the content, and any change staff
publish is in it.

Second, a meaning score: each phrase is turned into a sentence vector by a small
pre-trained language model (all-MiniLM-L6-v2, see :mod:`entitlements.embedding`),
so "my new place is empty, can't even afford a kettle" is close to "money for
things for my first flat" though they share no word. An entry scores the mean
of its closest phrase and its three closest phrases.

How the blend and thresholds were chosen, and how well they do, is in
``docs/matching.md``.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import snowballstemmer
from rapidfuzz import fuzz, process
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from entitlements.embedding import SentenceEncoder
from entitlements.model import Entitlement
from entitlements.normalise import expand, tokens

# Words that say nothing about which entitlement is meant. Kept short on purpose:
# "get", "help", "money" and "council" are stopwords here because every entry uses
# them; words such as "home", "move" or "work" are not.
STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again all am an and any anyone anything are as at be because
    been before being both but by can could did do does doing done for from get getting
    got had has have having he her here hers him his how i if in into is it its just
    know let like me might more most much must my myself need needs no nor not now of
    off on once one only or other our out over own please really same she should so some
    someone something still such than thanks that the their them then there these they
    this those to too under until up us very want was we were what when where which
    while who why will with would yes you your yours hi hello hey okay ok tell thing
    things mean means whats im wanna gonna hello anybody yeah help money council
    entitled entitle allowed eligible give gives given
    """.split()
)

WORD_WEIGHT = 0.45
CHAR_WEIGHT = 0.25
ENTRY_WEIGHT = 0.30
NEIGHBOUR_SHARE = 0.5
MEANING_SHARE = 0.6
MEANING_TOP = 3

# People and bodies that questions about every topic mention ("can my PA help me find a
# job"). Their letters are left out of the letter-by-letter comparison, where their long
# names would swamp the words that say which entitlement is meant.
ACTOR_WORDS: frozenset[str] = frozenset(
    "personal adviser advisers social worker workers team leaving care leaver leavers local "
    "authority looked".split()
)
CLASSIFIER_CHAR_WEIGHT = 0.7
CLASSIFIER_C = 10.0
CHAR_MIN_DF = 2
CLASSIFIER_TOL = 1e-3


@dataclasses.dataclass(frozen=True)
class Match:
    """One candidate entry and how well the question fits it (0 to 1)."""

    entitlement_id: str
    score: float


@dataclasses.dataclass(frozen=True)
class Thresholds:
    """When a match is good enough to answer, and when two are too close to call.

    Attributes:
        answer: The best score must reach this to answer at all.
        confident: At or above this the best match is answered even if a second is close.
        ambiguity_ratio: If the second best is at least this share of the best (and the
            best is below ``confident``), the young person is asked to choose.
        second_minimum: The second best must also reach this to be offered as a choice.

    """

    answer: float = 0.35
    confident: float = 0.45
    ambiguity_ratio: float = 0.95
    second_minimum: float = 0.35


@dataclasses.dataclass(frozen=True)
class Decision:
    """What to do with a question: answer one entry, offer a choice, or say "I don't know"."""

    kind: Literal["answer", "choose", "none"]
    entitlement_ids: tuple[str, ...]
    matches: tuple[Match, ...]


class Analyzer:
    """Turns text into the words the index compares: expanded, corrected, stemmed."""

    def __init__(self, vocabulary: frozenset[str] = frozenset()) -> None:
        self._stemmer = snowballstemmer.stemmer("english")
        self._vocabulary = vocabulary
        self._choices = sorted(vocabulary)
        self._corrections: dict[str, str] = {}

    def words(self, text: str, *, correct: bool = False) -> list[str]:
        """The meaningful words of ``text``, unstemmed, stopwords dropped."""
        result: list[str] = []
        for token in tokens(expand(text)):
            if token in STOPWORDS or len(token) < 2:
                continue
            if correct:
                token = self._correct(token)
            result.append(token)
        return result

    def _correct(self, token: str) -> str:
        if token in self._vocabulary or len(token) < 4 or token.isdigit() or not self._choices:
            return token
        cached = self._corrections.get(token)
        if cached is not None:
            return cached
        cutoff = 84.0 if len(token) < 7 else 80.0
        found = process.extractOne(token, self._choices, scorer=fuzz.ratio, score_cutoff=cutoff)
        corrected = str(found[0]) if found else token
        if len(self._corrections) < 50_000:
            self._corrections[token] = corrected
        return corrected

    def stems(self, words: Sequence[str]) -> list[str]:
        """Stems of ``words``, plus each pair of neighbouring stems."""
        stems = [str(s) for s in self._stemmer.stemWords(list(words))]
        return stems + [f"{a}_{b}" for a, b in itertools.pairwise(stems)]


def _identity(items: list[str]) -> list[str]:
    return items


def _char_text(words: Sequence[str]) -> str:
    """The words compared letter by letter: actor words left out, unless nothing else is left."""
    kept = [w for w in words if w not in ACTOR_WORDS]
    return " ".join(kept or words)


class SearchIndex:
    """An index over a set of entries; immutable once built, safe to share."""

    _word_vectorizer: TfidfVectorizer
    _phrase_words: Any
    _char_vectorizer: TfidfVectorizer
    _phrase_chars: Any
    _classifier: LogisticRegression
    _phrase_vectors: np.ndarray[Any, Any] | None

    def __init__(
        self,
        entries: Sequence[Entitlement],
        encoder: SentenceEncoder | None = None,
        previous: SearchIndex | None = None,
    ) -> None:
        """Index ``entries``; with an ``encoder``, also by meaning (else by words alone).

        With ``previous`` (the index of the content before a change), what depends only
        on the titles, synonyms and example questions is reused when those are the same
        (a change of wording or an amount), so the new index is ready in a moment
        instead of fitting the classifier again. The result is the same either way.
        """
        if not entries:
            raise ValueError("cannot search an empty knowledge base")
        self.entry_ids: tuple[str, ...] = tuple(e.id for e in entries)
        plain = Analyzer()
        phrases: list[tuple[int, str]] = []
        for position, entry in enumerate(entries):
            for phrase in (entry.title, *entry.synonyms, *entry.examples):
                phrases.append((position, phrase))
        self._phrase_key = (self.entry_ids, tuple(phrases), encoder is not None)
        vocabulary = frozenset(w for _, text in phrases for w in plain.words(text))
        for entry in entries:
            vocabulary |= frozenset(plain.words(entry.summary))
        self.analyzer = Analyzer(vocabulary)
        self._owners = np.array([position for position, _ in phrases])

        # A phrase's own words are all in the vocabulary, so correcting them changes
        # nothing: what is computed from the phrases depends on the phrases alone.
        phrase_words = [self.analyzer.words(text, correct=True) for _, text in phrases]
        same = previous is not None and previous._phrase_key == self._phrase_key
        if same:
            assert previous is not None
            self._word_vectorizer = previous._word_vectorizer
            self._phrase_words = previous._phrase_words
            self._char_vectorizer = previous._char_vectorizer
            self._phrase_chars = previous._phrase_chars
        else:
            self._word_vectorizer = TfidfVectorizer(
                analyzer=_identity, sublinear_tf=True, norm="l2"
            )
            self._phrase_words = self._word_vectorizer.fit_transform(
                [self.analyzer.stems(words) for words in phrase_words]
            )
            self._char_vectorizer = TfidfVectorizer(
                analyzer="char_wb",
                ngram_range=(3, 5),
                sublinear_tf=True,
                norm="l2",
                min_df=CHAR_MIN_DF,
            )
            self._phrase_chars = self._char_vectorizer.fit_transform(
                [_char_text(words) for words in phrase_words]
            )

        entry_texts: list[list[str]] = [[] for _ in entries]
        for (position, _), words in zip(phrases, phrase_words, strict=True):
            entry_texts[position].extend(words)
        for position, entry in enumerate(entries):
            entry_texts[position].extend(self.analyzer.words(entry.summary, correct=True))
        self._entry_vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm="l2")
        self._entry_words = self._entry_vectorizer.fit_transform(
            [self.analyzer.stems(words) for words in entry_texts]
        )

        if same:
            assert previous is not None
            self._classifier = previous._classifier
            self._phrase_vectors = previous._phrase_vectors
        else:
            features = sparse.hstack(
                [self._phrase_words, CLASSIFIER_CHAR_WEIGHT * self._phrase_chars]
            ).tocsr()
            self._classifier = LogisticRegression(
                C=CLASSIFIER_C, max_iter=3000, class_weight="balanced", tol=CLASSIFIER_TOL
            ).fit(features, self._owners)
            self._phrase_vectors = (
                encoder.encode_phrases([text for _, text in phrases])
                if encoder is not None
                else None
            )
        # Columns of predict_proba follow classifier.classes_ (positions of entries).
        self._class_positions = np.asarray(self._classifier.classes_, dtype=int)
        self._encoder = encoder
        self._members = [np.flatnonzero(self._owners == i) for i in range(len(entries))]

    def _best_per_entry(self, similarities: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        best = np.zeros(len(self.entry_ids))
        np.maximum.at(best, self._owners, similarities)
        return best

    def scores(self, text: str, vector: Sequence[float] | None = None) -> np.ndarray[Any, Any]:
        """The score (0 to 1) of ``text`` against every entry, in ``entry_ids`` order.

        ``vector`` is the text's sentence vector if it is already known (the NLU
        pipeline computes it), to save encoding it again.
        """
        words = self.analyzer.words(text, correct=True)
        if not words:
            return np.zeros(len(self.entry_ids))
        stems = self.analyzer.stems(words)
        word_query = self._word_vectorizer.transform([stems])
        char_query = self._char_vectorizer.transform([_char_text(words)])
        entry_query = self._entry_vectorizer.transform([stems])
        if word_query.nnz == 0 and char_query.nnz == 0:
            return np.zeros(len(self.entry_ids))
        word_best = self._best_per_entry((self._phrase_words @ word_query.T).toarray().ravel())
        char_best = self._best_per_entry((self._phrase_chars @ char_query.T).toarray().ravel())
        entry_sim = (self._entry_words @ entry_query.T).toarray().ravel()
        neighbours = WORD_WEIGHT * word_best + CHAR_WEIGHT * char_best + ENTRY_WEIGHT * entry_sim
        query = sparse.hstack([word_query, CLASSIFIER_CHAR_WEIGHT * char_query]).tocsr()
        probabilities = np.zeros(len(self.entry_ids))
        probabilities[self._class_positions] = self._classifier.predict_proba(query)[0]
        lexical: np.ndarray[Any, Any] = (
            NEIGHBOUR_SHARE * neighbours + (1 - NEIGHBOUR_SHARE) * probabilities
        )
        if self._encoder is None or self._phrase_vectors is None:
            return lexical
        query_vector = (
            np.asarray(vector, dtype=np.float32)
            if vector is not None and len(vector) == self._phrase_vectors.shape[1]
            else self._encoder.encode([text])[0]
        )
        similarities = self._phrase_vectors @ query_vector
        meaning = np.array(
            [
                0.5 * similarities[rows].max()
                + 0.5 * np.sort(similarities[rows])[-MEANING_TOP:].mean()
                for rows in self._members
            ]
        )
        blended: np.ndarray[Any, Any] = (1 - MEANING_SHARE) * lexical + MEANING_SHARE * np.clip(
            meaning, 0.0, 1.0
        )
        return blended

    def search(
        self, text: str, limit: int = 5, vector: Sequence[float] | None = None
    ) -> tuple[Match, ...]:
        """The best ``limit`` entries for ``text``, best first."""
        scores = self.scores(text, vector)
        order = np.argsort(-scores, kind="stable")[:limit]
        return tuple(
            Match(self.entry_ids[i], round(float(scores[i]), 4)) for i in order if scores[i] > 0
        )

    def decide(
        self,
        text: str,
        thresholds: Thresholds | None = None,
        vector: Sequence[float] | None = None,
    ) -> Decision:
        """Search, then decide whether to answer, offer a choice or admit not knowing."""
        limits = thresholds or Thresholds()
        matches = self.search(text, vector=vector)
        if not matches or matches[0].score < limits.answer:
            return Decision("none", (), matches)
        best = matches[0]
        if len(matches) > 1 and best.score < limits.confident:
            second = matches[1]
            if (
                second.score >= limits.second_minimum
                and second.score >= limits.ambiguity_ratio * best.score
            ):
                return Decision("choose", (best.entitlement_id, second.entitlement_id), matches)
        return Decision("answer", (best.entitlement_id,), matches)
