"""A simulated class on a loopback JupyterHub: students log in, pull the chapters and run them.

``tests/test_hub.py`` and ``benchmarks/hub_capacity.py`` use it. :class:`Hub` starts
JupyterHub with ``deploy/single-server/jupyterhub_config.py`` (its proxy and idle
culler included) plus the few overrides a test needs: loopback ports, the dummy
authenticator, each student's server a local process of the current user with a
home folder under the work folder, and an API token for the test. :class:`Student`
does what a student's browser does, over HTTP and the kernel websocket only: log
in, start a server, follow an nbgitpuller link, open a notebook and run every cell.
"""

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urlencode

import psutil
import requests
import websocket

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "deploy" / "single-server" / "jupyterhub_config.py"
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
VENV_BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"

# Appended to the shipped configuration; only what a loopback test must change.
OVERLAY = """\
c = get_config()  # noqa
load_subconfig({config!r})
c.JupyterHub.hub_bind_url = "http://{ip}:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://{ip}:{api_port}"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.Spawner.ip = "{ip}"
c.Spawner.args = {args!r}
c.Spawner.env_keep.extend(["OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"])
c.Spawner.environment["JUPYTERHUB_ACTIVITY_INTERVAL"] = "{activity}"
c.JupyterHub.last_activity_interval = {activity}
c.JupyterHub.services.append({{"name": "classroom", "api_token": {token!r}}})
c.JupyterHub.load_roles.append({{"name": "classroom", "scopes": ["admin:users", "admin:servers"],
                                 "services": ["classroom"]}})
"""


