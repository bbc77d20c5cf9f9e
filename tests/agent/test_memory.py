"""Memory stays flat over a long episode once the image window is full (the policy keeps only K screenshots)."""

from __future__ import annotations

import gc
from pathlib import Path

from PIL import Image

from qwen2vl_agent.agent.loop import LoopConfig, run_episode
from qwen2vl_agent.agent.policy import PolicyConfig, QwenPolicy
from qwen2vl_agent.agent.recorder import TrajectoryRecorder
from qwen2vl_agent.envs import FakeEnv, Observation
from qwen2vl_agent.model import ScriptedModel

SIZE = (400, 900)  # 1.1 MB of pixels per screenshot: 250 kept would be ~270 MB


class _FreshScreens(FakeEnv):
    """Every observation is a new image, as from a real device (FakeEnv reuses its few screens)."""

    def observe(self) -> Observation:
        self._check_open()
        self.index += 1
        shade = self.index % 251
        return Observation(Image.new("RGB", SIZE, (shade, 255 - shade, 7)), SIZE, foreground="fake/.Screen")


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


class _RssLog:
    def __init__(self) -> None:
        self.rss: list[int] = []

    def on_start(self, task, observation) -> None:
        pass

    def on_step(self, step, observation) -> None:
        if step.index % 25 == 0:
            gc.collect()
            self.rss.append(_rss_bytes())

    def on_end(self, result, observation) -> None:
        pass


def test_rss_is_flat_over_300_steps_once_the_image_window_is_full(tmp_path: Path) -> None:
    steps = 300
    replies = [f'Step {i}.\n✿FUNCTION✿: Tap\n✿ARGS✿: {{"point": [{100 + i % 700}, 500]}}' for i in range(steps)]
    env = _FreshScreens()
    log = _RssLog()
    policy = QwenPolicy(ScriptedModel(replies, keep_seen=1), env.action_space, PolicyConfig(history_images=4))
    recorder = TrajectoryRecorder(tmp_path, html=False)
    result = run_episode(env, policy, "walk", LoopConfig(max_steps=steps, repeat_stop=1000), [recorder, log])
    assert result.steps == steps
    kept = [c.result_image for ex in policy.exchanges for c in ex.calls if isinstance(c.result_image, Image.Image)]
    assert len(kept) <= 4
    growth = log.rss[-1] - log.rss[1]  # from step 25 (window long full) to step 275
    # 250 leaked screenshots would be ~270 MB; the slack covers allocator noise and the records themselves
    print("rss MB every 25 steps:", [r // 2**20 for r in log.rss])
    assert growth < 60 * 1024 * 1024, [r // 2**20 for r in log.rss]
