"""An app flow tested with pytest on the ``sim_phone`` fixture (it comes with the package: no conftest).

python -m pytest examples/test_contacts_flow.py
"""

from __future__ import annotations

import pytest

from qwen2vl_agent.agent.scripting import ElementNotFound


def test_a_new_contact_is_listed_and_opens(sim_phone) -> None:
    sim_phone.open_app("Contacts")
    sim_phone.tap(desc="Create contact")
    sim_phone(id="name_field").type("Grace Hopper")
    sim_phone(id="phone_field").type("555 0100")
    sim_phone.tap(id="save")
    sim_phone.wait_for(text="Contact saved")
    sim_phone.tap(text="Grace Hopper")
    assert sim_phone.get_text(id="large_title") == "Grace Hopper"
    assert sim_phone(id="header_text").get_text() == "555 0100"


def test_searching_narrows_the_list(sim_phone) -> None:
    sim_phone.open_app("Contacts")
    sim_phone.type("Diaz", into=sim_phone(id="search_view"))
    sim_phone.wait_gone(text="Jamal Khan")
    assert sim_phone(id="cliv_name_textview").count == 3


def test_each_test_starts_from_a_fresh_phone(sim_phone) -> None:
    sim_phone.open_app("Contacts")
    with pytest.raises(ElementNotFound, match="Farid Diaz"):  # the error lists what the screen shows
        sim_phone.find(text="Grace Hopper", timeout=0.5)
