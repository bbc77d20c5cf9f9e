"""Child processes that die with the process that started them, however it ends (SIGKILL included).

On Linux the child asks the kernel for a parent-death signal (``prctl(PR_SET_PDEATHSIG, SIGKILL)``) and only
then execs the real program; the signal survives ``exec``. It is set by a tiny Python prelude run in the child
(``python -I -S -c ...``), not by a ``preexec_fn``, which is unsafe in a process with threads. The kernel
sends it when the child's parent *thread* ends, so ``spawn_tied`` forks from a keeper thread of its own that
lives exactly as long as the child (it waits for it): starting a server from a short-lived worker thread
does not kill it when that thread ends. Elsewhere the child is started as it is, without the tie.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from typing import Any

# argv: [owner pid, program, args...]. 1 is PR_SET_PDEATHSIG; 9 is SIGKILL.
_PRELUDE = (
    "import ctypes, os, sys\n"
    "if ctypes.CDLL(None, use_errno=True).prctl(1, 9, 0, 0, 0) != 0:\n"
    "    sys.exit('prctl(PR_SET_PDEATHSIG) failed')\n"
    "if os.getppid() != int(sys.argv[1]):\n"
    "    sys.exit(1)  # the owner died before the tie was made\n"
    "os.execvp(sys.argv[2], sys.argv[2:])\n"
)


def tied_argv(argv: list[str]) -> list[str]:
    """``argv`` behind the prelude that ties it to this process (``argv`` itself where that is not possible)."""
    if not sys.platform.startswith("linux") or not sys.executable:
        return list(argv)
    return [sys.executable, "-I", "-S", "-c", _PRELUDE, str(os.getpid()), *argv]


def spawn_tied(argv: list[str], **popen_kwargs: Any) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(argv, **popen_kwargs)`` for a child that is killed when this process dies."""
    box: list[subprocess.Popen[bytes] | BaseException] = []
    ready = threading.Event()

    def keep() -> None:
        try:
            proc = subprocess.Popen(tied_argv(argv), **popen_kwargs)
        except BaseException as e:  # handed to the caller below
            box.append(e)
            ready.set()
            return
        box.append(proc)
        ready.set()
        proc.wait()  # the kernel ties the child to this thread: it must not end before the child does

    threading.Thread(target=keep, name=f"keeper-{os.path.basename(argv[0])}", daemon=True).start()
    ready.wait()
    if isinstance(box[0], BaseException):
        raise box[0]
    return box[0]
