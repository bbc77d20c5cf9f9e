"""A frozen phone stays connected but stops answering: clients time out; ``thaw`` resumes it."""

from __future__ import annotations

import threading
import time

import adbutils
import pytest

pytestmark = pytest.mark.timeout(60)


def wait_for(cond, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.01)
    return False


@pytest.fixture
def frozen_phone(phone):
    phone.freeze()
    yield phone
    phone.thaw()


def test_frozen_phone_stays_listed_but_requests_time_out(frozen_phone, dev, adb, helpers):
    assert frozen_phone.device.frozen
    assert f"{frozen_phone.serial}\tdevice" in adb("devices").stdout  # still connected
    with pytest.raises(adbutils.AdbTimeout):  # a frozen phone never answers: only the timeout ends it
        helpers.returns_within(lambda: dev.shell("echo hi", timeout=0.5))
    with pytest.raises(adbutils.AdbTimeout):
        dev.shell("screencap -p", timeout=0.3, encoding=None)
    frozen_phone.thaw()
    assert dev.shell("echo hi") == "hi"


def test_an_abandoned_request_never_runs_after_thaw(frozen_phone, dev):
    with pytest.raises(adbutils.AdbTimeout):
        dev.shell("settings put global wifi_on 0", timeout=0.3)
    assert wait_for(lambda: frozen_phone.device.stalled == 0)  # the device saw the host close the stream
    frozen_phone.thaw()
    assert dev.shell("settings get global wifi_on") == "1"


def test_a_patient_request_runs_once_thawed(frozen_phone, dev):
    done = threading.Event()
    worker = threading.Thread(target=lambda: (dev.shell("settings put global wifi_on 0"), done.set()))
    worker.start()
    assert wait_for(lambda: frozen_phone.device.stalled == 1)
    assert frozen_phone.device.settings.get("global", "wifi_on") == "1"  # not run while frozen
    assert frozen_phone.device.shell("settings get global wifi_on").text == "1\n"  # in process still works
    frozen_phone.thaw()
    worker.join(10)
    assert done.is_set() and frozen_phone.device.settings.get("global", "wifi_on") == "0"


def test_reset_thaws(phone):
    phone.freeze()
    phone.reset()
    assert not phone.device.frozen
