"""The safety net's semantic layer: the phrase bank, windows, the classifier, approved phrases.

Messages here are written for these tests; none is from the dev or held-out sets.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.safety import semantic
from bot.safety.detector import assess
from bot.safety.screen import Screen, Tier
from tests.support.adversarial import costly_to_encode

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def layer() -> semantic.SemanticLayer:
    return semantic.build_layer()


def test_the_bank_is_big_and_covers_every_label() -> None:
    bank = semantic.load_bank()
    assert len(bank) >= 1500
    counts = {label: sum(1 for e in bank if e.label == label) for label in semantic.LABELS}
    assert min(counts.values()) >= 150, counts


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("messages: nope\n", "'messages' list"),
        ('messages:\n  - text: "hi"\n    label: happy\n', "'label' must be one of"),
        ('messages:\n  - text: ""\n    label: none\n', "'text' must be a non-empty text"),
        ('messages:\n  - "just text"\n', "must be a mapping"),
    ],
)
def test_a_bank_file_with_a_mistake_names_the_file_the_entry_and_the_problem(
    tmp_path: Path, content: str, problem: str
) -> None:
    write(tmp_path / "bad.yml", content)
    with pytest.raises(semantic.BankError) as raised:
        semantic.load_bank(tmp_path)
    assert "bad.yml" in str(raised.value)
    assert problem in str(raised.value)
    if "label" in content:
        assert "message 1" in str(raised.value)


def test_the_same_message_in_two_bank_files_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "a.yml", 'messages:\n  - text: "i cant cope"\n    label: possible\n')
    write(tmp_path / "b.yml", 'messages:\n  - text: "I cant  cope"\n    label: none\n')
    with pytest.raises(semantic.BankError, match=r"b.yml, message 1: .*already in a.yml"):
        semantic.load_bank(tmp_path)


def test_a_setting_that_is_not_a_number_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "semantic.yml", "crisis_threshold: high\n")
    with pytest.raises(semantic.BankError, match="crisis_threshold"):
        semantic.load_tuning(path)


def test_a_long_message_is_read_in_windows_to_its_end() -> None:
    words = [f"word{i}" for i in range(200)]
    parts = semantic.windows(" ".join(words), size=32, step=24, limit=12)
    assert len(parts) <= 12
    assert parts[0].split()[0] == "word0"
    assert parts[-1].split()[-1] == "word199"
    assert semantic.windows("just a short one", 32, 24, 12) == ["just a short one"]
    assert semantic.windows("   ", 32, 24, 12) == []


def test_the_banks_vectors_are_encoded_once_and_kept(tmp_path: Path) -> None:
    calls: list[int] = []

    def encode(texts: Sequence[str]) -> Any:
        calls.append(len(texts))
        return np.ones((len(texts), 4), dtype=np.float32)

    cache = semantic.VectorCache(tmp_path / "vectors.npy")
    first = cache.vectors(["a", "b"], encode, "model-1")
    again = cache.vectors(["a", "b"], encode, "model-1")
    assert calls == [2]
    assert np.array_equal(first, again)
    cache.vectors(["a", "b", "c"], encode, "model-1")  # the bank changed: encoded again
    assert calls == [2, 3]


def test_a_plain_risk_the_patterns_have_no_rule_for_is_a_crisis(layer) -> None:
    text = (
        "left my xbox and all my games to my little brother, hes gonna need them more than me soon"
    )
    assert not assess(text).at_risk
    verdict = Screen(layer).check(text)
    assert verdict.tier is Tier.CRISIS
    assert verdict.detected_by == "semantic"


def test_risk_stated_at_the_end_of_a_long_run_on_message_is_found(layer) -> None:
    text = (
        "hiya just wondering if the form for the council tax thing has gone through cos "
        "my pa said she would send it last week and i still have not heard anything back "
        "and the letter says i owe them money which i dont have and college starts again "
        "on monday and i need the bus pass sorted too anyway doesnt matter really i am "
        "stood at the top of the multi storey looking down and i dont think i will be "
        "needing the bus pass"
    )
    assert Screen(layer).check(text).tier is Tier.CRISIS


def test_ordinary_questions_are_left_alone(layer) -> None:
    for text in (
        "how do i get my passport if i dont have a birth certificate",
        "is the setting up home grant paid straight to me",
        "thanks thats really helpful",
    ):
        assert Screen(layer).check(text).tier is Tier.NONE, text


def test_a_question_about_what_a_word_means_is_not_overruled(layer) -> None:
    assert Screen(layer).check("whats sextortion mean").tier is Tier.NONE


def test_an_approved_phrase_counts_at_once(layer) -> None:
    missed = "the purple kettle is on the windowsill again"
    before = Screen(layer).check(missed)
    layer.use_nearest([semantic.Example(missed, "suicide")])
    try:
        verdict = Screen(layer).check(missed)
        assert verdict.tier is Tier.CRISIS
        assert verdict.categories == ("suicide",)
        assert verdict.detected_by == "approved"
    finally:
        layer.use_nearest([])
    assert Screen(layer).check(missed).tier is before.tier


@pytest.mark.slow  # refits the semantic layer's classifiers (tens of seconds)
def test_a_refit_learns_the_approved_phrase_and_keeps_the_ones_counting_at_once(layer) -> None:
    missed = "the purple kettle is on the windowsill again"
    approved = [semantic.Example(missed, "suicide")]
    layer.use_nearest(approved)
    layer.refit(approved, version=1)
    try:
        assert layer.approved_version == 1
        verdict = Screen(layer).check(missed)
        assert verdict.tier is Tier.CRISIS
        assert verdict.detected_by == "approved"  # the nearest phrases survived the refit
        layer.use_nearest([])
        assert Screen(layer).check(missed).tier is Tier.CRISIS  # the refitted classifier
    finally:
        layer.use_nearest([])
        layer.refit([], version=None)


@pytest.mark.slow  # refits the semantic layer's classifiers (tens of seconds)
def test_an_approved_false_alarm_counts_at_once(layer) -> None:
    alarm = "jumping off the top board at the leisure centre tonight"
    layer.refit([semantic.Example(alarm, "none")], version=2)
    try:
        assert Screen(layer).check(alarm).tier is Tier.NONE
    finally:
        layer.refit([], version=None)


def test_the_kept_svm_decides_exactly_as_scikit_learn_does() -> None:
    from sklearn.svm import SVC

    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(200, 16)).astype(np.float32)
    labels = (vectors[:, 0] + vectors[:, 1] ** 2 > 0.5).astype(int)
    kept = semantic.RbfSvm.fit(vectors, labels, c=4.0)
    reference = SVC(C=4.0, kernel="rbf").fit(vectors, labels)
    probe = rng.normal(size=(50, 16)).astype(np.float32)
    assert np.allclose(kept.decision_function(probe), reference.decision_function(probe), atol=1e-4)


def test_the_fitted_classifiers_are_kept_and_loaded_without_pickle(tmp_path: Path) -> None:
    bank = semantic.load_bank()[::15]  # a few hundred, of every label
    encode = semantic_encoder()
    first = semantic.SemanticLayer(
        encode, bank, semantic.load_tuning(), semantic.VectorCache(tmp_path / "v.npy")
    )
    kept = list(tmp_path.glob("safety-fitted-*.npz"))
    assert len(kept) == 1
    with np.load(kept[0], allow_pickle=False) as data:
        assert "risk_support" in data
    again = semantic.SemanticLayer(
        encode, bank, semantic.load_tuning(), semantic.VectorCache(tmp_path / "v.npy")
    )
    text = "cant see the point of anything anymore"
    assert first.scores(text)[:3] == again.scores(text)[:3]


def semantic_encoder():
    from entitlements.embedding import shared_encoder

    return shared_encoder().encode


def test_a_window_repeated_is_encoded_once(layer, monkeypatch) -> None:
    encoded: list[str] = []
    encode = layer.encode

    def counting(texts, **options):
        encoded.extend(texts)
        return encode(texts, **options)

    monkeypatch.setattr(layer, "encode", counting)
    verdict = Screen(layer).check("qzxv wkpj " * 400)  # 800 words: 12 windows, all alike
    assert verdict.tier is Tier.NONE
    assert len(encoded) == 1


def test_windows_within_the_budget_are_spread_from_first_to_last() -> None:
    parts = [f"w{i}" for i in range(12)]
    costs = dict.fromkeys(parts, 40)
    assert semantic.within_budget(parts, costs, 10_000) == parts
    chosen = semantic.within_budget(parts, costs, 200)  # room for five of twelve
    assert len(chosen) == 5
    assert chosen[0] == "w0"
    assert chosen[-1] == "w11"
    assert chosen == sorted(chosen, key=parts.index)
    assert semantic.within_budget(parts, costs, 10) == ["w0"]  # never nothing
    assert semantic.within_budget([], {}, 100) == []


def test_a_window_chosen_twice_costs_once() -> None:
    parts = ["same"] * 12
    assert semantic.within_budget(parts, {"same": 64}, 64) == parts


@pytest.mark.parametrize("length", [300, 1600, 8000])
def test_no_message_makes_the_encoder_read_more_than_the_budget(layer, monkeypatch, length) -> None:
    """The step count behind make bench's figure: tokens read, whatever the message."""
    from entitlements.embedding import shared_encoder

    tokenizer = shared_encoder().tokenizer
    read: list[int] = []

    def counting(encode):
        def encode_counted(texts, **options):
            read.extend(len(tokenizer.encode(t, options["max_tokens"])) for t in texts)
            return encode(texts, **options)

        return encode_counted

    # A message of one window is encoded by encode_one (which offers its vector to the
    # NLU), a longer one by encode: both are held to the budget.
    monkeypatch.setattr(layer, "encode", counting(layer.encode))
    monkeypatch.setattr(layer, "encode_one", counting(layer.encode_one))
    message = costly_to_encode(length, seed=length)
    Screen(layer).check(message)
    tuning = layer.tuning
    assert read, "the semantic layer read nothing"
    assert max(read) <= tuning.max_window_tokens
    assert sum(read) <= tuning.max_message_tokens
    # Unbounded, this message would have been read to 128 tokens a window.
    if length >= 1600:
        windows = semantic.windows(message, tuning.window_words, tuning.window_step, 12)
        assert sum(len(tokenizer.encode(w)) for w in windows) > 4 * tuning.max_message_tokens


