"""``AndroidEnv``: a phone over ADB as an ``Env`` (observe the screen, execute mobile actions).

Points given to ``execute`` are pixels of the last screenshot; they are mapped to the display's input
coordinates here when the two differ (an override size, a capture at another resolution). Every adb call
is bounded in time and transient adb failures are retried by ``RetryingTransport``; what remains surfaces
as ``DeviceLost``/``CaptureFailed``/``EnvError``. The model's own mistakes (an unknown app, text that
cannot be typed) are ``ActionRejected``.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from typing_extensions import assert_never

from qwen2vl_agent.tools import MOBILE_ACTIONS, Action
from qwen2vl_agent.tools import actions as A

from .. import base
from .adb import DEFAULT_HOST, DEFAULT_PORT, AdbTransport, SocketTransport, choose_device
from .apps import AppCatalog, UnknownApp, resolve_app
from .capture import Capture, ScreenCapturer
from .config import AndroidConfig
from .device import KEY_APP_SWITCH, KEY_BACK, KEY_ENTER, KEY_HOME, AndroidDevice, DisplayInfo
from .episode import AnimationSwitch, dismiss_keyguard, wake
from .retry import RetryingTransport
from .text_entry import TextEntry

log = logging.getLogger(__name__)

BLACK_RETRY_S = 0.3


class AndroidEnv(base.EnvBase):
    """A real (or simulated) Android device. Use as a context manager.

    ``AndroidEnv(serial=None, host=..., port=..., **options)`` picks the named device or the only one
    connected to the adb server at ``host:port``; options are ``AndroidConfig`` fields (or pass
    ``config=``). ``transport=`` injects an ``AdbTransport`` (e.g. ``FakeAdb``) instead of adbutils.

    The env itself never waits after an action and never dumps the UI tree: the config's ``settle``,
    ``reuse_settled_s`` and ``ui_tree`` are applied by the wrappers ``envs.android.open_android`` (or
    ``wrap``) puts around it (``Settle``, ``WithUITree``).
    """

    action_space = MOBILE_ACTIONS

    def __init__(
        self,
        serial: str | None = None,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        config: AndroidConfig | None = None,
        transport: AdbTransport | None = None,
        **options: Any,
    ) -> None:
        if config is not None and options:
            raise TypeError("pass either config= or individual options, not both")
        self.config = config or AndroidConfig(**options)
        if transport is None:
            transport = SocketTransport(choose_device(serial, host, port), host, port)
        self.serial = transport.serial
        self.device = AndroidDevice(RetryingTransport(transport, self.config.retry), self.config.timeouts)
        self.capturer = ScreenCapturer(self.device, self.config.capture, self.config.display_id)
        self.text = TextEntry(
            self.device, self.config.keyboard, chunk=self.config.text_chunk, check=self.config.check_typing
        )
        self.animations = AnimationSwitch(self.device)
        self._display: DisplayInfo | None = None
        self._catalog: AppCatalog | None = None
        self._components: dict[str, str] = {}
        self._image_size: tuple[int, int] | None = None
        self._checked_size: tuple[int, int] | None = None  # a frame size already checked against the display
        self._pool: ThreadPoolExecutor | None = None

    def __repr__(self) -> str:
        return f"AndroidEnv({self.serial!r})"

    # ---------------------------------------------------------------- Env

    def reset(self, *, seed: int | None = None, options: base.ResetOptions | None = None) -> base.Observation:
        """Prepare the screen for an episode; its first observation.

        Args:
            seed: ignored (a device cannot be seeded; ``envs.sim.SimEnv`` rebuilds a simulated one from it).
            options: ``wake`` (turn the screen on), ``dismiss_keyguard`` (a swipe lock screen),
                ``disable_animations`` (the three scales to 0, restored on ``close()``); each defaults to the
                config's ``wake_on_reset``/``dismiss_keyguard``/``disable_animations``.

        Raises:
            ValueError: an unknown option. EnvError: the device failed, or is locked with a PIN.
        """
        self._check_open()
        opts = base.reset_options(options, self._reset_defaults(), "Android env")
        if opts["wake"]:
            wake(self.device)
        if opts["dismiss_keyguard"]:
            dismiss_keyguard(self.device)
        if opts["disable_animations"]:
            self.animations.disable()
        self._display = self.device.display()
        self._catalog = None  # apps may have been installed between episodes
        return self.observe()

    def _reset_defaults(self) -> dict[str, bool]:
        c = self.config
        return {
            "wake": c.wake_on_reset,
            "dismiss_keyguard": c.dismiss_keyguard,
            "disable_animations": c.disable_animations,
        }

    def observe(self, frame: Capture | None = None) -> base.Observation:
        """A look at the screen: a new capture, or ``frame`` when given (a capture just taken, e.g. the frame
        the ``Settle`` wrapper's wait ended on; ``extra["settled_frame"]`` says which)."""
        self._check_open()
        foreground = self._submit(self.device.foreground) if self.config.foreground else None
        capture = frame or self._capture()
        image = capture.image()
        display = self._display_for(image.size)
        self._image_size = image.size
        extra: dict[str, Any] = {
            "capture": capture.path,
            "capture_s": round(capture.seconds, 4),
            "settled_frame": frame is not None,  # the frame the settle wait ended on, not a new capture
            "rotation": display.rotation,
            "density": display.density,
            "serial": self.serial,
        }
        return base.Observation(
            screenshot=image,
            screen_size=display.size,
            foreground=foreground.result() if foreground else None,
            extra=extra,
        )

    def execute(self, action: Action) -> base.Outcome:
        """Carry out ``action`` and return at once (no settle wait: that is the ``Settle`` wrapper's)."""
        self._check_open()
        started = time.monotonic()
        message = self._perform(action)
        return base.Outcome(message=message, extra={"act_s": round(time.monotonic() - started, 4)})

    def _release(self) -> None:
        try:
            self.animations.restore()
        except base.EnvError as e:
            log.warning("could not restore animation settings on %s: %s", self.serial, e)
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        self.device.transport.close()

    # ---------------------------------------------------------------- actions

    def _perform(self, action: Action) -> str:
        """Carry out one action; the note for the model (empty for most; ``Type`` says what the field shows)."""
        match action:
            case A.Tap(point=point):
                self.device.tap(*self._to_input(point))
            case A.LongPress(point=point, duration_ms=ms):
                p = self._to_input(point)
                self.device.swipe(p, p, ms)
            case A.Swipe(start=start, end=end, duration_ms=ms):
                self.device.swipe(self._to_input(start), self._to_input(end), ms)
            case A.Type(text=text):
                return self.text.type(text)
            case A.Back():
                self.device.keyevent(KEY_BACK)
            case A.Home():
                self.device.keyevent(KEY_HOME)
            case A.Enter():
                self.device.keyevent(KEY_ENTER)
            case A.AppSwitch():
                self.device.keyevent(KEY_APP_SWITCH)
            case A.OpenApp(name=name):
                self._open_app(name)
            case A.Wait(seconds=seconds):
                time.sleep(seconds)
            case A.Answer() | A.Terminate():
                raise TypeError(f"{action.type} is handled by the agent and never sent to an environment")
            case A.Click() | A.DoubleClick() | A.RightClick() | A.MoveTo() | A.Drag() | A.Scroll() | A.Hotkey():
                names = ", ".join(cls.tool_name() for cls in self.action_space)
                raise base.ActionRejected(f"{action.type} is a desktop action; on this phone use one of: {names}.")
            case A.CallUser():  # offered only by the hand-off wrapper, which answers it before the env
                raise base.ActionRejected(base.NO_HAND_OFF)
            case _:
                assert_never(action)
        return ""

    def _open_app(self, name: str) -> None:
        catalog = self.catalog()
        try:
            package = resolve_app(name, catalog)
        except UnknownApp as e:
            raise base.ActionRejected(str(e)) from e
        self.device.launch(package, self._components.get(package))

    def catalog(self) -> AppCatalog:
        """Installed launchable apps (read once per episode)."""
        if self._catalog is None:
            self._components = self.device.launchable()
            packages = list(self._components) or self.device.packages()
            labels = {label: p for label, p in self.config.app_labels.items() if p in packages}
            self._catalog = AppCatalog.of(packages, labels)
        return self._catalog

    # ---------------------------------------------------------------- geometry and capture

    def display(self) -> DisplayInfo:
        if self._display is None:
            self._display = self.device.display()
        return self._display

    def _to_input(self, point: tuple[int, int]) -> tuple[int, int]:
        """A screenshot pixel -> the display's input coordinates (scaled if the sizes differ)."""
        display = self.display().size
        image = self._image_size or display
        x, y = point
        if not (0 <= x < image[0] and 0 <= y < image[1]):
            raise base.ActionRejected(f"The point [{x}, {y}] is outside the {image[0]}x{image[1]} screen.")
        if image == display:
            return x, y
        return min(x * display[0] // image[0], display[0] - 1), min(y * display[1] // image[1], display[1] - 1)

    def _display_for(self, image_size: tuple[int, int]) -> DisplayInfo:
        """The display info for a frame of this size: re-read when the size differs from the display's and
        was not checked yet (the device rotated or got another override size since we last looked)."""
        display = self.display()
        if image_size != display.size and image_size != self._checked_size:
            self._display = display = self.device.display()
            self._checked_size = image_size
            if image_size != display.size:
                log.info("%s: %sx%s frames for a %sx%s input space; points are scaled", self.serial, *image_size,
                         *display.size)  # fmt: skip
        return display

    def _capture(self) -> Capture:
        capture = self.capturer.grab()
        if not capture.is_black():
            return capture
        awake = self.device.wakefulness() in (None, "Awake")
        if not awake and self.config.wake_on_black:
            log.info("%s: the screen went off; waking it", self.serial)
            wake(self.device)
            capture = self.capturer.grab()
            if not capture.is_black():
                return capture
            awake = True
        if not awake:
            raise base.CaptureFailed(f"{self.serial}: the screenshot is black because the screen is off")
        time.sleep(BLACK_RETRY_S)  # an activity transition can show a black frame for a moment
        capture = self.capturer.grab()
        if not capture.is_black():
            return capture
        raise base.CaptureFailed(
            f"{self.serial}: the screenshot is all black: the app in front forbids screenshots (a secure "
            "window, FLAG_SECURE) or the capture failed"
        )

    def _submit(self, fn) -> Future:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"adb-{self.serial}")
        return self._pool.submit(fn)

    def _label(self) -> str:
        return f"Android environment for {self.serial}"
