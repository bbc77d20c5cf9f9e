"""Vision steps through the real transformers backend: the tiny Qwen2-VL checkpoint, forced to emit a box by
its own generation settings (as tests/model forces replies), mapped to the right pixel; a rerun on the
same screens calls the model no more. Slow tier: it loads a model."""

from __future__ import annotations

from qwen2vl_agent.agent.scripting import ReplyCache
from qwen2vl_agent.model.factory import load_model

BOX = "<|object_ref_start|>the Save button<|object_ref_end|><|box_start|>(659,373),(942,425)<|box_end|>"


class Counting:
    """The model, counting its generate calls."""

    def __init__(self, model) -> None:
        self.model, self.name, self.calls = model, model.name, 0

    def generate(self, messages, **kw):
        self.calls += 1
        return self.model.generate(messages, **kw)

    def generate_batch(self, conversations, **kw):
        return [self.generate(c, **kw) for c in conversations]

    def image_size(self, w, h):
        return self.model.image_size(w, h)


def test_the_tiny_checkpoint_grounds_the_save_button(make_phone, tiny_dir, helpers, tmp_path) -> None:
    tiny = load_model(str(tiny_dir))
    counting = Counting(tiny)
    cache = tmp_path / "vision.json"
    with helpers.forced_reply(tiny, BOX):
        phone = make_phone(model=counting, cache=cache)
        phone.open_app("Contacts")
        phone.tap(desc="Create contact")
        phone.type("Ada", into=phone(id="name_field"))
        box = phone.ai_tap("the Save button")
        phone.wait_for(text="Contact saved")
    assert box.grid == (659, 373, 942, 425) and box.center == (864, 957)
    assert phone.steps[-1].raw_text.startswith(BOX) and phone.steps[-1].image_tokens > 0
    assert counting.calls == 1
    phone.close()

    again = make_phone(model=counting, cache=ReplyCache(cache))
    again(text="Contact saved").wait_gone(timeout=10)  # the same screens: the first run's toast has gone
    again.open_app("Contacts")
    again.tap(desc="Create contact")
    again.type("Ada", into=again(id="name_field"))
    assert again.ai_tap("the Save button").center == (864, 957)  # no forcing now: the reply is the cached one
    again.wait_for(text="Contact saved")
    assert counting.calls == 1 and again.cache.hits == 1
