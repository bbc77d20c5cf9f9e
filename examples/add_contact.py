"""Add a contact, mixing selectors (where the UI tree names the element) and ``ai_tap`` (where we would
rather describe it): the model finds "the Save button" on the screenshot.

    python examples/add_contact.py                 # a scripted grounding reply, no weights needed
    python examples/add_contact.py tiny            # any model spec: tiny, a checkpoint, openai:URL
"""

from __future__ import annotations

import sys

from qwen2vl_agent.agent.scripting import Phone
from qwen2vl_agent.model import Model, ScriptedModel

# What a Qwen2-VL grounding model answers for "the Save button" on the simulated 1080x2400 editor: the
# button's box on the 0-1000 grid. A scripted model replays it, so the example runs anywhere.
SAVE_BOX = "<|object_ref_start|>the Save button<|object_ref_end|><|box_start|>(659,373),(942,425)<|box_end|>"


def scripted_model() -> Model:
    return ScriptedModel([SAVE_BOX])


def add_contact(phone: Phone, name: str, number: str) -> None:
    phone.open_app("Contacts")
    phone.tap(desc="Create contact")
    phone.type(name, into=phone(id="name_field"))
    phone.type(number, into=phone(id="phone_field"))
    phone.ai_tap("the Save button")
    phone.wait_for(text=name)


if __name__ == "__main__":
    model = sys.argv[1] if len(sys.argv) > 1 else scripted_model()
    with Phone.simulated(seed=0, model=model, cache="runs/add_contact/vision-cache.json") as phone:
        add_contact(phone, "Ada Lovelace", "+44 20 7946 0018")
        print("saved:", phone(text="Ada Lovelace").exists)
