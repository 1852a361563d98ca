"""Deferred modules (bot/deferred_imports.py): the real module, run on first real use."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.deferred_imports import top_level_names

pytestmark = pytest.mark.timeout(60)


def test_top_level_names_are_what_the_module_binds_at_its_top() -> None:
    source = textwrap.dedent(
        """
        import os.path
        import numpy as np
        from typing import TYPE_CHECKING, Any as Whatever
        LIMIT = 3
        width: int = 4
        a, (b, c) = 1, (2, 3)
        if TYPE_CHECKING:
            from pathlib import Path
        try:
            import re2
        except ImportError:
            re2 = None
        def helper():
            inner = 1
        async def fetch():
            pass
        class Thing:
            attribute = 1
        """
    )
    assert top_level_names(source) == {
        "os", "np", "TYPE_CHECKING", "Whatever", "LIMIT", "width", "a", "b", "c",
        "Path", "re2", "helper", "fetch", "Thing",
    }  # fmt: skip


def _run(tmp_path: Path, script: str) -> list[str]:
    """Run ``script`` in a fresh Python with a package ``heavy`` under ``tmp_path``.

    ``heavy.training``'s code records that it ran (in ``heavy.RAN``) and imports
    ``heavy.costly``, standing for TensorFlow.
    """
    package = tmp_path / "heavy"
    package.mkdir()
    (package / "__init__.py").write_text("RAN = []\n")
    (package / "costly.py").write_text("import heavy\nheavy.RAN.append('costly')\n")
    (package / "training.py").write_text(
        textwrap.dedent(
            """
            import heavy
            import heavy.costly
            heavy.RAN.append("training")
            EPOCHS = 3
            def callbacks():
                return ["logger"]
            """
        )
    )
    prelude = "import sys\nfrom bot.deferred_imports import install, is_deferred\n"
    done = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(script)],
        env={"PYTHONPATH": f"{tmp_path}:{Path.cwd()}"},
        capture_output=True,
        text=True,
        check=False,
        timeout=50,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_deferred_module_runs_when_a_name_it_defines_is_used(tmp_path: Path) -> None:
    out = _run(
        tmp_path,
        """
        print(install(["heavy.training"]))
        import heavy, heavy.training
        print(is_deferred(heavy.training), len(heavy.RAN))
        print(heavy.training.callbacks()[0], heavy.RAN[-1], is_deferred(heavy.training))
        print(heavy.training.EPOCHS, len(heavy.RAN))
        """,
    )
    assert out == ["True", "True", "0", "logger", "training", "False", "3", "2"]


def test_from_import_runs_the_module(tmp_path: Path) -> None:
    out = _run(
        tmp_path,
        """
        install(["heavy.training"])
        from heavy.training import EPOCHS
        import heavy
        print(EPOCHS, ",".join(heavy.RAN))
        """,
    )
    assert out == ["3", "costly,training"]


def test_a_name_it_does_not_define_is_missing_without_running_it(tmp_path: Path) -> None:
    """So code that looks a name up in every loaded module (pickle.whichmodule) does not
    wake it."""
    out = _run(
        tmp_path,
        """
        import pickle
        install(["heavy.training"])
        import heavy, heavy.training
        print(hasattr(heavy.training, "erf"), heavy.training.__name__)
        print(pickle.whichmodule(len, "len"), len(heavy.RAN), is_deferred(heavy.training))
        """,
    )
    assert out == ["False", "heavy.training", "builtins", "0", "True"]


def test_install_does_nothing_if_the_module_is_already_imported(tmp_path: Path) -> None:
    out = _run(
        tmp_path,
        """
        import heavy.training
        print(install(["heavy.training"]), is_deferred(heavy.training))
        """,
    )
    assert out == ["False", "False"]


def test_install_twice_installs_once(tmp_path: Path) -> None:
    out = _run(
        tmp_path,
        """
        print(install(["heavy.training"]), install(["heavy.training"]))
        from bot.deferred_imports import _DeferringFinder
        print(sum(isinstance(f, _DeferringFinder) for f in sys.meta_path))
        """,
    )
    assert out == ["True", "False", "1"]
