"""Packaging: installed, the project lives under ``qwen2vl_agent.*`` and nowhere else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOPS = ("tools", "envs", "model", "agent")


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


def _code_directories() -> set[str]:
    """Every directory under the four top folders that holds Python code, as an installed package name."""
    found = set()
    for top in TOPS:
        for py in (ROOT / top).rglob("*.py"):
            rel = py.parent.relative_to(ROOT)
            if "__pycache__" not in rel.parts:
                found.add(".".join(("qwen2vl_agent", *rel.parts)))
    return found


def test_wheel_ships_every_directory_that_holds_code(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {".".join(Path(n).parent.parts) for n in names if n.endswith(".py")}
    assert "qwen2vl_agent.envs.sim" in _code_directories()  # the walk sees nested packages
    assert sorted(_code_directories() - shipped) == []
    for source in (p for top in TOPS for p in (ROOT / top).rglob("*.py") if "__pycache__" not in p.parts):
        assert f"qwen2vl_agent/{source.relative_to(ROOT).as_posix()}" in names


@pytest.fixture(scope="module")
def fresh_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with the wheel installed non-editable. It sees this interpreter's dependencies through a
    ``.pth`` line naming their directories; plain path lines run no editable-install hook, so the checkout's
    own code stays invisible there."""
    venv = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    (site,) = (venv / "lib").glob("python*/site-packages")
    deps = [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages") and Path(p).is_dir()]
    (site / "_test_deps.pth").write_text("".join(f"{p}\n" for p in deps))
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return venv


def _run_installed(venv: Path, args: list[str], cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["QWEN2VL_AGENT_SIM_STATE"] = str(cwd / "sim.json")
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_the_installed_package_runs_the_main_job(fresh_venv: Path, tmp_path: Path) -> None:
    where = _run_installed(
        fresh_venv, ["python", "-c", "import qwen2vl_agent.agent.cli as m; print(m.__file__)"], tmp_path
    )
    (site,) = (fresh_venv / "lib").glob("python*/site-packages")
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(site), where.stdout
    assert not tmp_path.is_relative_to(ROOT)
    script = tmp_path / "replies.json"
    script.write_text(json.dumps(['Done.\n✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}']))
    cli = str(fresh_venv / "bin" / "qwen2vl-agent")
    run = _run_installed(
        fresh_venv, [cli, "run", "Turn on Wi-Fi", "--env", "sim", "--model", f"scripted:{script}", "--out", "traj", "--quiet"],
        tmp_path,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    result = json.loads((tmp_path / "traj" / "result.json").read_text())
    assert result["status"] == "success"
    assert (tmp_path / "traj" / "report.html").is_file() and (tmp_path / "traj" / "step_000.png").is_file()


def test_the_installed_package_runs_the_benchmark(fresh_venv: Path, tmp_path: Path) -> None:
    cli = str(fresh_venv / "bin" / "qwen2vl-agent")
    args = [
        cli,
        "bench",
        "--policy",
        "oracle",
        "--tasks",
        "SystemWifi,LauncherOpenApp",
        "--out",
        "b",
        "--no-html",
        "-q",
    ]
    bench = _run_installed(fresh_venv, args, tmp_path)
    assert bench.returncode == 0, bench.stderr
    records = [json.loads(line) for line in (tmp_path / "b" / "results.jsonl").read_text().splitlines()]
    assert sorted(r["task"] for r in records) == ["LauncherOpenApp", "SystemWifi"]
    assert all(r["success"] == 1 and r["exception"] is None for r in records)
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert summary, summary


def test_the_installed_simulator_starts_and_stops(fresh_venv: Path, tmp_path: Path) -> None:
    cli = str(fresh_venv / "bin" / "qwen2vl-agent")
    try:
        start = _run_installed(fresh_venv, [cli, "sim", "start"], tmp_path)
        assert start.returncode == 0, start.stderr + (tmp_path / "sim.log").read_text(errors="replace")
        assert "adb server: 127.0.0.1:" in start.stdout
        status = _run_installed(fresh_venv, [cli, "sim", "status"], tmp_path)
        assert status.returncode == 0 and "device" in status.stdout, status.stdout
    finally:
        stop = _run_installed(fresh_venv, [cli, "sim", "stop"], tmp_path)
    assert stop.returncode == 0, stop.stderr
