"""What the episode report draws and links (swipe arrows, typed text, the prompt of each step, the timeline,
the animation), and the live views on a terminal."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from qwen2vl_agent.agent import animation, report
from qwen2vl_agent.agent.bench import EpisodeRecord
from qwen2vl_agent.agent.cli import main as cli_main
from qwen2vl_agent.agent.console import ConsoleView
from qwen2vl_agent.agent.live import BenchView, RichView, live_view
from qwen2vl_agent.agent.loop import LoopConfig, run_episode
from qwen2vl_agent.agent.policy import QwenPolicy
from qwen2vl_agent.agent.prompt_log import PromptLog
from qwen2vl_agent.agent.recorder import TrajectoryRecorder
from qwen2vl_agent.envs import FakeEnv
from qwen2vl_agent.model import ScriptedModel
from qwen2vl_agent.model.streaming import TokenObserver

TAP = '✿FUNCTION✿: Tap\n✿ARGS✿: {"point": [250, 750]}'
SWIPE = '✿FUNCTION✿: Swipe\n✿ARGS✿: {"start": [500, 800], "end": [500, 200]}'
TYPE = '✿FUNCTION✿: Type\n✿ARGS✿: {"text": "hello <world>"}'
DONE = '✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}'


def _episode(out: Path, replies: list[str], hooks: tuple = ()) -> None:
    env = FakeEnv()
    policy = QwenPolicy(ScriptedModel(replies), env.action_space)
    recorder = TrajectoryRecorder(out)
    run_episode(env, policy, "swipe then type", LoopConfig(max_steps=10), [recorder, PromptLog(policy, out), *hooks])


def test_the_report_draws_swipes_and_typed_text_and_shows_each_prompt(tmp_path: Path) -> None:
    _episode(tmp_path, ["Scroll.\n" + SWIPE, "Type.\n" + TYPE, DONE])
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.count("<line ") == 1 and 'marker-end="url(#head)"' in html  # the swipe, as an arrow
    assert "⌨ hello &lt;world&gt;</text>" in html  # the typed text, escaped, drawn on the screenshot
    assert html.count("<details><summary>prompt (") == 3
    assert "&lt;image 1080x2400&gt;" in html and "swipe then type" in html
    second = report.read_prompt(tmp_path, 1)
    assert second is not None and "Scroll." in second  # step 1's prompt holds step 0's reply
    assert not (tmp_path / "prompt_003.txt").exists()  # no prompt for a step that never ran
    assert [f'id="step-{i}"' in html for i in range(3)] == [True] * 3  # the timeline's anchors
    assert html == report.write_report(tmp_path).read_text(encoding="utf-8")  # one page, however rendered


def test_a_finished_episode_links_its_animation(tmp_path: Path) -> None:
    _episode(tmp_path, [TAP, SWIPE, DONE])
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f'src="{animation.GIF}"' in html
    with Image.open(tmp_path / animation.GIF) as gif:
        assert gif.n_frames >= 3 and gif.width == animation.FRAME_WIDTH  # the steps (identical frames merge)
        gif.seek(0)
        x, y, frame = 270 * 320 // 1080, 1800 * 320 // 1080, gif.convert("RGB")
        around = [frame.getpixel((x + dx, y + dy)) for dx in range(-20, 21) for dy in range(-20, 21)]
        assert any(r > 180 and g < 80 and b < 80 for r, g, b in around)  # the tap's red ring, on the frame


def test_no_screenshots_means_no_animation_and_no_link(tmp_path: Path) -> None:
    _episode(tmp_path, [TAP, DONE])
    for png in tmp_path.glob("*.png"):
        png.unlink()
    report.finish_report(tmp_path)
    assert not (tmp_path / animation.GIF).exists()
    assert animation.GIF not in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_a_running_page_never_names_the_animation(tmp_path: Path) -> None:
    (tmp_path / "meta.json").write_text('{"task": "x"}')
    (tmp_path / animation.GIF).write_bytes(b"GIF89a")  # left by an earlier episode
    assert animation.GIF not in report.write_report(tmp_path).read_text(encoding="utf-8")


# ---------------------------------------------------------------- live views


def test_off_a_terminal_the_live_view_is_the_plain_one() -> None:
    with live_view(io.StringIO(), 5) as view:
        assert type(view) is ConsoleView
    with live_view(None, 5) as view:
        assert view is None


def test_the_rich_view_shows_each_step_with_its_timings_and_the_bar(tmp_path: Path) -> None:
    out = io.StringIO()
    with RichView(out, 10, force_terminal=True) as view:
        _episode(tmp_path, [TAP, DONE], (view,))
    text = out.getvalue()
    assert "Tap" in text and "-> [270, 1800]" in text  # the call and the point it was mapped to
    assert "act " in text and "observe " in text  # the step's timings
    assert "steps" in text and "the model is thinking" in text  # the bar and the status line were drawn
    assert "success: the agent" in text or "success:" in text


def test_the_rich_view_counts_tokens_on_the_status_line_until_the_step_ends() -> None:
    out = io.StringIO()
    with RichView(out, 10, force_terminal=True) as view:
        assert isinstance(view, TokenObserver)
        view.on_start("t", FakeEnv().reset())
        view.on_tokens(1, 0.0)  # the first token: a count, no rate yet
        view.progress.refresh()
        first = out.getvalue()
        view.on_tokens(57, 2.0)
        view.progress.refresh()
        during = out.getvalue()[len(first) :]
        view._phase("step 1: the model is thinking")  # what on_step does: a new phase starts from nothing
        view.progress.refresh()
        after = out.getvalue()[len(first) + len(during) :]
    assert ", 1 token" in first and "tokens" not in first
    assert ", 57 tokens at 28.0 tokens/s" in during
    assert "step 1: the model is thinking" in after and "tokens" not in after


def _record(task: str, success: float, outcome: str = "scored") -> EpisodeRecord:
    kw = {"exception": "boom", "error_kind": "infrastructure"} if outcome == "error" else {"status": "success"}
    return EpisodeRecord(
        task=task, instance=0, seed=0, goal="g", difficulty="easy", complexity=1.0, max_steps=10, success=success,
        trajectory=f"trajectories/{task}-0", **kw,
    )  # fmt: skip


def test_the_bench_view_keeps_a_running_pass_rate_and_the_plain_lines() -> None:
    out = io.StringIO()
    with BenchView(out, lambda r, d, t: f"[{d}/{t}] {r.task} LINE", force_terminal=True) as view:
        view(_record("A", 1.0), 1, 3)
        view(_record("B", 0.0), 2, 3)
    text = out.getvalue()
    assert "[1/3] A LINE" in text and "[2/3] B LINE" in text
    assert "pass 50% of 2" in text and "ETA" in text


def test_a_finished_episode_has_an_mp4_that_decodes(tmp_path: Path) -> None:
    imageio = pytest.importorskip("imageio.v3")
    pytest.importorskip("imageio_ffmpeg")
    _episode(tmp_path, [TAP, SWIPE, DONE])
    with Image.open(tmp_path / animation.GIF) as gif:
        width, height = gif.size
    frames = imageio.imread(tmp_path / animation.MP4, plugin="FFMPEG", index=None)
    steps = len(list(tmp_path.glob("step_*.png")))
    per_frame = animation.FRAME_MS * animation.MP4_FPS // 1000
    assert frames.shape == (per_frame * steps + 3 * per_frame, height + height % 2, width + width % 2, 3)
    x, y = 270 * 320 // 1080, 1800 * 320 // 1080
    patch = frames[0, y - 20 : y + 21, x - 20 : x + 21].reshape(-1, 3).astype(int)
    assert any(r > 170 and g < 90 and b < 90 for r, g, b in patch)  # the tap's red ring, through H.264
    assert f'href="{animation.MP4}"' in (tmp_path / "report.html").read_text(encoding="utf-8")  # and the page links it


def test_without_imageio_ffmpeg_no_mp4_and_no_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(animation, "mp4_missing", lambda: "imageio-ffmpeg")
    _episode(tmp_path, [TAP, DONE])
    assert (tmp_path / animation.GIF).exists() and not (tmp_path / animation.MP4).exists()
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f'src="{animation.GIF}"' in html and animation.MP4 not in html  # no link to a file that is not there


def test_the_animation_is_drawn_as_the_steps_are_written_not_read_back_at_the_end(tmp_path: Path, monkeypatch) -> None:
    opened: list[str] = []
    real_open = animation.Image.open

    def counting_open(path, *args, **kwargs):
        opened.append(Path(path).name)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(animation.Image, "open", counting_open)
    _episode(tmp_path, [TAP, SWIPE, TYPE, DONE])
    assert [name for name in opened if name.startswith("step_")] == []  # no PNG decoded at the episode's end
    made = (tmp_path / animation.GIF).read_bytes()
    assert animation.write_gif(tmp_path) is not None  # the same animation as one drawn from the files on disk
    assert (tmp_path / animation.GIF).read_bytes() == made


@pytest.mark.parametrize("video", [False, True])
def test_a_benchmark_writes_mp4s_only_when_asked(tmp_path: Path, video: bool) -> None:
    pytest.importorskip("imageio_ffmpeg")
    out = tmp_path / "run"
    argv = ["bench", "--tasks", "SystemWifi", "--out", str(out), "-q", "--screen", "540x1200", "--density", "210"]
    assert cli_main([*argv, *(["--video"] if video else [])]) == 0
    assert len(list(out.rglob(animation.GIF))) == 1  # the GIF always: ffmpeg costs ~0.5 s an episode, a GIF not
    assert len(list(out.rglob(animation.MP4))) == (1 if video else 0)


@pytest.mark.parametrize("video", [True, False])
def test_a_run_writes_its_mp4_unless_told_not_to(tmp_path: Path, video: bool) -> None:
    pytest.importorskip("imageio_ffmpeg")
    script = tmp_path / "replies.json"
    script.write_text(json.dumps([TAP, DONE]), encoding="utf-8")
    out = tmp_path / "o"
    argv = ["run", "tap", "--env", "fake", "--model", f"scripted:{script}", "--out", str(out), "--quiet"]
    assert cli_main([*argv, *([] if video else ["--no-video"])]) == 0
    assert (out / animation.GIF).exists() and (out / animation.MP4).exists() == video
