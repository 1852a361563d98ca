"""The served model archive without its training graph (bot/served_model.py)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from bot.served_model import ModelArchiveError, main, read_metadata, without_training_graph

pytestmark = pytest.mark.timeout(60)

METADATA = {
    "model_id": "m1",
    "train_schema": {"nodes": {"schema_validator": {"uses": "rasa.x.Validator"}}},
    "predict_schema": {"nodes": {"run_RulePolicy0": {"uses": "rasa.y.RulePolicy"}}},
    "domain": {"intents": ["greet"]},
}
COMPONENT = b"\x00\x01 trained weights \xff"


def _archive(path: Path, metadata: object = METADATA) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in (
            ("/metadata.json", json.dumps(metadata).encode()),
            ("/components/train_RulePolicy0/rule_policy.json", COMPONENT),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path.chmod(0o644)
    return path


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {
            m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile()
        }


def test_the_training_graph_is_emptied_and_nothing_else_changes(tmp_path: Path) -> None:
    path = _archive(tmp_path / "model.tar.gz")

    assert without_training_graph(path) is True

    metadata = read_metadata(path)
    assert metadata["train_schema"] == {"nodes": {}}
    assert {k: v for k, v in metadata.items() if k != "train_schema"} == {
        k: v for k, v in METADATA.items() if k != "train_schema"
    }
    members = _members(path)
    assert members["/components/train_RulePolicy0/rule_policy.json"] == COMPONENT
    assert set(members) == {"/metadata.json", "/components/train_RulePolicy0/rule_policy.json"}
    assert path.stat().st_mode & 0o777 == 0o644
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


def test_a_second_run_changes_nothing(tmp_path: Path) -> None:
    path = _archive(tmp_path / "model.tar.gz")
    without_training_graph(path)
    before = path.read_bytes()

    assert without_training_graph(path) is False
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: p.write_bytes(b"not a tar file"), r"cannot read metadata\.json"),
        (lambda p: _archive(p, ["a", "list"]), "has no train_schema mapping"),
        (lambda p: _archive(p, {"predict_schema": {}}), "has no train_schema mapping"),
    ],
)
def test_a_broken_archive_is_named_with_its_problem_and_left_alone(
    tmp_path: Path, make, problem: str
) -> None:
    path = tmp_path / "model.tar.gz"
    make(path)
    before = path.read_bytes()

    with pytest.raises(ModelArchiveError, match=problem) as raised:
        without_training_graph(path)

    assert str(path) in str(raised.value)
    assert path.read_bytes() == before


def test_an_archive_without_metadata_is_not_a_model(tmp_path: Path) -> None:
    path = tmp_path / "model.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("/other.json")
        tar.addfile(info, io.BytesIO(b""))

    with pytest.raises(ModelArchiveError, match=r"no metadata\.json"):
        without_training_graph(path)


def test_the_command_line_says_what_it_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _archive(tmp_path / "model.tar.gz")

    assert main([str(path)]) == 0
    assert main([str(path)]) == 0
    assert main([str(tmp_path / "missing.tar.gz")]) == 1
    assert main([]) == 2

    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{path}: training graph removed",
        f"{path}: already without training graph",
    ]
    assert "missing.tar.gz: cannot read metadata.json" in err
    assert "usage:" in err
