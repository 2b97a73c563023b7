"""The layout tells the architecture: each part of engage imports only the parts below it (read with ast)."""
from __future__ import annotations

import ast
import os

import pytest

from conftest import ROOT

PACKAGE = os.path.join(ROOT, "engage")
SHARED = {"media", "settings", "errors", "i18n"}
SHARED_FOLDERS = {"i18n"}  # the catalogue of every word a visitor reads (library errors included): a package, shared
PARTS = ("model", "affect", "classroom", "daisee", "ui")
# what each part may import besides itself and the shared modules
ALLOWED = {
    "shared": set(),
    "model": set(),
    "affect": {"model"},
    "classroom": {"affect", "model"},
    "daisee": {"affect", "model"},
    "ui": {"model", "affect", "classroom", "daisee"},
    "bench": {"model", "affect", "daisee"},  # it times the extraction itself (issue 14)
    "top": {"model", "affect", "classroom", "daisee", "ui", "bench"},  # cli.py, __main__.py
    "init": {"affect"},  # engage/__init__.py re-exports the result types
}


def part_of(module: str) -> str:
    """'engage.affect.heads' -> 'affect'; 'engage.media' -> 'shared'; 'engage.cli' -> 'top'."""
    parts = module.split(".")
    if len(parts) == 1:
        return "init"
    head = parts[1]
    if head in SHARED:
        return "shared"
    if head in PARTS or head == "bench":
        return head
    return "top"


def engage_imports(source: str, module: str, is_package: bool) -> list[str]:
    """Every engage module imported by ``source`` (the module ``module``), lazy imports inside functions too."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name == "engage" or a.name.startswith("engage.")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not (target == "engage" or target.startswith("engage.")):
                continue
            if node.module is None or target == "engage":  # `from . import x`: x may be a module
                found += [f"{target}.{a.name}" for a in node.names]
            else:
                found.append(target)
    return found


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    own = part_of(module)
    bad = []
    for target in engage_imports(source, module, is_package):
        other = part_of(target)
        if other in (own, "shared") or other in ALLOWED[own]:
            continue
        if other == "init" and own != "init":
            continue  # `from engage import X` of a re-exported name is checked where it is defined
        bad.append(f"{module} ({own}) imports {target} ({other})")
    return bad


def all_modules():
    for dirpath, _, files in os.walk(PACKAGE):
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, ROOT)[: -len(".py")].replace(os.sep, ".")
                is_package = rel.endswith(".__init__")
                yield path, rel[: -len(".__init__")] if is_package else rel, is_package


def test_every_part_imports_only_downward():
    bad = []
    for path, module, is_package in all_modules():
        with open(path) as fh:
            bad += violations(fh.read(), module, is_package)
    assert not bad, "imports against the layout (see engage/<part>/__init__.py):\n" + "\n".join(bad)


def test_the_folders_are_the_five_parts_and_the_shared_modules():
    entries = {e for e in os.listdir(PACKAGE) if not e.startswith("__pycache__")}
    assert {e for e in entries if os.path.isdir(os.path.join(PACKAGE, e))} == set(PARTS) | {"bench"} | SHARED_FOLDERS
    assert {e for e in entries if e.endswith(".py")} == {f"{m}.py" for m in SHARED - SHARED_FOLDERS} | {"cli.py", "__main__.py", "__init__.py"}
    for part in (*PARTS, "bench"):
        with open(os.path.join(PACKAGE, part, "__init__.py")) as fh:
            assert ast.get_docstring(ast.parse(fh.read())), f"engage/{part}/__init__.py must say what the part is"


def test_only_the_app_and_the_cli_import_the_ui():
    importers = set()
    for path, module, is_package in all_modules():
        with open(path) as fh:
            if any(part_of(t) == "ui" for t in engage_imports(fh.read(), module, is_package)) and part_of(module) != "ui":
                importers.add(module)
    assert not importers - {"engage.cli"}, f"{sorted(importers)} import engage.ui; only app.py and engage/cli.py may"


@pytest.mark.parametrize(
    "source, module, expected",
    [
        ("from ..affect.zeroshot import prefix_level_probs", "engage.model.incremental", ["engage.affect.zeroshot"]),
        ("def f():\n    from ..ui import plots", "engage.classroom.room", ["engage.ui"]),
        ("import engage.classroom.room", "engage.daisee.train", ["engage.classroom.room"]),
        ("from engage.cli import main", "engage.media", ["engage.cli"]),
        ("from ..bench import run_bench", "engage.ui.views", ["engage.bench"]),
    ],
)
def test_the_check_catches_upward_imports(source, module, expected):
    assert [v.split(" imports ")[1].split(" ")[0] for v in violations(source, module)] == expected


@pytest.mark.parametrize(
    "source, module",
    [
        ("from ..model.prefix import VideoPrefix\nfrom ..media import Clip", "engage.affect.zeroshot"),
        ("from . import kvcache\nfrom ..settings import REPO_ROOT", "engage.model.prefix"),
        ("from ..affect.results import STATES\nfrom ..classroom.session import ClassSession", "engage.ui.views"),
        ("from .daisee import audit, evaluate", "engage.cli"),
    ],
)
def test_the_check_lets_downward_imports_pass(source, module):
    assert violations(source, module) == []


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle of modules that import one another, lazily or not (each found once, from its smallest name)."""
    cycles = []

    def walk(path: list[str]) -> None:
        for nxt in sorted(graph.get(path[-1], ())):
            if nxt == path[0]:
                cycles.append(path)
            elif nxt > path[0] and nxt not in path:
                walk(path + [nxt])

    for start in sorted(graph):
        walk([start])
    return cycles


def test_no_two_modules_import_each_other():
    """Within a part too, a module's imports run one way (heads.py uses hub.py; hub.py only the MLP in mlp.py)."""
    modules = {module: (path, is_package) for path, module, is_package in all_modules()}
    graph = {}
    for module, (path, is_package) in modules.items():
        with open(path) as fh:
            graph[module] = {t for t in engage_imports(fh.read(), module, is_package) if t in modules and t != module}
    assert not import_cycles(graph), f"modules that import each other: {import_cycles(graph)}"


def test_the_cycle_check_finds_a_pair_and_a_ring():
    assert import_cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b"]]
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
