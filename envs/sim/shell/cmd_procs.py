"""Processes and the machine, as toybox prints them: ps, pidof, kill, uname, df, ip, ifconfig, getevent, uptime,
nproc. Formats follow toybox (``ps``: ``USER PID PPID VSZ RSS WCHAN ADDR S NAME``)."""

from __future__ import annotations

from ..procs import Process
from .interp import CommandFn, Proc, registrar

COMMANDS: dict[str, CommandFn] = {}
command = registrar(COMMANDS)

PS_ROW = "{:<10} {:>5} {:>5} {:>8} {:>6} {:<20} {:>4} {} {}"
MAC = "02:00:00:44:55:66"
IPV4, IPV6 = "10.0.2.16", "fe80::ff:fe44:5566"
SIGNALS = {"HUP": 1, "INT": 2, "QUIT": 3, "KILL": 9, "USR1": 10, "SEGV": 11, "USR2": 12, "TERM": 15, "STOP": 19,
           "CONT": 18}  # fmt: skip


def _row(proc: Process) -> str:
    return PS_ROW.format(proc.user, proc.pid, proc.ppid, proc.vsz, proc.rss, proc.wchan, 0, proc.state, proc.name)


@command("ps")
def ps(p: Proc, args: list[str]) -> int:
    """``ps`` alone lists this session's processes (the shell and ps), ``-A``/``-e`` all of them."""
    everything = any(a in ("-A", "-e", "-ef", "-Af", "-ax", "aux") for a in args)
    names = [a for a in args if not a.startswith("-")]
    procs = p.device.procs.all()
    shell_pid = p.shell.pid
    session = [Process(shell_pid, 602, "root", "sh", 10_905_728, 3_804, "__do_sys_rt_sigsuspend"),
               Process(shell_pid + 1, shell_pid, "root", "ps", 10_916_364, 3_688, "0", "R")]  # fmt: skip
    chosen = procs + session if everything else session
    if names:
        chosen = [x for x in procs + session if x.name in names or str(x.pid) in names]
    p.out(PS_ROW.format("USER", "PID", "PPID", "VSZ", "RSS", "WCHAN", "ADDR", "S", "NAME") + "\n")
    p.out("".join(_row(x) + "\n" for x in chosen))
    return 0


@command("pidof")
def pidof(p: Proc, args: list[str]) -> int:
    names = [a for a in args if not a.startswith("-")]
    pids = [str(x.pid) for name in names for x in p.device.procs.by_name(name)]
    if "sh" in names:
        pids.append(str(p.shell.pid))
    if not pids:
        return 1
    p.out(" ".join(sorted(pids, key=int, reverse=True)) + "\n")
    return 0


@command("kill", "killall")
def kill(p: Proc, args: list[str]) -> int:
    signal, targets = 15, []
    for a in args:
        if a == "-l":
            p.out(" ".join(SIGNALS) + "\n")
            return 0
        if a.startswith("-") and len(a) > 1:
            name = a[1:].removeprefix("SIG").upper()
            signal = int(name) if name.isdigit() else SIGNALS.get(name, -1)
            if signal < 0:
                return p.fail(f"{p.name}: Unknown signal '{a[1:]}'")
        else:
            targets.append(a)
    status = 0
    for t in targets:
        procs = p.device.procs.by_name(t) if p.name.endswith("killall") else (
            [x] if t.isdigit() and (x := p.device.procs.by_pid(int(t))) else [])  # fmt: skip
        if not procs:
            status = p.fail(f"{p.name}: {t}: No such process")
            continue
        for proc in procs:
            if signal in (9, 15, 2, 1) and proc.name in p.device.apps:
                p.device.wm.force_stop(proc.name)  # an app's process dies with its activities
    return status