def free_port():
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _die_with_parent():
    """In the child before exec: get SIGTERM if the test process dies (Linux prctl)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Hub:
    """JupyterHub from the course configuration on free loopback ports, in ``workdir``.

    Every process it starts (proxy, culler, students' servers, kernels) is recorded
    while it runs; :meth:`stop` stops the hub and returns the ones still alive.
    """

    def __init__(self, workdir, *, idle_timeout=3600, cull_every=300, activity_interval=300):
        self.workdir = Path(workdir)
        self.homes = self.workdir / "homes"
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.token = secrets.token_hex(32)
        self.log = self.workdir / "jupyterhub.log"
        self.environment = dict(
            os.environ, CVLAB_HUB_URL=self.url, CVLAB_HUB_STATE=str(self.workdir / "state"),
            CVLAB_HUB_IDLE_TIMEOUT=str(idle_timeout), CVLAB_HUB_CULL_EVERY=str(cull_every),
            JUPYTER_PLATFORM_DIRS="1",
        )
        self.activity_interval = activity_interval
        self.process = None
        self.started = {}  # pid -> psutil.Process, for everything the hub started
        self.commands = {}  # pid -> command line, kept after the process is gone
        self._watching = threading.Event()

    def start(self, timeout=180):
        self.homes.mkdir(parents=True, exist_ok=True)
        overlay = self.workdir / "jupyterhub_config.py"
        overlay.write_text(OVERLAY.format(
            config=str(CONFIG), ip=LOOPBACK, hub_port=free_port(), api_port=free_port(), homes=str(self.homes),
            args=["--allow-root"] if os.geteuid() == 0 else [], activity=self.activity_interval, token=self.token,
        ))
        with open(self.log, "wb") as sink:
            self.process = subprocess.Popen(
                [str(VENV_BIN / "jupyterhub"), "-f", str(overlay)], cwd=self.workdir, env=self.environment,
                stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, preexec_fn=_die_with_parent,
            )
        self._watching.set()
        threading.Thread(target=self._watch, daemon=True).start()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"JupyterHub did not start:\n{self.log_tail()}")
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{self.url}/hub/health", timeout=10).ok:
                    return self
            time.sleep(0.5)

    def _watch(self):
        while self._watching.is_set():
            self.record()
            time.sleep(0.5)

    def record(self):
        """Note every live descendant of the hub (children before they can be orphaned)."""
        with contextlib.suppress(psutil.NoSuchProcess):
            hub = psutil.Process(self.process.pid)
            children = hub.children(recursive=True)
            commands = {process.pid: " ".join(_cmdline(process)) for process in [hub, *children]}
            for child in children:
                self.started.setdefault(child.pid, child)
                command = commands[child.pid]
                # A child forked but not yet exec'd still shows its parent's command: wait for its own.
                if command == commands.get(_parent_pid(child)):
                    continue
                # Keep the latest command: start-singleuser.sh execs jupyterhub-singleuser under the same pid.
                if command != "?" or child.pid not in self.commands:
                    self.commands[child.pid] = command

    def log_tail(self, chars=4000):
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def api(self, method, path, **kwargs):
        response = requests.request(method, f"{self.url}/hub/api/{path}", timeout=60,
                                    headers={"Authorization": f"token {self.token}"}, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def servers(self):
        """Names of users whose server is running or starting."""
        return {user["name"] for user in self.api("GET", "users") if user["servers"]}

    def server_processes(self, name):
        """The live processes of ``name``'s server: the server first, then its kernels."""
        self.record()
        for process in list(self.started.values()):
            with contextlib.suppress(psutil.Error):
                if process.is_running() and process.environ().get("JUPYTERHUB_USER") == name \
                        and "jupyterhub-singleuser" in " ".join(process.cmdline()):
                    return [process, *process.children(recursive=True)]
        return []

    def stop(self, timeout=90):
        """Stop the hub (it stops the proxy, culler and servers); return what is still alive.

        Whatever survives is then killed by PID, so nothing outlives the caller.
        """
        if self.process is None:
            return []
        self.record()
        self._watching.clear()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        survivors = [p for p in self.started.values() if _alive(p)]
        for process in survivors:
            with contextlib.suppress(psutil.Error):
                process.kill()
        return [f"{p.pid} {self.commands.get(p.pid, ' '.join(_cmdline(p)))[:200]}" for p in survivors]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _alive(process):
    with contextlib.suppress(psutil.Error):
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    return False


def _parent_pid(process):
    with contextlib.suppress(psutil.Error):
        return process.ppid()
    return None


def _cmdline(process):
    with contextlib.suppress(psutil.Error):
        return process.cmdline()
    return ["?"]


@dataclass
class Run:
    """One notebook run: wall seconds, kernel CPU seconds, and every error or stderr output."""

    notebook: str
    seconds: float = 0.0
    kernel_cpu_seconds: float = 0.0
    cells: int = 0
    problems: list = field(default_factory=list)


class Student:
    """One student's browser session on the hub: cookies, and the calls the front end makes."""

    def __init__(self, hub, name):
        self.hub = hub
        self.name = name
        self.http = requests.Session()
        self.base = f"{hub.url}/user/{name}/"

    def login(self):
        """Log in through the login form (the dummy authenticator takes any password)."""
        form = self.http.get(f"{self.hub.url}/hub/login", timeout=60)
        form.raise_for_status()
        xsrf = unescape(re.search(r'name="_xsrf"\s+value="([^"]*)"', form.text).group(1))
        response = self.http.post(f"{self.hub.url}/hub/login", timeout=120, allow_redirects=False,
                                  data={"username": self.name, "password": "class", "_xsrf": xsrf})
        if response.status_code != 302:
            raise RuntimeError(f"{self.name}: login answered {response.status_code}")

    def start_server(self, timeout=300):
        """Ask for a server as the home page does and wait until JupyterLab loads; return seconds."""
        start = time.monotonic()
        self.http.get(f"{self.hub.url}/hub/spawn/{self.name}", timeout=120).raise_for_status()
        while time.monotonic() - start < timeout:
            page = self.http.get(f"{self.base}lab", timeout=120)
            if page.ok and page.url.startswith(self.base):  # not the hub's spawn-pending page
                return time.monotonic() - start
            time.sleep(0.5)
        raise RuntimeError(f"{self.name}: server not ready after {timeout} s")

    @property
    def xsrf(self):
        return self.http.cookies.get("_xsrf", path=f"/user/{self.name}/") or self.http.cookies.get("_xsrf", "")

    def server_api(self, method, path, **kwargs):
        response = self.http.request(method, f"{self.base}api/{path}", timeout=120,
                                     headers={"X-XSRFToken": self.xsrf}, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def follow_link(self, link, timeout=300):
        """Follow an nbgitpuller link as its status page does; return the page it opens.

        The link lands on nbgitpuller's page, whose script streams ``git-pull/api`` until
        the pull is finished and then opens the page the link names.
        """
        landing = self.http.get(link, timeout=120)
        landing.raise_for_status()
        data = {key: unquote(unescape(value))
                for key, value in re.findall(r'data-([a-z-]+)="([^"]*)"', landing.text)}
        query = {"_xsrf": data["xsrf"], "repo": data["repo"], "targetpath": data["targetpath"]}
        if "branch" in data:
            query["branch"] = data["branch"]
        events = []
        api = f"{self.hub.url}{data['base-url']}git-pull/api?{urlencode(query)}"
        with self.http.get(api, stream=True, timeout=timeout) as stream:
            for line in stream.iter_lines(decode_unicode=True):
                if line and line.startswith("data:"):
                    events.append(json.loads(line[5:]))
                    if events[-1].get("phase") in ("finished", "error"):
                        break
        if not events or events[-1].get("phase") != "finished":
            raise RuntimeError(f"{self.name}: nbgitpuller did not finish: {events[-1:]}")
        opened = self.http.get(f"{self.base}{data['path']}", timeout=120)
        opened.raise_for_status()
        return opened

    def run_notebook(self, path, cell_timeout=900, on_kernel=None):
        """Open ``path`` (relative to the home folder) in a new kernel, run every code cell, shut it down.

        Any ``error`` message, failed reply or text on stderr is a problem. ``on_kernel``,
        if given, is called with this student after the kernel has started and after the
        last cell (measurements use it).
        """
        notebook = self.server_api("GET", f"contents/{path}", params={"content": "1"})["content"]
        run = Run(notebook=path)
        session = self.server_api("POST", "sessions", json={
            "path": path, "name": Path(path).name, "type": "notebook", "kernel": {"name": "python3"}})
        kernel = session["kernel"]["id"]
        session_id = uuid.uuid4().hex
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.http.cookies)
        url = self.base.replace("http://", "ws://", 1) + f"api/kernels/{kernel}/channels?session_id={session_id}"
        channel = websocket.create_connection(url, cookie=cookies, header={"X-XSRFToken": self.xsrf}, timeout=120)
        try:
            start = time.monotonic()
            for cell in notebook["cells"]:
                if cell["cell_type"] == "code" and cell["source"].strip():
                    run.cells += 1
                    run.problems += _execute(channel, session_id, self.name, cell["source"], cell_timeout)
                    if run.problems:
                        break
            run.seconds = time.monotonic() - start
            run.kernel_cpu_seconds = _kernel_cpu(self.hub.server_processes(self.name)[1:])
            if on_kernel:
                on_kernel(self)
        finally:
            channel.close()
            self.server_api("DELETE", f"sessions/{session['id']}")
        return run

    def stop_server(self):
        self.hub.api("DELETE", f"users/{self.name}/server")


def _kernel_cpu(processes):
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def _execute(channel, session_id, username, code, timeout):
    """Run one cell on the kernel websocket; return its problems (errors, failed reply, stderr)."""
    msg_id = uuid.uuid4().hex
    channel.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": username,
                   "session": session_id, "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    problems, replied, idle = [], False, False
    deadline = time.monotonic() + timeout
    while not (replied and idle):
        channel.settimeout(max(1.0, deadline - time.monotonic()))
        try:
            message = _decode(channel.recv())
        except websocket.WebSocketTimeoutException:
            return problems + [f"cell did not finish within {timeout} s:\n{code[:200]}"]
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = message["header"]["msg_type"], message["content"]
        if kind == "error":
            problems.append(f"{content['ename']}: {content['evalue']}\nin cell:\n{code[:300]}")
        elif kind == "stream" and content["name"] == "stderr":
            problems.append(f"stderr: {content['text'][:500]}\nin cell:\n{code[:300]}")
        elif kind == "execute_reply":
            replied = True
            if content["status"] != "ok" and not problems:
                problems.append(f"execute_reply status {content['status']}\nin cell:\n{code[:300]}")
        elif kind == "status" and content["execution_state"] == "idle":
            idle = True
    return problems


def _decode(frame):
    """A kernel message from a websocket frame: JSON text, or JSON followed by binary buffers."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i:8 + 4 * i], "big") for i in range(count)]
    end = offsets[1] if count > 1 else len(frame)
    return json.loads(frame[offsets[0]:end])


def notebook_repository(workdir, notebooks):
    """A git repository at ``workdir/cvlab`` holding ``notebooks/`` as they are now; return its path.

    It stands in for the course's public repository, so nbgitpuller links work on
    loopback with the notebooks of this checkout, committed or not.
    """
    repo = Path(workdir) / "cvlab"
    (repo / "notebooks").mkdir(parents=True)
    for path in notebooks:
        (repo / "notebooks" / Path(path).name).write_bytes(Path(path).read_bytes())
    git = ["git", "-C", str(repo), "-c", "user.name=cvlab", "-c", "user.email=cvlab@localhost"]
    steps = (["init", "--quiet", "--initial-branch=main"], ["add", "notebooks"], ["commit", "--quiet", "-m", "course"])
    for step in steps:
        subprocess.run(git + step, check=True, capture_output=True)
    return repo
