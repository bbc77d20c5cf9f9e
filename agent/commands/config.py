"""Command-line flags generated from typed configuration, a TOML config file, and the two merged.

A command's settings are one pydantic model (``RunConfig``, ``BenchOptions``). Each flag is a ``Flag``: a path
into that model (``("loop", "max_steps")``) from which the flag's type, choices, default and help are read, so
a default is stated once, in the model. Adding a flag is one line in the command's table, e.g.
``flag("agent", "dialect")`` once ``PolicyConfig`` has a ``dialect`` field.

Precedence: the model's defaults < the ``--config FILE`` (TOML) < flags given on the command line. A flag
given explicitly is told apart from one left at its default by the action that stored it. Keys of the file
that the model does not know are errors naming the key and the file (``ConfigError``, exit code 2).

Tables tagged by ``kind`` (``[env]``, ``[model]``) are unions: a flag that changes the kind drops the file's
keys that only other kinds have; a flag for a field the chosen kind lacks is ignored with a warning.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

log = logging.getLogger(__name__)

GIVEN = "_given_flags"  # the namespace attribute listing the dests of the flags given explicitly
Path_ = tuple[str, ...]


class ConfigError(Exception):
    """The configuration cannot be used; the message is one line naming the flag, or the file and key."""


@dataclasses.dataclass(frozen=True)
class Flag:
    """One command-line flag that sets ``path`` in the config; ``to_data`` maps its value to ``{path: value}``
    entries (most set their own path; ``--no-model-cache`` sets two)."""

    path: Path_
    names: tuple[str, ...]
    kwargs: dict[str, Any]
    to_data: Callable[[Any], dict[Path_, Any]] | None = None

    @property
    def dest(self) -> str:
        return self.kwargs.get("dest") or self.names[0].lstrip("-").replace("-", "_")

    def data(self, value: Any) -> dict[Path_, Any]:
        return self.to_data(value) if self.to_data else {self.path: value}


def _mark(cls: type[argparse.Action]) -> type[argparse.Action]:
    """``cls`` that also records its dest in ``namespace._given_flags`` when the flag is on the command line."""

    class Marked(cls):  # type: ignore[valid-type, misc]
        def __call__(self, parser, namespace, values, option_string=None) -> None:  # type: ignore[no-untyped-def]
            super().__call__(parser, namespace, values, option_string)
            setattr(namespace, GIVEN, (*getattr(namespace, GIVEN, ()), self.dest))

    Marked.__name__ = f"Marked{cls.__name__}"
    return Marked


_STORE = _mark(argparse._StoreAction)
_STORE_TRUE = _mark(argparse._StoreTrueAction)


def field_of(root: type[BaseModel], path: Path_) -> FieldInfo:
    """The pydantic field at ``path`` (through nested models and, for a union, the member that has it)."""
    model: Any = root
    for i, name in enumerate(path):
        candidates = [m for m in _models(model) if name in m.model_fields]
        if not candidates:
            raise KeyError(".".join(path[: i + 1]))
        info = candidates[0].model_fields[name]
        model = info.annotation
    return info


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models an annotation may hold (a union's members, ``X | None``'s ``X``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if typing.get_origin(annotation) is typing.Annotated:
        return _models(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _models(arg)]
    return []


def flag(root: type[BaseModel], *path: str, names: Sequence[str] = (), prefix: str = "", **kwargs: Any) -> Flag:
    """The flag for the field at ``path`` of ``root``: ``--PREFIXlast-part`` (``--no-...`` for a switch whose
    default is on) unless ``names`` says otherwise; type, choices, default and help from the field
    (``kwargs`` override them). The ``kind`` of a union table offers every member's kind."""
    info = field_of(root, path)
    default = info.get_default(call_default_factory=True)
    stem = f"{prefix}{path[-1]}".replace("_", "-")
    described = info.description or ""
    inner = _strip_none(info.annotation)
    if path[-1] == "kind" and len(members := _models(field_of(root, path[:-1]).annotation)) > 1:
        kinds = tuple(m.model_fields["kind"].default for m in members)
        table_default = field_of(root, path[:-1]).get_default(call_default_factory=True)
        default, inner = getattr(table_default, "kind", None), Literal[kinds]  # type: ignore[valid-type]
    if inner is bool and "action" not in kwargs:
        long = f"--no-{stem}" if default else f"--{stem}"
        names = tuple(names) or (long,)
        base = {"action": _STORE_TRUE, "help": described, "dest": names[0].lstrip("-").replace("-", "_")}
        return Flag(tuple(path), names, {**base, **kwargs}, to_data=lambda v: {tuple(path): not default})
    base = {"action": _STORE, "help": described or None, "default": _shown(default, described)}
    base.update(_typing(inner))
    return Flag(tuple(path), tuple(names) or (f"--{stem}",), {**base, **kwargs})


def table_flags(root: type[BaseModel], *path: str, prefix: str, help: str) -> list[Flag]:
    """A flag for every field of the settings at ``path`` (``--PREFIXfield``), so they follow the fields the
    model has; ``help`` is the fallback help, with ``{name}`` for the field's name."""
    model = _models(field_of(root, path).annotation)[0]
    return [
        flag(root, *path, name, prefix=prefix, **({} if info.description else {"help": help.format(name=name)}))
        for name, info in model.model_fields.items()
    ]


def _strip_none(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _shown(default: Any, described: str) -> Any:
    """The default argparse shows: none where the help states its own (it depends on the environment)."""
    if "(default:" in described or default is None:
        return None
    if isinstance(default, (str, int, float)):
        return default
    return json.dumps(_plain(default))


def _typing(inner: Any) -> dict[str, Any]:
    if typing.get_origin(inner) is Literal:
        return {"choices": typing.get_args(inner), "type": type(typing.get_args(inner)[0])}
    if inner in (int, float, str):
        return {"type": inner}
    if inner is Path:
        return {"type": Path}
    return {"type": json.loads, "metavar": "JSON"}  # tables, lists, nested settings: given as JSON


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def add_flags(parser: argparse.ArgumentParser | argparse._ArgumentGroup, flags: Sequence[Flag]) -> None:
    for f in flags:
        parser.add_argument(*f.names, **f.kwargs)


def given_data(args: argparse.Namespace, flags: Sequence[Flag]) -> dict[Path_, tuple[str, Any]]:
    """``{path: (flag name, value)}`` for every flag given on the command line."""
    given = set(getattr(args, GIVEN, ()))
    out: dict[Path_, tuple[str, Any]] = {}
    for f in flags:
        if f.dest in given:
            for path, value in f.data(getattr(args, f.dest)).items():
                out[path] = (f.names[0], value)
    return out


def read_file(path: Path) -> dict[str, Any]:
    """The TOML file at ``path`` as a dict; ``ConfigError`` if it cannot be read or parsed."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise ConfigError(f"cannot read the config file {path}: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path} is not valid TOML: {e}") from None


def to_toml(data: dict[str, Any]) -> str:
    """``data`` (plain JSON-like values; ``None`` left out, since TOML has no null) as a TOML document."""
    import tomli_w

    return tomli_w.dumps(_drop_none(data))


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value