@command("uname")
def uname(p: Proc, args: list[str]) -> int:
    fields = {"s": "Linux", "n": "localhost", "r": "5.10.157-android13-4-00001-g5c2b2d5a1b6c",
              "v": "#1 SMP PREEMPT Mon Oct 14 12:00:00 UTC 2024", "m": "aarch64", "o": "Toybox"}  # fmt: skip
    letters = "".join(a[1:] for a in args if a.startswith("-")) or "s"
    order = "snrvmo" if "a" in letters else "".join(c for c in "snrvmo" if c in letters)
    p.out(" ".join(fields[c] for c in order) + "\n")
    return 0


DF = [("/dev/block/dm-5", 2_021_228, 2_013_324, "/"), ("tmpfs", 3_909_116, 1_304, "/dev"),
      ("/dev/block/dm-48", 113_229_196, 18_204_716, "/data"),
      ("/dev/fuse", 113_229_196, 18_204_716, "/storage/emulated")]  # fmt: skip


def _human(kb: int) -> str:
    for unit in "KMGT":
        if kb < 1024 or unit == "T":
            return f"{kb:.1f}{unit}" if kb < 10 and unit != "K" else f"{kb:.0f}{unit}"
        kb /= 1024  # type: ignore[assignment]
    return str(kb)


@command("df")
def df(p: Proc, args: list[str]) -> int:
    human = "-h" in args
    wanted = [p.fs.norm(p.path(a)) for a in args if not a.startswith("-")]
    rows = DF
    if wanted:
        rows = [max((r for r in DF if w == r[3] or w.startswith(r[3].rstrip("/") + "/")), key=lambda r: len(r[3]))
                for w in wanted]  # fmt: skip
    head = "Size  Used Avail" if human else "1K-blocks     Used Available"
    p.out(f"Filesystem            {head} Use% Mounted on\n")
    for fs, size, used, mount in rows:
        avail, pct = size - used, f"{used * 100 // size}%"
        if human:
            p.out(f"{fs:<21} {_human(size):>4} {_human(used):>5} {_human(avail):>5} {pct:>4} {mount}\n")
        else:
            p.out(f"{fs:<21} {size:>9} {used:>8} {avail:>9} {pct:>4} {mount}\n")
    return 0


def _interfaces(p: Proc) -> list[str]:
    wifi = p.device.settings.on("global", "wifi_on") and not p.device.settings.on("global", "airplane_mode_on")
    return ["lo", "wlan0"] if wifi else ["lo"]


@command("ip")
def ip(p: Proc, args: list[str]) -> int:
    words = [a for a in args if not a.startswith("-")]
    obj = words[0] if words else ""
    if obj in ("addr", "address", "a", "link", "l"):
        only = words[words.index("dev") + 1] if "dev" in words else (words[2] if len(words) > 2 else None)
        names = [n for n in _interfaces(p) if only in (None, n)]
        if only and not names:
            return p.fail(f'Device "{only}" does not exist.')
        link = obj in ("link", "l")
        for i, name in enumerate(names, 1):
            p.out(_ip_block(i, name, link))
        return 0
    if obj in ("route", "r"):
        if "wlan0" in _interfaces(p):
            p.out("10.0.2.0/24 dev wlan0 proto kernel scope link src 10.0.2.16\n")
        return 0
    return p.fail(f'Object "{obj}" is unknown, try "ip help".', 255) if obj else p.fail("Usage: ip OBJECT", 255)


def _ip_block(i: int, name: str, link_only: bool) -> str:
    if name == "lo":
        head = "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n"
        body = "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
        addr = "    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n"
    else:
        head = (f"{i}: {name}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default "
                "qlen 3000\n")  # fmt: skip
        body = f"    link/ether {MAC} brd ff:ff:ff:ff:ff:ff\n"
        forever = "       valid_lft forever preferred_lft forever\n"
        addr = (
            f"    inet {IPV4}/24 brd 10.0.2.255 scope global wlan0\n{forever}    inet6 {IPV6}/64 scope link\n{forever}"
        )
    return head + body + ("" if link_only else addr)


