"""Apps that are not built in: APKs installed with ``adb install`` (a generic screen showing the app's label,
one per activity of the manifest) and a minimal browser that opens ``http(s)`` VIEW intents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..ui import theme
from .base import Activity, App

if TYPE_CHECKING:
    from ..apk import ApkInfo
    from ..ui.node import Node
    from ..ui.widgets import Ui
    from .base import DeviceView


class GenericActivity(Activity):
    """An installed app's screen: its label in the app bar and in the middle (its code does not run here)."""

    def build(self, ui: Ui) -> Node:
        root = ui.screen()
        bar, (left, top, right, bottom) = ui.app_bar(self.app.label, back=False)
        root.add(bar)
        mid = (top + bottom) // 2
        root.add(ui.text((left, mid - ui.dp(24), right, mid + ui.dp(24)), self.app.label, 22, align="center",
                         rid="label"))  # fmt: skip
        return root


class InstalledApp(App):
    """An APK installed by ``pm install``: ``info`` is its manifest (``apk.read_apk``)."""

    installed = True  # ``pm list packages -3`` lists it; ``pm uninstall`` may remove it

    def __init__(self, device: DeviceView, info: ApkInfo) -> None:
        super().__init__(device)
        self.info = info
        names = ([info.launcher] if info.launcher else []) + [a for a in info.activities if a != info.launcher]
        self._activities = tuple(
            type(name.rsplit(".", 1)[-1], (GenericActivity,), {"cls": _short(info.package, name)}) for name in names
        )

    @property  # type: ignore[override]
    def package(self) -> str:  # type: ignore[override]
        return self.info.package

    @property  # type: ignore[override]
    def label(self) -> str:  # type: ignore[override]
        return self.info.label

    @property  # type: ignore[override]
    def activities(self) -> tuple[type[Activity], ...]:  # type: ignore[override]
        return self._activities

    @property  # type: ignore[override]
    def version(self) -> str:  # type: ignore[override]
        return self.info.version_name

    @property
    def launchable(self) -> bool:
        return self.info.launcher is not None


def _short(package: str, name: str) -> str:
    return name[len(package) :] if name.startswith(package + ".") else name


class BrowserActivity(Activity):
    cls = "com.google.android.apps.chrome.Main"
    actions = ("android.intent.action.WEB_SEARCH",)

    def build(self, ui: Ui) -> Node:
        url = str(self.extras.get("data", "about:blank"))
        root = ui.screen()
        left, top, right, bottom = ui.rect
        h = ui.dp(56)
        root.add(ui.text((left + ui.dp(16), top + ui.dp(8), right - ui.dp(16), top + h), url, 16,
                         rid="url_bar", pad=8))  # fmt: skip
        mid = (top + bottom) // 2
        root.add(ui.text((left, mid - ui.dp(40), right, mid), "This site can't be reached", 20, align="center",
                         rid="error_title", bold=True))  # fmt: skip
        root.add(ui.text((left, mid, right, mid + ui.dp(32)), url, 14, theme.SUBTLE, align="center",
                         rid="error_url"))  # fmt: skip
        return root


class BrowserApp(App):
    """Chrome, as far as a VIEW intent for a web URL goes: it opens a page saying the site can't be reached (the
    simulated phone has no internet). Not on the launcher, so the built-in app set stays as it was."""

    package = "com.android.chrome"
    label = "Chrome"
    glyph = "◎"
    activities = (BrowserActivity,)

    @property
    def launchable(self) -> bool:
        return False

    def resolve_view(self, data: str) -> tuple[type[Activity], dict[str, Any]] | None:
        if data.split(":", 1)[0].lower() in ("http", "https") and "maps.google." not in data:
            return BrowserActivity, {"data": data}
        return None
