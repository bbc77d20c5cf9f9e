"""Screenshots of an episode report and of a benchmark index, for the README, from a real run.

    python examples/report_screenshots.py [OUT_DIR]

runs the oracle on three benchmark tasks on simulated phones (into OUT_DIR, default a temporary folder),
opens the run's ``index.html`` and one episode's ``report.html`` in headless Chromium (Debian's ``chromium``,
or ``$CHROMIUM``) and writes ``examples/bench-index.png`` and ``examples/report.png``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from qwen2vl_agent.agent.cli import main

HERE = Path(__file__).resolve().parent
TASKS = "ContactsAddContact,SystemWifi,LauncherOpenApp"


def shoot(run: Path) -> None:
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 820})
        page.goto((run / "index.html").as_uri())
        page.screenshot(path=str(HERE / "bench-index.png"))
        episode = sorted((run / "trajectories").glob("ContactsAddContact-*"))[0]
        page.goto((episode / "report.html").as_uri())
        top = {"x": 0, "y": 0, "width": 1280, "height": 1300}  # the verdict, the timeline and the first steps
        page.screenshot(path=str(HERE / "report.png"), full_page=True, clip=top)
        browser.close()


def run(out: Path) -> int:
    argv = ["bench", "--tasks", TASKS, "--out", str(out), "--screen", "540x1200", "--density", "210", "-q"]
    code = main(argv)
    if code == 0:
        shoot(out)
    return code


if __name__ == "__main__":
    if len(sys.argv) > 1:
        sys.exit(run(Path(sys.argv[1])))
    with tempfile.TemporaryDirectory() as tmp:
        sys.exit(run(Path(tmp) / "run"))