@command("ifconfig")
def ifconfig(p: Proc, args: list[str]) -> int:
    names = [a for a in args if not a.startswith("-")] or _interfaces(p)
    for name in names:
        if name not in _interfaces(p):
            return p.fail(f"ifconfig: {name}: No such device")
        if name == "lo":
            p.out("lo        Link encap:Local Loopback\n          inet addr:127.0.0.1  Mask:255.0.0.0\n"
                  "          UP LOOPBACK RUNNING  MTU:65536  Metric:1\n\n")  # fmt: skip
        else:
            p.out(f"wlan0     Link encap:Ethernet  HWaddr {MAC}  Driver virt_wifi\n"
                  f"          inet addr:{IPV4}  Bcast:10.0.2.255  Mask:255.255.255.0\n"
                  f"          inet6 addr: {IPV6}/64 Scope: Link\n"
                  "          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1\n"
                  "          RX packets:5213 errors:0 dropped:0 overruns:0 frame:0\n"
                  "          TX packets:3100 errors:0 dropped:0 overruns:0 carrier:0\n\n")  # fmt: skip
    return 0


DEVICES = [
    ("/dev/input/event0", "Power Button", ["KEY (0001): 0074"]),
    ("/dev/input/event1", "gpio-keys", ["KEY (0001): 0072  0073"]),
    ("/dev/input/event2", "sim_touchscreen", [
        "KEY (0001): 014a", "ABS (0003): 002f  : value 0, min 0, max 9, fuzz 0, flat 0, resolution 0",
        "             0035  : value 0, min 0, max {w}, fuzz 0, flat 0, resolution 0",
        "             0036  : value 0, min 0, max {h}, fuzz 0, flat 0, resolution 0",
        "             0039  : value 0, min 0, max 65535, fuzz 0, flat 0, resolution 0"]),
]  # fmt: skip
LABELS = {"0074": "KEY_POWER", "0072": "KEY_VOLUMEDOWN", "0073": "KEY_VOLUMEUP", "014a": "BTN_TOUCH",
          "002f": "ABS_MT_SLOT", "0035": "ABS_MT_POSITION_X", "0036": "ABS_MT_POSITION_Y",
          "0039": "ABS_MT_TRACKING_ID", "0001": "EV_KEY", "0003": "EV_ABS"}  # fmt: skip


@command("getevent")
def getevent(p: Proc, args: list[str]) -> int:
    """``getevent -p``/``-l``/``-pl``: the input devices and what they report (events are not streamed)."""
    letters = "".join(a[1:] for a in args if a.startswith("-"))
    w, h = (v - 1 for v in p.device.physical_size)
    p.out(f"add device {len(DEVICES)}: {DEVICES[-1][0]}\n" if "p" not in letters else "")
    if "p" not in letters:
        for i, (path, name, _) in enumerate(DEVICES, 1):
            p.out(f'add device {i}: {path}\n  name:     "{name}"\n')
        return 0
    for i, (path, name, caps) in enumerate(DEVICES, 1):
        p.out(f'add device {i}: {path}\n  name:     "{name}"\n  events:\n')
        for cap in caps:
            line = cap.format(w=w, h=h)
            if "l" in letters:
                for code, label in LABELS.items():
                    line = line.replace(f" {code} ", f" {label} ").replace(f"({code})", f"({label})")
                    line = line.replace(f" {code}", f" {label}") if line.endswith(code) else line
            p.out(f"    {line}\n")
        p.out("  input props:\n    INPUT_PROP_DIRECT\n" if "touch" in name else "  input props:\n    <none>\n")
    return 0


@command("uptime")
def uptime(p: Proc, args: list[str]) -> int:
    up = int(p.device.clock.now() - p.device.clock.start + 3600)
    p.out(f" {p.device.clock.text('%H:%M:%S')} up {up // 3600}:{up % 3600 // 60:02d},  0 users,  "
          "load average: 1.02, 0.87, 0.79\n")  # fmt: skip
    return 0


@command("nproc")
def nproc(p: Proc, args: list[str]) -> int:
    p.out("8\n")
    return 0
