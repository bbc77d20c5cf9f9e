"""The model input of a recorded step, rebuilt from the episode's records: the same policy, fed the same step
records (``QwenPolicy.record``, ``prompt.exchange_of``) and the same screenshots, renders the same prompt.

The screenshots come back from the episode directory (step N+1's screenshot is the screen after step N); the
model's image sizes come from each step's ``Geometry``, so no model is loaded. ``render`` and ``export`` use it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from qwen2vl_agent.model import ImagePart, Message, TextPart
from qwen2vl_agent.tools import DESKTOP_ACTIONS, MOBILE_ACTIONS

from .policy import PolicyConfig, QwenPolicy
from .records import Step
from .trajectory import read_steps

IMAGE = "<image>"
"""The image placeholder of the training formats (LLaMA-Factory, ms-swift), one per image, in order."""


class _RecordedSizes:
    """Stands in for the model: the image sizes it reported while the episode ran."""

    name = "recorded"

    def __init__(self, steps: Sequence[Step]) -> None:
        self.sizes = {tuple(s.geometry.screenshot_size): tuple(s.geometry.model_image_size) for s in steps}

    def image_size(self, width: int, height: int) -> tuple[int, int]:
        return self.sizes.get((width, height), (width, height))


@dataclass(frozen=True)
class Prompt:
    """Step ``index``'s model input, and where each of its images lies on disk (in order of appearance)."""

    index: int
    messages: list[Message]
    image_paths: list[Path]


class Episode:
    """A recorded episode directory, read once: its meta, steps and the prompt of every step."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        meta_path = self.run_dir / "meta.json"
        if not meta_path.is_file():
            raise ValueError(f"{run_dir}: no meta.json, not an episode directory")
        self.meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        self.steps = read_steps(self.run_dir)

    def action_space(self) -> tuple[type, ...]:
        kind = (self.meta.get("env") or {}).get("kind")
        return DESKTOP_ACTIONS if kind == "desktop" else MOBILE_ACTIONS

    def prompts(self) -> Iterator[Prompt]:
        """Each step's prompt in order, as the policy rendered it then."""
        policy = QwenPolicy(_RecordedSizes(self.steps), self.action_space(), self._config())  # type: ignore[arg-type]
        paths: dict[int, Path] = {}
        for step in self.steps:
            path = self.run_dir / step.screenshot
            image = _load(path)
            paths[id(image)] = path
            if step.index == self.steps[0].index:
                policy.begin(str(self.meta.get("task", "")), image)
            elif policy.exchanges[-1].calls:  # the screen after the last step is this step's screenshot
                policy.exchanges[-1].calls[-1].result_image = image
            messages = policy.messages()
            images = [paths[id(p.image)] for m in messages for p in m.content if isinstance(p, ImagePart)]
            yield Prompt(step.index, messages, images)
            policy.record(step, image)  # a placeholder: the next step's screenshot replaces it above

    def prompt(self, index: int) -> Prompt:
        for prompt in self.prompts():
            if prompt.index == index:
                return prompt
        raise ValueError(f"{self.run_dir}: no step {index} (steps 0-{len(self.steps) - 1} are recorded)")

    def _config(self) -> PolicyConfig:
        return PolicyConfig.model_validate(self.meta.get("policy") or {})


def _load(path: Path) -> Image.Image:
    with Image.open(path) as image:
        image.load()
        return image


def flat_text(message: Message, image: str = IMAGE) -> str:
    """A message's text with each image as ``image``."""
    return "".join(p.text if isinstance(p, TextPart) else image for p in message.content)


def described(messages: Sequence[Message], model_size=None) -> str:
    """ChatML text of ``messages`` (as ``prompt.render_text``), each image shown with its sizes."""
    out = []
    for message in messages:
        body = "".join(
            p.text if isinstance(p, TextPart) else _image_note(p.image.size, model_size) for p in message.content
        )
        out.append(f"<|im_start|>{message.role}\n{body}<|im_end|>\n")
    return "".join(out) + "<|im_start|>assistant\n"


def _image_note(size: tuple[int, int], model_size) -> str:
    seen = model_size(*size) if model_size else size
    return f"<|vision_start|><image {size[0]}x{size[1]} as {seen[0]}x{seen[1]}><|vision_end|>"
