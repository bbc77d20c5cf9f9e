"""``$(( ... ))``: sh's integer arithmetic (C operators, variables by name, assignments), evaluated safely.

The expression is translated to a Python expression and evaluated by walking its ``ast`` with integer
semantics (``/`` and ``%`` truncate toward zero as in C); only arithmetic, comparison, logic and names are
allowed, so nothing in a command line can run Python.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable

ASSIGN = re.compile(r"^\s*([A-Za-z_]\w*)\s*(=|\+=|-=|\*=|/=|%=|<<=|>>=|&=|\|=|\^=)(?!=)\s*(.+)$", re.S)
INCDEC = re.compile(r"^\s*(?:(\+\+|--)\s*([A-Za-z_]\w*)|([A-Za-z_]\w*)\s*(\+\+|--))\s*$")


class ArithError(ValueError):
    """A bad expression; the message reads like mksh's."""


def _div(a: int, b: int) -> int:
    if b == 0:
        raise ArithError("divide by zero")
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _mod(a: int, b: int) -> int:
    return a - b * _div(a, b)


def wrap(v: int) -> int:
    """As a signed 64-bit integer, the width mksh computes in."""
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >> 63 else v


def _pow(a: int, b: int) -> int:
    if b < 0:
        raise ArithError("exponent less than 0")
    return wrap(pow(a, b, 1 << 64))


BINARY: dict[type, Callable[[int, int], int]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: _div, ast.FloorDiv: _div,
    ast.Mod: _mod, ast.Pow: _pow, ast.LShift: lambda a, b: wrap(a << (b & 63)), ast.RShift: lambda a, b: a >> (b & 63),
    ast.BitAnd: operator.and_, ast.BitOr: operator.or_, ast.BitXor: operator.xor,
}  # fmt: skip
COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
           ast.Gt: operator.gt, ast.GtE: operator.ge}  # fmt: skip
OPS = {"+=": "+", "-=": "-", "*=": "*", "/=": "/", "%=": "%", "<<=": "<<", ">>=": ">>", "&=": "&", "|=": "|",
       "^=": "^"}  # fmt: skip


def evaluate(expr: str, get: Callable[[str], str], put: Callable[[str, str], None]) -> int:
    """The value of ``expr``; ``get``/``put`` read and write shell variables. Raises ``ArithError``."""
    expr = expr.strip()
    if not expr:
        return 0
    if m := INCDEC.match(expr):
        pre, name = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        old = evaluate(name, get, put)
        new = old + (1 if pre == "++" else -1)
        put(name, str(new))
        return new if m.group(1) else old
    if m := ASSIGN.match(expr):
        name, op, rhs = m.groups()
        value = evaluate(rhs if op == "=" else f"{name} {OPS[op]} ({rhs})", get, put)
        put(name, str(value))
        return value
    py = re.sub(r"&&", " and ", re.sub(r"\|\|", " or ", expr))
    py = re.sub(r"!(?!=)", " not ", py).replace("/", "//")
    try:
        tree = ast.parse(py, mode="eval")
    except SyntaxError as e:
        raise ArithError(f"{expr}: unexpected operator/operand") from e
    return _eval(tree.body, get, put)


def _eval(node: ast.AST, get: Callable[[str], str], put: Callable[[str, str], None]) -> int:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return wrap(int(node.value))
    if isinstance(node, ast.Name):
        raw = get(node.id).strip()
        return evaluate(raw, get, put) if raw else 0
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        return wrap(BINARY[type(node.op)](_eval(node.left, get, put), _eval(node.right, get, put)))
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, get, put)
        ops = {ast.USub: -v, ast.UAdd: v, ast.Not: int(not v), ast.Invert: ~v}
        if type(node.op) in ops:
            return ops[type(node.op)]
    if isinstance(node, ast.BoolOp):
        values = (_eval(v, get, put) for v in node.values)
        return int(all(values) if isinstance(node.op, ast.And) else any(values))
    if isinstance(node, ast.Compare) and all(type(o) in COMPARE for o in node.ops):
        left = _eval(node.left, get, put)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, get, put)
            if not COMPARE[type(op)](left, right):
                return 0
            left = right
        return 1
    if isinstance(node, ast.IfExp):
        return _eval(node.body if _eval(node.test, get, put) else node.orelse, get, put)
    raise ArithError("unexpected operator/operand")
