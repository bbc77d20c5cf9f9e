"""Benchmark: N agent episodes at once against one OpenAI-compatible server (``--model openai:...``).

For each N in ``--parallel`` (default 1,2,4,8), N threads each run an episode of ``--steps`` steps on its
own fake phone (1080x2400 screenshots), all sharing one ``OpenAIModel`` (one HTTP client), repeated
``--rounds`` times. A step is the policy's real work: render the conversation (system prompt with the
mobile tool section, task, the last ``--history-images`` screenshots), resize and encode the images,
one chat-completions request, parse the reply. The episode then acts ``Home`` whatever the model said
and appends the new screenshot as its result, so every episode runs exactly ``--steps`` steps with a
history that grows as a real one does (the tiny checkpoint's replies are gibberish).

Columns: ``steps/s`` = all steps / wall time of the round (throughput of the server as the agents see
it); ``p50``/``p95`` = step latency (one ``decide()``: client preprocessing + request + waiting for the
server), over all steps of all rounds; ``client ms`` = mean time the backend spent before sending
(resizing and PNG-encoding new screenshots, building the request; the in-process row shows its
processor time there); ``prompt tok`` = mean prompt tokens the server reported.

By default it starts ``transformers serve`` with the tiny checkpoint on a free loopback port (CPU), and
adds the in-process transformers backend at N=1 as a reference row. ``--url URL [--model NAME]`` measures
an existing server instead (e.g. vLLM on a GPU). The server generates exactly ``--max-new-tokens`` when it
ignores stop strings (transformers serve), so keep that small on CPU.

  python benchmarks/serving_concurrency.py
  python benchmarks/serving_concurrency.py --url http://gpu-box:8000/v1 --parallel 1,4,16,64 --max-new-tokens 64
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

TASK = "Open the Settings app and turn on Wi-Fi."


@dataclass
class Result:
    label: str
    parallel: int
    steps: int = 0
    wall_s: float = 0.0
    latencies: list[float] = field(default_factory=list)
    prompt_tokens: list[int] = field(default_factory=list)
    client_s: list[float] = field(default_factory=list)

    def row(self) -> str:
        lat = sorted(self.latencies)
        p95 = statistics.quantiles(lat, n=20, method="inclusive")[-1] if len(lat) > 1 else lat[0]
        return (
            f"| {self.label} | {self.parallel} | {self.steps} | {self.steps / self.wall_s:.2f} | "
            f"{statistics.median(lat) * 1000:.0f} | {p95 * 1000:.0f} | {statistics.mean(self.client_s) * 1000:.0f} | "
            f"{statistics.mean(self.prompt_tokens):.0f} |"
        )


def run_episode_steps(model, steps: int, history: int, max_new_tokens: int, seed: int, out: Result, lock) -> None:
    """One episode of exactly ``steps`` model steps on a fake phone; records each step's latency."""
    from qwen2vl_agent.agent.policy import PolicyConfig, QwenPolicy
    from qwen2vl_agent.agent.prompt import CallTurn, Exchange
    from qwen2vl_agent.envs import FakeEnv
    from qwen2vl_agent.envs.fake import make_screens
    from qwen2vl_agent.tools import Home

    screens = make_screens(steps + 1)
    screens = screens[seed % len(screens) :] + screens[: seed % len(screens)]  # episodes see different screens
    with FakeEnv(screens) as env:
        config = PolicyConfig(history_images=history, max_new_tokens=max_new_tokens)
        policy = QwenPolicy(model, env.action_space, config)
        policy.begin(TASK, env.reset().screenshot)
        for _ in range(steps):
            t0 = time.perf_counter()
            decision = policy.decide()
            latency = time.perf_counter() - t0
            env.execute(Home())
            shot = env.observe().screenshot
            policy.record_exchange(Exchange(decision.generation.text.strip()[:200], [CallTurn("Home", "{}", "", shot)]))
            with lock:
                out.latencies.append(latency)
                out.prompt_tokens.append(decision.generation.prompt_tokens)
                out.client_s.append(decision.generation.timings.get("preprocess", 0.0))
                out.steps += 1


def measure(model, label: str, parallel: int, args: argparse.Namespace) -> Result:
    result, lock = Result(label, parallel), threading.Lock()
    for round_ in range(args.rounds):
        threads = [
            threading.Thread(
                target=run_episode_steps,
                args=(model, args.steps, args.history_images, args.max_new_tokens, round_ * parallel + i, result, lock),
            )
            for i in range(parallel)
        ]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        result.wall_s += time.perf_counter() - t0
    if result.steps != parallel * args.steps * args.rounds:
        raise SystemExit(f"{label} N={parallel}: only {result.steps} steps finished (see the errors above)")
    return result


def warm_up(model, args: argparse.Namespace) -> None:
    """One step first: imports, connections, the server's first request (and its `stop` probe)."""
    run_episode_steps(model, 1, args.history_images, args.max_new_tokens, 0, Result("warmup", 1), threading.Lock())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def transformers_serve(checkpoint: Path) -> Iterator[str]:
    """``transformers serve CHECKPOINT`` on a free loopback port; yields its base URL, kills it after."""
    import httpx

    port = free_port()
    cli = Path(sys.executable).with_name("transformers")
    command = [str(cli), "serve", str(checkpoint), "--host", "127.0.0.1", "--port", str(port), "--device", "cpu"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    process = subprocess.Popen(command, env=env, start_new_session=True, **quiet)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise SystemExit("transformers serve did not start (is transformers[serving] installed?)")
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="an existing server's base URL (default: start transformers serve, tiny)")
    parser.add_argument("--model", help="the served model's name (default: the server's only model)")
    parser.add_argument("--parallel", default="1,2,4,8", help="numbers of concurrent episodes")
    parser.add_argument("--steps", type=int, default=6, help="steps per episode")
    parser.add_argument("--rounds", type=int, default=2, help="repeats of each N")
    parser.add_argument("--history-images", type=int, default=4)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--max-pixels", type=int, help="client pixel budget (default 1280*28*28)")
    parser.add_argument("--no-inprocess", action="store_true", help="skip the in-process reference row")
    args = parser.parse_args()
    counts = [int(n) for n in args.parallel.split(",")]

    from qwen2vl_agent.model.factory import ensure_tiny_checkpoint, load_model

    checkpoint = None if args.url else ensure_tiny_checkpoint()
    results: list[Result] = []
    with contextlib.ExitStack() as stack:
        url = args.url or stack.enter_context(transformers_serve(checkpoint))
        spec = f"openai:{url}" + (f"#{args.model}" if args.model else "")
        model = stack.enter_context(load_model(spec, max_pixels=args.max_pixels, timeout_s=600))
        warm_up(model, args)
        for n in counts:
            results.append(measure(model, "server", n, args))
            print(results[-1].row(), file=sys.stderr, flush=True)
        if checkpoint is not None and not args.no_inprocess:
            local = load_model(str(checkpoint), max_pixels=args.max_pixels)
            warm_up(local, args)
            results.append(measure(local, "in-process", 1, args))

    where = args.url or f"transformers serve (tiny checkpoint, CPU, {os.cpu_count()} cores)"
    print(f"\n{where}; model {model.model}; {args.steps} steps x {args.rounds} rounds per N; "
          f"history {args.history_images} images; max_new_tokens {args.max_new_tokens}\n")  # fmt: skip
    print("| backend | N | steps | steps/s | p50 ms | p95 ms | client ms | prompt tok |")
    print("|---|---|---|---|---|---|---|---|")
    for result in results:
        print(result.row())


if __name__ == "__main__":
    main()
