"""``Phone`` on the simulated phone through the real adb server: selector taps, waits, typing into a field
found by selector, assertions on screen text, failures that name the screen, and the recorded trajectory."""

from __future__ import annotations

import json

import pytest

from qwen2vl_agent.agent.scripting import ElementNotFound, Selector
from qwen2vl_agent.agent.trajectory import read_result, read_steps


def wifi(phone) -> str:
    return phone.sim.device.settings.get("global", "wifi_on")


def test_selector_taps_turn_wifi_off_and_on(sim_phone) -> None:
    sim_phone.open_app("Settings")
    sim_phone.tap(text="Network & internet")
    switch = sim_phone(id="switchWidget", desc="Wi-Fi")
    assert switch.checked and wifi(sim_phone) == "1"
    switch.tap()
    assert wifi(sim_phone) == "0" and not switch.checked
    sim_phone.tap(desc="Wi-Fi", cls="Switch")
    assert wifi(sim_phone) == "1"
    sim_phone.wait_for(text="Connected to SimNet", timeout=2)


def test_the_fixture_resets_the_phone_between_tests(sim_phone) -> None:
    assert wifi(sim_phone) == "1"  # the test above turned it off and on; a fresh phone either way
    assert sim_phone.sim.device.seed == 0


def test_typing_into_a_field_found_by_selector(sim_phone) -> None:
    sim_phone.open_app("Contacts")
    sim_phone.tap(desc="Create contact")
    said = sim_phone.type("Ada Lovelace", into=Selector(id="name_field"))
    assert "Ada Lovelace" in said
    sim_phone(id="phone_field").type("123")
    assert sim_phone.get_text(id="name_field") == "Ada Lovelace"
    assert sim_phone(id="phone_field").get_text() == "123"
    sim_phone.tap(id="save")
    sim_phone.wait_for(text="Ada Lovelace")
    assert sim_phone.exists(text="Ada Lovelace") and sim_phone(text="Ada Lovelace").exists


def test_waits_poll_the_tree_and_time_out_naming_the_screen(sim_phone) -> None:
    sim_phone.open_app("Settings")
    screen = sim_phone.wait_for(lambda s: s if s.has_text("Network & internet") else None, timeout=3)
    assert "Connected devices" in screen.texts
    assert screen.image.size == (1080, 2400)  # the screenshot, taken when asked for
    with pytest.raises(TimeoutError, match=r"no text 'Nothing like this'.*'Network & internet'"):
        sim_phone.wait_for(text="Nothing like this", timeout=0.3)
    with pytest.raises(TimeoutError, match="still on screen"):
        sim_phone.wait_gone(text="Network & internet", timeout=0.3)
    sim_phone.tap(text="Network & internet")
    sim_phone.wait_gone(text="Connected devices", timeout=2)
    assert sim_phone.wait_until_settled(timeout=2) < 2


def test_a_missing_element_names_what_was_on_screen(sim_phone) -> None:
    sim_phone.open_app("Settings")
    with pytest.raises(ElementNotFound) as caught:
        sim_phone.tap(text="network & Internet", timeout=0.3)
    message = str(caught.value)
    assert "no element with text='network & Internet' on com.android.settings/" in message
    assert "'Connected devices'" in message and "Close matches: 'Network & internet'" in message
    assert sim_phone.steps[-1].fault.startswith("ElementNotFound")  # the failed call is on record too


def test_element_reads_and_chains(sim_phone) -> None:
    sim_phone.open_app("Contacts")
    names = sim_phone(id="cliv_name_textview")
    assert names.count == 10 and names[1].get_text() == "Grace Diaz"
    first = sim_phone(id="contact_item").child(id="cliv_name_textview")
    assert first.get_text() == "Farid Diaz"
    left, top, right, bottom = first.bounds
    assert left < first.center[0] < right and top < first.center[1] < bottom
    assert names.wait(1) is names


def test_points_swipes_keys_and_long_press(sim_phone) -> None:
    sim_phone.open_app("Contacts")
    x, y = sim_phone(text="Farid Diaz").center
    sim_phone.tap(x, y)
    sim_phone.wait_for(text="Message")
    sim_phone.back()
    sim_phone.swipe("up", on=Selector(id="list", cls="RecyclerView"))
    sim_phone.home()
    sim_phone.long_press(text="Clock")
    with pytest.raises(TypeError):
        sim_phone.tap(10, text="Clock")
    assert [s.calls[0].name for s in sim_phone.steps] == ["OpenApp", "Tap", "Back", "Swipe", "Home", "LongPress"]


def test_every_call_is_recorded_as_a_trajectory(make_phone, tmp_path) -> None:
    out = tmp_path / "run"
    with make_phone(record=out, name="wifi script") as phone:
        phone.open_app("Settings")
        phone.tap(text="Network & internet")
    steps = read_steps(out)
    assert [s.raw_text for s in steps] == ["open_app(name='Settings')", "tap(selector=\"text='Network & internet'\")"]
    tap = steps[1].calls[0]
    assert tap.name == "Tap" and tap.executed["type"] == "Tap" and tap.arguments["point"] == tap.executed["point"]
    assert all((out / s.screenshot).is_file() for s in steps)
    result = read_result(out)
    assert (result.task, result.status, result.steps) == ("wifi script", "success", 2)
    assert (out / "report.html").is_file() and json.loads((out / "meta.json").read_text())["kind"] == "script"


def test_a_failing_script_ends_as_an_error(make_phone, tmp_path) -> None:
    with pytest.raises(ElementNotFound), make_phone(record=tmp_path, timeout=0.2) as phone:
        phone.tap(text="No such thing")
    assert read_result(tmp_path).status == "error" and "ElementNotFound" in read_result(tmp_path).reason


def test_sim_cluster_gives_independent_phones(sim_cluster) -> None:
    a, b = sim_cluster(2)
    assert a.sim.serial != b.sim.serial and (a.sim.seed, b.sim.seed) == (0, 1)
    a.open_app("Settings")
    assert a.exists(text="Network & internet") and not b.exists(text="Network & internet")
