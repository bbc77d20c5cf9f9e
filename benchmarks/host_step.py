"""Benchmark: the host's share of an agent step (everything but the model's own compute), our loop against a
naive pipeline, paired and interleaved in one run on the same phone.

Our step is the loop's own code (``agent.step``: prompt, model, parse, map, execute; then observe, progress,
record) on ``AndroidEnv`` with its default settle wait and the ``TrajectoryRecorder``; the model is the tiny
Qwen2-VL checkpoint's ``HFModel``, of which only ``_preprocess`` runs (chat template, vision-cache key, image
processor at the default pixel budget, tokenizer): its reply is scripted, and the vision encoder's outputs
are stored in the cache untimed, as its own compute. The newest screenshot is always processed afresh (one
image-processor pass per step, and its vision-cache key computed in ``_preprocess``, as when the screen
changes; the benchmark's own dropping of its cache entry is not timed), the older ones are the cache's.
The actions are taps on empty spots of the home screen, so the screen stays static: what the settle wait
costs when there is nothing to wait for (where the device counts its page flips, one probe and no capture:
the observation is the frame kept from the last wait). ``--changing`` changes the screen before each of our
steps (Wi-Fi toggled through adb, untimed, as if while the model thought: the status bar redraws), so the
wait sees composed frames, grabs and waits out one quiet window: what a step costs when the screen changed.

The naive pipeline is what a first agent does: ``screencap -p`` through adbutils, PIL decode, the processor
with the image processor's defaults (12845056 pixels max) on the current screenshot, the same prompt and
parser, ``input tap`` through adbutils; no settle wait, no progress detection, no recording.

  python benchmarks/host_step.py                 # the simulated phone, 1080x2400, in its own process
  python benchmarks/host_step.py --serial S      # a real phone (taps on the home screen at --point)
  python benchmarks/host_step.py --changing      # the screen changes before each of our steps
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from typing import Any

from android_observe import target

TASK = "Look at the home screen"
PHASES = ("capture + decode", "preprocess", "prompt + parse + map", "act", "settle", "progress", "record")


class Timings:
    def __init__(self) -> None:
        self.rows: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))

    def add(self, pipeline: str, phase: str, seconds: float) -> None:
        self.rows[pipeline][phase].append(seconds)

    def median(self, pipeline: str, phase: str) -> float:
        values = self.rows[pipeline].get(phase)
        return statistics.median(values) if values else 0.0


class PreprocessOnly:
    """A ``Model`` that runs ``HFModel._preprocess`` (timed) and answers from a script."""

    def __init__(self, hf: Any, replies, timings: Timings) -> None:
        self.hf, self.replies, self.timings = hf, replies, timings
        self.name = "preprocess-only"

    def image_size(self, width: int, height: int) -> tuple[int, int]:
        return self.hf.image_size(width, height)

    def generate(self, messages, stop=(), max_new_tokens: int = 1):
        from qwen2vl_agent.model.base import Generation
        from qwen2vl_agent.model.chat import template_messages
        from qwen2vl_agent.model.shared import owned
        from qwen2vl_agent.model.vision_cache import KEY, fingerprint

        cache = self.hf.vision_cache
        untimed = time.perf_counter()
        _, images = template_messages(messages)
        cache._entries.pop(fingerprint(images[-1]), None)  # the newest screenshot is new to the model ...
        images[-1].info.pop(KEY)  # ... and has no key yet: ``_preprocess`` computes it, timed, as in the loop
        started = time.perf_counter()
        self.timings.add("ours", "bench (untimed)", started - untimed)
        inputs, _, _, keys = self.hf._preprocess([messages], 1, still=self.hf.config.linear_patch_embed)  # as generate
        self.timings.add("ours", "preprocess", time.perf_counter() - started)
        encoded = time.perf_counter()
        # the vision encoder fills the cache, in the backend's form: the model's own compute, not the host's
        with owned(self.hf.model, linear_patch_embed=self.hf.config.linear_patch_embed), _no_grad():
            cache.features(self.hf.model, keys, inputs["image_grid_thw"], inputs.get("pixel_values"))
        self.timings.add("ours", "model (untimed)", time.perf_counter() - encoded)
        return Generation(text=next(self.replies))


def _no_grad():
    import torch

    return torch.no_grad()


def taps(point: tuple[int, int]):
    """Taps around ``point`` (never the same twice in a row, so progress detection never ends the run)."""
    i = 0
    while True:
        x, y = point[0] + (i % 7) * 2, point[1] + (i % 5) * 2
        yield f'✿FUNCTION✿: Tap\n✿ARGS✿: {{"point": [{x}, {y}]}}'
        i += 1


def our_step(state: dict[str, Any], timings: Timings) -> None:
    """One step of the loop's code (``loop._step_recorded`` without its fault handling), phase by phase."""
    from qwen2vl_agent.agent.step import conclude, new_step, take_turn

    env, policy, tracker, recorder = state["env"], state["policy"], state["tracker"], state["recorder"]
    obs = state["obs"]
    t0 = time.perf_counter()
    frame = policy.frame(obs.screenshot)
    record = new_step(state["index"], obs, frame)
    before = len(timings.rows["ours"]["preprocess"])
    acted = take_turn(env, policy, frame, record)
    t1 = time.perf_counter()
    assert acted.executed_keys, record.calls
    untimed = timings.rows["ours"]["model (untimed)"][before] + timings.rows["ours"]["bench (untimed)"][before]
    preprocess = timings.rows["ours"]["preprocess"][before] + untimed
    call = record.calls[-1]
    timings.add("ours", "settle", call.settle_s)
    timings.add("ours", "act", call.execute_s - call.settle_s)
    timings.add("ours", "prompt + parse + map", (t1 - t0) - preprocess - call.execute_s)
    next_obs = env.observe()
    t2 = time.perf_counter()
    timings.add("ours", "capture + decode", t2 - t1)
    conclude(policy, tracker, record, acted, obs, next_obs)
    t3 = time.perf_counter()
    timings.add("ours", "progress", t3 - t2)
    recorder.on_step(record, obs)
    t4 = time.perf_counter()
    timings.add("ours", "record", t4 - t3)
    timings.add("ours", "step", t4 - t0 - untimed)
    state["obs"], state["index"] = next_obs, state["index"] + 1
    settle = env.last_settle
    state["settle"][(settle.signal, settle.frames, settle.probes, settle.settled) if settle else None] += 1


