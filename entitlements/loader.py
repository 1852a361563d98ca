"""Reads and validates the whole set of content files.

All or nothing: if any file has a problem, :func:`load_content` raises
:class:`ContentError` listing every problem in every file, and nothing is
returned to load.

National and local content are kept apart: a file's folder is its scope
(``national/`` or ``local/``). A file may say ``scope:`` as well, but then it must
agree with its folder. A national entry is the same for every council, so it may not
hold a council's own contact details (a geographic or mobile phone number, an email
address): those belong in a local entry or in the settings (``LEAVING_CARE_PHONE``,
``OUT_OF_HOURS_PHONE``). National numbers (0300, 0800, 111, 999, 116 123) are fine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from entitlements import linear
from entitlements.model import SCOPES, Entitlement
from entitlements.readability import MAX_SENTENCE_WORDS, long_sentences, reading_age
from entitlements.validation import Problem, parse_entry

READING_AGE_TARGET = 11

_PHONE_LIKE = re.compile(r"(?<![\w+])(?:\+44|\(?0)[\d ()-]{8,16}\d(?!\d)")
# RE2 (entitlements.linear): content is text staff type in the console, and Python's
# engine took quadratic time on a long word without an "@". \w spelled as Unicode letters
# and numbers, as Python's is.
_EMAIL = r"[\p{L}\p{N}_.+-]+@[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+"
_COUNCIL_PREFIXES = ("01", "02", "07")
"""Geographic and mobile numbers: a council's own, never a national line's."""


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


def council_contacts(text: str) -> list[str]:
    """Phone numbers and email addresses in ``text`` that belong to one council or person.

    Geographic (01, 02) and mobile (07) numbers, written with or without +44, and any
    email address. National lines (0300, 0800, 0808, 111, 999, 116 123) are not listed.
    """
    found: list[str] = []
    for match in _PHONE_LIKE.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if digits.startswith("44"):
            digits = "0" + digits[2:]
        if len(digits) in (10, 11) and digits.startswith(_COUNCIL_PREFIXES):
            found.append(match.group(0).strip())
    found.extend(linear.compile(_EMAIL).findall(linear.matchable(text)))
    return found


def shown_texts(entry: Entitlement) -> dict[str, str]:
    """Every text of an entry that young people may be sent, by its field path."""
    texts = {
        "summary": entry.summary,
        "details": entry.details,
        "how_to_get": entry.how_to_get,
        "legal_basis": entry.legal_basis,
        "eligibility.explanation": entry.eligibility.explanation,
        "varies_locally.note": entry.local_note,
    }
    for index, rule in enumerate(entry.eligibility.rules, start=1):
        if rule.note:
            texts[f"eligibility.rules[{index}].note"] = rule.note
    return texts


def _national_contacts(entry: Entitlement, shown: str) -> list[Problem]:
    texts = shown_texts(entry)
    return [
        Problem(
            shown,
            field,
            f"has a council's own contact details ({contact}); a national entry is the same "
            "for every council: put them in a local entry (local/) or in the settings "
            "(LEAVING_CARE_PHONE, OUT_OF_HOURS_PHONE)",
        )
        for field, text in texts.items()
        for contact in council_contacts(text)
    ]


def _scope_field(data: object, scope: str, shown: str) -> tuple[object, list[Problem]]:
    """Check and take out an optional ``scope:`` field: it must name the file's folder."""
    if not isinstance(data, dict) or "scope" not in data:
        return data, []
    data = dict(data)
    said = data.pop("scope")
    if said == scope:
        return data, []
    if said not in SCOPES:
        return data, [Problem(shown, "scope", f"must be national or local, got {said!r}")]
    return data, [
        Problem(
            shown,
            "scope",
            f"is {said} but the file is in {scope}/; a file's folder is its scope: "
            f"move it to {said}/ or change scope",
        )
    ]


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
            data, scope_problems = _scope_field(data, scope, shown)
            problems.extend(scope_problems)
            entry, entry_problems = parse_entry(
                data, file=shown, scope=scope, topics=topics, today=today, expected_id=path.stem
            )
            problems.extend(entry_problems)
            if entry is not None and scope == "national":
                problems.extend(_national_contacts(entry, shown))
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
        for field, text in shown_texts(entry).items():
            for sentence in long_sentences(text):
                warnings.append(
                    f"{entry.scope}/{entry.id}.yaml: {field}: a sentence is over "
                    f"{MAX_SENTENCE_WORDS} words: {sentence[:60]!r}..."
                )
        if entry.review_due < today:
            warnings.append(
                f"{entry.scope}/{entry.id}.yaml: review_due: {entry.review_due} has passed"
            )
    return ContentSet(
        entries=tuple(sorted(merged.values(), key=lambda e: e.id)), warnings=tuple(warnings)
    )
