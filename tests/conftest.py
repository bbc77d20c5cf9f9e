"""Fixtures and helpers shared by several test areas (the model, serving and device tests); each area's own
conftest holds the rest. Test modules reach the helpers through the ``helpers`` fixture, since they cannot
import a conftest under ``--import-mode=importlib``."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from PIL import Image

from qwen2vl_agent.model import ImagePart, Message, TextPart
from qwen2vl_agent.model.factory import ensure_tiny_checkpoint

if TYPE_CHECKING:
    from qwen2vl_agent.model.hf import HFModel


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny checkpoint, built once per test session into a temporary directory (never a user cache)."""
    return ensure_tiny_checkpoint(tmp_path_factory.mktemp("cache") / "tiny-qwen2vl")


@pytest.fixture(scope="session")
def tiny_arch_dir(tmp_path_factory: pytest.TempPathFactory, tiny_dir: Path) -> Callable[[str], Path]:
    """``tiny_arch_dir(arch)``: the tiny checkpoint of ``arch`` (``model.arches.ARCHES``), each built at most
    once per test session (about 10 s each), in a temporary directory; ``qwen2_vl`` is ``tiny_dir``."""
    built: dict[str, Path] = {"qwen2_vl": tiny_dir}

    def get(arch: str) -> Path:
        if arch not in built:
            built[arch] = ensure_tiny_checkpoint(tmp_path_factory.mktemp("cache") / f"tiny-{arch}", arch=arch)
        return built[arch]

    return get


def noise(width: int, height: int, seed: int = 0) -> Image.Image:
    """A random RGB screenshot (never time or compare on all-zero inputs)."""
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def conversation(image: Image.Image | None = None, task: str = "Task: open the settings.") -> list[Message]:
    parts: tuple = (TextPart(task),) + ((ImagePart(image),) if image is not None else ())
    return [Message.text("system", "You are a phone agent."), Message("user", parts)]


class StepLog:
    """A loop hook that keeps every step of an episode."""

    def __init__(self) -> None:
        self.steps: list = []

    def on_start(self, task, observation) -> None:
        pass

    def on_step(self, step, observation) -> None:
        self.steps.append(step)

    def on_end(self, result, observation) -> None:
        pass


def sequence_bias(tokenizer: Any, endings_and_replies: Sequence[tuple[str, str]], context: int) -> list:
    """A ``generation_config.sequence_bias`` (a standard transformers setting that a checkpoint could ship)
    that makes the model greedily say each reply after a prompt ending the way its pair says.

    Each reply token gets +100 after the ``context`` tokens that precede it (the ending's last tokens, then
    the reply's own); ``ValueError`` if one context would need two different successors.
    """
    rules: dict[tuple[int, ...], int] = {}
    for ending, reply in endings_and_replies:
        seq = tokenizer.encode(ending)[-context:] + tokenizer.encode(reply)
        for i in range(context, len(seq)):
            key = tuple(seq[i - context : i])
            if rules.setdefault(key, seq[i]) != seq[i]:
                raise ValueError(f"the forced replies repeat a {context}-token context with different successors")
    return [[[*key, nxt], 100.0] for key, nxt in rules.items()]


@contextlib.contextmanager
def forced_reply(model: HFModel, reply: str, context: int = 3) -> Iterator[list[int]]:
    """Make the loaded model greedily say ``reply`` after the generation prompt, then restore it.

    Nothing in the backend knows about this (see ``sequence_bias``). Yields the reply's token ids.
    """
    config = model.model.generation_config
    saved = config.sequence_bias
    config.sequence_bias = sequence_bias(model.tokenizer, [("<|im_start|>assistant\n", reply)], context)
    try:
        yield model.tokenizer.encode(reply)
    finally:
        config.sequence_bias = saved


class FakeClock:
    """Monotonic seconds that move only when a test says: call it for the time, ``sleep`` (recorded in
    ``sleeps``) or ``advance`` to move it. For code that takes a ``clock``/``now`` and a ``sleep``."""

    def __init__(self) -> None:
        self.now, self.sleeps = 0.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


