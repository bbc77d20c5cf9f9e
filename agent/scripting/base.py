"""What ``Phone`` and ``Desktop`` share: the env's lifetime, recorded steps, waits, and the vision steps.

Each facade call is one step of the script's journal (``journal``): the screenshot before it, the call as
written, the actions it ran and their results, the model's reply for a vision step, and the fault when it
failed. With ``record=DIR`` the steps are written by the same ``TrajectoryRecorder`` agent runs use, so
``report.html`` works on scripts too. Vision steps ask ``model`` (a ``Model`` or a ``load_model`` spec,
loaded on first use) through a ``CachingModel``: rerun on the same screens, they call no model.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from qwen2vl_agent.envs import Env, Observation
from qwen2vl_agent.envs.poll import wait_for
from qwen2vl_agent.envs.screen import fingerprint
from qwen2vl_agent.envs.tasks.ui import UiNode
from qwen2vl_agent.model import Message, Model
from qwen2vl_agent.tools import Action, ModelError

from . import grounding
from .cache import CachingModel, ReplyCache
from .journal import Journal, action_call, note_generation
from .selector import Selector

if TYPE_CHECKING:
    from PIL.Image import Image

    from ..records import EpisodeResult, Step

T = TypeVar("T")
DEFAULT_TIMEOUT_S = 10.0
POLL_S = 0.1
VISION_TOKENS = 128


class AiAssertionError(AssertionError):
    """``ai_assert`` found the statement false; ``reason`` is the model's."""

    def __init__(self, statement: str, reason: str) -> None:
        self.statement, self.reason = statement, reason
        super().__init__(f"not true: {statement!r}; the model says: {reason}")


@dataclass(frozen=True)
class Verdict:
    """What ``ai_assert`` concluded: ``bool(verdict)`` is the result."""

    result: bool
    reason: str

    def __bool__(self) -> bool:
        return self.result


@dataclass
class Screen:
    """One look at the screen for predicates: its UI tree nodes (phones) and, on first use, a screenshot.

    >>> phone.wait_for(lambda screen: screen.has_text("Connected"))  # doctest: +SKIP
    """

    nodes: list[UiNode]
    _grab: Callable[[], Observation]
    _obs: Observation | None = field(default=None, repr=False)

    @property
    def observation(self) -> Observation:
        if self._obs is None:
            self._obs = self._grab()
        return self._obs

    @property
    def image(self) -> Image:
        return self.observation.screenshot

    @property
    def texts(self) -> list[str]:
        """Every non-empty text and content description, in document order."""
        return [label for n in self.nodes for label in (n.text, n.desc) if label]

    def has_text(self, text: str) -> bool:
        """Whether some element's text or description contains ``text`` (case-sensitive)."""
        return any(text in label for label in self.texts)

    def find(self, selector: Selector | None = None, **fields: Any) -> UiNode | None:
        return Selector.of(selector, **fields).find(self.nodes)


class _Doing:
    """The step in flight: what ``execute`` and ``generate`` add to it lands in the record."""

    def __init__(self, env: Env, step: Step, obs: Observation) -> None:
        self.env, self.step, self.obs = env, step, obs

    def execute(self, action: Action, args: dict[str, Any] | None = None) -> str:
        record = action_call(action, args if args is not None else action.model_dump(mode="json", exclude={"type"}))
        self.step.calls.append(record)
        started = time.perf_counter()
        try:
            outcome = self.env.execute(action)
        except ModelError as e:  # in a script the "model" is the author: the call fails with the env's message
            record.error = record.result = str(e)
            raise
        finally:
            record.execute_s = time.perf_counter() - started
        record.settle_s, record.result = outcome.settle_s, outcome.message
        return outcome.message

    def generate(self, model: Model, messages: list[Message]) -> str:
        generation = model.generate(messages, stop=grounding.STOP, max_new_tokens=VISION_TOKENS)
        note_generation(self.step, generation)
        return generation.text


