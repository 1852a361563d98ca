"""Which test modules need Rasa, found from their imports (``pytest --without-rasa``).

The staff service's environment (``.venv-staff``) has no Rasa, rasa-sdk or actions: there
``make test`` runs every test module whose imports, followed through our own packages and
``tests/`` (lazy imports inside functions too), reach none of them. Read from the source
with :mod:`ast`, importing nothing, so a new test is placed without a list to keep.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from bot.settings import PROJECT_ROOT

OURS = ("bot", "entitlements", "actions", "scripts", "tests")
RASA_SIDE = ("rasa", "rasa_sdk", "tensorflow", "actions")


def _source(module: str) -> Path | None:
    path = PROJECT_ROOT.joinpath(*module.split("."))
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    if path.with_suffix(".py").is_file():
        return path.with_suffix(".py")
    return None


@functools.cache
def _imports(module: str) -> frozenset[str]:
    """Every module ``module`` names in an import, anywhere in its source (relative ones
    resolved), with each ``from x import y`` also as ``x.y`` in case ``y`` is a module."""
    path = _source(module)
    if path is None:
        return frozenset()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return frozenset(names)


def imported(starts: list[str]) -> set[str]:
    """Every module ``starts`` import, directly or through our own packages.

    Third-party modules are in the answer but not followed; a name that is not a module
    (``from x import y`` where ``y`` is a function) is in it as ``x.y``.
    """
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        module = stack.pop()
        if module in seen:
            continue
        seen.add(module)
        if module.split(".")[0] not in OURS:
            continue
        parts = module.split(".")
        stack.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        stack.extend(_imports(module))
    return seen


def needs_rasa(modules: set[str]) -> list[str]:
    """The Rasa-side modules among ``modules``, sorted."""
    return sorted(module for module in modules if module.split(".")[0] in RASA_SIDE)


def rasa_reached(test_file: Path) -> str | None:
    """The first Rasa-side module ``test_file`` imports, directly or not; None if none."""
    start = ".".join(test_file.resolve().relative_to(PROJECT_ROOT).with_suffix("").parts)
    found = needs_rasa(imported(["tests.conftest", start]))
    return found[0] if found else None
