"""The documents match the tree: every path they name exists, and the README's layout is whole.

README.md, docs/*.md and the other Markdown files name files, folders and modules; a file that
moves or goes leaves them pointing at nothing, and a new module the README's layout does not
name is one a newcomer cannot find. These tests read the documents as text and hold them
against the files on disk (not git, so they also run on an unpacked release):

- every path under one of the repository's own folders (``bot/...``, ``tests/...``,
  ``docs/...``...) exists, globs match something, and a ``something.py`` named alone exists
  somewhere in the tree;
- every dotted module (``bot.jobs.registry``, ``bot.clock.ManualClock``) exists, its last
  part possibly a name defined in it, and a name said to be in a file ("`deliver()` in
  `bot/console/areas/cases.py`", "`bot/people/importer.py` (`import_staff`)") is defined
  there, so a function that moves takes its mentions with it;
- every relative Markdown link reaches a file inside the repository (and a heading there,
  when it names one), no document names a path on a developer's machine, and the README
  links every page of ``docs/``;
- the README's layout (the code block under "## Layout") names only paths that exist, and
  names every package, module and data folder of ``bot/``, ``actions/``, ``entitlements/``
  and ``scripts/`` (migration scripts apart: their folder is named), every folder of
  ``tests/``, every module of ``tests/support/`` and every top-level folder that is not made
  at run time. Its entries are a name at an even indent below 10 columns (two per level);
  anything indented further continues the line above.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

ROOT = Path(__file__).resolve().parents[2]

# Folders made at run time or by installing, never in git: not part of the layout.
GENERATED = {".venv", "venv", "var", "models", "node_modules", "__pycache__", "build", "dist"}
# The folders whose every package, module and data folder the layout names.
SOURCE_TREES = ("bot", "actions", "entitlements", "scripts", "data")
# Paths in prose that start with one of these are checked; var/ and models/ are made at
# run time, so they are not.
OWN_FOLDERS = ("bot", "tests", "docs", "entitlements", "actions", "scripts", "data", ".ci")

PATH = re.compile(
    r"(?<![\w./~:@-])((?:" + "|".join(re.escape(f) for f in OWN_FOLDERS) + r")/[\w./<>*{}-]*)"
)
DOTTED = re.compile(r"(?<![\w./:-])((?:bot|entitlements|actions|scripts)(?:\.[A-Za-z_]\w*)+)")
BARE_MODULE = re.compile(r"(?<![\w/.<>*{}-])(\w+\.py)\b")
NAME_IN_FILE = re.compile(r"`(\w+)(?:\(\))?` in `([\w/.-]+\.py)`")
FILE_WITH_NAMES = re.compile(r"`([\w/.-]+\.py)` \(((?:`\w+`(?:, )?)+)\)")
LINK = re.compile(r"\]\(([^)\s]+)\)")
MACHINE_PATH = re.compile(r"/work/|/home/|/Users/|\.\./shared|shared/reference|file://")
LAYOUT_ENTRY = re.compile(r"^( *)([\w.-]+/?)(?:\s{2,}|$)")


def _documents() -> list[Path]:
    found = [ROOT / "README.md"]
    for folder in OWN_FOLDERS:
        found += [
            path
            for path in sorted((ROOT / folder).rglob("*.md"))
            if not GENERATED & set(path.relative_to(ROOT).parts)
        ]
    return found


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _exists(mentioned: str) -> bool:
    """Whether a path named in prose exists; a glob must match, a placeholder ends it."""
    path = re.split(r"<|\{|\.\.\.", mentioned)[0].rstrip(".,:;")
    if "*" in path:
        return any(ROOT.glob(path))
    return (ROOT / path).exists()


def _all_files() -> set[str]:
    return {
        path.name
        for path in ROOT.rglob("*.py")
        if not GENERATED & set(path.relative_to(ROOT).parts)
    }


def _module_file(parts: list[str]) -> Path | None:
    base = ROOT.joinpath(*parts)
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


def _dotted_exists(name: str) -> bool:
    parts = name.split(".")
    if _module_file(parts):
        return True
    module = _module_file(parts[:-1])
    return module is not None and bool(
        re.search(rf"\b{re.escape(parts[-1])}\b", module.read_text(encoding="utf-8"))
    )


def test_every_path_a_document_names_exists():
    modules = _all_files()
    missing = []
    for document in _documents():
        text = document.read_text(encoding="utf-8")
        where = document.relative_to(ROOT)
        for match in PATH.finditer(text):
            if not _exists(match.group(1)):
                missing.append(f"{where}:{_line(text, match.start())}: {match.group(1)}")
        for match in DOTTED.finditer(text):
            if not _dotted_exists(match.group(1).rstrip(".")):
                missing.append(f"{where}:{_line(text, match.start())}: {match.group(1)}")
        for match in BARE_MODULE.finditer(text):
            if match.group(1) not in modules:
                missing.append(f"{where}:{_line(text, match.start())}: {match.group(1)}")
    assert not missing, "documents name paths that do not exist:\n" + "\n".join(missing)


def _anchors(document: Path) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings."""
    headings = re.findall(r"(?m)^#+ +(.+?) *$", document.read_text(encoding="utf-8"))
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def _defines(relative: str, name: str) -> bool:
    """Whether a file whose path ends with ``relative`` defines ``name``."""
    definition = re.compile(rf"^\s*(?:(?:async\s+)?def|class)\s+{name}\b|^\s*{name}\s*[:=]", re.M)
    return any(
        definition.search(path.read_text(encoding="utf-8"))
        for path in ROOT.rglob(Path(relative).name)
        if path.as_posix().endswith("/" + relative.lstrip("./"))
        and not GENERATED & set(path.relative_to(ROOT).parts)
    )


