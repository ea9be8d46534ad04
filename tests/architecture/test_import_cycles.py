"""No import loops inside our packages (the layers contracts in pyproject.toml order the
packages of camera_app/; this finds loops between modules of one package too, e.g. a store
and its recovery module importing each other). A package importing its own submodules, or a
submodule its package, is not a loop."""

from __future__ import annotations

import grimp
import pytest


def _loops(package: str) -> list[str]:
    graph = grimp.build_graph(package, exclude_type_checking_imports=True)
    seen: set[frozenset[str]] = set()
    loops: list[str] = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported.startswith(module + ".") or module.startswith(imported + "."):
                continue
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back and frozenset(back) not in seen:
                seen.add(frozenset(back))
                loops.append(" -> ".join((module, *back)))
    return loops


@pytest.mark.parametrize("package", ["camera_app", "effects", "age_estimation", "disclosure", "benchmarks"])
def test_no_import_loops(package: str) -> None:
    assert _loops(package) == []
