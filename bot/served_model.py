"""The model the Rasa server loads: the trained archive without its training graph.

A model archive made by ``rasa train`` describes two graphs: the one that answers
messages (``predict_schema``) and the one that trained it (``train_schema``). Rasa 3.6
imports every class named in both when it loads a model. The training graph names
Rasa's recipe validator, which imports DIET, TED and the response selector, and with
them TensorFlow (about 370 MB and 6 s for each server process), although this project's
pipeline uses none of them (config.yml).

``make train`` therefore empties the training graph of the archive it writes. Nothing
that answers a message changes: the answering graph, the trained components and the
domain are copied byte for byte. What is lost is only fine-tuning from this archive
(``rasa train --finetune``), which the project does not do; retraining makes a complete
archive again. A model trained elsewhere still loads, with TensorFlow (slower, the same
answers).

Run ``python -m bot.served_model MODEL.tar.gz`` (``make train`` does).
"""

from __future__ import annotations

import io
import json
import os
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

METADATA = "metadata.json"


class ModelArchiveError(ValueError):
    """The archive is not a Rasa model (the message says which file and why)."""


def _metadata_member(archive: tarfile.TarFile, path: Path) -> tarfile.TarInfo:
    for member in archive.getmembers():
        if member.isfile() and member.name.lstrip("/") == METADATA:
            return member
    raise ModelArchiveError(f"{path}: no {METADATA} in the archive (not a Rasa model?)")


def read_metadata(path: Path) -> dict[str, Any]:
    """The archive's ``metadata.json``.

    Raises:
        ModelArchiveError: It is missing or not a JSON object.
    """
    try:
        with tarfile.open(path, "r:gz") as archive:
            member = _metadata_member(archive, path)
            data = archive.extractfile(member)
            assert data is not None  # a regular file
            metadata = json.loads(data.read())
    except (OSError, tarfile.TarError, json.JSONDecodeError) as error:
        raise ModelArchiveError(f"{path}: cannot read {METADATA}: {error}") from error
    if not isinstance(metadata, dict) or not isinstance(metadata.get("train_schema"), dict):
        raise ModelArchiveError(f"{path}: {METADATA} has no train_schema mapping")
    return metadata


def without_training_graph(path: Path) -> bool:
    """Empty the training graph of the model archive at ``path``, in place.

    The new archive is written beside the old one and moved over it, so a failure
    leaves the old archive whole.

    Args:
        path: A model archive made by ``rasa train``.

    Returns:
        True if it changed, False if its training graph was already empty.

    Raises:
        ModelArchiveError: It is not a readable Rasa model archive.
    """
    metadata = read_metadata(path)
    if not metadata["train_schema"].get("nodes"):
        return False
    metadata["train_schema"] = {"nodes": {}}
    new_metadata = json.dumps(metadata, indent=2).encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=".served-", suffix=".tar.gz", dir=path.parent)
    os.close(handle)
    try:
        with tarfile.open(path, "r:gz") as old, tarfile.open(temporary, "w:gz") as new:
            for member in old.getmembers():
                if member.isfile() and member.name.lstrip("/") == METADATA:
                    member.size = len(new_metadata)
                    new.addfile(member, io.BytesIO(new_metadata))
                elif member.isfile():
                    new.addfile(member, old.extractfile(member))
                else:
                    new.addfile(member)
        os.chmod(temporary, path.stat().st_mode & 0o777)  # mkstemp made it 0600
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return True


def main(argv: list[str] | None = None) -> int:
    """Empty the training graph of each model archive named on the command line."""
    paths = [Path(a) for a in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        print("usage: python -m bot.served_model MODEL.tar.gz ...", file=sys.stderr)
        return 2
    for path in paths:
        try:
            changed = without_training_graph(path)
        except ModelArchiveError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        state = "training graph removed" if changed else "already without training graph"
        print(f"{path}: {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
