"""``dumpsys`` in Android 14's formats for the services runtimes parse: window, activity, display, power,
input, input_method, SurfaceFlinger, package. Only the lines worth parsing are produced, in real layout."""

from __future__ import annotations

import time
import zlib
from typing import TYPE_CHECKING

from ..animation import VSYNC_S
from ..wm import LAUNCHER
from . import cmd_services
from .interp import CommandFn, Proc

if TYPE_CHECKING:
    from ..apps.base import Activity
    from ..ports import Phone

COMMANDS: dict[str, CommandFn] = {}
DISPLAY_ID = "4619827259835644672"


def _hex(*parts: object) -> str:
    return f"{zlib.crc32(repr(parts).encode()):08x}"[1:]


def pid(package: str) -> int:
    return 2000 + zlib.crc32(package.encode()) % 20000


def _running_pid(device: Phone, package: str) -> int:
    """The pid of the package's process (the process table's), else the stable made-up one."""
    running = device.procs.by_name(package)
    return running[0].pid if running else pid(package)


def _record(device: Phone, act: Activity) -> str:
    task = next(t for t in device.wm.tasks if act in t.activities)
    return f"ActivityRecord{{{_hex('ar', id(act))} u0 {act.short_component} t{task.id}}}"


def _window(act: Activity) -> str:
    return f"Window{{{_hex('w', id(act))} u0 {act.component}}}"


def focus_window(device: Phone) -> str:
    """What ``mCurrentFocus`` names: the keyguard, the launcher while recents shows, or the top activity."""
    if device.locked or not device.awake:
        return "Window{3c1a2b9 u0 NotificationShade}"
    if device.wm.recents:
        launcher = device.wm.task_for(LAUNCHER)
        return _window(launcher.top if launcher else device.wm.top)
    return _window(device.wm.top)


def window(p: Proc, args: list[str]) -> None:
    dev = p.device
    top = dev.wm.top
    out = ["WINDOW MANAGER WINDOWS (dumpsys window windows)"]
    sysui = "    mOwnerUid=10145 package=com.android.systemui"
    out += ["  Window #0 Window{7a8b9c0 u0 NavigationBar0}:", sysui, "  Window #1 Window{1d2e3f4 u0 StatusBar}:", sysui]
    for i, task in enumerate(dev.wm.tasks):
        flags = "LAYOUT_IN_SCREEN HARDWARE_ACCELERATED" + (" SECURE" if task.top.secure else "")
        out += [f"  Window #{i + 2} {_window(task.top)}:",
                f"    mDisplayId=0 rootTaskId={task.id} mOwnerUid={10000 + pid(task.package) % 1000}",
                f"    package={task.package} appop=NONE",
                f"    mAttrs={{(0,0)(fillxfill) ty=BASE_APPLICATION fl={flags}}}",
                f"    isVisible={str(i == 0).lower()} mHasSurface={str(i == 0).lower()}"]  # fmt: skip
    w, h = dev.display_size()
    out += ["", "WINDOW MANAGER DISPLAY CONTENTS (dumpsys window displays)", "  Display: mDisplayId=0 rootTasks=1",
            f"    init={dev.physical_size[0]}x{dev.physical_size[1]} {dev.physical_density}dpi "
            f"cur={w}x{h} app={w}x{h - dev.dp(72)} rng={min(w, h)}x{min(w, h)}-{max(w, h)}x{max(w, h)}",
            f"    mCurrentRotation=ROTATION_{dev.rotation * 90}",
            f"    mInputMethodWindow={'Window{9f8e7d6 u0 InputMethod}' if dev.wm.ime_shown else 'null'}",
            "", "WINDOW MANAGER POLICY STATE (dumpsys window policy)",
            f"    mAwake={str(dev.awake).lower()} mScreenOnEarly={str(dev.awake).lower()}",
            *_keyguard(dev),
            "", f"  mGlobalConfiguration={{1.0 ?mcc?mnc [en_US] ldltr {dev.density}dpi "
            f"{'land' if dev.rotation % 2 else 'port'} finger qwerty/v/v}}",
            "  mTopFocusedDisplayId=0", f"  mCurrentFocus={focus_window(dev)}",
            f"  mFocusedApp={_record(dev, top)}"]  # fmt: skip
    if args[:1] in (["displays"], ["d"]):  # that section alone, as ``dumpsys window displays`` prints it
        start = out.index("WINDOW MANAGER DISPLAY CONTENTS (dumpsys window displays)")
        end = out.index("WINDOW MANAGER POLICY STATE (dumpsys window policy)", start) - 1
        out = [*out[start:end], f"  mCurrentFocus={focus_window(dev)}", f"  mFocusedApp={_record(dev, top)}"]
    p.out("\n".join(out) + "\n")


