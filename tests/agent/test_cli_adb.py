"""``qwen2vl-agent adb``: the adb binary bundled with adbutils, for hosts that have no adb on PATH."""

from __future__ import annotations

import pytest

from qwen2vl_agent.agent.cli import main
from qwen2vl_agent.envs.sim import SimPhone


def test_adb_passes_everything_through_to_the_bundled_binary(capfd) -> None:
    assert main(["adb", "version"]) == 0
    assert "Android Debug Bridge" in capfd.readouterr().out


def test_adb_options_are_adbs_not_ours(capfd) -> None:
    with SimPhone(seed=0) as phone:
        code = main(["adb", "-P", str(phone.adb_port), "-s", phone.serial, "shell", "echo", "-n", "hello"])
        out = capfd.readouterr().out
    assert code == 0
    assert out == "hello"


def test_adb_returns_adbs_exit_status(capfd) -> None:
    with SimPhone(seed=0) as phone:
        code = main(["adb", "-P", str(phone.adb_port), "-s", phone.serial, "shell", "exit 3"])
    assert code == 3


@pytest.mark.parametrize("argv", [["adb", "--help"], ["adb", "help"]])
def test_adb_help_is_adbs_help(argv: list[str], capfd) -> None:
    main(argv)
    captured = capfd.readouterr()
    assert "global options" in (captured.out + captured.err).lower()
