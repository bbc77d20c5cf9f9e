"""The house rules of ``../shared/STYLE.md`` that a machine can check: no module over 400 lines, no function
over 50, in the installed code (tools, envs, model, agent)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(p for top in ("tools", "envs", "model", "agent") for p in (ROOT / top).rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_no_module_over_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 400, f"{_name(path)} has {lines} lines: split it by what its parts do"


def test_no_function_over_50_lines() -> None:
    long = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 50:
                    long.append(f"{_name(path)}:{node.lineno} {node.name} ({length} lines)")
    assert not long, "functions over 50 lines:\n" + "\n".join(long)
