"""The test tiers: every module named slow exists, and the fast tier leaves them out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _slow_modules() -> frozenset[str]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("tests_conftest", ROOT / "tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SLOW_MODULES


def test_every_slow_module_exists() -> None:
    missing = sorted(m for m in _slow_modules() if not (ROOT / m).is_file())
    assert not missing, f"named slow but not there (renamed?): {missing}"


def test_the_fast_tier_deselects_exactly_the_slow_modules() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "slow", "-p", "no:cacheprovider"],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    ).stdout  # fmt: skip
    files = {line.split("::")[0] for line in out.splitlines() if "::" in line}
    assert files == set(_slow_modules())
