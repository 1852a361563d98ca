"""The error a reviewed data file raises: which file, which entry, and what is wrong.

Shared by every reader of a reviewed YAML file (the text-speak table here, the safety
net's lexicon and the person-request patterns in ``bot/``), so their messages read alike:
``<file>, <entry>: <problem>``, or ``<file>: <problem>`` for the file as a whole.
"""

from __future__ import annotations


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
