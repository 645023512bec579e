"""The tree's rules, read from the source with `ast` (nothing is imported):

- no two of the project's modules import each other, directly or round a longer circle;
- lower layers never import higher ones: models import no forms, views, workflows or printing;
  forms import no views or workflows; workflows (`actions`) import no views;
- the engine imports nothing of Django or of the rest of the project.

Imports under `if TYPE_CHECKING:` are for the type checker only and are left out.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("accounts", "audit", "followup", "schedules", "taperapp")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _project_module(name: str) -> str | None:
    """The project module `name` is, or is inside (a name imported from a module)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> set[str]:
    path = MODULES[module]
    found: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            source = _resolve(module, path, node)
            # `from package import module` imports the module; `from module import name` the module.
            names = [f"{source}.{alias.name}" for alias in node.names] + [source]
        for name in names:
            target = _project_module(name)
            if target and target != module:
                found.add(target)
    # A package's own __init__ is imported with it; it is not an edge of its own.
    return {target for target in found if not module.startswith(target + ".")}


GRAPH = {module: imports_of(module) for module in MODULES}


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in GRAPH[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return components


def test_the_graph_is_read_from_the_source() -> None:
    # A reader that found nothing would pass every rule below.
    assert "schedules.models" in GRAPH["schedules.plans.actions"]
    assert "schedules.plans.forms" in GRAPH["schedules.plans.views.plans"]
    assert len(MODULES) > 60


def test_no_two_modules_import_each_other() -> None:
    assert _cycles() == []


def _layer(module: str) -> str | None:
    last = module.rsplit(".", 1)[-1]
    parts = module.split(".")
    if "models" in parts:
        return "models"
    if last in ("forms", "scale_form"):
        return "forms"
    if last == "actions":
        return "actions"
    if last == "views" or "views" in parts[:-1]:
        return "views"
    return None


# What each layer must never import.
FORBIDDEN = {
    "models": {"forms", "actions", "views"},
    "forms": {"actions", "views"},
    "actions": {"views"},
}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_lower_layer_never_imports_a_higher_one(layer: str) -> None:
    broken = [
        f"{module} imports {target}"
        for module, targets in sorted(GRAPH.items())
        if _layer(module) == layer
        for target in sorted(targets)
        if _layer(target) in FORBIDDEN[layer]
    ]
    assert broken == []


def test_the_engine_imports_no_django_and_nothing_else_of_the_project() -> None:
    broken = []
    for module, path in MODULES.items():
        if not module.startswith("schedules.engine"):
            continue
        for node in _import_nodes(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [_resolve(module, path, node)]
            )
            broken += [
                f"{module} imports {name}"
                for name in names
                if name.split(".")[0] in ("django", *PACKAGES) and not name.startswith("schedules.engine")
            ]
    assert broken == []


def test_each_area_names_its_workflow_actions() -> None:
    for area in ("schedules.patients", "schedules.plans", "followup", "audit"):
        assert f"{area}.actions" in MODULES, area
