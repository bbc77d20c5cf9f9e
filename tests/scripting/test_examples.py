"""The examples' flows on the simulated phone, in process (test_example_programs.py runs them as programs)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_wifi_on_turns_it_on(sim_phone) -> None:
    sim_phone.sim.device.settings.put("global", "wifi_on", "0")
    load("wifi_on").turn_wifi_on(sim_phone)
    assert sim_phone.sim.device.settings.get("global", "wifi_on") == "1"


def test_add_contact_saves_it(make_phone) -> None:
    example = load("add_contact")
    phone = make_phone(model=example.scripted_model())
    example.add_contact(phone, "Ada Lovelace", "+44 20 7946 0018")
    assert phone(text="Ada Lovelace").exists
    assert [s.calls[-1].name for s in phone.steps][-1] == "Tap" and phone.steps[-1].raw_text == example.SAVE_BOX
