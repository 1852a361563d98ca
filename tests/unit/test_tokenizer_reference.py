"""The hand-written tokenizer gives exactly the ids of the model's reference tokenizer.

The reference is HuggingFace's ``tokenizers`` library (a development dependency: the
Rasa environment runs the hand-written one and needs no new package), loaded from the
model's own hash-checked ``tokenizer.json`` and, separately, built as
``BertWordPieceTokenizer`` with that file's settings. Compared on every message of the
dev and held-out sets (read only as strings to tokenise), the safety phrase bank, the
content files, tens of thousands of generated strings, and each code point in context.
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tokenizers
import yaml

from entitlements.embedding import (
    MAX_TOKENS,
    WordPieceTokenizer,
    _pinned_bytes,
    model_dir,
    pinned_tokenizer,
)

ROOT = Path(__file__).resolve().parents[2]
UNLIMITED = 10**9
GENERATED = 20_000


@pytest.fixture(scope="module")
def ours() -> WordPieceTokenizer:
    return pinned_tokenizer()


@pytest.fixture(scope="module")
def settings() -> dict[str, Any]:
    """tokenizer.json, as the model ships it (hash-checked)."""
    loaded: dict[str, Any] = json.loads(_pinned_bytes(model_dir(), "tokenizer.json"))
    return loaded


@pytest.fixture(scope="module")
def reference(settings: dict[str, Any]) -> Any:
    """The model's own tokenizer, without its cut to 128 tokens and padding."""
    tokenizer = tokenizers.Tokenizer.from_str(json.dumps(settings))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


@pytest.fixture(scope="module")
def bert_word_piece(settings: dict[str, Any]) -> Any:
    """BertWordPieceTokenizer built with tokenizer.json's own settings (BERT uncased)."""
    normalizer = settings["normalizer"]
    assert normalizer == {
        "type": "BertNormalizer",
        "clean_text": True,
        "handle_chinese_chars": True,
        "strip_accents": None,  # None: strip accents when lowercasing
        "lowercase": True,
    }
    assert settings["pre_tokenizer"] == {"type": "BertPreTokenizer"}
    assert settings["model"]["max_input_chars_per_word"] == 100
    vocab = _pinned_bytes(model_dir(), "vocab.txt").decode("utf-8").split("\n")[:-1]
    return tokenizers.BertWordPieceTokenizer(
        {token: index for index, token in enumerate(vocab)},
        clean_text=True,
        handle_chinese_chars=True,
        strip_accents=True,
        lowercase=True,
    )


