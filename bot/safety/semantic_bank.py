"""The semantic layer's training data and settings: the phrase bank and ``semantic.yml``.

:func:`load_bank` reads and checks the reviewed bank files under
``bot/safety/data/bank/`` (a mistake is a :class:`BankError` naming the file and entry);
:func:`load_ordinary` gathers the project's ordinary messages, labelled no risk;
:func:`training_examples` is both; :func:`load_tuning` reads the layer's settings
(:class:`Tuning`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import yaml

from bot import linear_re
from bot.safety.categories import CATEGORIES

DATA_DIR = Path(__file__).resolve().parent / "data"
BANK_DIR = DATA_DIR / "bank"
SETTINGS_FILE = DATA_DIR / "semantic.yml"
LABELS: tuple[str, ...] = (*CATEGORIES, "possible", "none")


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
