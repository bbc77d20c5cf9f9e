"""The README's commands are real: every ``qwen2vl-agent`` line parses with the real parser, every other program
it calls exists (or is named as a separate install), its pins match CI's, and the cheap examples run as written."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from qwen2vl_agent.agent.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BIN = Path(sys.executable).parent
SEPARATORS = {"|", "&&", "||", ";"}
# Placeholders the README uses, and a value of the right kind for each.
PLACEHOLDERS = {"<port>": "5037", "<p>": "5555"}
WORDS = {"SPEC": "tiny", "N": "3", "DIR": "out"}
# vLLM's own command, run on the GPU server (the serving section), and Ray's (the optional "ray" extra)
SEPARATE_INSTALLS = {"vllm", "ray"}


def sh_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, re.DOTALL)


def command_lines(block: str) -> list[str]:
    """The block's command lines: continuations joined, comments dropped, only ``$ `` lines where it shows
    a prompt (the other lines are output), usage synopses expanded into every alternative."""
    lines = block.replace("\\\n", " ").splitlines()
    if any(line.startswith("$ ") for line in lines):
        lines = [line[2:] for line in lines if line.startswith("$ ")]
    out = []
    for line in lines:
        line = re.sub(r"(^|\s+)#\s.*$", "", line).strip()
        if line:
            out.extend(_expand_synopsis(line))
    return out


def _expand_synopsis(line: str) -> list[str]:
    """``run "TASK" [--env a|b] [--out DIR]`` -> one line with every bracket, once per alternative."""
    if not line.startswith("qwen2vl-agent "):
        return [line]
    groups = re.findall(r"\s\[([^\]]*)\]", line)
    variants = [re.sub(r"\s\[[^\]]*\]", "", line)]
    for group in groups:
        alternation = re.search(r"\S+\|\S+", group)
        options = [group.replace(alternation[0], alt) for alt in alternation[0].split("|")] if alternation else [group]
        variants = [f"{v} {o}" for v in variants for o in options]
    return variants


def simple_commands(line: str) -> list[list[str]]:
    for placeholder, value in PLACEHOLDERS.items():
        line = line.replace(placeholder, value)
    lexer = shlex.shlex(line, posix=True, punctuation_chars="|&;")
    lexer.whitespace_split = True
    lexer.commenters = ""  # comments are gone already; a # inside a word (openai:URL#MODEL) is kept
    commands: list[list[str]] = [[]]
    for token in lexer:
        if token in SEPARATORS:
            commands.append([])
        else:
            commands[-1].append(WORDS.get(token, token))
    return [c for c in commands if c]


ALL = [(line, cmd) for block in sh_blocks() for line in command_lines(block) for cmd in simple_commands(line)]
OURS = [cmd for _, cmd in ALL if cmd[0] == "qwen2vl-agent"]


def test_the_readme_has_commands_to_check() -> None:
    assert len(sh_blocks()) >= 5 and len(OURS) >= 15
    assert ["qwen2vl-agent", "run", "TASK", "--env", "desktop"] in [c[:5] for c in OURS]  # synopses expanded


@pytest.mark.parametrize("argv", OURS, ids=lambda a: " ".join(a[1:])[:60])
def test_every_qwen2vl_agent_line_parses(argv: list[str]) -> None:
    try:
        args = build_parser().parse_args(argv[1:])
    except SystemExit as e:
        pytest.fail(f"argparse rejected {shlex.join(argv)} (exit {e.code})")
    assert getattr(args, "func", None) is not None, argv


@pytest.mark.parametrize("cmd", [c for _, c in ALL if c[0] != "qwen2vl-agent"], ids=lambda c: shlex.join(c)[:60])
def test_every_other_program_exists(cmd: list[str]) -> None:
    program = cmd[0]
    assert program != "adb", "adb is not on PATH: the README must say qwen2vl-agent adb"
    if program == "." or program in SEPARATE_INSTALLS:
        return
    assert shutil.which(program) or (BIN / program).exists(), f"{program} is not installed here"
    if program == "sh":
        assert (ROOT / cmd[1]).is_file(), cmd


def test_the_install_lines_match_ci() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    installs = [c for _, c in ALL if c[:2] == ["pip", "install"]]
    pins = {arg for c in installs for arg in c if "==" in arg}
    assert pins and pins == set(re.findall(r"\b(torch(?:vision)?==[\d.]+)", ci))
    extras = set(importlib.metadata.metadata("qwen2vl-agent").get_all("Provides-Extra") or ())
    wanted = [m[1] for c in installs for arg in c if (m := re.fullmatch(r"\.\[([\w,-]+)\]", arg))]
    assert wanted and all(set(w.split(",")) <= extras for w in wanted), (wanted, extras)
    assert ["pip", "install", "-e", ".[test,ray,video]"] in installs and "pip install -q -e '.[test,ray,video]'" in ci
    reinstall = ["pip", "install", "--force-reinstall", "--no-deps", "python-xlib>=0.33"]
    assert reinstall in installs and shlex.join(reinstall[2:]) in ci


def test_every_file_the_readme_names_exists() -> None:
    named = set(re.findall(r"(?<![\w/])((?:benchmarks|agent|envs|model|tools|tests)/[\w/.-]+\.(?:py|sh))", README))
    named |= {".ci/run"} if ".ci/run" in README else set()
    assert len(named) >= 8
    assert sorted(p for p in named if not (ROOT / p).is_file()) == []


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["QWEN2VL_AGENT_SIM_STATE"] = str(tmp_path / "sim.json")
    return env


def _sh(line: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", "-c", line], cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=120
    )


def test_the_parse_example_prints_what_the_readme_shows(tmp_path: Path) -> None:
    (block,) = [b for b in sh_blocks() if b.startswith("$ ")]
    command, shown = block.splitlines()[:2]
    proc = _sh(command[2:], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == shown.strip()


def test_bench_list_runs(tmp_path: Path) -> None:
    (line,) = [line for b in sh_blocks() for line in command_lines(b) if line.endswith("bench --list")]
    proc = _sh(line, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "suite default: 40 tasks" in proc.stdout


def test_the_simulator_block_runs_as_written(tmp_path: Path) -> None:
    (block,) = [b for b in sh_blocks() if "sim start" in b]
    start, adb_line, status, stop = command_lines(block)
    try:
        started = _sh(start, tmp_path)
        assert started.returncode == 0, started.stderr
        port = re.search(r"adb server: 127\.0\.0\.1:(\d+)", started.stdout)[1]
        serials = re.findall(r"^\s+(127\.0\.0\.1:\d+)\s+seed=", started.stdout, re.MULTILINE)
        assert len(serials) == 2, started.stdout
        line = adb_line.replace("<port>", port).replace("127.0.0.1:<p>", serials[0])
        focus = _sh(line, tmp_path)
        assert focus.returncode == 0 and "mCurrentFocus" in focus.stdout, (line, focus.stdout, focus.stderr)
        shown = _sh(status, tmp_path)
        assert shown.returncode == 0 and all(s in shown.stdout for s in serials), shown.stdout
    finally:
        stopped = _sh(stop, tmp_path)
    assert stopped.returncode == 0 and "stopped 2" in stopped.stdout, stopped.stdout