class Scripted:
    """The facade over one env; see the module docstring. Use as a context manager (or ``close()``)."""

    def __init__(self, env: Env, *, model: Model | str | None = None, cache: ReplyCache | str | Path | None = None,
                 record: str | Path | None = None, name: str = "script", timeout: float = DEFAULT_TIMEOUT_S,
                 owned: tuple[Any, ...] = ()) -> None:  # fmt: skip
        from ..recorder import TrajectoryRecorder

        self.env, self.timeout = env, timeout
        self.cache = cache if isinstance(cache, ReplyCache) else ReplyCache(cache)
        hooks = [TrajectoryRecorder(record, {"kind": "script"}, replace=True)] if record is not None else []
        self.journal = Journal(name, hooks)
        self._model_spec, self._model = (None, model) if not isinstance(model, str) else (model, None)
        self._owned = owned  # what a constructor started for this facade (a simulated phone), stopped at close
        self._last: Observation | None = None
        self._closed = False
        self.result: EpisodeResult | None = None

    # ---------------------------------------------------------------- lifetime

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, tb: object) -> None:
        self.close(error)

    def start(self) -> None:
        """Prepare the env (its ``reset``: wake the screen, ...) and begin the journal; once."""
        if not self.journal.begun:
            self._last = self.env.reset()
            self.journal.start(self._last)

    def close(self, error: BaseException | None = None) -> None:
        """End the journal (``success``, or ``error`` naming ``error``), close the env and what was started."""
        if self._closed:
            return
        self._closed = True
        try:
            if self.journal.begun:
                status, reason = ("error", f"{type(error).__name__}: {error}") if error else ("success", "done")
                self.result = self.journal.end(status, reason, self._last)
        finally:
            self.env.close()
            for thing in self._owned:
                thing.stop()

    @property
    def steps(self) -> list[Step]:
        """Every step so far (what a recording writes to steps.jsonl)."""
        return self.journal.steps

    # ---------------------------------------------------------------- looking

    def observe(self) -> Observation:
        """A fresh observation (screenshot and sizes)."""
        self.start()
        self._last = self.env.observe()
        return self._last

    def screenshot(self, path: str | Path | None = None) -> Image:
        """The screen as a PIL image, saved to ``path`` when given: ``phone.screenshot("home.png")``."""
        image = self.observe().screenshot
        if path is not None:
            image.save(path)
        return image

    def screen(self) -> Screen:
        """The screen for predicates (no UI tree here; ``Phone`` adds one)."""
        obs = self.observe()
        return Screen([], lambda: obs, obs)

    def wait_for(self, predicate: Callable[[Screen], T], *, timeout: float | None = None) -> T:
        """Poll until ``predicate(screen)`` is truthy and return its value; ``TimeoutError`` after ``timeout``.

        >>> phone.wait_for(lambda s: s.has_text("Saved"), timeout=5)  # doctest: +SKIP
        """
        timeout = self.timeout if timeout is None else timeout
        found = wait_for(lambda: predicate(self.screen()) or None, timeout, POLL_S)
        if found is None:
            raise TimeoutError(f"{getattr(predicate, '__name__', 'the condition')} not true after {timeout:g} s")
        return found

    def wait_until_settled(self, timeout: float | None = None) -> float:
        """Wait until two screenshots in a row look the same; the seconds waited (``timeout`` at most)."""
        started = time.monotonic()
        last: list[str] = []

        def same() -> bool | None:
            last.append(fingerprint(self.observe().screenshot))
            return True if len(last) > 1 and last[-1] == last[-2] else None

        wait_for(same, self.timeout if timeout is None else timeout, POLL_S)
        return time.monotonic() - started

    # ---------------------------------------------------------------- steps

    @contextlib.contextmanager
    def _step(self, name: str, args: dict[str, Any], *, fresh: bool = False) -> Iterator[_Doing]:
        """One facade call as one recorded step; a failure is recorded as the step's fault, then raised.

        The step's screenshot is a fresh one when the script records, when ``fresh`` (a vision step looks at
        it), or when there is none yet; otherwise the last one stands in (it is written nowhere)."""
        obs = self.observe() if fresh or self.journal.hooks or self._last is None else self._last
        step = self.journal.new(name, args, obs)
        try:
            yield _Doing(self.env, step, obs)
        except BaseException as e:
            step.fault = f"{type(e).__name__}: {e}"
            raise
        finally:
            self.journal.add(step, obs)

    def _act(self, name: str, args: dict[str, Any], action: Action) -> str:
        with self._step(name, args) as doing:
            return doing.execute(action)

    def _tap_action(self, point: tuple[int, int]) -> Action:
        raise NotImplementedError

    # ---------------------------------------------------------------- vision

    @property
    def model(self) -> Model:
        """The vision steps' model behind the cache (loaded on first use when given as a spec)."""
        if self._model is None:
            if self._model_spec is None:
                raise ValueError("this step asks a model: pass model= (a Model, or a spec such as 'tiny')")
            from qwen2vl_agent.model.factory import load_model

            self._model = load_model(self._model_spec)
        return CachingModel(self._model, self.cache)

    def locate(self, description: str) -> grounding.Box:
        """Where the model sees ``description``: a ``Box`` in screenshot pixels (``.center`` to tap).

        >>> phone.locate("the blue send button").center  # doctest: +SKIP
        (540, 2210)
        """
        with self._step("locate", {"description": description}, fresh=True) as doing:
            image = doing.obs.screenshot
            reply = doing.generate(self.model, grounding.locate_messages(image, description))
            return grounding.parse_box(reply, image.size)

    def ai_tap(self, description: str) -> grounding.Box:
        """Tap what the model sees as ``description``: ``phone.ai_tap("the search box")``; its box."""
        with self._step("ai_tap", {"description": description}, fresh=True) as doing:
            image = doing.obs.screenshot
            reply = doing.generate(self.model, grounding.locate_messages(image, description))
            box = grounding.parse_box(reply, image.size)
            doing.execute(self._tap_action(box.center), {"description": description, "point": list(box.center)})
            return box

    def ai_assert(self, statement: str, *, raise_error: bool = True) -> Verdict:
        """Ask the model whether ``statement`` holds on screen; ``AiAssertionError`` (with its reason) if not.

        >>> phone.ai_assert("Wi-Fi is on")  # doctest: +SKIP
        Verdict(result=True, reason='the Wi-Fi switch is on')
        """
        with self._step("ai_assert", {"statement": statement}, fresh=True) as doing:
            reply = doing.generate(self.model, grounding.assert_messages(doing.obs.screenshot, statement))
            verdict = Verdict(*grounding.parse_verdict(reply))
        if raise_error and not verdict:
            raise AiAssertionError(statement, verdict.reason)
        return verdict

    def ai_query(self, question: str, schema: type[T]) -> T:
        """Ask the model for data and get it typed: a pydantic model class, or any type pydantic validates
        (``int``, ``list[str]``; read from the reply's ``"answer"`` field).

        >>> class Contact(BaseModel): name: str; phone: str
        >>> phone.ai_query("the contact shown", Contact)  # doctest: +SKIP
        """
        wrapped = not (isinstance(schema, type) and issubclass(schema, BaseModel))
        shape = TypeAdapter(schema).json_schema()
        if wrapped:
            shape = {"type": "object", "properties": {"answer": shape}, "required": ["answer"]}
        with self._step("ai_query", {"question": question}, fresh=True) as doing:
            reply = doing.generate(self.model, grounding.query_messages(doing.obs.screenshot, question, shape))
            data = grounding.parse_object(reply)
            try:
                return TypeAdapter(schema).validate_python(data["answer"] if wrapped else data)
            except (ValidationError, KeyError) as e:
                raise grounding.VisionReplyError(f"the reply does not fit {schema!r} ({e})", reply) from e

    def agent(self, task: str, *, max_steps: int = 10) -> EpisodeResult:
        """Hand the screen to the agent loop for ``task`` from where it is; its steps join this journal.

        >>> phone.agent("turn on dark theme", max_steps=8).status  # doctest: +SKIP
        'success'
        """
        from ..loop import LoopConfig, run_episode
        from ..policy import QwenPolicy

        self.start()
        policy = QwenPolicy(self.model, self.env.action_space)
        result = run_episode(self.env, policy, task, LoopConfig(max_steps=max_steps), [self.journal.episode_hook()])
        self._last = None
        return result
