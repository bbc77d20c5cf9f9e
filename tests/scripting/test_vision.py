"""Vision steps with a scripted model: boxes on the 0-1000 grid mapped to pixels, ai_tap acting on them,
ai_assert and ai_query readings, agent() steps joining the script's journal, and the cache skipping the
model on a rerun of the same screens."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from qwen2vl_agent.agent.scripting import AiAssertionError, ReplyCache, VisionReplyError
from qwen2vl_agent.agent.scripting.grounding import parse_box
from qwen2vl_agent.model import ModelFailed, ScriptedModel

SAVE = "<|object_ref_start|>Save<|object_ref_end|><|box_start|>(659,373),(942,425)<|box_end|>"


@pytest.mark.parametrize(
    ("reply", "pixels"),
    [
        ("<|object_ref_start|>x<|object_ref_end|><|box_start|>(0,0),(1000,1000)<|box_end|>", (0, 0, 1079, 2399)),
        ("<|box_start|>(500,500),(250,250)<|box_end|>", (270, 600, 540, 1200)),  # corners in either order
        ("the button(100, 200),( 300 ,400 )", (108, 480, 324, 960)),  # no markers: a server dropped them
        ("<|box_start|>(1,2),(3,4)<|box_end|> and later (9,9),(9,9)", (1, 4, 3, 9)),
    ],
)
def test_boxes_on_the_grid_become_pixels(reply: str, pixels) -> None:
    box = parse_box(reply, (1080, 2400))
    assert (box.left, box.top, box.right, box.bottom) == pixels


@pytest.mark.parametrize("reply", ["I cannot see it", "<|box_start|>(0,0),(1001,5)<|box_end|>", ""])
def test_an_unreadable_box_names_the_reply(reply: str) -> None:
    with pytest.raises(VisionReplyError, match="the model replied"):
        parse_box(reply, (1080, 2400))


def test_locate_and_ai_tap_hit_the_right_pixel(make_phone) -> None:
    model = ScriptedModel([SAVE, SAVE])
    phone = make_phone(model=model)
    phone.open_app("Contacts")
    phone.tap(desc="Create contact")
    phone.type("Ada", into=phone(id="name_field"))
    box = phone.locate("the Save button")
    assert box.center == (864, 957) and phone(id="save").info.contains(box.center)
    assert phone.ai_tap("the Save button").center == (864, 957)
    phone.wait_for(text="Contact saved")
    step = phone.steps[-1]
    assert step.raw_text == SAVE and step.calls[0].executed == {"type": "Tap", "point": [864, 957]}
    shown = model.seen[0][-1].content
    assert shown[0].image.size == (1080, 2400) and "<|object_ref_start|>the Save button" in shown[1].text


def test_ai_assert_and_ai_query(make_phone) -> None:
    class Contact(BaseModel):
        name: str
        starred: bool

    replies = [
        '{"result": true, "reason": "the list shows Farid Diaz"}',
        '{"result": false, "reason": "no such name"}',
        '```json\n{"name": "Farid Diaz", "starred": false}\n```',
        '{"answer": 10}',
        '{"answer": "ten"}',
    ]
    phone = make_phone(model=ScriptedModel(replies))
    phone.open_app("Contacts")
    assert phone.ai_assert("Farid Diaz is listed").reason == "the list shows Farid Diaz"
    with pytest.raises(AiAssertionError, match="no such name"):
        phone.ai_assert("Zed is listed")
    assert not phone.ai_assert("Zed is listed", raise_error=False)  # the same screen and question: cached
    assert phone.ai_query("the first contact", Contact) == Contact(name="Farid Diaz", starred=False)
    assert phone.ai_query("how many contacts are shown", int) == 10
    with pytest.raises(VisionReplyError, match="does not fit"):
        phone.ai_query("how many contacts are listed", int)


def test_a_rerun_on_the_same_screens_calls_no_model(make_phone, tmp_path) -> None:
    cache_file = tmp_path / "vision.json"

    def script(phone) -> tuple[int, int]:
        phone.open_app("Contacts")
        phone.tap(desc="Create contact")
        return phone.locate("the Save button").center

    first = make_phone(model=ScriptedModel([SAVE]), cache=cache_file)
    assert script(first) == (864, 957)
    first.close()
    empty = ScriptedModel([])  # any call would raise ModelFailed
    again = make_phone(model=empty, cache=cache_file)
    again.sim.reset(seed=0)
    assert script(again) == (864, 957)
    assert empty.calls == 0 and again.cache.hits == 1 and again.steps[-1].timings == {"model_cached": 1.0}
    again.open_app("Settings")  # another screen: the cache has nothing for it and asks the model
    with pytest.raises(ModelFailed):
        again.locate("the Save button")
    assert again.cache.misses == 1


def test_the_cache_is_keyed_on_the_instruction_and_the_model(make_phone) -> None:
    cache = ReplyCache()
    phone = make_phone(model=ScriptedModel([SAVE, SAVE]), cache=cache)
    phone.locate("the Save button")
    phone.locate("the Cancel button")
    other = make_phone(model=ScriptedModel([SAVE], name="other"), cache=cache)
    other.locate("the Save button")
    assert (cache.hits, cache.misses, len(cache)) == (0, 3, 3)


def test_agent_runs_the_loop_from_the_current_screen(make_phone) -> None:
    home = "Going home.\n✿FUNCTION✿: Home\n✿ARGS✿: {}"
    done = 'Done.\n✿FUNCTION✿: Terminate\n✿ARGS✿: {"status": "success"}'
    phone = make_phone(model=ScriptedModel([home, done]))
    phone.open_app("Settings")
    result = phone.agent("go to the home screen", max_steps=3)
    assert (result.status, result.steps) == ("success", 2)
    assert [s.index for s in phone.steps] == [0, 1, 2] and phone.steps[1].calls[0].name == "Home"
    assert phone.exists(text="Clock")


def test_a_vision_step_without_a_model_says_so(sim_phone) -> None:
    with pytest.raises(ValueError, match="pass model="):
        sim_phone.ai_tap("anything")
