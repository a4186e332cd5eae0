"""Shared test setup: no network, headless matplotlib, a small hypothesis budget."""

import os
import socket

import matplotlib
import pytest
from hypothesis import settings

matplotlib.use("Agg")
# No example database: the suite must not write inside the repository.
# In CI the examples are derandomized, so a run is reproducible; locally they vary and keep exploring.
settings.register_profile("cvlab", max_examples=40, deadline=None, database=None,
                          derandomize=os.environ.get("CI", "") not in ("", "0", "false"))
settings.load_profile("cvlab")


LOOPBACK = ("127.", "::1", "localhost")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any test that connects beyond loopback (e.g. a pooch download of sample data)."""
    connect = socket.socket.connect

    def loopback_only(sock, address):
        host = address[0] if isinstance(address, tuple) else ""
        if sock.family == socket.AF_UNIX or str(host).startswith(LOOPBACK):
            return connect(sock, address)
        raise RuntimeError(f"cvlab tests must not use the network (tried {address!r})")

    monkeypatch.setattr(socket.socket, "connect", loopback_only)


def pytest_configure(config):
    config.addinivalue_line("markers",
                            "browser: real-browser tests (JupyterLab, Notebook 7, Voila, offline site) in Chromium; "
                            "need /usr/bin/chromium")


def pytest_report_header(config):
    from pathlib import Path

    if not Path("/usr/bin/chromium").exists():
        return "browser tests: SKIPPED, no Chromium at /usr/bin/chromium (apt-get install chromium; .ci/run does)"
    return "browser tests: Chromium at /usr/bin/chromium, JupyterLab, Notebook 7 and Voila (pytest -m browser)"
