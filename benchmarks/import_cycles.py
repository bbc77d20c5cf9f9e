"""Import cycles among a package's modules, TYPE_CHECKING imports included (what import-linter also counts).

    python benchmarks/import_cycles.py [PACKAGE]   # default qwen2vl_agent.envs.sim

Prints each strongly connected component of the import graph (modules that reach one another through
imports) with more than one module, largest first, then the count; exits 1 when there is any. The graph
is grimp's, the library import-linter builds its contracts on.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping

import grimp


def import_graph(package: str) -> dict[str, set[str]]:
    """Each module under ``package`` -> the modules under it that it imports directly."""
    # ``qwen2vl_agent`` is a namespace over the repository's folders; grimp builds from one of them
    root = ".".join(package.split(".")[:2])
    graph = grimp.build_graph(root, include_external_packages=False, exclude_type_checking_imports=False)
    inside = {m for m in graph.modules if m == package or m.startswith(package + ".")}
    return {m: graph.find_modules_directly_imported_by(m) & inside for m in inside}


def cycles(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return sorted(found, key=lambda c: (-len(c), c))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("package", nargs="?", default="qwen2vl_agent.envs.sim")
    package = parser.parse_args(argv).package
    found = cycles(import_graph(package))
    for component in found:
        short = [m.removeprefix(package + ".") for m in component]
        print(f"{len(component)} modules: {', '.join(short)}")
    print(f"{len(found)} import cycles in {package}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