def naive_step(state: dict[str, Any], timings: Timings) -> None:
    """capture -p, PIL decode, the default processor on the current screenshot, parse, map, ``input tap``."""
    from PIL import Image

    from qwen2vl_agent.model.chat import template_messages
    from qwen2vl_agent.tools import map_action

    device, processor, policy = state["adb"], state["processor"], state["naive_policy"]
    t0 = time.perf_counter()
    image = Image.open(io.BytesIO(device.shell("screencap -p", encoding=None))).convert("RGB")
    t1 = time.perf_counter()
    policy.first_image = image  # a naive agent shows the current screenshot only
    rendered, images = template_messages(policy.messages())
    text = processor.apply_chat_template(rendered, add_generation_prompt=True, tokenize=False)
    t2 = time.perf_counter()
    processor(text=[text], images=images, return_tensors="pt")
    t3 = time.perf_counter()
    decision = policy.interpret(_generation(next(state["replies"])))
    action = map_action(decision.reply.calls[0].action, policy.frame(image))
    t4 = time.perf_counter()
    device.shell(f"input tap {action.point[0]} {action.point[1]}")
    t5 = time.perf_counter()
    for phase, seconds in (("capture + decode", t1 - t0), ("preprocess", t3 - t2), ("act", t5 - t4),
                           ("prompt + parse + map", (t2 - t1) + (t4 - t3)), ("step", t5 - t0)):  # fmt: skip
        timings.add("naive", phase, seconds)


def _generation(text: str):
    from qwen2vl_agent.model.base import Generation

    return Generation(text=text)


