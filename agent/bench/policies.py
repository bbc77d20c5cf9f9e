"""Which model answers in each benchmark episode: the oracle, the random policy, or a real model.

The oracle and the random policy are made fresh for every episode (the oracle plays that instance's
solution; the random policy is seeded with the instance seed). A real model is loaded once and shared by
all episodes: an in-process model is wrapped in ``BatchingModel`` when several phones run at once, so
their concurrent ``generate`` calls become batches; an OpenAI-compatible backend is thread-safe and is
shared as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qwen2vl_agent.model import Model
from qwen2vl_agent.model.batching import BatchingModel
from qwen2vl_agent.model.spec import ModelSpec, parse_model_spec, spec_label
from qwen2vl_agent.tools import Convention

from .config import PolicyKind
from .oracle import OracleModel
from .random_policy import RandomModel

if TYPE_CHECKING:
    from qwen2vl_agent.envs.tasks import Task, TaskDevice


class PolicySource:
    """Hands out the model for each episode; ``close()`` releases the shared model (its batching thread,
    and the backend's own resources such as an HTTP client)."""

    def __init__(
        self,
        kind: PolicyKind,
        model: str | ModelSpec | None = None,
        *,
        parallel: int = 1,
        convention: Convention | None = None,
        dialect: str | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> None:
        if (kind == "model") != (model is not None):
            raise ValueError("a model spec is needed exactly when the policy is 'model'")
        self.kind: PolicyKind = kind
        self.spec: ModelSpec | None = parse_model_spec(model) if isinstance(model, str) else model
        self.convention = convention
        self.dialect = dialect
        self.shared: Model | None = None
        if kind == "model" and self.spec is not None:
            self.shared = self._load(self.spec, parallel, overrides or {})

    def _load(self, spec: ModelSpec, parallel: int, overrides: dict[str, Any]) -> Model:
        from ..factory import load_model

        model = load_model(spec, **overrides)
        if parallel > 1 and spec.kind in ("hf", "tiny"):  # in process: batch the phones' concurrent calls
            return BatchingModel(model, max_batch=parallel)
        return model

    @property
    def label(self) -> str:
        return spec_label(self.spec) if self.kind == "model" and self.spec else self.kind

    def for_episode(self, task: Task, device: TaskDevice, instance_seed: int) -> Model:
        match self.kind:
            case "oracle":
                return OracleModel(task.solution(), device.ui_dump, convention=self.convention, dialect=self.dialect)
            case "random":
                return RandomModel(seed=instance_seed)
            case "model":
                assert self.shared is not None
                return self.shared

    def close(self) -> None:
        model, self.shared = self.shared, None
        if isinstance(model, BatchingModel):
            model.close()
            model = model.model
        close = getattr(model, "close", None)  # not every backend holds resources
        if callable(close):
            close()
