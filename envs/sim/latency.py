"""An optional latency profile: what a real phone's commands cost on top of the simulator's own time.

``Device(latency=PHONE)`` makes ``screencap`` pay the on-device capture and encode, ``input`` the JVM start of
the ``input`` tool, and ``am start``/``monkey`` an app's cold start, as measured on mid-range phones (see
docs: screencap -p 0.5-2 s, raw 0.25-0.3 s, each ``input`` 0.3-1 s). The wait happens before the command
takes the device lock, so other clients are not held up. Off by default (``None``): tests stay fast.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LatencyProfile:
    """Seconds added per command (0: none)."""

    screencap_raw_s: float = 0.0
    screencap_png_s: float = 0.0
    input_s: float = 0.0
    app_start_s: float = 0.0

    def cost(self, argv: list[str]) -> float:
        """The delay for running ``argv`` (a command's name may be a path such as ``/system/bin/input``)."""
        name = argv[0].rsplit("/", 1)[-1] if argv else ""
        if name == "screencap":
            return self.screencap_png_s if "-p" in argv[1:] or any(a.endswith(".png") for a in argv[1:]) else \
                self.screencap_raw_s  # fmt: skip
        if name == "input":
            return self.input_s
        if name == "monkey" or (name == "am" and argv[1:2] in (["start"], ["start-activity"])):
            return self.app_start_s
        return 0.0


PHONE = LatencyProfile(screencap_raw_s=0.27, screencap_png_s=0.9, input_s=0.35, app_start_s=0.45)
