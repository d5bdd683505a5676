"""No package imports another that imports it back (docs/architecture.md, "The package graph").

The graph is read from the source with ``ast``, so an import inside a function, or one made
only for type checking, counts like any other: hiding an import in a function hides the
cycle from Python's start-up, not from the design.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Mapping
from itertools import pairwise
from pathlib import Path

import icalbridge

ROOT = "icalbridge"
SOURCE = Path(icalbridge.__file__).parent

# An edge of a graph and the import lines that make it: "icalbridge/alerts/causes.py:26".
Graph = Mapping[str, Mapping[str, list[str]]]


def module_name(path: Path, top: Path) -> str:
    parts = list(path.relative_to(top.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(tree: ast.Module, module: str, is_package: bool) -> Iterable[tuple[str, int]]:
    """Yield every name an import anywhere in the module may bring in, with its line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            yield source, node.lineno
            # ``from icalbridge.outbound import fetch`` imports the module ``fetch``.
            for alias in node.names:
                yield f"{source}.{alias.name}", node.lineno


def module_graph(top: Path) -> dict[str, dict[str, list[str]]]:
    """Return, for each module under ``top``, the project's modules it imports."""
    files = {module_name(path, top): path for path in sorted(top.rglob("*.py"))}
    graph: dict[str, dict[str, list[str]]] = {name: {} for name in files}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for target, line in imported_names(tree, name, path.name == "__init__.py"):
            while target and target not in files:
                target = target.rpartition(".")[0]
            if target and target != name:
                where = f"{path.relative_to(top.parent)}:{line}"
                lines = graph[name].setdefault(target, [])
                if where not in lines:
                    lines.append(where)
    return graph


def package_graph(modules: Graph, root: str) -> dict[str, dict[str, list[str]]]:
    """Fold the module graph onto the root's direct children (``sync``, ``cli``, ...)."""

    def child(module: str) -> str | None:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 and parts[0] == root else None

    graph: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for source, targets in modules.items():
        for target, lines in targets.items():
            a, b = child(source), child(target)
            if a and b and a != b:
                graph[a].setdefault(b, []).extend(lines)
    for targets in graph.values():
        for target, lines in targets.items():
            targets[target] = sorted(set(lines))
    return graph


def cycles(graph: Graph) -> list[str]:
    """Name each group of nodes that import each other, and one cycle in it with its imports."""
    found = []
    for group in _strongly_connected(graph):
        path = _path_back(graph, group, min(group))
        steps = [f" -> {b} ({', '.join(graph[a][b][:3])})" for a, b in pairwise(path)]
        found.append(f"{', '.join(sorted(group))}: {path[0]}{''.join(steps)}")
    return sorted(found)


def _strongly_connected(graph: Graph) -> list[set[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _path_back(graph: Graph, group: set[str], start: str) -> list[str]:
    """Return the shortest path from ``start`` back to itself inside ``group``."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph.get(node, {})):
                if target not in group:
                    continue
                if target == start:
                    path = [start, node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return path[::-1]
                if target not in came_from:
                    came_from[target] = node
                    following.append(target)
        frontier = following
    raise AssertionError(f"{start} is in a cycle but no path leads back to it")


def test_no_package_imports_a_package_that_imports_it_back() -> None:
    found = cycles(package_graph(module_graph(SOURCE), ROOT))
    assert not found, "packages of icalbridge that import each other:\n" + "\n".join(found)


def test_no_module_imports_a_module_that_imports_it_back() -> None:
    found = cycles(module_graph(SOURCE))
    assert not found, "modules of icalbridge that import each other:\n" + "\n".join(found)


def test_an_import_hidden_in_a_function_still_makes_a_cycle(tmp_path: Path) -> None:
    top = tmp_path / "town"
    for package in ("roads", "houses"):
        (top / package).mkdir(parents=True)
        (top / package / "__init__.py").write_text("")
    (top / "__init__.py").write_text("")
    (top / "roads" / "map.py").write_text("from town.houses import door\n")
    (top / "houses" / "door.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from ..roads.map import Map\n"
        "def open_to_the_road():\n"
        "    from town.roads import map\n"
    )

    found = cycles(package_graph(module_graph(top), "town"))

    assert found == [
        "houses, roads: houses -> roads (town/houses/door.py:3, town/houses/door.py:5)"
        " -> houses (town/roads/map.py:1)"
    ]
