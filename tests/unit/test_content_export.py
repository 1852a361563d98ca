"""Export of the published content to YAML files and zips, and their import (bot/content_files.py).

On a real SQLite file and PostgreSQL; the command line is run as staff run it.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from bot import content_files
from bot.clock import utcnow
from bot.db.engine import create_db_engine
from bot.db.migrate import upgrade
from bot.settings import PROJECT_ROOT
from entitlements.loader import ContentError, load_content
from entitlements.store import current_revision, publish_entries, read_published, versions_table

ENTRIES = len(list((PROJECT_ROOT / "entitlements" / "content").glob("*/*.yaml")))
"""How many content files the repository has (national and local)."""


@pytest.fixture
def published(engine, content):
    publish_entries(engine, content.entries, origin="files", now=utcnow())
    return engine


def files_in(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def version_count(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(versions_table)).scalar())


@pytest.fixture
def empty_engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    yield engine
    engine.dispose()


def test_export_import_into_an_empty_database_export_again_is_byte_identical(
    published, empty_engine, settings, tmp_path, content
):
    first = tmp_path / "first"
    written = content_files.export_content(published, first)
    assert len(written) == len(content.entries) == ENTRIES
    assert (first / "national" / "setting-up-home-allowance.yaml").is_file()
    assert (first / "local").is_dir()

    assert read_published(empty_engine)[1] == []
    _imported, report = content_files.import_content(empty_engine, first, settings)
    assert len(report.added) == ENTRIES and report.revision == 1

    second = tmp_path / "second"
    content_files.export_content(empty_engine, second)
    assert files_in(first) == files_in(second)
    # ...and the content is the project's own, field for field.
    assert [e.to_document() for e in read_published(empty_engine)[1]] == [
        e.to_document() for e in content.entries
    ]


def test_an_exported_file_reads_like_the_hand_written_ones(published, tmp_path):
    content_files.export_content(published, tmp_path / "out")
    text = (tmp_path / "out" / "national" / "setting-up-home-allowance.yaml").read_text()
    fields = [line.split(":")[0] for line in text.splitlines() if line and line[0] != " "]
    assert fields == [
        "id",
        "title",
        "summary",
        "details",
        "eligibility",
        "amounts",
        "how_to_get",
        "legal_basis",
        "varies_locally",
        "sources",
        "last_reviewed",
        "review_due",
        "examples",
        "synonyms",
    ]
    assert "scope" not in text.split("examples:")[0]  # the folder is the scope
    assert "    - statuses: [former_relevant, relevant]\n" in text
    assert "    applies_from: 2023-04-01\n" in text
    assert "£3,000" in text  # UTF-8, not escaped
    assert max(len(line) for line in text.splitlines() if "http" not in line) <= 100


def test_a_local_entry_is_exported_to_local(published, content, settings, tmp_path):
    council_tax = content.by_id()["council-tax-exemption"]
    local = dataclasses.replace(council_tax, scope="local", summary="Our own council tax scheme.")
    publish_entries(published, [local], origin="test", retire_missing=False, now=utcnow())
    content_files.export_content(published, tmp_path / "out")
    assert (tmp_path / "out" / "local" / "council-tax-exemption.yaml").is_file()
    assert not (tmp_path / "out" / "national" / "council-tax-exemption.yaml").exists()
    again = content_files.check_content(tmp_path / "out", settings)
    assert again.by_id()["council-tax-exemption"].scope == "local"


def test_export_refuses_a_folder_with_something_in_it(published, tmp_path):
    (tmp_path / "old.yaml").write_text("id: old\n")
    with pytest.raises(content_files.ExportError, match="not an empty folder"):
        content_files.export_content(published, tmp_path)


def test_a_bad_file_names_file_field_and_problem_and_changes_nothing(published, settings, tmp_path):
    folder = tmp_path / "edited"
    content_files.export_content(published, folder)
    # One good change that must not be half-applied, and one bad file.
    bad = folder / "national" / "setting-up-home-allowance.yaml"
    data = yaml.safe_load(bad.read_text())
    data["amounts"][0]["amount"] = "lots"
    bad.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    summary_changed = folder / "national" / "pathway-plan.yaml"
    summary_changed.write_text(
        summary_changed.read_text().replace("summary: >-", "summary: >-\n  Changed.", 1)
    )
    revision, versions = current_revision(published), version_count(published)
    before = read_published(published)[1]

    with pytest.raises(ContentError) as raised:
        content_files.import_content(published, folder, settings)
    shown = [str(p) for p in raised.value.problems]
    assert (
        "national/setting-up-home-allowance.yaml: amounts[1].amount: must be an amount in "
        "pounds such as \"3000\", got 'lots'" in shown
    ), shown
    assert {p.file for p in raised.value.problems} == {"national/setting-up-home-allowance.yaml"}
    assert current_revision(published) == revision
    assert version_count(published) == versions
    assert read_published(published)[1] == before


def test_an_import_replaces_the_whole_set(published, settings, tmp_path, content):
    folder = tmp_path / "set"
    content_files.export_content(published, folder)
    extra = dataclasses.replace(
        content.by_id()["local-offer"],
        id="free-gym-pass",
        title="Free gym pass",
        scope="local",
        examples=tuple(f"gym pass question {n}" for n in range(8)),
        synonyms=("gym pass", "leisure card", "free gym"),
    )
    (folder / "local" / "free-gym-pass.yaml").write_text(content_files.entry_yaml(extra), "utf-8")
    _content, report = content_files.import_content(published, folder, settings, actor="me")
    assert report.added == ("free-gym-pass",)
    assert report.updated == () and len(report.unchanged) == ENTRIES
    with published.connect() as conn:
        origin, actor = conn.execute(
            sa.select(versions_table.c.origin, versions_table.c.created_by).where(
                versions_table.c.entitlement_id == "free-gym-pass"
            )
        ).one()
    assert (origin, actor) == ("import", "me")


# ---- zips ----------------------------------------------------------------------------------


def test_the_zip_is_the_same_files_and_the_same_bytes_each_time(published, tmp_path):
    data = content_files.export_zip(published)
    assert data == content_files.export_zip(published)
    content_files.export_content(published, tmp_path / "out")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()}
    assert files == files_in(tmp_path / "out")


def test_a_zip_round_trip_into_an_empty_database(published, empty_engine, settings):
    data = content_files.export_zip(published)
    _content, report = content_files.import_zip(empty_engine, data, settings)
    assert len(report.added) == ENTRIES
    assert content_files.export_zip(empty_engine) == data


def make_zip(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def test_a_zip_of_the_folder_itself_is_taken_too(published, empty_engine, settings):
    with zipfile.ZipFile(io.BytesIO(content_files.export_zip(published))) as archive:
        files = {
            f"content/{i.filename}": archive.read(i) for i in archive.infolist() if not i.is_dir()
        }
    files["content/local/README.md"] = b"# our offer"
    files["content/README.md"] = b"# our content"
    _content, report = content_files.import_zip(empty_engine, make_zip(files), settings)
    assert len(report.added) == ENTRIES


@pytest.mark.parametrize(
    ("data", "file", "message"),
    [
        (b"not a zip at all", "(upload)", "is not a zip file"),
        (make_zip({"../evil.yaml": "id: x"}), "../evil.yaml", "must be in national/ or local/"),
        (make_zip({"national/a/b.yaml": "id: x"}), "national/a/b.yaml", "must be in national/"),
        (make_zip({"elsewhere/x.yaml": "id: x"}), "elsewhere/x.yaml", "must be in national/"),
    ],
)
def test_a_bad_zip_is_refused_and_changes_nothing(published, settings, data, file, message):
    revision = current_revision(published)
    with pytest.raises(ContentError) as raised:
        content_files.import_zip(published, data, settings)
    assert (raised.value.problems[0].file, raised.value.problems[0].field) == (file, "(file)")
    assert message in raised.value.problems[0].message
    assert current_revision(published) == revision


def test_a_zip_with_a_bad_file_names_it(published, settings):
    with zipfile.ZipFile(io.BytesIO(content_files.export_zip(published))) as archive:
        files: dict[str, bytes | str] = {
            i.filename: archive.read(i) for i in archive.infolist() if not i.is_dir()
        }
    files["national/junior-isa.yaml"] = files["national/junior-isa.yaml"].replace(
        b"title:", b"titel:"
    )  # type: ignore[union-attr]
    versions = version_count(published)
    with pytest.raises(ContentError) as raised:
        content_files.import_zip(published, make_zip(files), settings)
    assert "national/junior-isa.yaml: titel: is not a known field (did you mean 'title'?)" in [
        str(p) for p in raised.value.problems
    ]
    assert version_count(published) == versions


# ---- the command line ----------------------------------------------------------------------


def run_bot(*args: str, database_url: str, var_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var_dir),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_commands_export_and_import(published, settings, tmp_path):
    url = settings.database_url
    out = tmp_path / "export"
    done = run_bot("export-content", str(out), database_url=url, var_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"Wrote {ENTRIES} content files" in done.stdout
    again = run_bot("export-content", str(out), database_url=url, var_dir=tmp_path)
    assert again.returncode == 1 and "not an empty folder" in again.stderr

    done = run_bot("import-content", str(out), database_url=url, var_dir=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"{ENTRIES} unchanged" in done.stdout

    bad = tmp_path / "bad"
    shutil.copytree(out, bad)
    path = bad / "national" / "junior-isa.yaml"
    path.write_text(path.read_text().replace("review_due: ", "review_due: soon #"), "utf-8")
    revision = current_revision(published)
    refused = run_bot("import-content", str(bad), database_url=url, var_dir=tmp_path)
    assert refused.returncode == 1
    assert "national/junior-isa.yaml: review_due: must be a date written YYYY-MM-DD" in (
        refused.stderr
    )
    assert "Nothing was imported." in refused.stderr
    assert current_revision(published) == revision


def test_the_repository_content_survives_an_export(content, topics, published, tmp_path):
    content_files.export_content(published, tmp_path / "out")
    again = load_content(tmp_path / "out", topics)
    assert [e.to_document() for e in again.entries] == [e.to_document() for e in content.entries]