@contextlib.contextmanager
def pipelines(args: argparse.Namespace, where, timings: Timings, out_dir: str):
    """The state of both pipelines on one phone: ours (env, policy, tracker, recorder), naive (adbutils)."""
    import adbutils
    from transformers import Qwen2VLImageProcessor, Qwen2VLProcessor, Qwen2VLVideoProcessor

    from qwen2vl_agent.agent.loop import LoopConfig
    from qwen2vl_agent.agent.policy import PolicyConfig, QwenPolicy
    from qwen2vl_agent.agent.progress import ProgressTracker
    from qwen2vl_agent.agent.recorder import TrajectoryRecorder
    from qwen2vl_agent.envs.android import open_android
    from qwen2vl_agent.model.factory import load_model

    serial, host, port, _, _ = where
    hf = load_model("tiny")
    naive_processor = Qwen2VLProcessor(
        image_processor=Qwen2VLImageProcessor(),
        tokenizer=hf.tokenizer,
        video_processor=Qwen2VLVideoProcessor(),
        chat_template=hf.chat_template,
    )
    with open_android(serial, host=host, port=port) as env:
        obs = env.reset()
        policy = QwenPolicy(PreprocessOnly(hf, taps(args.point), timings), env.action_space)
        policy.begin(TASK, obs.screenshot)
        naive_policy = QwenPolicy(hf, env.action_space, PolicyConfig(history_images=1))
        naive_policy.begin(TASK, obs.screenshot)
        recorder = TrajectoryRecorder(out_dir, html=True)
        recorder.on_start(TASK, obs)
        yield {
            "env": env, "policy": policy, "tracker": ProgressTracker(LoopConfig(max_steps=10**6)),
            "recorder": recorder, "obs": obs, "index": 0, "settle": Counter(), "adb": adbutils.AdbClient(
                host=host, port=port).device(serial), "processor": naive_processor, "naive_policy": naive_policy,
            "replies": taps(args.point),
        }  # fmt: skip


def measure(args: argparse.Namespace) -> tuple[Timings, dict[str, Any]]:
    timings = Timings()
    with target(args) as where, tempfile.TemporaryDirectory() as out, pipelines(args, where, timings, out) as state:
        for i in range(args.warmup + args.steps):
            if i == args.warmup:
                timings.rows.clear()
            for step in (our_step, naive_step) if i % 2 else (naive_step, our_step):
                # untimed: the screen changes while the model thinks (every step with --changing; once in the
                # warmup otherwise: the settle wait trusts the page-flip count once it has seen it move)
                if step is our_step and (args.changing or i == 1):
                    state["adb"].shell(f"svc wifi {'disable' if i % 2 else 'enable'}")  # Wi-Fi starts on
                step(state, timings)
        state["recorder"].on_end(_result(state["index"]), None)
        return timings, {"where": where[3], "settle": state["settle"]}


def _result(steps: int):
    from qwen2vl_agent.agent.records import EpisodeResult

    return EpisodeResult(task=TASK, status="max_steps", reason="benchmark", steps=steps)


def report(timings: Timings, info: dict[str, Any], steps: int) -> str:
    ms = lambda v: f"{v * 1000:.1f}"
    ours, naive = timings.median("ours", "step"), timings.median("naive", "step")
    lines = [
        f"The host's share of a step on the {info['where']}: medians of {steps} steps of each pipeline, "
        "interleaved, in ms", "",
        "| phase | ours | naive |", "|---|---:|---:|",
    ]  # fmt: skip
    for phase in PHASES:
        lines.append(f"| {phase} | {ms(timings.median('ours', phase))} | {ms(timings.median('naive', phase))} |")
    lines += [
        f"| **step** | **{ms(ours)}** | **{ms(naive)}** |",
        "",
        f"ours is {naive / ours:.2f}x faster than the naive pipeline (step medians; the naive one has no settle "
        "wait, progress detection or recording)",
        "settle waits of our steps, (signal, captures, probes, settled): count: "
        + ", ".join(f"{k}: {n}" for k, n in info["settle"].items()),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", choices=["sim"], default="sim", help="the simulated phone (default)")
    parser.add_argument("--serial", help="measure a real phone instead of the simulated one")
    parser.add_argument("--adb-host", default="127.0.0.1")
    parser.add_argument("--adb-port", type=int, default=5037)
    parser.add_argument("--point", type=lambda s: tuple(int(v) for v in s.split(",")), default=(480, 480),
                        help="where to tap (the model's 0-1000 grid): an empty spot of the home screen")  # fmt: skip
    parser.add_argument("--changing", action="store_true", help="change the screen before each of our steps")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=4)
    args = parser.parse_args()
    timings, info = measure(args)
    print(report(timings, info, args.steps))


if __name__ == "__main__":
    main()
