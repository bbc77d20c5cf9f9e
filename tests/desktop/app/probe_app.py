"""A small Tk application that reports what it received, for the desktop tests.

Run: ``python probe_app.py [--geometry 1280x800+0+0]`` with DISPLAY set. Layout (a W x H window):
``pad`` (canvas, top-left quarter), ``editor`` (text, top-right quarter), ``lower`` (canvas, bottom half).

It prints one JSON line ``{"ready": true, "widgets": {...}}`` once mapped, then answers one JSON line
per command read from stdin:

``state``           ``{"events": [...], "text": ..., "focus": ..., "motions": n}``
``reset``           clear the events, the text and the motion count; focus the bare window
``clipboard``       ``{"clipboard": text or null}`` (asks the clipboard's owner, like any application)
``set_clipboard T`` put the JSON string T on the clipboard (the app owns it, as after a user's copy)
``quit``            exit (also on end of input: the app never outlives its test)

Events: ``press``/``release`` (``button``, root ``x``/``y``, ``widget``), ``double`` and ``key``
(``keysym``, ``mods``: Shift, Control, Alt, Super).
"""

from __future__ import annotations

import argparse
import json
import sys
import tkinter as tk

_MODS = {"Shift": 0x1, "Control": 0x4, "Alt": 0x8, "Super": 0x40}


def _mods(e: tk.Event) -> list[str]:
    state = e.state if isinstance(e.state, int) else 0
    return [name for name, bit in _MODS.items() if state & bit]


class Probe:
    def __init__(self, root: tk.Tk, width: int, height: int) -> None:
        self.root = root
        self.events: list[dict] = []
        self.motions = 0
        half_w, half_h = width // 2, height // 2
        self.pad = tk.Canvas(root, name="pad", bg="#204080", highlightthickness=0, bd=0)
        self.editor = tk.Text(root, name="editor", bg="white", highlightthickness=0, bd=0, undo=False)
        self.lower = tk.Canvas(root, name="lower", bg="#208040", highlightthickness=0, bd=0)
        self.pad.place(x=0, y=0, width=half_w, height=half_h)
        self.editor.place(x=half_w, y=0, width=width - half_w, height=half_h)
        self.lower.place(x=0, y=half_h, width=width, height=height - half_h)
        # on the toplevel's tag, which every widget in it carries: the "all" tag has Tk's own <Alt-Key>
        # binding, which would hide Alt combinations from a <KeyPress> binding there
        root.bind("<ButtonPress>", lambda e: self._button("press", e))
        root.bind("<ButtonRelease>", lambda e: self._button("release", e))
        root.bind("<Double-Button-1>", lambda e: self._button("double", e))
        root.bind("<B1-Motion>", self._motion)
        root.bind("<KeyPress>", self._key)

    def _button(self, kind: str, e: tk.Event) -> None:
        self.events.append(
            {
                "kind": kind,
                "button": e.num,
                "x": e.x_root,
                "y": e.y_root,
                "widget": e.widget.winfo_name(),
                "mods": _mods(e),
            }
        )

    def _motion(self, e: tk.Event) -> None:
        self.motions += 1

    def _key(self, e: tk.Event) -> None:
        self.events.append({"kind": "key", "keysym": e.keysym, "mods": _mods(e)})

    def widgets(self) -> dict:
        out = {}
        for w in (self.pad, self.editor, self.lower):
            out[w.winfo_name()] = [w.winfo_rootx(), w.winfo_rooty(), w.winfo_width(), w.winfo_height()]
        return out

    def answer(self, line: str) -> dict:
        command, _, arg = line.strip().partition(" ")
        if command == "state":
            focus = self.root.focus_get()
            return {
                "events": self.events,
                "text": self.editor.get("1.0", "end-1c"),
                "motions": self.motions,
                "focus": focus.winfo_name() if focus else None,
            }
        if command == "reset":
            self.events, self.motions = [], 0
            self.editor.delete("1.0", "end")
            self.root.focus_set()  # no widget has the keyboard focus until one is clicked
            return {"ok": True}
        if command == "clipboard":
            try:
                return {"clipboard": self.root.clipboard_get()}
            except tk.TclError:
                return {"clipboard": None}
        if command == "set_clipboard":
            self.root.clipboard_clear()
            self.root.clipboard_append(json.loads(arg))
            return {"ok": True}
        return {"error": f"unknown command {command!r}"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--geometry", default="1280x800+0+0")
    args = parser.parse_args()
    size, _, _ = args.geometry.partition("+")
    width, height = (int(v) for v in size.split("x"))
    root = tk.Tk()
    root.title("Probe ✓ app")
    root.geometry(args.geometry)
    probe = Probe(root, width, height)

    def on_input(*_: object) -> None:
        line = sys.stdin.readline()
        if not line or line.strip() == "quit":
            root.destroy()
            return
        print(json.dumps(probe.answer(line)), flush=True)

    root.tk.createfilehandler(sys.stdin, tk.READABLE, on_input)
    root.wait_visibility(probe.lower)
    root.update()
    print(json.dumps({"ready": True, "widgets": probe.widgets()}), flush=True)
    root.mainloop()


if __name__ == "__main__":
    main()
