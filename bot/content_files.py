"""Export of the published content to YAML files, and import of such files.

The files are the knowledge base's own content files (``entitlements/README.md``): one
file per entry, ``national/<id>.yaml`` or ``local/<id>.yaml`` by the entry's scope, the
fields in the order the README lists them, long texts folded at 88 characters. The
same content always gives the same bytes, so an export can be kept in git and
compared.

An import is checked as ``make run`` checks the content folder
(:func:`entitlements.loader.load_content`): every problem in every file is reported
with the file, the field and what is wrong, and nothing is published unless the whole
set is right. Then the set is published in one transaction
(:func:`entitlements.store.publish_entries`): entries not in it stop being published
(their versions are kept), unchanged ones keep their version.

``python -m bot export-content DIR`` and ``import-content DIR`` use the folders; the
console offers the same as a zip file (:func:`export_zip`, :func:`import_zip`).
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from sqlalchemy.engine import Engine

from bot import linear_re
from bot.clock import utcnow
from bot.settings import Settings
from entitlements.loader import ContentError, ContentSet, load_content, load_topics
from entitlements.model import SCOPES, Entitlement
from entitlements.store import PublishReport, publish_entries, read_published
from entitlements.validation import Problem

ORIGIN = "import"
"""``kb_versions.origin`` of versions published by an import."""

FOLD_AT = 88
ZIP_TIME = (2000, 1, 1, 0, 0, 0)
"""The time stamp of every file in an exported zip, so the same content gives the same bytes."""
MAX_ZIP_FILES = 500
MAX_FILE_BYTES = 256 * 1024
MAX_TOTAL_BYTES = 8 * 1024 * 1024
UPLOAD = "(upload)"
_FILE_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"
_IGNORED = (".DS_Store", "Thumbs.db")
_FLOW_LISTS = ("statuses", "circumstances")
_DATES = ("last_reviewed", "review_due", "applies_from")


class _FlowList(list[str]):
    """A short list of words, written on one line: ``[relevant, former_relevant]``."""


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key, long texts folded."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    folded = len(data) > 60 and " " in data and data == " ".join(data.split())
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=">" if folded else None)


def _flow(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(_FlowList, _flow)


def _for_file(value: Any, key: str = "") -> Any:
    """The document as the YAML file writes it: dates as dates, word lists on one line."""
    if isinstance(value, dict):
        return {k: _for_file(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_for_file(v) for v in value]
        return _FlowList(items) if key in _FLOW_LISTS else items
    if key in _DATES and isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def entry_yaml(entry: Entitlement) -> str:
    """One entry as its content file's text (no ``scope``: the folder says it)."""
    document = entry.to_document()
    del document["scope"]
    text = yaml.dump(
        _for_file(document),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=FOLD_AT,
        default_flow_style=False,
    )
    return str(text)


def entry_path(entry: Entitlement) -> str:
    """Where an entry's file goes in an export: ``national/<id>.yaml`` or ``local/<id>.yaml``."""
    return f"{entry.scope}/{entry.id}.yaml"


def exported_files(engine: Engine) -> dict[str, str]:
    """Every published entry as a content file: path in the export to text, sorted by path."""
    _revision, entries = read_published(engine)
    files = {entry_path(entry): entry_yaml(entry) for entry in entries}
    return dict(sorted(files.items()))


class ExportError(Exception):
    """The export cannot be written where asked (the message says why)."""


