"""Reads and validates the whole set of content files.

All or nothing: if any file has a problem, :func:`load_content` raises
:class:`ContentError` listing every problem in every file, and nothing is
returned to load.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import yaml

from entitlements.model import Entitlement
from entitlements.readability import reading_age
from entitlements.validation import Problem, parse_entry

READING_AGE_TARGET = 11


class ContentError(Exception):
    """The content set has problems; nothing from it may be loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the content files:\n{lines}")


@dataclasses.dataclass(frozen=True)
class ContentSet:
    """A validated set of entries, and warnings that do not stop it loading."""

    entries: tuple[Entitlement, ...]
    warnings: tuple[str, ...]

    def by_id(self) -> dict[str, Entitlement]:
        """The entries keyed by id."""
        return {e.id: e for e in self.entries}


def load_topics(topics_file: Path) -> dict[str, str]:
    """Read the list of entitlement ids and their exact titles.

    Raises:
        ContentError: The file is missing or not a mapping of id to title.

    """
    name = topics_file.name
    try:
        data = yaml.safe_load(topics_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ContentError([Problem(name, "(file)", f"cannot be read: {exc}")]) from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ContentError([Problem(name, "(file)", "must map each id to its title")])
    return dict(data)


def _read_yaml(path: Path, shown: str) -> tuple[object, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [Problem(shown, "(file)", "is not UTF-8 text")]
    except OSError as exc:
        return None, [Problem(shown, "(file)", f"cannot be read: {exc.strerror}")]
    try:
        return yaml.safe_load(text), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(shown, where, f"is not valid YAML: {problem}")]


def load_content(
    content_dir: Path,
    topics: Mapping[str, str],
    *,
    today: dt.date | None = None,
) -> ContentSet:
    """Read every content file under ``content_dir/national`` and ``content_dir/local``.

    A local file may add a new entry, or replace the national entry of the same
    id with the council's own version.

    Args:
        content_dir: The folder holding ``national/`` and ``local/``.
        topics: Known ids and exact titles (from ``topics.yaml``).
        today: The date review dates are checked against (default: today).

    Returns:
        The validated entries, sorted by id, with any warnings.

    Raises:
        ContentError: Any file had any problem, or a topic has no entry.

    """
    today = today or dt.date.today()
    problems: list[Problem] = []
    found: dict[str, dict[str, Entitlement]] = {"national": {}, "local": {}}
    if not (content_dir / "national").is_dir():
        raise ContentError(
            [Problem(str(content_dir), "national/", "folder of national entries is missing")]
        )
    for scope in ("national", "local"):
        folder = content_dir / scope
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            shown = f"{scope}/{path.name}"
            if path.name.startswith(".") or path.name.lower() == "readme.md":
                continue
            if path.suffix != ".yaml":
                problems.append(Problem(shown, "(file)", "content files must end in .yaml"))
                continue
            data, read_problems = _read_yaml(path, shown)
            if read_problems:
                problems.extend(read_problems)
                continue
            entry, entry_problems = parse_entry(
                data, file=shown, scope=scope, topics=topics, today=today, expected_id=path.stem
            )
            problems.extend(entry_problems)
            if entry is not None:
                found[scope][entry.id] = entry

    reported = {p.file for p in problems}
    for topic_id in topics:
        missing = topic_id not in found["national"] and topic_id not in found["local"]
        if missing and f"national/{topic_id}.yaml" not in reported:
            problems.append(
                Problem(
                    f"national/{topic_id}.yaml",
                    "(file)",
                    "is missing: every topic in topics.yaml needs an entry",
                )
            )

    merged = {**found["national"], **found["local"]}
    owners: dict[str, str] = {}
    for entry in merged.values():
        for example in (*entry.examples, *entry.synonyms):
            key = " ".join(example.casefold().split())
            other = owners.setdefault(key, entry.id)
            if other != entry.id:
                problems.append(
                    Problem(
                        f"{entry.scope}/{entry.id}.yaml",
                        "examples",
                        f"{example!r} is also an example or synonym of {other}; "
                        "a question can only point to one entry",
                    )
                )
    if problems:
        raise ContentError(problems)

    warnings: list[str] = []
    for entry in merged.values():
        age = reading_age(entry.summary)
        if age > READING_AGE_TARGET + 1:
            warnings.append(
                f"{entry.scope}/{entry.id}.yaml: summary: reading age is about {age:.0f}; "
                f"aim for {READING_AGE_TARGET}"
            )
        if entry.review_due < today:
            warnings.append(
                f"{entry.scope}/{entry.id}.yaml: review_due: {entry.review_due} has passed"
            )
    return ContentSet(
        entries=tuple(sorted(merged.values(), key=lambda e: e.id)), warnings=tuple(warnings)
    )