def strings_in(node: object) -> Iterator[str]:
    """Every string in a YAML document, keys and values."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings_in(key)
            yield from strings_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item)


def project_texts() -> list[str]:
    files = [
        *sorted((ROOT / "tests" / "dev_set").glob("*.yml")),
        *sorted((ROOT / "tests" / "evaluation").glob("*.yml")),
        *sorted((ROOT / "bot" / "safety" / "data" / "bank").glob("*.yml")),
        *sorted((ROOT / "entitlements" / "content").rglob("*.yaml")),
        *sorted((ROOT / "entitlements" / "content").rglob("*.md")),
        ROOT / "entitlements" / "topics.yaml",
    ]
    texts: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        texts.append(text)
        if path.suffix in (".yml", ".yaml"):
            texts.extend(strings_in(yaml.safe_load(text)))
    return list(dict.fromkeys(texts))


POOLS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "0123456789",
    " \t\n\r",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "£€¥$¢₹₽₩₿©®™°±×÷§¶•…–—‘’“”«»¿¡",
    "éèêëàâäôöûüçñßøåæœÉÀÖÜİıΣσςΩΔΟΣДжЖ",
    "😀🎉👍🏽❤️👨‍👩‍👧🇬🇧🥺🫠",
    "中文字日本語한국어ひらがなカタカナ",
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u061c",
    "\x00\x01\x07\x1b\x7f\x85\x1c\x1f\x0b\x0c\ufffd\u2028\u2029\u00a0\u3000\u2003\u202f",
    "\u0301\u0308\u0327\u0903\u20dd\u0e31\u094d",
    "ﬁﬂＡＢ１２ｱ①Ⅻ㎏",
    "\U00020000\U0002a700\U0002b920\uf900\u3400\U0002f800",
    "\ue000\U000f0000\U0010fffd\U00050000",
)
SPECIAL = ("[SEP]", "[CLS]", "[UNK]", "[MASK]", "[PAD]", "[sep]", "[SEP", "[[SEP]]", "[MASK ]")


def generated(rng: random.Random, corpus: list[str]) -> str:
    """A random string of the kinds above, sometimes a real message with odd characters."""
    if rng.random() < 0.2:
        words = rng.choice(corpus).split(" ")
        for _ in range(rng.randint(1, 4)):
            odd = rng.choice(rng.choice(POOLS))
            at = rng.randint(0, len(words))
            words.insert(at, odd if rng.random() < 0.5 else odd + rng.choice(words or ["x"]))
        return " ".join(words)
    parts: list[str] = []
    for _ in range(rng.randint(0, 40)):
        shape = rng.random()
        if shape < 0.05:
            code = rng.randint(0, 0x10FFFF)
            parts.append(chr(code) if not 0xD800 <= code <= 0xDFFF else "x")
        elif shape < 0.1:  # a word past the 100-character limit, or just under it
            parts.append(rng.choice(POOLS[0]) * rng.randint(95, 110))
        elif shape < 0.15:  # a run of punctuation
            parts.append("".join(rng.choice(POOLS[3] + POOLS[4]) for _ in range(20)))
        elif shape < 0.18:
            parts.append(rng.choice(SPECIAL))
        else:
            parts.append(rng.choice(rng.choice(POOLS)))
    return "".join(parts)


def differences(ours: WordPieceTokenizer, reference: Any, texts: list[str]) -> list[str]:
    expected = [encoding.ids for encoding in reference.encode_batch(texts)]
    return [
        f"{text!r}: ours {got}, reference {want}"
        for text, want in zip(texts, expected, strict=True)
        if (got := ours.encode(text, UNLIMITED)) != want
    ]


@pytest.mark.timeout(600)
def test_the_same_ids_as_the_reference_on_project_and_generated_text(
    ours: WordPieceTokenizer, reference: Any, bert_word_piece: Any
) -> None:
    corpus = project_texts()
    rng = random.Random(18)
    texts = corpus + [generated(rng, corpus) for _ in range(GENERATED)]
    assert len(corpus) > 3000
    assert differences(ours, reference, texts)[:10] == []
    assert differences(ours, bert_word_piece, texts)[:10] == []


@pytest.mark.timeout(600)
def test_the_same_ids_as_the_reference_for_each_code_point_between_letters(
    ours: WordPieceTokenizer, reference: Any
) -> None:
    """Each character between two letters: kept, dropped, a space, split off or stripped.

    Every code point of planes 0 to 3 and 14 (all assigned characters), and a sample of
    the unassigned and private-use planes.
    """
    codes = [
        code
        for code in range(0x110000)
        if not 0xD800 <= code <= 0xDFFF
        and (code < 0x40000 or 0xE0000 <= code < 0xF0000 or code % 251 == 0)
    ]
    texts = [f"a{chr(code)}b" for code in codes]
    found = differences(ours, reference, texts)
    named = [f"U+{ord(t[1:2]):04X} {unicodedata.name(t[1:2], '?')} {t}" for t in found[:10]]
    assert named == []


def test_texts_are_cut_as_the_reference_cuts_them(
    ours: WordPieceTokenizer, settings: dict[str, Any]
) -> None:
    """The model's own cut to 128 tokens: [CLS], the first 126 pieces, [SEP]."""
    cutting = tokenizers.Tokenizer.from_str(json.dumps(settings))
    assert settings["truncation"]["max_length"] == MAX_TOKENS
    cutting.no_padding()
    long = "I have been trying to sort out my council tax and bursary for weeks " * 20
    texts = [long, long.replace(" ", "£"), "word " * 127, "word " * 126, "x" * 5000]
    for text in texts:
        assert ours.encode(text) == cutting.encode(text).ids


def test_the_vocabulary_is_the_reference_vocabulary(
    ours: WordPieceTokenizer, settings: dict[str, Any]
) -> None:
    assert ours.vocab == settings["model"]["vocab"]


def test_what_the_old_tokenizer_got_wrong() -> None:
    """Found by the comparison above: each of these gave other ids before."""
    tokenizer = pinned_tokenizer()

    def tokens(text: str) -> list[str]:
        names = {index: token for token, index in tokenizer.vocab.items()}
        return [names[i] for i in tokenizer.encode(text)[1:-1]]

    # A symbol outside ASCII is not split off: it starts a word ("£", "##400").
    assert tokens("rent £400/month") == ["rent", "£", "##400", "/", "month"]
    assert tokens("it's €5") == ["it", "'", "s", "€", "##5"]
    assert tokens("ok👍") == ["[UNK]"]  # so an emoji against a word makes it unknown
    assert tokens("日本") == ["日", "本"]  # each CJK character a word of its own
    assert tokens("a\u200bb") == ["ab"]  # zero-width (format) characters are removed
    assert tokens("a\x07b") == ["ab"]  # control characters are removed
    assert tokens("ΟΔΟΣ") == tokens("οδοσ")  # no final sigma: each character lowercased
    assert tokens("[SEP]") == ["[SEP]"]  # special tokens in the text, as the model reads them