def _keyguard(dev: Phone) -> list[str]:
    """``KeyguardServiceDelegate``'s dump: ``secure`` is whether a PIN is set, showing or not."""
    b = lambda v: str(bool(v)).lower()
    showing, secure = dev.locked, dev.keyguard.secure
    return ["    KeyguardServiceDelegate", f"      showing={b(showing)}",
            f"      showingAndNotOccluded={b(showing)}", f"      inputRestricted={b(showing)}",
            "      occluded=false", f"      secure={b(secure)}", f"      dreaming={b(not dev.awake)}",
            "      systemIsReady=true", "      deviceHasKeyguard=true", "      enabled=true"]  # fmt: skip


def activity(p: Proc, args: list[str]) -> None:
    dev = p.device
    if args[:1] == ["top"]:
        for task in reversed(dev.wm.tasks):
            act = task.top
            running = _running_pid(dev, task.package)
            p.out(f"TASK 10:{task.package} id={task.id} userId=0\n"
                  f"  ACTIVITY {act.short_component} {_hex('ar', id(act))} pid={running}\n")  # fmt: skip
        return
    out = ["ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)", "Display #0 (activities from top to bottom):"]
    for i, task in enumerate(dev.wm.tasks):
        kind = "home" if task.package == LAUNCHER else "standard"
        visible, size = str(i == 0).lower(), len(task.activities)
        out.append(f"  * Task{{{_hex('t', task.id)} #{task.id} type={kind} A=10000:{task.package} U=0 "
                   f"visible={visible} mode=fullscreen translucent=false sz={size}}}")  # fmt: skip
        for j, act in enumerate(reversed(task.activities)):
            out.append(f"    * Hist  #{len(task.activities) - 1 - j}: {_record(dev, act)}")
            out.append(f"      packageName={act.package} processName={act.package}")
    top = _record(dev, dev.wm.top)
    out += ["", "  Resumed activities in task display areas (from top to bottom):", f"    Resumed: {top}", "",
            f"  mResumedActivity: {top}", f"  ResumedActivity: {top}", "", "  mFocusedApp=" + top]  # fmt: skip
    p.out("\n".join(out) + "\n")


def display(p: Proc, args: list[str]) -> None:
    dev = p.device
    w, h = dev.display_size()
    r = dev.rotation
    d = dev.density
    p.out(f"""DISPLAY MANAGER (dumpsys display)
  mOnlyCore=false
  mSafeMode=false
  mViewports=[DisplayViewport{{type=INTERNAL, valid=true, isActive=true, displayId=0, uniqueId='local:{DISPLAY_ID}', \
physicalPort=0, orientation={r}, logicalFrame=Rect(0, 0 - {w}, {h}), physicalFrame=Rect(0, 0 - {w}, {h}), \
deviceWidth={w}, deviceHeight={h}}}]

Display Devices: size=1
  DisplayDeviceInfo{{"Built-in Screen": uniqueId="local:{DISPLAY_ID}", {dev.physical_size[0]} x \
{dev.physical_size[1]}, modeId 1, defaultModeId 1, density {dev.physical_density}, type INTERNAL, \
state {"ON" if dev.awake else "OFF"}, FLAG_DEFAULT_DISPLAY}}

Logical Displays: size=1
  Display 0:
    mDisplayId=0
    mBaseDisplayInfo=DisplayInfo{{"Built-in Screen", displayId 0, real {w} x {h}, rotation {r}, \
density {d} ({d}.0 x {d}.0) dpi, state {"ON" if dev.awake else "OFF"}}}
    mOverrideDisplayInfo=DisplayInfo{{"Built-in Screen", displayId 0, app {w} x {h}, real {w} x {h}, \
rotation {r}, density {d} ({d}.0 x {d}.0) dpi, state {"ON" if dev.awake else "OFF"}}}
""")


