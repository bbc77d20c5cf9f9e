"""The effective configuration of a command: the model's defaults, then the config file, then the flags given.

See ``config`` for the flags and the file; this module merges them and validates the result once.
"""

from __future__ import annotations

import argparse
import copy
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .config import ConfigError, Flag, Path_, _models, given_data, read_file

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
# A table given as a string (``model = "tiny"``, ``--model tiny``) becomes its fields with this function.
Normalisers = Mapping[str, Callable[[str], dict[str, Any]]]


def build_config(
    root: type[M], args: argparse.Namespace, flags: Sequence[Flag], normalise: Normalisers | None = None
) -> M:  # fmt: skip
    """``root`` from its defaults < ``args.config`` (a TOML file, if any) < the flags in ``args`` given
    explicitly. ``ConfigError`` names the flag, or the file and key, of the first problem."""
    normalise = normalise or {}
    source: Path | None = getattr(args, "config", None)
    data = read_file(source) if source is not None else {}
    for key, fn in normalise.items():
        if isinstance(data.get(key), str):
            data[key] = fn(data[key])
    given = given_data(args, flags)
    for path, (name, value) in sorted(given.items(), key=lambda item: not _sets_kind(root, item[0])):
        if len(path) == 1 and path[0] in normalise and isinstance(value, str):
            value = normalise[path[0]](value)
        _apply(root, data, path, value, name)
    for table in root.model_fields:
        if _union_table(root, (table,)) and isinstance(data.get(table), dict):
            data[table].setdefault("kind", _default_kind(root, table))
    try:
        return root.model_validate(data)
    except ValidationError as e:
        raise ConfigError(_describe(root, e, given, source)) from None


def _sets_kind(root: type[BaseModel], path: Path_) -> bool:
    return _union_table(root, path[:1]) and (len(path) == 1 or path[1:] == ("kind",))


def _union_table(root: type[BaseModel], path: Path_) -> bool:
    field = root.model_fields.get(path[0]) if path else None
    return field is not None and len(_models(field.annotation)) > 1


def _apply(root: type[BaseModel], data: dict[str, Any], path: Path_, value: Any, name: str) -> None:
    if not _union_table(root, path[:1]):
        _deep_set(data, path, value)
        return
    table = path[0]
    current = data.get(table) if isinstance(data.get(table), dict) else {}
    if len(path) == 1 or path[1:] == ("kind",):
        new = value if len(path) == 1 else {"kind": value}
        member = _member(root, table, new.get("kind"))
        known = {name for m in _models(root.model_fields[table].annotation) for name in m.model_fields}
        # The old kind's own keys go with it; a key no kind has stays, to be reported as unknown.
        kept = {k: v for k, v in current.items() if member is None or k in member.model_fields or k not in known}
        if current.get("kind", _default_kind(root, table)) != new.get("kind"):
            current = kept
        data[table] = _merged(current, new)
        return
    member = _member(root, table, current.get("kind", _default_kind(root, table)))
    if member is None or path[1] not in member.model_fields:
        kind = current.get("kind", _default_kind(root, table))
        log.warning("ignoring %s: it does not apply to %s kind %s", name, table, kind)
        return
    data[table] = current
    _deep_set(current, path[1:], value)


def _default_kind(root: type[BaseModel], table: str) -> str | None:
    default = root.model_fields[table].get_default(call_default_factory=True)
    return getattr(default, "kind", None)


def _member(root: type[BaseModel], table: str, kind: str | None) -> type[BaseModel] | None:
    for model in _models(root.model_fields[table].annotation):
        if model.model_fields["kind"].default == kind:
            return model
    return None


def _deep_set(data: dict[str, Any], path: Path_, value: Any) -> None:
    for key in path[:-1]:
        if not isinstance(data.get(key), dict):
            data[key] = {}
        data = data[key]
    leaf = path[-1]
    data[leaf] = _merged(data[leaf], value) if isinstance(data.get(leaf), dict) and isinstance(value, dict) else value


def _merged(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        out[key] = _merged(out[key], value) if isinstance(out.get(key), dict) and isinstance(value, dict) else value
    return out


def _describe(
    root: type[BaseModel], error: ValidationError, given: dict[Path_, tuple[str, Any]], source: Path | None
) -> str:  # fmt: skip
    first = error.errors()[0]
    loc = _key_path(root, first["loc"])
    for path, (name, _) in given.items():
        if loc[: len(path)] == path or path[: len(loc)] == loc:
            return f"invalid option {name}: {first['msg']}"
    key = ".".join(loc) or "(top level)"
    where = f"{source}: " if source is not None else ""
    if first["type"] == "extra_forbidden":
        return f"{where}unknown key {key!r}"
    return f"{where}invalid {key!r}: {first['msg']}"


def _key_path(root: type[BaseModel], loc: tuple[Any, ...]) -> Path_:
    """A pydantic error location as the file's keys: the tag pydantic inserts after a union table (its
    ``kind``: ``env.android.adb_port`` for ``[env] kind = "android"``, ``adb_port = 0``) left out."""
    parts = tuple(str(p) for p in loc)
    if len(parts) > 1 and _union_table(root, parts[:1]):
        tags = {m.model_fields["kind"].default for m in _models(root.model_fields[parts[0]].annotation)}
        if parts[1] in tags:
            return (parts[0], *parts[2:])
    return parts
