"""What the kernel makes up on each read: ``/proc`` (processes from the device's table, meminfo, cpuinfo...)
and ``/dev/zero``/``/dev/urandom``. ``source(device)`` is the file system's ``virtual`` callback."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .ports import Phone
    from .procs import Process

MEM_TOTAL_KB = 7_818_236
CORES = 8
CPU_PARTS = ["0xd05"] * 6 + ["0xd41"] * 2  # Cortex-A55 x6, Cortex-A78 x2
STATIC = ("meminfo", "cpuinfo", "version", "uptime", "loadavg", "filesystems", "mounts")


def meminfo() -> str:
    rows = [("MemTotal", MEM_TOTAL_KB), ("MemFree", 402_112), ("MemAvailable", 3_511_420), ("Buffers", 10_460),
            ("Cached", 3_205_332), ("SwapCached", 18_920), ("Active", 2_741_012), ("Inactive", 2_502_588),
            ("SwapTotal", 4_194_300), ("SwapFree", 3_642_196), ("Dirty", 264), ("Shmem", 24_608),
            ("Slab", 310_312), ("VmallocTotal", 263_061_440), ("CmaTotal", 204_800)]  # fmt: skip
    return "".join(f"{k + ':':<16}{v:>8} kB\n" for k, v in rows)


def cpuinfo() -> str:
    features = "fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp"
    blocks = [f"processor\t: {i}\nBogoMIPS\t: 52.00\nFeatures\t: {features}\nCPU implementer\t: 0x41\n"
              f"CPU architecture: 8\nCPU variant\t: 0x1\nCPU part\t: {part}\nCPU revision\t: 0\n"
              for i, part in enumerate(CPU_PARTS)]  # fmt: skip
    return "\n".join(blocks) + "\nHardware\t: Simulated SoC\n"


def _static(name: str, device: Phone) -> str:
    uptime = device.clock.now() - device.clock.start + 3600.0
    texts = {
        "meminfo": meminfo,
        "cpuinfo": cpuinfo,
        "version": lambda: "Linux version 5.10.157-android13-4-00001-g5c2b2d5a1b6c (build-user@build-host) "
                           "(Android (8508608, based on r450784e) clang version 14.0.7) #1 SMP PREEMPT\n",
        "uptime": lambda: f"{uptime:.2f} {uptime * 6.5:.2f}\n",
        "loadavg": lambda: "1.02 0.87 0.79 2/1843 4980\n",
        "filesystems": lambda: "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\n\text4\n\tf2fs\nnodev\tfuse\n",
        "mounts": lambda: "/dev/block/dm-5 / ext4 ro,seclabel,relatime 0 0\n/dev/block/dm-48 /data f2fs "
                          "rw,lazytime,seclabel,nosuid,nodev,noatime 0 0\nproc /proc proc rw,relatime 0 0\n",
    }  # fmt: skip
    return texts[name]()


def _process(proc: Process, leaf: str) -> bytes | list[str] | None:
    comm = proc.name.rsplit("/", 1)[-1][:15]
    files: dict[str, Callable[[], bytes | list[str]]] = {
        "cmdline": lambda: proc.name.encode() + b"\0" if not proc.name.startswith("[") else b"",
        "comm": lambda: f"{comm}\n".encode(),
        "stat": lambda: (
            f"{proc.pid} ({comm}) {proc.state} {proc.ppid} {proc.pid} 0 0 -1 1077952832 12345 0 12 0 "
            f"{proc.pid % 97 * 3} {proc.pid % 31} 0 0 20 0 23 0 1234 {proc.vsz * 1024} {proc.rss // 4}\n"
        ).encode(),
        "status": lambda: (
            f"Name:\t{comm}\nState:\t{proc.state} (sleeping)\nTgid:\t{proc.pid}\nPid:\t{proc.pid}\n"
            f"PPid:\t{proc.ppid}\nVmRSS:\t{proc.rss:>8} kB\nThreads:\t23\n"
        ).encode(),
        "task": lambda: [str(proc.pid)],
    }
    if leaf == "":
        return list(files)
    return files[leaf]() if leaf in files else None


def source(device: Phone) -> Callable[[str], bytes | list[str] | None]:
    """The file system's ``virtual`` callback for ``device`` (called with a normalised path, lock held)."""

    def read(path: str) -> bytes | list[str] | None:
        if path in ("/dev/zero", "/dev/urandom", "/dev/random"):
            return bytes(1 << 16) if path == "/dev/zero" else random.Random(device.clock.now()).randbytes(1 << 16)
        parts = path.split("/")[2:]  # below /proc
        if not parts:
            return [*STATIC, "self", *(str(p.pid) for p in device.procs.all())]
        head, leaf = parts[0], "/".join(parts[1:])
        if head in STATIC and not leaf:
            return _static(head, device).encode()
        if head == "self":
            head = str(device.procs.by_name("adbd")[0].pid)
        proc = device.procs.by_pid(int(head)) if head.isdigit() else None
        if proc is None:
            return None
        if leaf.startswith("task/"):
            return _process(proc, "") if leaf == f"task/{proc.pid}" else None
        return _process(proc, leaf)

    return read