def test_risk_at_the_end_of_a_message_over_the_budget_is_still_read(layer) -> None:
    chatter = "went to the shops then college then back home to sort my washing out " * 20
    text = chatter + "and honestly i just want to be gone for good nobody would even notice"
    assert sum(layer.count_tokens(w, 999) for w in semantic.windows(text, 32, 24, 12)) > (
        layer.tuning.max_message_tokens
    )
    risk, _distress, kind, _matched = layer.scores(text)  # the layer alone, not the patterns
    assert risk >= layer.tuning.crisis_threshold
    assert kind == "suicide"


def test_a_message_of_one_window_is_offered_to_the_nlu_and_a_longer_one_is_not(layer) -> None:
    """The NLU takes the safety net's vector when the tokens agree: one encoding a message."""
    from entitlements.embedding import shared_encoder

    encoder = shared_encoder()
    short = "can I get money for a deposit on a flat"
    assert encoder.tokenizer.encode(semantic.normalise(short)) == encoder.tokenizer.encode(short)
    layer.scores(short)
    offered = encoder.take_offered(short)
    assert offered is not None
    assert np.array_equal(offered, encoder.encode([short])[0])  # the same, not close
    assert encoder.take_offered(short) is None  # taken once

    long = "went to college then the shops then home again and " * 6
    assert len(semantic.windows(long, 32, 24, 12)) > 1
    layer.scores(long)
    assert encoder.take_offered(long) is None
    assert encoder.take_offered(" ".join(long.split()[:32])) is None
