"""Shared fixtures: the tiny checkpoint (``tiny_dir``, with the other shared helpers in tests/conftest.py)
loaded through the same factory and backend as a real checkpoint."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from qwen2vl_agent.model.factory import load_model
from qwen2vl_agent.model.hf import HFModel


@pytest.fixture(scope="session")
def tiny_model(tiny_dir: Path) -> HFModel:
    model = load_model(str(tiny_dir))
    assert isinstance(model, HFModel)
    return model


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to resolve a name or open a connection fails the test (and the hub is not told to stay
    offline, so a lookup would be an attempt)."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args[:2]}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)


@pytest.fixture(scope="session")
def sim_screens():
    """``sim_screens(seed, apps)``: the simulated phone's screenshot (1080x2400) of each app in turn ("" is the
    home screen), each launched as the launcher would."""
    from qwen2vl_agent.envs.sim.device import Device

    def screens(seed: int, apps: tuple[str, ...]) -> list:
        device = Device(seed=seed)
        shots = []
        for package in apps:
            if package:
                device.shell(f"monkey -p {package} -c android.intent.category.LAUNCHER 1")
            shots.append(device.screenshot().copy())
        return shots

    return screens
