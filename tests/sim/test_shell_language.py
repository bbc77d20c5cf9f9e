"""The shell language clients send: control flow, functions, arithmetic and special parameters."""

from __future__ import annotations

import pytest
from clients import adb_in, adb_shell_device, ppadb_device

from qwen2vl_agent.envs.sim.shell.arith import ArithError, evaluate
from qwen2vl_agent.envs.sim.shell.parse import Incomplete, ParseError, parse

pytestmark = pytest.mark.timeout(60)

SCRIPTS = [
    ("if true; then echo a; elif false; then echo b; else echo c; fi", "a\n"),
    ("if false; then echo a; elif true; then echo b; else echo c; fi", "b\n"),
    ("if false; then echo a; else echo c; fi; echo $?", "c\n0\n"),
    ("for i in 1 2 3; do echo $i; done", "1\n2\n3\n"),
    ("for f in /sdcard/Mo*; do echo $f; done", "/sdcard/Movies\n"),
    ("n=0; while [ $n -lt 3 ]; do n=$((n+1)); done; echo $n", "3\n"),
    ("i=0; until [ $i -ge 2 ]; do i=$((i+1)); echo $i; done", "1\n2\n"),
    ("for i in 1 2 3; do [ $i = 2 ] && continue; echo $i; done", "1\n3\n"),
    ("for i in 1 2; do for j in a b; do [ $j = b ] && break 2; echo $i$j; done; done", "1a\n"),
    ('case "abc" in a*|z) echo A;; *) echo other;; esac', "A\n"),
    ("case x in (y) echo y;; (*) echo any;; esac", "any\n"),
    ('f() { echo "$1-$2 $#"; }; f one two', "one-two 2\n"),
    ('g() { for a in "$@"; do echo "[$a]"; done; return 3; }; g "x y" z; echo $?', "[x y]\n[z]\n3\n"),
    ("function h { echo in-h; }; h", "in-h\n"),
    ("echo $((1 + 2 * 3)) $((7 / 2)) $((-7 % 3)) $((2 ** 8)) $(( (1 < 2) && !0 ))", "7 3 -1 256 1\n"),
    ("x=4; : $((x += 2)); echo $x $((x * x)) $((x++)) $x", "6 36 6 7\n"),
    ("{ echo a; echo b; } | wc -l", "2\n"),
    ('(X=1; echo $X); echo "[$X]"', "1\n[]\n"),
    ("printf 'k1 v1\\nk2 v2\\n' | while read k v; do echo $v=$k; done", "v1=k1\nv2=k2\n"),
    ("if false\nthen\n  echo no\nfi\necho after", "after\n"),
    ("false || echo or; true && echo and; ! false && echo not", "or\nand\nnot\n"),
    ("v=abcdef; echo ${#v}", "6\n"),
    ("set_x() { X=inner; }; set_x; echo $X", "inner\n"),
]


@pytest.mark.parametrize(("script", "expected"), SCRIPTS)
def test_script_in_process(device, script, expected):
    result = device.shell(script)
    assert result.text == expected, result.text


def test_random_and_pid(device):
    a, b, pid = device.shell("echo $RANDOM $RANDOM $$").text.split()
    assert 0 <= int(a) < 32768 and 0 <= int(b) < 32768 and a != b
    assert int(pid) > 1000


@pytest.mark.parametrize("src", ["if true; then echo", "for i in 1; do", "case x in", "f() {", "echo 'open",
                                 "while true; do echo; done; if"])  # fmt: skip
def test_incomplete_input_is_told_apart(src):
    with pytest.raises(Incomplete):
        parse(src)


@pytest.mark.parametrize("src", ["fi", "then echo", "done", "echo a; esac"])
def test_misplaced_reserved_words_are_syntax_errors(src, device):
    with pytest.raises(ParseError):
        parse(src)
    assert "syntax error" in device.shell(src).text and device.shell(src).status != 0


def test_arithmetic_rejects_anything_but_arithmetic():
    with pytest.raises(ArithError):
        evaluate("__import__('os')", lambda n: "", lambda n, v: None)
    with pytest.raises(ArithError):
        evaluate("1 / 0", lambda n: "", lambda n, v: None)


def test_arithmetic_is_64_bit_and_cannot_blow_up():
    get, put = (lambda n: ""), (lambda n, v: None)
    assert evaluate("9223372036854775807 + 1", get, put) == -9223372036854775808
    assert evaluate("2 ** 64", get, put) == 0
    assert isinstance(evaluate("2 ** 10 ** 10 ** 10", get, put), int)  # modular: no huge number is ever built
    assert evaluate("1 << 64", get, put) == 1  # the shift count is taken mod 64


SCRIPT = "total=0; for i in 1 2 3 4; do if [ $((i % 2)) -eq 0 ]; then total=$((total + i)); fi; done; echo $total"


def test_scripts_through_adb_and_client_libraries(phone, dev):
    assert adb_in(phone, "shell", SCRIPT).stdout == b"6\n"
    assert dev.shell(SCRIPT) == "6"
    assert ppadb_device(phone).shell(SCRIPT) == "6\n"
    direct = adb_shell_device(phone)
    try:
        assert direct.shell(SCRIPT) == "6\n"
    finally:
        direct.close()


def test_a_piped_multiline_script_runs_whole_constructs(phone):
    script = b"for i in 1 2\ndo\n  echo $i\ndone\nf() {\n  echo fn\n}\nf\n"
    assert adb_in(phone, "shell", stdin=script).stdout == b"1\n2\nfn\n"