def test_every_name_said_to_be_in_a_file_is_defined_there():
    wrong = []
    for document in _documents():
        text = document.read_text(encoding="utf-8")
        where = document.relative_to(ROOT)
        said = [(m.start(), m.group(2), [m.group(1)]) for m in NAME_IN_FILE.finditer(text)]
        said += [
            (m.start(), m.group(1), re.findall(r"`(\w+)`", m.group(2)))
            for m in FILE_WITH_NAMES.finditer(text)
        ]
        for offset, relative, names in said:
            for name in names:
                if not _defines(relative, name):
                    wrong.append(f"{where}:{_line(text, offset)}: {name} in {relative}")
    assert not wrong, "names not defined where the documents say:\n" + "\n".join(wrong)


def test_no_document_points_outside_the_repository():
    outside = []
    for document in _documents():
        text = document.read_text(encoding="utf-8")
        where = document.relative_to(ROOT)
        for match in MACHINE_PATH.finditer(text):
            outside.append(f"{where}:{_line(text, match.start())}: {match.group(0)}")
        for match in LINK.finditer(text):
            target = match.group(1)
            if re.match(r"[a-z][a-z+.-]*:", target):
                continue
            file_part, _, anchor = target.partition("#")
            resolved = (document.parent / file_part).resolve() if file_part else document
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                outside.append(f"{where}:{_line(text, match.start())}: {target}")
            elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
                outside.append(f"{where}:{_line(text, match.start())}: {target} (no such heading)")
    assert not outside, "links and paths that lead nowhere in the repository:\n" + "\n".join(
        outside
    )


def test_the_readme_links_every_page_of_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((docs/[\w.-]+\.md)[#)]", readme))
    pages = {f"docs/{page.name}" for page in (ROOT / "docs").glob("*.md")}
    assert not pages - linked, "README.md does not link: " + ", ".join(sorted(pages - linked))


def _layout() -> list[str]:
    """The paths the README's layout names, from its tree's indentation."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Layout\n", 1)[1]
    block = section.split("```", 2)[1]
    named: list[str] = []
    parents: list[str] = []
    for line in block.splitlines()[1:]:
        entry = LAYOUT_ENTRY.match(line)
        indent = len(line) - len(line.lstrip(" "))
        if not entry or indent >= 10 or indent % 2:
            continue
        depth = indent // 2
        assert depth <= len(parents), f"README layout: {line.strip()!r} has no parent folder"
        parents = parents[:depth]
        name = entry.group(2)
        named.append("".join(parents) + name)
        if name.endswith("/"):
            parents.append(name)
    return named


def _wanted() -> set[str]:
    """Every path the layout must name."""
    wanted: set[str] = set()
    for top in sorted(ROOT.iterdir()):
        if top.is_dir() and not top.name.startswith(".") and top.name not in GENERATED:
            wanted.add(top.name + "/")
    for tree in SOURCE_TREES:
        for path in (ROOT / tree).rglob("*"):
            relative = path.relative_to(ROOT)
            if GENERATED & set(relative.parts) or "versions" in relative.parts[:-1]:
                continue
            if path.is_dir():
                wanted.add(relative.as_posix() + "/")
            elif path.suffix == ".py" and path.name != "__init__.py":
                wanted.add(relative.as_posix())
    for path in (ROOT / "tests").iterdir():
        if path.is_dir() and path.name not in GENERATED:
            wanted.add(f"tests/{path.name}/")
    for path in (ROOT / "tests" / "support").glob("*.py"):
        if path.name != "__init__.py":
            wanted.add(f"tests/support/{path.name}")
    wanted.add("tests/conftest.py")
    return wanted


def test_every_path_in_the_readme_layout_exists():
    missing = [path for path in _layout() if not (ROOT / path).exists()]
    assert not missing, "README.md's layout names paths that do not exist: " + ", ".join(missing)


def test_the_readme_layout_names_every_package_module_and_folder():
    left_out = sorted(_wanted() - set(_layout()))
    assert not left_out, "README.md's layout leaves out: " + ", ".join(left_out)
