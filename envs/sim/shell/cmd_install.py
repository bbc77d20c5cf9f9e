"""``pm install`` / ``cmd package install`` (a file, or ``-S SIZE`` bytes streamed on stdin, as ``adb install``
sends them) and ``pm uninstall``, with pm's answers (``Success``, ``Failure [REASON]``)."""

from __future__ import annotations

from ..apk import ApkError, read_apk
from ..apps.installed import InstalledApp
from ..fs import FsError
from .interp import Proc

INSTALL_FLAGS = {"-r", "-t", "-g", "-d", "-f", "-l", "-k", "-s", "--user", "--dont-kill", "--fastdeploy",
                 "--staged", "--no-streaming", "--streaming", "--instant", "--full", "--bypass-low-target-sdk-block",
                 "-i", "--install-reason", "-p"}  # fmt: skip
WITH_VALUE = {"--user", "-i", "--install-reason", "-p", "-S"}


def apk_path(package: str) -> str:
    return f"/data/app/~~simX0AAAAAAAAAAAAAAAAAA==/{package}-simA0AAAAAAAAAAAAAAAAAA==/base.apk"


def install(p: Proc, args: list[str]) -> int:
    size, paths, it = None, [], iter(args)
    for a in it:
        if a == "-S":
            size = int(next(it, "0"))
        elif a in WITH_VALUE:
            next(it, None)
        elif a.startswith("-"):
            if a not in INSTALL_FLAGS:
                p.out(f"Error: Unknown option: {a}\n")
                return 1
        else:
            paths.append(a)
    try:
        data = p.read(size) if size is not None else p.fs.read(p.path(paths[0])) if paths else b""
    except FsError as e:
        p.err(f"Error: Can't open file: {paths[0]}\nException occurred while executing 'install':\n"
              f"java.lang.IllegalArgumentException: Error: Can't open file: {paths[0]} ({e})\n")  # fmt: skip
        return 1
    if size is None and not paths:
        p.err("Error: APK content must be streamed\n")
        return 1
    try:
        info = read_apk(data)
    except ApkError as e:
        p.out(f"Failure [{e}]\n")
        return 1
    p.device.install_app(InstalledApp(p.device, info), data, apk_path(info.package))
    p.out("Success\n")
    return 0


def uninstall(p: Proc, args: list[str]) -> int:
    packages = [a for a in args if not a.startswith("-")]
    app = p.device.apps.get(packages[-1]) if packages else None
    if app is None or not getattr(app, "installed", False):
        p.out("Failure [DELETE_FAILED_INTERNAL_ERROR]\n")
        return 1
    p.device.uninstall_app(app.package, keep_data="-k" in args)
    p.out("Success\n")
    return 0
