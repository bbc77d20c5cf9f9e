"""Turn Wi-Fi on with selectors only: the UI tree knows every element, so no model is needed.

python examples/wifi_on.py            # on a simulated phone of its own
"""

from __future__ import annotations

from qwen2vl_agent.agent.scripting import Phone


def turn_wifi_on(phone: Phone) -> None:
    """Settings > Network & internet > the Wi-Fi switch, if it is off; then wait for the connection."""
    phone.open_app("Settings")
    phone.tap(text="Network & internet")
    switch = phone(id="switchWidget", desc="Wi-Fi")
    if not switch.checked:
        switch.tap()
    phone.wait_for(text="Connected to SimNet", timeout=5)


if __name__ == "__main__":
    with Phone.simulated(seed=1, record="runs/wifi_on") as phone:
        turn_wifi_on(phone)
        print("Wi-Fi:", phone.get_text(text_contains="Connected"))
