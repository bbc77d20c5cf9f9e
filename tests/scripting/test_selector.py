"""Selectors over a real ``uiautomator dump`` layout: every field, chaining, the n-th match, and the error
that names what the screen showed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from qwen2vl_agent.agent.scripting import ElementNotFound, Selector
from qwen2vl_agent.envs.tasks.ui import parse_ui


def node(text="", desc="", rid="", cls="android.widget.TextView", bounds="[0,0][10,10]", children="") -> str:
    attrs = f'text="{text}" content-desc="{desc}" resource-id="{rid}" class="{cls}" bounds="{bounds}"'
    return f"<node {attrs}>{children}</node>" if children else f"<node {attrs} />"


ROW = "android.widget.LinearLayout"
DUMP = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">"
    + node(rid="com.android.settings:id/toolbar", cls="android.view.ViewGroup", children=node(desc="Navigate up", cls="android.widget.ImageButton"))
    + node(rid="com.android.settings:id/list", cls="androidx.recyclerview.widget.RecyclerView", bounds="[0,100][1080,900]", children=(
        node(cls=ROW, bounds="[0,100][1080,300]", children=node("Wi-Fi", rid="com.android.settings:id/title") + node(desc="Wi-Fi", rid="android:id/switch_widget", cls="android.widget.Switch"))
        + node(cls=ROW, bounds="[0,300][1080,500]", children=node("Bluetooth", rid="com.android.settings:id/title") + node(desc="Bluetooth", rid="android:id/switch_widget", cls="android.widget.Switch"))
    ))
    + node("Wi-Fi calling", rid="com.android.settings:id/title")
    + "</hierarchy>"
)  # fmt: skip
NODES = parse_ui(DUMP)


@pytest.mark.parametrize(
    ("selector", "found"),
    [
        (Selector(text="Wi-Fi"), ["Wi-Fi"]),
        (Selector(text_contains="wi-fi"), ["Wi-Fi", "Wi-Fi calling"]),
        (Selector(text_matches=r"^Wi-Fi\b.+"), ["Wi-Fi calling"]),
        (Selector(id="title"), ["Wi-Fi", "Bluetooth", "Wi-Fi calling"]),
        (Selector(id="com.android.settings:id/title", text="Bluetooth"), ["Bluetooth"]),
        (Selector(id="android:id/switch_widget"), ["desc:Wi-Fi", "desc:Bluetooth"]),
        (Selector(id="com.other:id/title"), []),
        (Selector(desc="Navigate up"), ["desc:Navigate up"]),
        (Selector(desc_contains="blue"), ["desc:Bluetooth"]),
        (Selector(cls="Switch"), ["desc:Wi-Fi", "desc:Bluetooth"]),
        (Selector(cls="widget.Switch", desc="Bluetooth"), ["desc:Bluetooth"]),
        (Selector(cls="itch"), []),  # a suffix of dotted parts, not of characters
        (Selector(text="Wi-Fi calling", within=Selector(id="list")), []),
        (Selector(id="title", within=Selector(id="list")), ["Wi-Fi", "Bluetooth"]),
        (Selector(text="Bluetooth").model_copy(update={"within": Selector(cls=ROW, index=1)}), ["Bluetooth"]),
        (Selector(cls="Switch", within=Selector(cls=ROW, index=1)), ["desc:Bluetooth"]),
        (Selector(id="list").child(cls="Switch", desc="Wi-Fi"), ["desc:Wi-Fi"]),
        (Selector(id="title", within=Selector(id="missing")), []),
    ],
)
def test_selectors_find_what_they_name(selector: Selector, found: list[str]) -> None:
    labels = [n.text or f"desc:{n.desc}" for n in selector.find_all(NODES)]
    assert labels == found


def test_index_picks_the_nth_match() -> None:
    assert Selector(id="title", index=2).find(NODES).text == "Wi-Fi calling"
    assert Selector(id="title", index=3).find(NODES) is None


@pytest.mark.parametrize("fields", [{}, {"index": 2}, {"text_matches": "("}, {"texts": "x"}])
def test_a_selector_that_names_nothing_is_refused(fields) -> None:
    with pytest.raises((ValidationError, Exception)):
        Selector(**fields)


def test_describe_reads_like_the_call() -> None:
    assert (
        Selector(text="Wi-Fi", index=1, within=Selector(id="list")).describe()
        == "text='Wi-Fi', index=1 within id='list'"
    )


def test_not_found_names_the_screen_and_close_matches() -> None:
    error = ElementNotFound(Selector(text="wi-fi"), NODES, 2.0, "com.android.settings/.Settings")
    message = str(error)
    assert "no element with text='wi-fi' on com.android.settings/.Settings after 2 s" in message
    assert "'Navigate up', 'Wi-Fi', 'Bluetooth', 'Wi-Fi calling'" in message
    assert "Close matches: 'Wi-Fi', 'Wi-Fi calling'" in message
    assert error.labels[:2] == ["Navigate up", "Wi-Fi"]