def power(p: Proc, args: list[str]) -> None:
    dev = p.device
    awake = dev.awake
    p.out(f"""POWER MANAGER (dumpsys power)

Power Manager State:
  mDirty=0x0
  mWakefulness={"Awake" if awake else "Asleep"}
  mWakefulnessChanging=false
  mIsPowered=true
  mPlugType=2
  mBatteryLevel=100
  mHoldingWakeLockSuspendBlocker={str(awake).lower()}
  mHoldingDisplaySuspendBlocker={str(awake).lower()}
  mScreenBrightnessSetting={dev.settings.get("system", "screen_brightness")}
  mScreenOffTimeoutSetting={dev.settings.get("system", "screen_off_timeout")}

Display Power: state={"ON" if awake else "OFF"}
""")


def input_(p: Proc, args: list[str]) -> None:
    dev = p.device
    w, h = dev.display_size()
    top = dev.wm.top
    p.out(f"""INPUT MANAGER (dumpsys input)

Input Manager Service (Java) State:
  Interactive: {str(dev.awake).lower()}

Event Hub State:
  BuiltInKeyboardId: -2
  Devices:
    -1: Virtual
    1: sim_touchscreen

Input Reader State:
  Device 1: sim_touchscreen
    Touch Input Mapper (mode - DIRECT):
      Viewport INTERNAL: displayId=0, uniqueId=local:{DISPLAY_ID}, port=0, orientation={dev.rotation}, \
logicalFrame=[0, 0, {w}, {h}], physicalFrame=[0, 0, {w}, {h}], deviceSize=[{w}, {h}], isActive=[1]
      SurfaceWidth: {w}px
      SurfaceHeight: {h}px
      SurfaceOrientation: {dev.rotation}

Input Dispatcher State:
  FocusedApplications:
    displayId=0, name='{_record(dev, top)}'
  FocusedWindows:
    displayId=0, name='{focus_window(dev)[7:-1]}'
""")


def input_method(p: Proc, args: list[str]) -> None:
    dev = p.device
    p.out(f"""Current Input Method Manager state:
  mCurMethodId={dev.current_ime()}
  mCurFocusedWindow={focus_window(dev)}
  mInputShown={str(dev.wm.ime_shown).lower()}
  mServedInputConnection={"non-null" if dev.wm.focus else "null"}
""")


def surfaceflinger(p: Proc, args: list[str]) -> None:
    """The display line; with ``--latency``, the refresh period then a line per recent frame (desired
    present, actual present, frame ready; ns), padded with empty ``0 0 0`` slots to 127 lines as on a phone."""
    if "--latency" in args:
        frames = p.device.presented_frames()
        lines = [f"{t}\t{t}\t{t}" for t in frames] + ["0\t0\t0"] * (127 - len(frames))
        p.out(f"{round(VSYNC_S * 1e9)}\n" + "\n".join(lines) + "\n")
        return
    p.out(f'Display {DISPLAY_ID} (HWC display 0): port=0 pnpId=GGL displayName="SIM_display_0"\n')


def package(p: Proc, args: list[str]) -> None:
    """The activity resolver table (launcher and action filters) and the package records of ``args``' packages
    (every package without arguments); ``dumpsys package PKG`` limits both to PKG, as on a phone."""
    dev = p.device
    names = [a for a in args if not a.startswith("-")]
    apps = [dev.apps[n] for n in (names or sorted(dev.apps)) if n in dev.apps]
    _resolver_table(p, apps)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(dev.clock.start))
    p.out("Packages:\n")
    for app in apps:
        p.out(f"""  Package [{app.package}] ({_hex("pkg", app.package)}):
    userId={10000 + pid(app.package) % 1000}
    codePath=/system/app/{app.package.rsplit(".", 1)[-1]}
    versionCode=34 minSdk=34 targetSdk=34
    versionName={app.version}
    pkgFlags=[ SYSTEM HAS_CODE ALLOW_CLEAR_USER_DATA ]
    timeStamp={stamp}
    firstInstallTime={stamp}
    lastUpdateTime={stamp}
    signatures=PackageSignatures{{{_hex("sig", app.package)} version:3, signatures:[{_hex("key", app.package)}]}}
""")