def export_content(engine: Engine, folder: Path) -> list[Path]:
    """Write every published entry to ``folder/national`` and ``folder/local``.

    Args:
        engine: The project's database.
        folder: A folder that does not exist yet or is empty (so no old file is mixed
            in with the export).

    Returns:
        The files written.

    Raises:
        ExportError: ``folder`` is a file or holds something already.

    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ExportError(f"{folder} is not an empty folder; export to a new or empty one.")
    files = exported_files(engine)
    written = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    for scope in SCOPES:
        (folder / scope).mkdir(parents=True, exist_ok=True)
    return written


def export_zip(engine: Engine) -> bytes:
    """Every published entry as a zip of content files (the same content, the same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for scope in SCOPES:
            folder = zipfile.ZipInfo(f"{scope}/", date_time=ZIP_TIME)
            folder.external_attr = 0o40755 << 16
            archive.writestr(folder, b"")
        for name, text in exported_files(engine).items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def check_content(folder: Path, settings: Settings, today: dt.date | None = None) -> ContentSet:
    """Validate a folder of content files as ``make run`` does.

    Raises:
        entitlements.loader.ContentError: Any file has any problem.

    """
    return load_content(folder, load_topics(settings.topics_file), today=today)


def import_content(
    engine: Engine,
    folder: Path,
    settings: Settings,
    *,
    actor: str | None = None,
    today: dt.date | None = None,
) -> tuple[ContentSet, PublishReport]:
    """Validate every file in ``folder``, then publish the set in one transaction.

    Returns:
        The content set (with its warnings) and what the publish changed.

    Raises:
        entitlements.loader.ContentError: Any file has any problem; nothing was published.

    """
    content = check_content(folder, settings, today)
    report = publish_entries(engine, content.entries, origin=ORIGIN, actor=actor, now=utcnow())
    return content, report


def _zip_members(data: bytes) -> dict[str, bytes]:
    """The content files in an uploaded zip, by ``scope/name``, checked for size and place.

    Raises:
        ContentError: It is not a zip, is too big, or has files outside national/ and local/.

    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ContentError(
            [Problem(UPLOAD, "(file)", "is not a zip file; upload the zip the export gives")]
        ) from None
    infos = [
        i
        for i in infos
        if not i.is_dir()
        and not i.filename.startswith("__MACOSX/")
        and PurePosixPath(i.filename).name not in _IGNORED
    ]
    if len(infos) > MAX_ZIP_FILES:
        raise ContentError(
            [
                Problem(
                    UPLOAD, "(file)", f"has {len(infos)} files; the most taken is {MAX_ZIP_FILES}"
                )
            ]
        )
    if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
        raise ContentError(
            [Problem(UPLOAD, "(file)", f"unpacks to more than {MAX_TOTAL_BYTES // 2**20} MB")]
        )
    parts = [PurePosixPath(i.filename.replace("\\", "/")).parts for i in infos]
    # A zip of the folder itself ("content/national/...") is taken as well as its contents.
    tops = {p[0] for p in parts if p}
    strip = (
        1
        if len(tops) == 1
        and not tops & set(SCOPES)
        and all(
            (len(p) > 2 and p[1] in SCOPES) or (len(p) == 2 and p[1].lower() == "readme.md")
            for p in parts
        )
        else 0
    )
    problems: list[Problem] = []
    members: dict[str, bytes] = {}
    for info, part in zip(infos, parts, strict=True):
        inner = part[strip:]
        shown = "/".join(inner) or info.filename
        if len(inner) == 1 and inner[0].lower() == "readme.md":
            continue
        if (
            len(inner) != 2
            or inner[0] not in SCOPES
            or not linear_re.compile(_FILE_NAME).fullmatch(inner[1])
        ):
            problems.append(
                Problem(shown[:200], "(file)", "must be in national/ or local/, named <id>.yaml")
            )
            continue
        if inner[1].lower() == "readme.md":
            continue
        if info.file_size > MAX_FILE_BYTES:
            problems.append(
                Problem(
                    shown, "(file)", f"is over {MAX_FILE_BYTES // 1024} KB; no entry is that long"
                )
            )
            continue
        try:
            members[shown] = archive.read(info)
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
            problems.append(Problem(shown, "(file)", "cannot be read from the zip (damaged?)"))
    if problems:
        raise ContentError(problems)
    return members


def import_zip(
    engine: Engine,
    data: bytes,
    settings: Settings,
    *,
    actor: str | None = None,
    today: dt.date | None = None,
) -> tuple[ContentSet, PublishReport]:
    """Validate the content files in a zip (as the export makes), then publish them.

    Returns:
        The content set (with its warnings) and what the publish changed.

    Raises:
        entitlements.loader.ContentError: The zip, or any file in it, has any problem;
            nothing was published.

    """
    members = _zip_members(data)
    with tempfile.TemporaryDirectory(prefix="content-import-") as tmp:
        folder = Path(tmp)
        for scope in SCOPES:
            (folder / scope).mkdir()
        for name, body in members.items():
            # ``name`` is scope/<safe file name>, checked above: it cannot leave ``folder``.
            (folder / name).write_bytes(body)
        return import_content(engine, folder, settings, actor=actor, today=today)
