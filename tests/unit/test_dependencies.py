"""The service's dependencies are declared where they are used; nothing unused is locked.

``requirements.in`` must name every distribution the service's code imports, so nothing
we use arrives only through Rasa (``scripts/`` may also use the tools named in
``requirements-dev.in``); ``requirements-staff.in`` every distribution the staff service
(console, scheduler, command line) imports, and that code must never reach Rasa. The
packages the Makefile leaves out of the service's lock (``NEVER_IMPORTED``: Rasa requires
them for features we do not use) must stay out of it and out of our code.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from tests.support.stacks import imported, needs_rasa

SERVICE = ("bot", "entitlements", "actions")
# How the staff service starts: the console, the scheduler, the command line.
STAFF_ENTRY_POINTS = [
    "bot.console.__main__",
    "bot.console.app",
    "bot.jobs.__main__",
    "bot.__main__",
]
OUR_CODE = (*SERVICE, "scripts")
FIRST_PARTY = {*OUR_CODE, "tests"}
# Imported by our code but installed with the tests' tools, never by the service.
TEST_ONLY = {"pytest", "hypothesis", "playwright", "pypdf", "tokenizers"}
# The module each package left out of the lock would be imported as.
NEVER_IMPORTED_MODULES = {
    "confluent-kafka": "confluent_kafka",
    "rocketchat-api": "rocketchat_API",
    "mattermostwrapper": "mattermostwrapper",
}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(file: str) -> set[str]:
    names = set()
    for line in (PROJECT_ROOT / file).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(_canonical(re.split(r"[<>=!~\[ ;]", line, maxsplit=1)[0]))
    return names


def _locked() -> set[str]:
    text = (PROJECT_ROOT / "requirements.lock").read_text(encoding="utf-8")
    return {_canonical(m) for m in re.findall(r"^([A-Za-z0-9_.\-]+)==", text, flags=re.M)}


def _never_imported() -> list[str]:
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    found = re.search(r"^NEVER_IMPORTED := (.+)$", makefile, flags=re.M)
    assert found, "the Makefile no longer defines NEVER_IMPORTED"
    return found.group(1).split()


def _module_owners() -> dict[str, set[str]]:
    """Each installed top-level module, with the distributions that install it.

    From ``top_level.txt`` where a distribution has one, else from its RECORD (reading
    every RECORD would take a minute: TensorFlow's alone lists thousands of files).
    """
    owners: dict[str, set[str]] = {}
    for dist in metadata.distributions():
        name = _canonical(dist.metadata["Name"])
        top_level = dist.read_text("top_level.txt")
        if top_level is not None:
            modules = set(top_level.split())
        else:
            modules = {
                file.parts[0].removesuffix(".py").split(".")[0]
                for file in dist.files or ()
                if not file.parts[0].endswith((".dist-info", ".data"))
                and file.parts[0] not in {"..", "__pycache__"}
            }
        for module in modules:
            owners.setdefault(module, set()).add(name)
    return owners


def _top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _our_imports(folders: tuple[str, ...] = OUR_CODE) -> dict[str, Path]:
    seen: dict[str, Path] = {}
    for folder in folders:
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            for name in _top_level_imports(path):
                seen.setdefault(name, path)
    return seen


def _undeclared(
    folders: tuple[str, ...], declared: set[str], imports: dict[str, Path] | None = None
) -> list[str]:
    distributions = _module_owners()
    missing = []
    for module, path in sorted((_our_imports(folders) if imports is None else imports).items()):
        if module in FIRST_PARTY or module in sys.stdlib_module_names or module in TEST_ONLY:
            continue
        owners = distributions.get(module, set())
        assert owners, f"{path.relative_to(PROJECT_ROOT)} imports {module!r}: not installed"
        if not owners & declared:
            missing.append(f"{module} ({', '.join(sorted(owners))}), first in {path.name}")
    return missing


@pytest.mark.rasa
@pytest.mark.timeout(120)
def test_every_distribution_the_service_imports_is_in_requirements_in():
    missing = _undeclared(SERVICE, _declared("requirements.in"))
    assert not missing, "imported but not in requirements.in: " + "; ".join(missing)


@pytest.mark.rasa
@pytest.mark.timeout(120)
def test_every_distribution_the_scripts_import_is_declared():
    declared = _declared("requirements.in") | _declared("requirements-dev.in")
    missing = _undeclared(("scripts",), declared)
    assert not missing, "imported but in neither requirements file: " + "; ".join(missing)


def _staff_imports() -> dict[str, Path]:
    """The top-level modules the staff service's code imports, each with a file importing it."""
    modules = imported(STAFF_ENTRY_POINTS)
    ours = sorted(m for m in modules if m.split(".")[0] in SERVICE)
    seen: dict[str, Path] = {}
    for module in ours:
        path = PROJECT_ROOT.joinpath(*module.split("."))
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        if path.is_file():
            for name in _top_level_imports(path):
                seen.setdefault(name, path)
    return seen


@pytest.mark.timeout(120)
def test_the_staff_service_never_imports_rasa():
    assert needs_rasa(imported(STAFF_ENTRY_POINTS)) == []


@pytest.mark.timeout(120)
def test_every_distribution_the_staff_service_imports_is_in_requirements_staff_in():
    missing = _undeclared(SERVICE, _declared("requirements-staff.in"), _staff_imports())
    assert not missing, "imported but not in requirements-staff.in: " + "; ".join(missing)


@pytest.mark.timeout(120)
def test_the_packages_left_out_of_the_lock_stay_out_and_unused():
    never = {_canonical(name) for name in _never_imported()}
    assert never, "NEVER_IMPORTED is empty"
    assert not never & _locked(), "requirements.lock has a package the Makefile leaves out"
    assert never == set(NEVER_IMPORTED_MODULES), "name the modules of NEVER_IMPORTED here"
    used = set(NEVER_IMPORTED_MODULES.values()) & set(_our_imports())
    assert not used, f"our code imports {sorted(used)}, left out of the lock"


def _dry_run(target: str, tmp_path: Path) -> list[str]:
    """The ``pip sync`` commands ``make <target>`` would run on a fresh clone (``make -n``)."""
    result = subprocess.run(
        [
            "make",
            "-n",
            "-B",
            f"VENV={tmp_path / 'venv'}",
            f"STAFF_VENV={tmp_path / 'venv-staff'}",
            f"TOOLS={tmp_path / 'tools'}",
            target,
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "MAKEFLAGS": ""},
    )
    return [line for line in result.stdout.splitlines() if " pip sync " in line]


@pytest.mark.timeout(120)
def test_make_run_installs_no_test_tools(tmp_path):
    syncs = _dry_run("run", tmp_path)
    assert [line for line in syncs if " requirements.lock " in line], "no Rasa runtime"
    assert [line for line in syncs if " requirements-staff.lock " in line], "no staff service"
    assert not [line for line in syncs if "-dev.lock" in line]


@pytest.mark.timeout(120)
def test_make_test_installs_the_tools(tmp_path):
    syncs = _dry_run("test", tmp_path)
    assert [line for line in syncs if "requirements-dev.lock" in line]
    assert [line for line in syncs if "requirements-staff-dev.lock" in line]


@pytest.mark.timeout(300)
def test_the_tools_once_installed_are_kept_and_a_fresh_run_gets_none(tmp_path):
    """Real make and a real virtualenv; uv stands in by writing down what it was asked."""
    tools = tmp_path / "tools"
    (tools / "bin").mkdir(parents=True)
    calls = tmp_path / "uv-calls"
    fake_uv = tools / "bin" / "uv"
    fake_uv.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n', encoding="utf-8")
    fake_uv.chmod(0o755)
    venv = tmp_path / "venv"
    staff_venv = tmp_path / "venv-staff"

    def make(*targets: str) -> list[str]:
        calls.write_text("", encoding="utf-8")
        subprocess.run(
            [
                "make",
                "--no-print-directory",
                f"VENV={venv}",
                f"STAFF_VENV={staff_venv}",
                f"TOOLS={tools}",
                *targets,
            ],
            cwd=PROJECT_ROOT,
            capture_output=True,
            timeout=240,
            check=True,
            env={**os.environ, "MAKEFLAGS": ""},
        )
        return [line.split()[-1] for line in calls.read_text(encoding="utf-8").splitlines()]

    # The last lock each sync was given: the dev lock only where the tools are wanted.
    # Both environments each time: the Rasa runtime's first, then the staff service's.
    assert make("install-runtime") == ["requirements-model.lock"] * 2
    assert make("install") == ["requirements-dev.lock", "requirements-staff-dev.lock"]
    assert make("install-runtime") == []  # up to date: make install synced them too
    (venv / ".runtime").unlink()
    (staff_venv / ".runtime").unlink()
    # the tools are kept
    assert make("install-runtime") == ["requirements-dev.lock", "requirements-staff-dev.lock"]
