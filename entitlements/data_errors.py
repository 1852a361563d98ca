"""The error a reviewed data file raises: which file, which entry, and what is wrong.

Shared by every reader of a reviewed YAML file (the text-speak table here, the safety
net's lexicon and the person-request patterns in ``bot/``), so their messages read alike:
``<file>, <entry>: <problem>``, or ``<file>: <problem>`` for the file as a whole.
:func:`read_mapping` reads such a file's top level, with the same errors for each.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml


class DataFileError(ValueError):
    """A reviewed data file has a mistake.

    Attributes:
        file: The file.
        entry: Where in it (empty for the file as a whole).
        problem: What is wrong, naming the field.

    """

    def __init__(self, file: str, entry: str, problem: str) -> None:
        self.file = file
        self.entry = entry
        self.problem = problem
        super().__init__(f"{file}, {entry}: {problem}" if entry else f"{file}: {problem}")


def read_mapping(
    path: Path,
    error: type[DataFileError],
    *,
    keys: Sequence[str] | None = None,
    loader: type[Any] = yaml.SafeLoader,
) -> dict[str, Any]:
    """A reviewed YAML file's top level: a mapping, with only ``keys`` if they are given.

    Args:
        path: The file.
        error: The reader's own :class:`DataFileError` subclass, raised for the file.
        keys: The top-level keys allowed, in the order the error names them.
        loader: A safe YAML loader (a stricter one may refuse repeated keys).

    Raises:
        DataFileError: As ``error``: the file cannot be read, is not YAML, is not a
            mapping or has a key not in ``keys``.

    """
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise error(name, "", f"cannot be read ({e.strerror})") from None
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as e:
        raise error(name, "", f"is not valid YAML: {' '.join(str(e).split())}") from None
    if not isinstance(data, dict):
        named = [f"'{key}'" for key in keys or ()]
        wanted = f" with {', '.join(named[:-1])} and {named[-1]}" if len(named) > 1 else ""
        raise error(name, "", f"must be a mapping{wanted}")
    if keys is not None:
        unknown = sorted(str(key) for key in set(data) - set(keys))
        if unknown:
            raise error(name, "", f"unknown top-level key(s): {', '.join(unknown)}")
    return data
