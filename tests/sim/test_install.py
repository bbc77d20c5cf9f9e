"""Installing a real APK: streamed (``adb install``) and legacy (push + ``pm install``: pure-python-adb), read with
pyaxmlparser; the app shows up in pm, the launcher and query-activities, and launches to a screen with its label.
A VIEW intent for a web URL opens the browser."""

from __future__ import annotations

import pytest
from clients import adb_in, adb_shell_device, ppadb_device
from sim_helpers import adb_find, adb_nodes

from qwen2vl_agent.envs.sim.apk import ApkError, build_minimal_apk, read_apk

pytestmark = pytest.mark.timeout(60)
PKG = "org.example.hello"


@pytest.fixture
def apk(tmp_path):
    path = tmp_path / "hello.apk"
    path.write_bytes(build_minimal_apk(PKG, "Hello Sim", ".HelloActivity", "2.5"))
    return path


def test_the_built_apk_reads_back():
    info = read_apk(build_minimal_apk(PKG, "Hello Sim", ".HelloActivity", "2.5"))
    assert (info.package, info.label, info.version_name) == (PKG, "Hello Sim", "2.5")
    assert info.activities == (f"{PKG}.HelloActivity",) and info.launcher == f"{PKG}.HelloActivity"
    with pytest.raises(ApkError, match="INSTALL_PARSE_FAILED_NOT_APK"):
        read_apk(b"not a zip")


def test_adb_install_streams_and_the_app_appears_everywhere(phone, apk, dev):
    res = adb_in(phone, "install", str(apk))
    assert res.returncode == 0 and res.stdout.decode().splitlines()[-1] == "Success"
    assert f"package:{PKG}" in dev.shell("pm list packages -3").splitlines()
    assert f"{PKG}/.HelloActivity" in dev.shell(
        "pm query-activities --brief -a android.intent.action.MAIN -c android.intent.category.LAUNCHER"
    )
    assert "Hello Sim" in [a.label for a in phone.device.launchable()]
    dev.keyevent("HOME")
    assert adb_find(dev, text="Hello Sim")  # its icon on the home screen
    dev.shell(f"monkey -p {PKG} -c android.intent.category.LAUNCHER 1")
    assert dev.app_current().package == PKG and dev.app_current().activity == f"{PKG}.HelloActivity"
    assert [n["text"] for n in adb_nodes(dev) if n["resource-id"].endswith("label")] == ["Hello Sim"]


def test_adb_uninstall(phone, apk, dev):
    adb_in(phone, "install", str(apk))
    dev.shell(f"am start -n {PKG}/.HelloActivity")
    res = adb_in(phone, "uninstall", PKG)
    assert res.returncode == 0 and res.stdout == b"Success\n"
    assert f"package:{PKG}" not in dev.shell("pm list packages")
    assert dev.app_current().package != PKG
    res = adb_in(phone, "uninstall", PKG)
    assert res.returncode != 0 and b"DELETE_FAILED_INTERNAL_ERROR" in res.stdout + res.stderr
    assert b"Failure [DELETE_FAILED_INTERNAL_ERROR]" in adb_in(phone, "uninstall", "com.android.settings").stdout


def test_legacy_install_through_pure_python_adb(phone, apk, dev):
    assert ppadb_device(phone).install(str(apk)) is True  # push to /data/local/tmp, then pm install PATH
    assert PKG in dev.list_packages()
    assert dev.shell(f"pm path {PKG}").startswith("package:/data/app/")
    assert ppadb_device(phone).uninstall(PKG) is True


def test_install_reinstall_and_bad_apk(phone, apk, tmp_path, dev):
    adb_in(phone, "install", str(apk))
    assert adb_in(phone, "install", "-r", str(apk)).stdout.decode().splitlines()[-1] == "Success"
    assert "Replacing package org.example.hello" in dev.shell("logcat -d -s PackageManager")
    bad = tmp_path / "bad.apk"
    bad.write_bytes(b"PK\x03\x04 broken")
    res = adb_in(phone, "install", str(bad))
    assert res.returncode != 0 and b"INSTALL_PARSE_FAILED" in res.stdout + res.stderr


def test_install_through_adbutils_and_adb_shell(phone, apk, dev):
    dev.sync.push(apk.read_bytes(), "/data/local/tmp/hello.apk")
    direct = adb_shell_device(phone)
    try:
        assert direct.shell("pm install -r /data/local/tmp/hello.apk") == "Success\n"
    finally:
        direct.close()
    dev.app_start(PKG)
    assert dev.app_current().package == PKG


def test_view_intent_for_a_url_opens_the_browser(dev):
    dev.shell("am start -a android.intent.action.VIEW -d https://example.com/page")
    assert dev.app_current().package == "com.android.chrome"
    assert adb_find(dev, rid="url_bar")["text"] == "https://example.com/page"
    dev.shell("am start -a android.intent.action.VIEW -d 'geo:0,0?q=cafe'")
    assert dev.app_current().package == "com.google.android.apps.maps"  # maps keeps its own URLs
