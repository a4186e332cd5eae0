"""Shared test setup: no network, headless matplotlib, a small hypothesis budget."""

import socket

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")
settings.register_profile("cvlab", max_examples=40, deadline=None)
settings.load_profile("cvlab")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any test that tries to open a network connection (e.g. a pooch download)."""

    def refuse(*args, **kwargs):
        raise RuntimeError("cvlab tests must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