def returns_within(call: Callable[[], Any], seconds: float = 30.0) -> Any:
    """``call()``'s result (or its exception, raised here) once it returns; a test failure if it is still
    running after ``seconds``. For tests that prove a call returns instead of hanging: the bound is generous,
    so a loaded machine cannot fail them, and the call runs on a daemon thread, so a hang cannot stall the run."""
    done = threading.Event()
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # handed to the test below
            outcome.append((False, exc))
        finally:
            done.set()

    threading.Thread(target=run, daemon=True).start()
    if not done.wait(seconds):
        pytest.fail(f"still running after {seconds} s: it hangs")
    returned, value = outcome[0]
    if not returned:
        raise value
    return value


@pytest.fixture(scope="session")
def sim_phones() -> Iterator[Callable[..., Any]]:
    """``sim_phones(**options)``: the session's simulated phone with those ``SimPhone`` options, each behind
    its own real adb server, started on first use and closed at the end of the session."""
    from qwen2vl_agent.envs.sim import SimPhone

    started: dict[tuple, Any] = {}
    with contextlib.ExitStack() as stack:

        def get(**options: Any) -> Any:
            key = tuple(sorted(options.items()))
            if key not in started:
                started[key] = stack.enter_context(SimPhone(seed=0, **options))
            return started[key]

        yield get


@pytest.fixture
def phone(shared_phone: Any) -> Any:
    """The test area's session phone (its ``shared_phone``), reset to its seeded state."""
    shared_phone.reset(seed=0)
    return shared_phone


@pytest.fixture(scope="session", autouse=True)
def ctrl_c_as_on_a_terminal() -> Iterator[None]:
    """SIGINT at its default, as on a terminal, for this process and the commands tests start: a test run
    started as a background job of a non-interactive shell inherits SIGINT ignored (so does every child), and
    the Ctrl-C tests would see a run that rightly ignores it."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) != signal.SIG_IGN:
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.fixture(scope="session")
def helpers() -> SimpleNamespace:
    """The helpers above, for test modules."""
    return SimpleNamespace(
        noise=noise,
        conversation=conversation,
        StepLog=StepLog,
        sequence_bias=sequence_bias,
        forced_reply=forced_reply,
        returns_within=returns_within,
        FakeClock=FakeClock,
    )


# The slow tier: whole modules that build or serve a model, start processes and kill them, install wheels,
# or run long episodes. ``sh tests/check.sh --fast`` skips them (``-m "not slow"``); CI runs everything.
SLOW_MODULES = frozenset(
    {
        "tests/model/test_agent_episode.py", "tests/model/test_static_cache.py", "tests/model/test_vision_cache.py",
        "tests/model/test_hf.py", "tests/model/test_prefix.py", "tests/model/test_benchmark_script.py",
        "tests/model/test_tiny.py", "tests/model/test_factory.py", "tests/model/test_cli_model.py",
        "tests/model/test_tiny_arches.py", "tests/serving/test_tiny_arches_served.py",
        "tests/model/test_dialect_episodes.py",
        "tests/serving/test_served.py", "tests/serving/test_wire.py", "tests/serving/test_prompt_count.py",
        "tests/bench/test_reference_policies.py", "tests/bench/test_resume.py", "tests/bench/test_faults.py",
        "tests/bench/test_ray.py",
        "tests/agent/test_run_outcomes.py", "tests/agent/test_memory.py", "tests/agent/test_fuzz_path.py",
        "tests/agent/test_export_readers.py", "tests/agent/test_cli_live_tokens.py",
        "tests/test_packaging.py", "tests/test_readme.py", "tests/sim/test_owner_death.py",
        "tests/scripting/test_example_programs.py", "tests/scripting/test_vision_tiny.py",
    }
)  # fmt: skip


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).resolve().parents[1]
    for item in items:
        if item.path.resolve().relative_to(root).as_posix() in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
