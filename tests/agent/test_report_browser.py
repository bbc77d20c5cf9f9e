"""The episode report and the benchmark index in a real headless Chromium, from a real run: they load from
disk with no console errors, every image loads, the screenshot of the page is not blank, the timeline is
built and a screenshot enlarges when clicked; and the same checks fail on a page with a broken image."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest

from qwen2vl_agent.agent.loop import LoopConfig, run_episode
from qwen2vl_agent.agent.policy import QwenPolicy
from qwen2vl_agent.agent.prompt_log import PromptLog
from qwen2vl_agent.agent.recorder import TrajectoryRecorder
from qwen2vl_agent.envs import FakeEnv
from qwen2vl_agent.model import ScriptedModel

from .browser import browser, load  # noqa: F401  (the fixture)

REPLIES = [
    'Open it.\n✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [250, 750]}',
    'Scroll.\n✿FUNCTION✿: Swipe\n✿ARGS✿: {"start": [500, 800], "end": [500, 200]}',
    'Type.\n✿FUNCTION✿: Type\n✿ARGS✿: {"text": "hello"}',
    '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}',
]


@pytest.fixture(scope="module")
def episode(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("episode")
    env = FakeEnv()
    policy = QwenPolicy(ScriptedModel(REPLIES), env.action_space)
    hooks = [TrajectoryRecorder(out), PromptLog(policy, out)]
    run_episode(env, policy, "Open it, scroll and type", LoopConfig(max_steps=10), hooks)
    return out


def _enlarge(page) -> None:
    shot = page.locator(".shot").first
    before = shot.bounding_box()["width"]
    shot.click()
    after = shot.bounding_box()["width"]
    assert after > 2 * before, (before, after)
    page.locator(".shot").first.click()  # and back


def test_the_episode_report_loads_whole_in_a_browser(browser, episode: Path) -> None:  # noqa: F811
    seen = load(browser, episode / "report.html", then=_enlarge)
    assert seen.errors == [] and seen.broken_images == []
    assert seen.images == 5  # four steps and the animation
    assert not seen.blank()


def _open_the_mp4(page) -> None:
    link = page.locator('a[href="episode.mp4"]')
    assert link.count() == 1
    href = link.evaluate("a => a.href")  # as the browser resolves it, against the page's own URL
    target = Path(url2pathname(urlparse(href).path))
    assert target.is_file() and target.read_bytes()[4:8] == b"ftyp"  # the MP4 beside the page, not a dead link


def test_the_report_links_the_mp4_and_the_link_resolves(browser, episode: Path) -> None:  # noqa: F811
    pytest.importorskip("imageio_ffmpeg")
    seen = load(browser, episode / "report.html", then=_open_the_mp4)
    assert seen.errors == []


def test_the_timeline_has_a_segment_per_step(browser, episode: Path) -> None:  # noqa: F811
    counted = []
    load(browser, episode / "report.html", then=lambda p: counted.append(p.locator("#timeline a").count()))
    assert counted == [4]


def test_a_broken_image_is_caught(browser, episode: Path, tmp_path: Path) -> None:  # noqa: F811
    page = tmp_path / "report.html"
    page.write_text((episode / "report.html").read_text().replace('src="step_001.png"', 'src="step_missing.png"'))
    for png in episode.glob("*.png"):
        (tmp_path / png.name).write_bytes(png.read_bytes())
    (tmp_path / "episode.gif").write_bytes((episode / "episode.gif").read_bytes())
    seen = load(browser, page)
    assert seen.broken_images and seen.broken_images[0].endswith("step_missing.png")
    assert any("step_missing.png" in e or "ERR_FILE_NOT_FOUND" in e for e in seen.errors)


def test_a_script_error_is_caught(browser, episode: Path, tmp_path: Path) -> None:  # noqa: F811
    page = tmp_path / "report.html"
    page.write_text((episode / "report.html").read_text().replace("<body>", "<body><script>nope()</script>", 1))
    assert any("nope" in e for e in load(browser, page).errors)


def test_a_blank_page_is_caught(browser, tmp_path: Path) -> None:  # noqa: F811
    (tmp_path / "blank.html").write_text("<!doctype html><html><body></body></html>")
    assert load(browser, tmp_path / "blank.html").blank()


def test_the_benchmark_index_links_every_episode(browser, tmp_path: Path) -> None:  # noqa: F811
    from qwen2vl_agent.agent.cli import main

    out = tmp_path / "run"
    tasks = "LauncherOpenApp,SystemWifi"
    assert main(["bench", "--tasks", tasks, "--out", str(out), "--screen", "540x1200", "--density", "210", "-q"]) == 0
    links: list[str] = []
    seen = load(browser, out / "index.html", then=lambda p: links.extend(p.eval_on_selector_all(
        "a", "as => as.map(a => a.href)")))  # fmt: skip
    assert seen.errors == [] and not seen.blank()
    assert len(links) == 2 and all(link.endswith("/report.html") for link in links)
    for link in links:
        episode = load(browser, Path(link.removeprefix("file://")))
        assert episode.errors == [] and episode.broken_images == [] and episode.images >= 2
