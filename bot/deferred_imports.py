"""Run a module's code when something it defines is first used, not when it is imported.

Rasa 3.6 imports ``rasa.utils.train_utils`` on the way to its agent (policy ->
featurizers -> entity extractor), and that module imports TensorFlow at its top for
training callbacks. Serving a model whose components need no TensorFlow never calls it,
yet every Rasa process paid about 6 s and 370 MB to import it.

:func:`install` makes the named modules *deferred*: importing one gives a module
object whose code has not run; the first time a name the module defines at its top
level is looked up on it (``train_utils.create_common_callbacks``, or a ``from ...
import``), its real code runs, once, under a lock, and from then on it is the ordinary
module. It is the real module, never a stand-in: a pipeline that trains, or a model that
uses DIET or TED, imports TensorFlow exactly as before, only later.

Names the module does not define at its top level (found by reading its source, not
running it) raise ``AttributeError`` without running it, as the real module would, so
code that looks for a name in every loaded module (``pickle.whichmodule``, which skops
uses) does not wake it. This module imports nothing of Rasa: ``bot.rasa_server`` calls
:func:`install` before Rasa is imported.
"""

from __future__ import annotations

import ast
import importlib.abc
import importlib.machinery
import sys
import threading
import types
from collections.abc import Iterable, Sequence
from typing import Any

#: Rasa's modules that import TensorFlow for training only and are on its serving path.
RASA_TRAINING_ONLY = ("rasa.utils.train_utils",)

_STATE = "__deferred_state__"


def top_level_names(source: str) -> frozenset[str]:
    """The names a module's source binds at its top level (also inside if/try there).

    Args:
        source: Python source code.

    Returns:
        Names of functions, classes, assignments and imports.
    """
    found: set[str] = set()

    def visit(statements: Iterable[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    found.add((alias.asname or alias.name).split(".")[0])
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    found.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
            elif isinstance(node, (ast.If, ast.Try, ast.With)):
                visit(node.body)
                visit(getattr(node, "orelse", []))
                visit(getattr(node, "finalbody", []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(ast.parse(source).body)
    return frozenset(found)


class _DeferredModule(types.ModuleType):
    """A module whose code runs on the first lookup of a name it defines."""

    def __getattr__(self, name: str) -> Any:
        # Called only for attributes not (yet) in the module's namespace.
        state = self.__dict__.get(_STATE)
        if state is None or name not in state["names"]:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        with state["lock"]:
            if self.__dict__.get(_STATE) is not None:
                state["loader"].exec_module(self)
                self.__dict__.pop(_STATE, None)
                self.__class__ = types.ModuleType  # type: ignore[assignment]
        return getattr(self, name)


class _DeferringLoader(importlib.abc.Loader):
    """Creates the module as the real loader would, and keeps its code for later."""

    def __init__(self, real: importlib.machinery.SourceFileLoader, names: frozenset[str]):
        self.real = real
        self.names = names

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self.real.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__dict__[_STATE] = {
            "loader": self.real,
            "names": self.names,
            "lock": threading.RLock(),
        }
        module.__class__ = _DeferredModule


class _DeferringFinder(importlib.abc.MetaPathFinder):
    """Finds the named modules as usual, and hands them to :class:`_DeferringLoader`."""

    def __init__(self, names: Sequence[str]) -> None:
        self.deferred = frozenset(names)

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.deferred:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        loader = spec.loader if spec is not None else None
        if not isinstance(loader, importlib.machinery.SourceFileLoader):
            return spec  # not plain source (or not found): imported the ordinary way
        assert spec is not None
        source = loader.get_source(fullname)
        if source is None:
            return spec
        spec.loader = _DeferringLoader(loader, top_level_names(source))
        return spec


def install(names: Sequence[str] = RASA_TRAINING_ONLY) -> bool:
    """Defer the named modules from now on in this process (and processes it forks).

    Args:
        names: Full module names.

    Returns:
        False if nothing was done: already installed, or one of them is already
        imported (deferring it then would change nothing).
    """
    if any(isinstance(f, _DeferringFinder) for f in sys.meta_path):
        return False
    if any(name in sys.modules for name in names):
        return False
    sys.meta_path.insert(0, _DeferringFinder(names))
    return True


def is_deferred(module: types.ModuleType) -> bool:
    """Whether ``module``'s code has not run yet."""
    return _STATE in module.__dict__
