"""What the CLI tells a user: help rendered as plain text with every default shown, and clear spec errors."""

from __future__ import annotations

import argparse
import re

import pytest

from qwen2vl_agent.agent.cli import build_parser, main


def _parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, (*path, name))


PATHS = [path for path, parser in _parsers(build_parser()) if parser.add_help]  # `adb --help` is adb's own


def test_every_subcommand_is_walked() -> None:
    assert {("run",), ("bench",), ("sim", "start"), ("sim", "serve"), ("model", "info"), ("parse",)} <= set(PATHS)


def _help(path: tuple[str, ...], capsys) -> str:
    with pytest.raises(SystemExit) as info:
        main([*path, "--help"])
    assert info.value.code == 0
    return capsys.readouterr().out


def _entries(text: str) -> list[str]:
    """The help's option entries, each joined onto one line with its continuation lines."""
    entries: list[str] = []
    for line in text.splitlines():
        if re.match(r"  -", line):
            entries.append(line)
        elif entries and re.match(r"\s{3,}\S", line):
            entries[-1] += " " + line.strip()
        else:
            entries.append("")
    return [" ".join(e.split()) for e in entries if e]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "top")
def test_help_is_plain_text_and_shows_every_default(path: tuple[str, ...], capsys) -> None:
    text = _help(path, capsys)
    assert "``" not in text
    assert ":func:" not in text and ":class:" not in text
    parser = dict(_parsers(build_parser()))[path]
    entries = _entries(text)
    for action in parser._actions:
        if not action.option_strings or action.nargs == 0 or action.default in (None, argparse.SUPPRESS):
            continue
        (entry,) = [e for e in entries if action.option_strings[-1] in re.split(r"[ ,]+", e.split("  ")[0])]
        assert entry.count("(default") == 1, entry  # stated once, not by hand and again by the formatter
        if action.default != "":
            assert f"(default: {action.default})" in entry, entry


def test_help_keeps_the_description_paragraphs(capsys) -> None:
    text = _help(("bench",), capsys)
    assert "OUT/results.jsonl" in text and "``" not in text
    assert "\n\n" in text.split("options:")[0].strip()  # the description is not one run-on block


def test_run_with_an_unknown_model_scheme_is_a_setup_error(capsys) -> None:
    code = main(["run", "Turn on Wi-Fi", "--env", "fake", "--model", "foo:bar", "--out", "/nonexistent/never-written"])
    err = capsys.readouterr().err
    assert code == 2
    assert "foo:bar" in err and "scripted:FILE" in err and "hf download" not in err
