"""How much of the simulated phone works for clients nobody here wrote? Prints each check and a pass rate.

    python benchmarks/sim_clients.py [--timeout S] [--only SUBSTRING]

Each check is one operation a real client performs (the ``adb`` command line, adbutils, pure-python-adb
through the real adb server, adb-shell straight to the sim's adbd) and what a phone would answer. A check
that hangs past ``--timeout`` fails (its thread is left behind; the process exits at the end anyway).

Measured: 19/87 on the simulator as it was before logcat, stdin, the shell language, adbd's services, the
toybox commands, system services, formats and packages (commit ba7c506, run with that tree first on
PYTHONPATH); 86/87 after. The one left, ``ppadb get_top_activity``, takes the first ``ACTIVITY`` line of
``dumpsys activity top``, which on Android 10+ (and here) is the bottom task's: the client's assumption.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qwen2vl_agent.envs.sim import SimPhone
from qwen2vl_agent.envs.sim.transport.adbserver import adb_binary


@dataclass
class Ctx:
    phone: SimPhone
    tmp: Path

    def adb(self, *args: str, stdin: bytes | None = None, timeout: float = 15) -> subprocess.CompletedProcess:
        cmd = [adb_binary(), "-P", str(self.phone.adb_port), "-s", self.phone.serial, *args]
        env = {k: v for k, v in os.environ.items() if k != "ANDROID_SERIAL"}
        return subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout, env=env,
                              stdin=None if stdin is not None else subprocess.DEVNULL)  # fmt: skip

    def out(self, *args: str, stdin: bytes | None = None) -> str:
        return self.adb(*args, stdin=stdin).stdout.decode("utf-8", "replace")

    def adbutils(self):
        return self.phone.adb_device()

    def ppadb(self):
        from ppadb.client import Client

        return Client(host=self.phone.adb_host, port=self.phone.adb_port).device(self.phone.serial)

    def adb_shell(self):
        from adb_shell.adb_device import AdbDeviceTcp

        d = AdbDeviceTcp(self.phone.host, self.phone.port, default_transport_timeout_s=5.0)
        d.connect(rsa_keys=None, auth_timeout_s=0.2)
        return d


Check = Callable[[Ctx], bool]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return register


# ---------------------------------------------------------------- the adb command line


@check("adb shell echo")
def _(c: Ctx) -> bool:
    return c.out("shell", "echo hi") == "hi\n"


@check("adb logcat -d")
def _(c: Ctx) -> bool:
    c.adb("shell", "log -p i -t SimCheck hello-logcat")
    return "SimCheck: hello-logcat" in c.out("logcat", "-d")


@check("adb logcat -c then -d")
def _(c: Ctx) -> bool:
    c.adb("shell", "log -t SimCheck before")
    ok = c.adb("logcat", "-c").returncode == 0
    return ok and "before" not in c.out("logcat", "-d")


@check("adb logcat filter TAG:I *:S")
def _(c: Ctx) -> bool:
    c.adb("shell", "log -p i -t Keep kept; log -p i -t Drop dropped")
    out = c.out("logcat", "-d", "Keep:I", "*:S")
    return "kept" in out and "dropped" not in out


@check("adb logcat -v brief")
def _(c: Ctx) -> bool:
    c.adb("shell", "log -p w -t Brief text")
    return any(ln.startswith("W/Brief") for ln in c.out("logcat", "-d", "-v", "brief").splitlines())


@check("logcat shows app launch")
def _(c: Ctx) -> bool:
    c.adb("shell", "am start -n com.android.settings/.Settings")
    return "ActivityTaskManager: START u0" in c.out("logcat", "-d")


@check("echo hi | adb shell cat")
def _(c: Ctx) -> bool:
    return c.out("shell", "cat", stdin=b"hi\n") == "hi\n"


@check("adb shell 'cat > f' < file")
def _(c: Ctx) -> bool:
    c.adb("shell", "cat > /data/local/tmp/in.txt", stdin=b"payload\n")
    return c.out("shell", "cat /data/local/tmp/in.txt") == "payload\n"


@check("adb exec-in")
def _(c: Ctx) -> bool:
    c.adb("exec-in", "cat > /data/local/tmp/exec-in.txt", stdin=b"exec payload")
    return c.out("shell", "cat /data/local/tmp/exec-in.txt") == "exec payload"


@check("piped adb shell (no prompt)")
def _(c: Ctx) -> bool:
    return c.out("shell", stdin=b"echo one\necho two\n") == "one\ntwo\n"


@check("adb forward + connect")
def _(c: Ctx) -> bool:
    import socket

    port = c.out("forward", "tcp:0", "localabstract:sim-echo").strip()  # the sim's echo socket
    try:
        with socket.create_connection(("127.0.0.1", int(port)), timeout=3) as s:
            s.sendall(b"ping")
            s.settimeout(3)
            return s.recv(4) == b"ping"
    finally:
        c.adb("forward", "--remove-all")


@check("adb reverse --list")
def _(c: Ctx) -> bool:
    return c.adb("reverse", "--list").returncode == 0


@check("adb reverse tcp")
def _(c: Ctx) -> bool:
    ok = c.adb("reverse", "tcp:8081", "tcp:8081").returncode == 0
    listed = "tcp:8081" in c.out("reverse", "--list")
    return ok and listed and c.adb("reverse", "--remove-all").returncode == 0


@check("adb shell if/for/while")
def _(c: Ctx) -> bool:
    script = ("for i in 1 2 3; do if [ $i -eq 2 ]; then echo two; else echo $i; fi; done; "
              "n=0; while [ $n -lt 2 ]; do n=$((n+1)); done; echo $n")  # fmt: skip
    return c.out("shell", script) == "1\ntwo\n3\n2\n"


@check("adb shell case/function")
def _(c: Ctx) -> bool:
    script = 'f() { case "$1" in a*) echo A;; *) echo other;; esac; }; f abc; f xyz'
    return c.out("shell", script) == "A\nother\n"


@check("adb shell $RANDOM $$")
def _(c: Ctx) -> bool:
    a, b = c.out("shell", "echo $RANDOM $$").split()
    return a.isdigit() and b.isdigit() and int(b) > 1


for _name, _cmd, _want in [
    ("ps", "ps -A", "USER"), ("pidof", "pidof system_server", ""), ("which", "which ls", "/system/bin/ls"),
    ("sed", "echo hello | sed s/l/L/g", "heLLo"), ("awk", "echo 'a b c' | awk '{print $2}'", "b"),
    ("cut", "echo a:b:c | cut -d: -f2", "b"), ("sort", "printf 'b\\na\\n' | sort", "a\nb"),
    ("find", "find /sdcard -maxdepth 1 -name Download", "/sdcard/Download"),
    ("xargs", "echo /sdcard | xargs ls -d", "/sdcard"), ("stat", "stat -c %s /system/build.prop", ""),
    ("md5sum", "echo -n x | md5sum", "9dd4e461268c8034f5c8564e155c67a6"), ("base64", "echo -n hi | base64", "aGk="),
    ("uname", "uname -a", "Linux"), ("env", "env", "PATH="), ("df", "df /data", "Filesystem"),
    ("ln", "ln -s /system/build.prop /data/local/tmp/bp && cat /data/local/tmp/bp", "ro.product.model="),
    ("tee", "echo t | tee /data/local/tmp/t.txt", "t"), ("ip addr", "ip addr show wlan0", "inet "),
    ("ifconfig", "ifconfig wlan0", "inet addr:"), ("getevent -p", "getevent -p", "add device"),
    ("kill", "kill -0 1", ""), ("/dev/null", "cat /dev/null; ls /dev/null", "/dev/null"),
    ("/dev/zero", "head -c 4 /dev/zero | wc -c", "4"), ("/proc/meminfo", "cat /proc/meminfo", "MemTotal:"),
    ("/proc/cpuinfo", "cat /proc/cpuinfo", "processor"), ("/system/bin", "ls /system/bin", "sh"),
    ("dumpsys battery", "dumpsys battery", "level:"), ("dumpsys wifi", "dumpsys wifi", "Wi-Fi is"),
    ("dumpsys connectivity", "dumpsys connectivity", "NetworkAgentInfo"),
    ("dumpsys meminfo", "dumpsys meminfo", "Total RAM"), ("dumpsys cpuinfo", "dumpsys cpuinfo", "Load:"),
    ("dumpsys notification", "dumpsys notification", "NotificationRecord"),
    ("dumpsys deviceidle", "dumpsys deviceidle", "mState="), ("cmd wifi status", "cmd wifi status", "Wifi is"),
    ("cmd connectivity", "cmd connectivity airplane-mode", "disabled"),
    ("am stack list", "am stack list", "taskId="), ("pm list features", "pm list features", "feature:"),
    ("pm list users", "pm list users", "UserInfo{0:"),
    ("getprop abilist", "getprop ro.product.cpu.abilist", "arm64-v8a"), ("getprop hardware", "getprop ro.hardware", ""),
    ("getprop security_patch", "getprop ro.build.version.security_patch", "-"),
    ("screenrecord absent", "screenrecord /sdcard/x.mp4", "not found"),
    ("dumpsys window displays", "dumpsys window displays", "WINDOW MANAGER DISPLAY CONTENTS (dumpsys window displays)"),
]:  # fmt: skip

    def _shell_check(c: Ctx, cmd: str = _cmd, want: str = _want) -> bool:
        res = c.adb("shell", cmd)
        text = (res.stdout + res.stderr).decode("utf-8", "replace")
        if want == "not found":
            return res.returncode == 127 and "inaccessible or not found" in text
        return res.returncode == 0 and want in text and "inaccessible" not in text

    CHECKS[f"shell {_name}"] = _shell_check


@check("app pid in /proc")
def _(c: Ctx) -> bool:
    c.adb("shell", "am start -n com.android.settings/.Settings")
    pid = c.out("shell", "pidof com.android.settings").strip()
    return pid.isdigit() and "com.android.settings" in c.out("shell", f"cat /proc/{pid}/cmdline")


@check("adb reboot")
def _(c: Ctx) -> bool:
    return c.adb("reboot").returncode == 0 and c.adb("wait-for-device", timeout=30).returncode == 0


@check("screencap -p RGBA")
def _(c: Ctx) -> bool:
    import io

    from PIL import Image

    return Image.open(io.BytesIO(c.adb("exec-out", "screencap -p").stdout)).mode == "RGBA"


@check("adb install apk")
def _(c: Ctx) -> bool:
    apk = c.tmp / "check.apk"
    if not apk.exists():
        return False
    ok = c.adb("install", str(apk)).returncode == 0
    return ok and "package:org.example.check" in c.out("shell", "pm list packages")


# ---------------------------------------------------------------- client libraries


@check("adbutils shell")
def _(c: Ctx) -> bool:
    return c.adbutils().shell("echo hi") == "hi"


@check("adbutils push/pull")
def _(c: Ctx) -> bool:
    d = c.adbutils()
    d.sync.push(b"abc", "/data/local/tmp/u.txt")
    return d.sync.read_bytes("/data/local/tmp/u.txt") == b"abc"


@check("adbutils framebuffer")
def _(c: Ctx) -> bool:
    return c.adbutils().framebuffer().size == (1080, 2400)


@check("adbutils logcat")
def _(c: Ctx) -> bool:
    d = c.adbutils()
    d.shell("log -t AU hello")
    return "hello" in d.shell("logcat -d -s AU")


@check("adbutils forward_list")
def _(c: Ctx) -> bool:
    d = c.adbutils()
    d.forward("tcp:0", "tcp:7912")
    ok = any(f.remote == "tcp:7912" for f in d.forward_list())
    c.adb("forward", "--remove-all")
    return ok


@check("adbutils reverse_list")
def _(c: Ctx) -> bool:
    return isinstance(c.adbutils().reverse_list(), list)


@check("adbutils app_current")
def _(c: Ctx) -> bool:
    d = c.adbutils()
    d.app_start("com.android.settings")
    return d.app_current().package == "com.android.settings"


@check("adbutils getprop/packages")
def _(c: Ctx) -> bool:
    d = c.adbutils()
    return d.prop.model == "SimPhone" and "com.android.settings" in d.list_packages()


@check("adbutils shell2 status")
def _(c: Ctx) -> bool:
    return c.adbutils().shell2("ls /nope").returncode == 1


@check("ppadb shell")
def _(c: Ctx) -> bool:
    return c.ppadb().shell("echo hi") == "hi\n"


@check("ppadb push/pull")
def _(c: Ctx) -> bool:
    d = c.ppadb()
    src, dst = c.tmp / "pp.txt", c.tmp / "pp-back.txt"
    src.write_bytes(b"ppadb")
    d.push(str(src), "/data/local/tmp/pp.txt")
    d.pull("/data/local/tmp/pp.txt", str(dst))
    return dst.read_bytes() == b"ppadb"


@check("ppadb screencap")
def _(c: Ctx) -> bool:
    return c.ppadb().screencap()[:4] == b"\x89PNG"


@check("ppadb list packages")
def _(c: Ctx) -> bool:
    return "com.android.settings" in c.ppadb().list_packages()


@check("ppadb get_top_activity")
def _(c: Ctx) -> bool:
    d = c.ppadb()
    d.shell("am start -n com.android.settings/.Settings")
    top = d.get_top_activity()
    return top is not None and top.package == "com.android.settings"


@check("ppadb get_pid")
def _(c: Ctx) -> bool:
    d = c.ppadb()
    d.shell("am start -n com.android.settings/.Settings")
    return str(d.get_pid("com.android.settings")).isdigit()


@check("ppadb logcat")
def _(c: Ctx) -> bool:
    d = c.ppadb()
    d.shell("log -t PP hello")
    return "hello" in d.shell("logcat -d -s PP")


@check("ppadb install")
def _(c: Ctx) -> bool:
    apk = c.tmp / "check.apk"
    return apk.exists() and c.ppadb().install(str(apk)) is True


@check("adb-shell shell")
def _(c: Ctx) -> bool:
    d = c.adb_shell()
    try:
        return d.shell("echo hi") == "hi\n"
    finally:
        d.close()


@check("adb-shell two shells")
def _(c: Ctx) -> bool:
    d = c.adb_shell()
    try:
        return d.shell("echo a") == "a\n" and d.shell("echo b") == "b\n"
    finally:
        d.close()


@check("adb-shell push/pull")
def _(c: Ctx) -> bool:
    d = c.adb_shell()
    src, dst = c.tmp / "as.txt", c.tmp / "as-back.txt"
    src.write_bytes(b"adb-shell")
    try:
        d.push(str(src), "/data/local/tmp/as.txt")
        d.pull("/data/local/tmp/as.txt", str(dst))
        return dst.read_bytes() == b"adb-shell"
    finally:
        d.close()


@check("adb-shell stat/list")
def _(c: Ctx) -> bool:
    d = c.adb_shell()
    try:
        _mode, size, _mtime = d.stat("/system/build.prop")
        return size > 0 and any(f.filename == b"Download" for f in d.list("/sdcard"))
    finally:
        d.close()


@check("adb-shell exec_out")
def _(c: Ctx) -> bool:
    d = c.adb_shell()
    try:
        return d.exec_out("echo x") == "x\n"
    finally:
        d.close()


@check("adb-shell streaming_shell")
def _(c: Ctx) -> bool:
    d = c.adb_shell()
    try:
        return "".join(d.streaming_shell("echo a; echo b")) == "a\nb\n"
    finally:
        d.close()


@check("adb-shell root")
def _(c: Ctx) -> bool:
    d = c.adb_shell()
    try:
        d.root()
        return True
    finally:
        d.close()


def build_apk(tmp: Path) -> None:
    """A minimal APK for the install checks (skipped when the helper is missing)."""
    try:
        from qwen2vl_agent.envs.sim.apk import build_minimal_apk
    except ImportError:
        return
    (tmp / "check.apk").write_bytes(build_minimal_apk("org.example.check", "Check App", ".MainActivity"))


def run_check(fn: Check, ctx: Ctx, timeout: float) -> str:
    box: list[str] = []

    def target() -> None:
        try:
            box.append("pass" if fn(ctx) else "fail")
        except Exception as e:  # a failing client call is a failed check
            box.append(f"error: {type(e).__name__}: {str(e)[:80]}")

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(timeout)
    return box[0] if box else "hang"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    passed = total = 0
    with SimPhone(seed=0) as phone, tempfile.TemporaryDirectory() as tmp:
        ctx = Ctx(phone, Path(tmp))
        build_apk(ctx.tmp)
        for name, fn in CHECKS.items():
            if args.only not in name:
                continue
            phone.reset(seed=0)
            outcome = run_check(fn, ctx, args.timeout)
            total += 1
            passed += outcome == "pass"
            print(f"{outcome[:100]:<60} {name}", flush=True)
    print(f"\npass rate: {passed}/{total} = {passed / max(total, 1):.0%}")
    sys.stdout.flush()
    os._exit(0)  # threads of hung checks must not keep the process alive


if __name__ == "__main__":
    main()
