"""Servers for the real-browser tests: one Jupyter server for JupyterLab and Notebook 7, and Voila.

Each server runs on a free loopback port in its own process group, with its
Jupyter configuration, data, settings and workspaces in a temporary folder (so
neither a user-level kernel nor saved JupyterLab state can change what is
tested), and is stopped by PID even when a test fails: SIGTERM to the group,
SIGKILL after 15 s, then SIGKILL to every kernel it had started.
"""

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_TIMEOUT_S = 120


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def descendants(pid):
    """PIDs of all live descendants of ``pid`` (from /proc), children first."""
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    return found


def _die_with_parent():
    """In the child before exec: get SIGTERM if pytest itself is killed (Linux prctl)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def isolated_env(home):
    """The environment for a server whose Jupyter state lives under ``home``."""
    env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1", PYTHONWARNINGS="ignore::DeprecationWarning")
    for name, folder in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
                         ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"),
                         ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces")]:
        (home / folder).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / folder)
    return env


@contextlib.contextmanager
def running(command, log, cwd, ready, env=None, fail=None):
    """Run ``command`` until its log contains ``ready``; always stop it and its kernels.

    Yields a function that records the server's current kernels (so a kernel
    started late is still killed). ``fail(message)`` reports a server that
    does not start (``pytest.fail`` in the tests).
    """
    with open(log, "wb") as sink:
        server = subprocess.Popen(
            command, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env=env or dict(os.environ), preexec_fn=_die_with_parent,
        )
    kernels = set()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while ready not in log.read_text(errors="replace"):
            if server.poll() is not None or time.monotonic() > deadline:
                (fail or RuntimeError)(f"{Path(command[0]).name} did not start:\n"
                                       f"{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield lambda: kernels.update(descendants(server.pid))
    finally:
        kernels.update(descendants(server.pid))
        try:
            os.killpg(server.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=15)
        for pid in kernels:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def jupyter_command(root, port, token):
    """One Jupyter server with both front ends: JupyterLab at /lab, Notebook 7 at /tree and /notebooks.

    Both expose their application object (``window.jupyterapp``) so the tests
    can run all cells and shut the kernel down through the front end's own commands.
    """
    command = [
        str(BIN / "jupyter"), "lab", "--no-browser", f"--ServerApp.root_dir={root}",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        "--LabApp.expose_app_in_browser=True", "--JupyterNotebookApp.expose_app_in_browser=True",
        # No "news" toast over the notebook, no check for newer JupyterLab releases.
        "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")  # Jupyter refuses root without it; CI containers often are root
    return command


def new_token():
    return secrets.token_hex(16)