def _resolver_table(p: Proc, apps: list) -> None:
    """``Activity Resolver Table:`` / ``Non-Data Actions:``: each action, then the filters that answer it."""
    from .cmd_pm import filters

    by_action: dict[str, list] = {}
    for app in apps:
        for f in filters(app):
            for action in f.actions:
                by_action.setdefault(action, []).append(f)
    if not by_action:
        return
    out = ["Activity Resolver Table:", "  Non-Data Actions:"]
    for action in sorted(by_action):
        out.append(f"      {action}:")
        for f in by_action[action]:
            out.append(f"        {_hex('act', f.component)} {f.component} filter {_hex('flt', f.component, action)}")
            out += [f'          Action: "{a}"' for a in f.actions]
            out += [f'          Category: "{c}"' for c in f.categories]
    p.out("\n".join(out) + "\n\n")


HANDLERS = {"window": window, "activity": activity, "display": display, "power": power, "input": input_,
            "input_method": input_method, "SurfaceFlinger": surfaceflinger, "package": package,
            **cmd_services.DUMPSYS}  # fmt: skip


def dumpsys(p: Proc, args: list[str]) -> int:
    if not args or args[0] == "-l":
        p.out("Currently running services:\n" + "".join(f"  {s}\n" for s in sorted(HANDLERS, key=str.lower)))
        return 0
    handler = HANDLERS.get(args[0])
    if handler is None:
        p.out(f"Can't find service: {args[0]}\n")
        return 0
    handler(p, args[1:])
    return 0


COMMANDS["dumpsys"] = dumpsys


# ``service list`` names each service with its binder interface ([] for those with none)
INTERFACES = {"SurfaceFlinger": "android.ui.ISurfaceComposer", "activity": "android.app.IActivityManager",
              "connectivity": "android.net.IConnectivityManager", "deviceidle": "android.os.IDeviceIdleController",
              "display": "android.hardware.display.IDisplayManager", "input": "android.hardware.input.IInputManager",
              "input_method": "com.android.internal.view.IInputMethodManager",
              "notification": "android.app.INotificationManager", "package": "android.content.pm.IPackageManager",
              "power": "android.os.IPowerManager", "wifi": "android.net.wifi.IWifiManager",
              "window": "android.view.IWindowManager"}  # fmt: skip
SERVICE_USAGE = """Usage: service [-h|-?]
       service list
       service check SERVICE
       service call SERVICE CODE [i32 N | i64 N | f N | d N | s16 STR | null | fd f | nfd n | afd f ] ...
Options:
   i32: Write the 32-bit integer N into the send parcel.
   i64: Write the 64-bit integer N into the send parcel.
   f:   Write the 32-bit single-precision number N into the send parcel.
   d:   Write the 64-bit double-precision number N into the send parcel.
   s16: Write the UTF-16 string STR into the send parcel.
  null: Write a null binder into the send parcel.
    fd: Write a file descriptor for the file f to the send parcel.
   nfd: Write file descriptor n to the send parcel.
   afd: Write an ashmem file descriptor for a region containing the data from file f to the send parcel.
"""


def service(p: Proc, args: list[str]) -> int:
    """``service list|check|call``. Of the calls, SurfaceFlinger's 1013 (the page-flip count) answers as on a
    phone; any other transaction of a known service gets the empty reply of a code it does not handle."""
    match args:
        case ["list"]:
            names = sorted(HANDLERS)
            p.out(f"Found {len(names)} services:\n")
            p.out("".join(f"{i}\t{name}: [{INTERFACES.get(name, '')}]\n" for i, name in enumerate(names)))
            return 0
        case ["check", name]:
            p.out(f"Service {name}: {'found' if name in HANDLERS else 'not found'}\n")
            return 0
        case ["call", name, code, *_]:
            if name not in INTERFACES:  # not running, or no interface to call
                p.err(f"service: Service {name} does not exist\n")
                return 10
            if (name, code) != ("SurfaceFlinger", "1013"):
                p.out("Result: Parcel(NULL)\n")
                return 0
            word = p.device.page_flips().to_bytes(4, "little")
            text = "".join(chr(b) if 32 <= b < 127 else "." for b in word)
            p.out(f"Result: Parcel({int.from_bytes(word, 'little'):08x}    '{text}')\n")
            return 0
    p.out(SERVICE_USAGE)
    return 10


COMMANDS["service"] = service
