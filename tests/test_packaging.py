"""Packaging: installed, the project lives under ``qwen2vl_agent.*`` and nowhere else."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (path,) = out.glob("qwen2vl_agent-*.whl")
    return path


def test_wheel_holds_only_the_namespace(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"qwen2vl_agent", next(t for t in tops if t.endswith(".dist-info"))}
    packages = {n.split("/")[1] for n in names if n.startswith("qwen2vl_agent/")}
    assert {"tools", "envs", "model", "agent"} <= packages
    assert "qwen2vl_agent/agent/templates/tools_en.txt" in names  # package data ships
    entry = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "qwen2vl-agent = qwen2vl_agent.agent.cli:main" in entry


def test_installed_wheel_exposes_no_bare_packages(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    code = (
        "import importlib.util, qwen2vl_agent.tools, qwen2vl_agent.agent.cli\n"
        f"assert qwen2vl_agent.tools.__file__.startswith({str(target)!r}), qwen2vl_agent.tools.__file__\n"
        "for bare in ('tools', 'model', 'agent', 'envs'):\n"
        "    spec = importlib.util.find_spec(bare)\n"
        "    assert spec is None, (bare, spec)\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(target)
    proc = subprocess.run(
        [sys.executable, "-s", "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.stdout.strip() == "ok", proc.stderr
