"""A whole class on a real JupyterHub, on loopback (issue 17, part 4).

The main test starts JupyterHub from ``deploy/single-server/jupyterhub_config.py``
(configurable-http-proxy from ``node_modules``, the idle culler) with the dummy
authenticator and a local-process spawner (``deploy/classroom.py`` adds those
test-only overrides). Then, all at once, 8 students log in through the login form,
start their servers, follow an nbgitpuller link to their chapter (half open it in
JupyterLab, half in Notebook 7) and run every cell through the Jupyter REST and
kernel websocket APIs. Any error, failed reply or text on stderr fails the test.

Which chapters: student *i* runs chapter *i* mod *n*, so with today's eight chapters
every student runs a different one and every chapter runs through the hub once.
``make test`` already runs every notebook under strict nbval; what this test adds is
the hub's stack, and one pass of each chapter keeps it to a few minutes of CI's
2 cores. ``CVLAB_HUB_CHAPTERS=01_histograms,07_pixelcnn`` picks others.

A ninth user starts a server and leaves it idle: the culler (120 s timeout in the
test) must stop it while the others stay alive. At the end the hub is stopped and
no process it started (proxy, culler, servers, kernels) may survive, and every
socket they had open was on loopback.
"""

import concurrent.futures
import contextlib
import datetime
import doctest
import importlib.util
import ipaddress
import json
import os
import re
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psutil
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "artifacts" / "hub"
STUDENTS = 8
IDLE_TIMEOUT_S = 120  # the culler's timeout in the test; students report activity every 10 s


def _load(name):
    spec = importlib.util.spec_from_file_location(name, DEPLOY / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


classroom = _load("classroom")
nbgitpuller_link = _load("nbgitpuller_link")


def _chapters():
    chosen = os.environ.get("CVLAB_HUB_CHAPTERS")
    names = chosen.split(",") if chosen else [path.stem for path in NOTEBOOKS]
    return [names[i % len(names)] for i in range(STUDENTS)]


def _require_proxy():
    if not classroom.PROXY.exists():
        reason = f"configurable-http-proxy missing at {classroom.PROXY}: run `make node_modules/.installed` (npm ci)"
        if os.environ.get("CI", "") not in ("", "0", "false"):
            pytest.fail(reason)
        pytest.skip(reason)


def _loopback(address):
    return not address or ipaddress.ip_address(address.ip).is_loopback


def test_nbgitpuller_link_names_the_chapter_for_each_front_end():
    assert doctest.testmod(nbgitpuller_link).failed == 0
    repo = "https://github.com/ORG/cvlab"
    for ui, opened in (("lab", "lab/tree/cvlab/notebooks/05_corners.ipynb"),
                       ("notebook", "notebooks/cvlab/notebooks/05_corners.ipynb")):
        link = urlsplit(nbgitpuller_link.chapter_link("https://hub.example.edu/", repo, "05_corners", ui=ui))
        assert (link.scheme, link.netloc, link.path) == ("https", "hub.example.edu", "/hub/user-redirect/git-pull")
        assert parse_qs(link.query) == {"repo": [repo], "branch": ["main"], "targetpath": ["cvlab"],
                                        "urlpath": [opened]}
    with pytest.raises(ValueError, match="ui"):
        nbgitpuller_link.chapter_link("https://hub", repo, "05_corners", ui="classic")
    with pytest.raises(ValueError, match="chapter"):
        nbgitpuller_link.chapter_link("https://hub", repo, "notebooks/05_corners.ipynb")


def test_nbgitpuller_link_script_prints_the_link(capsys):
    nbgitpuller_link.main(["https://hub.example.edu", "--repo", "https://github.com/ORG/cvlab",
                           "--chapter", NOTEBOOKS[0].stem, "--ui", "notebook"])
    printed = capsys.readouterr().out.strip()
    assert printed == nbgitpuller_link.chapter_link(
        "https://hub.example.edu", "https://github.com/ORG/cvlab", NOTEBOOKS[0].stem, ui="notebook")
    # The README shows the link the script prints for chapter 7.
    shown = nbgitpuller_link.chapter_link("https://hub.example.edu", "https://github.com/ORG/cvlab", "07_pixelcnn")
    assert f"`{shown}`" in (ROOT / "README.md").read_text()


def _quantity(text):
    """Bytes of a Kubernetes memory quantity such as 640M or 2G (decimal) or 2Gi (binary)."""
    number, unit = re.fullmatch(r"([0-9.]+)([KMGT]i?)?", str(text)).groups()
    powers = {"K": 1, "M": 2, "G": 3, "T": 4}
    scale = 1 if not unit else (1024 if unit.endswith("i") else 1000) ** powers[unit[0]]
    return float(number) * scale


def test_helm_values_run_the_repo2docker_image_of_this_repository():
    values = yaml.safe_load((DEPLOY / "zero-to-jupyterhub" / "values.yaml").read_text())
    single = values["singleuser"]
    # The image repo2docker builds: its user (--user-id 1000), jupyterhub-singleuser from environment.yml.
    assert single["image"]["name"] and single["image"]["tag"] not in ("", "latest", None)
    assert single["uid"] == 1000 and single["cmd"] == "jupyterhub-singleuser"
    assert single["defaultUrl"] == "/lab"
    environment = (ROOT / "environment.yml").read_text()
    for package in ("jupyterhub", "jupyterlab", "notebook", "nbgitpuller"):
        assert re.search(rf"^  - {package}=", environment, re.M), f"environment.yml lacks {package}"
    # The documented build command matches the values: the repository outside the home volume.
    header = (DEPLOY / "zero-to-jupyterhub" / "values.yaml").read_text()
    readme = (ROOT / "README.md").read_text()
    for text in (header, readme):
        assert "jupyter-repo2docker" in text and "--user-id 1000" in text and "--user-name jovyan" in text
        assert "--target-repo-dir /srv/cvlab" in text and "rev-parse --short=12 HEAD" in text
    assert not single.get("storage", {}).get("homeMountPath", "/home/jovyan").startswith("/srv/cvlab")
    # Course settings: one BLAS thread per kernel, an idle culler, a real login, sized memory.
    threads = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    assert {single["extraEnv"][name] for name in threads} == {"1"}
    assert values["cull"]["enabled"] is True and 0 < values["cull"]["timeout"] <= 4 * 3600
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] not in ("dummy", "null")
    assert _quantity(single["memory"]["guarantee"]) <= _quantity(single["memory"]["limit"])
    # No secrets in the repository: tokens and OAuth secrets are given at install time.
    flat = json.dumps(values).lower()
    assert not re.search(r'"(client_secret|secrettoken|api_token|password)": "[^"]', flat)


def test_single_server_config_pins_the_proxy_and_runs_the_culler():
    config = (DEPLOY / "single-server" / "jupyterhub_config.py").read_text()
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    pinned = package["dependencies"]["configurable-http-proxy"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned)
    assert lock["packages"]["node_modules/configurable-http-proxy"]["version"] == pinned
    assert '"node_modules" / ".bin" / "configurable-http-proxy"' in config
    assert "jupyterhub_idle_culler" in config
    requirements = (ROOT / "requirements.lock").read_text()
    assert re.search(r"^jupyterhub-idle-culler==", requirements, re.M)


def test_single_server_config_reaches_the_login_and_spawner_it_names(tmp_path, monkeypatch):
    """The production settings (PAM groups, the server command) land on real traits: no silent typos."""
    from jupyterhub.auth import PAMAuthenticator
    from jupyterhub.spawner import LocalProcessSpawner
    from traitlets.config import PyFileConfigLoader

    monkeypatch.setenv("CVLAB_HUB_STATE", str(tmp_path / "state"))
    monkeypatch.setenv("CVLAB_HUB_STUDENTS", "cv2027")
    config = PyFileConfigLoader("jupyterhub_config.py", path=str(DEPLOY / "single-server")).load_config()
    assert config.JupyterHub.authenticator_class == "pam" and config.JupyterHub.spawner_class == "localprocess"
    login = PAMAuthenticator(config=config)
    assert login.allowed_groups == {"cv2027"} and login.admin_groups == {"teachers"}
    spawner = LocalProcessSpawner(config=config, _deprecated_db_session=None)
    script = Path(spawner.cmd[1])
    assert spawner.cmd[0] == "/bin/sh" and script.exists() and (Path(spawner.cmd[2]) / "jupyterhub-singleuser").exists()
    assert spawner.default_url == "/lab" and spawner.environment["OPENBLAS_NUM_THREADS"] == "1"
    assert (tmp_path / "state").is_dir()


def _one_student(hub, repo, number, chapter):
    """Log in, start, pull the chapter by its link, run it; return what happened (never raises)."""
    student = classroom.Student(hub, f"student{number}")
    ui = "lab" if number % 2 else "notebook"
    record = {"name": student.name, "chapter": chapter, "ui": ui, "problems": []}
    try:
        student.login()
        record["start_s"] = student.start_server()
        opened = student.follow_link(nbgitpuller_link.chapter_link(hub.url, f"file://{repo}", chapter, ui=ui))
        expected = nbgitpuller_link.OPEN_NOTEBOOK[ui].format(path=f"cvlab/notebooks/{chapter}.ipynb")
        if not opened.url.endswith(expected):
            record["problems"].append(f"the link opened {opened.url}, not {expected}")
        run = student.run_notebook(f"cvlab/notebooks/{chapter}.ipynb")
        record.update(run_s=run.seconds, kernel_cpu_s=run.kernel_cpu_seconds, cells=run.cells)
        record["problems"] += run.problems
        record["finished"] = time.time()
    except Exception as error:  # reported with the others below, after every student has finished
        record["problems"].append(f"{type(error).__name__}: {error}")
    return record


def _wait(condition, timeout, step=2.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def test_a_class_of_eight_runs_its_chapters_on_one_hub(tmp_path):
    _require_proxy()
    chapters = _chapters()
    repo = classroom.notebook_repository(tmp_path, NOTEBOOKS)
    hub = classroom.Hub(tmp_path, idle_timeout=IDLE_TIMEOUT_S, cull_every=10, activity_interval=10)
    started = time.monotonic()
    hub.start()
    outside, culled, stopped, survivors = [], False, False, []
    try:
        absent = classroom.Student(hub, "absent")
        absent.login()
        absent.start_server()
        with concurrent.futures.ThreadPoolExecutor(STUDENTS) as pool:
            records = list(pool.map(lambda i: _one_student(hub, repo, i + 1, chapters[i]), range(STUDENTS)))
        hub.record()
        for process in list(hub.started.values()):
            with contextlib.suppress(psutil.Error):
                outside += [f"{process.name()}: {c.laddr} -> {c.raddr}" for c in process.net_connections("inet")
                            if not (_loopback(c.laddr) and _loopback(c.raddr))]
        culled = _wait(lambda: "absent" not in hub.servers(), timeout=IDLE_TIMEOUT_S + 120)
        for record in records:
            if record["name"] in hub.servers():
                classroom.Student(hub, record["name"]).stop_server()
        stopped = _wait(lambda: not hub.servers(), timeout=120)
    finally:
        survivors = hub.stop()
        log = hub.log.read_text(errors="replace")
    seconds = time.monotonic() - started

    recorded = list(hub.commands.values())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "class.json").write_text(json.dumps({"seconds": round(seconds, 1), "students": records}, indent=1))
    print(f"\n{STUDENTS} students on one hub: {seconds:.0f} s in all")
    for record in records:
        print(f"  {record['name']:10} {record['chapter']:28} {record['ui']:8} start {record.get('start_s', 0):5.1f} s"
              f"  run {record.get('run_s', 0):6.1f} s  kernel CPU {record.get('kernel_cpu_s', 0):5.1f} s")

    failures = [f"{r['name']} ({r['chapter']}):\n" + "\n".join(r["problems"]) for r in records if r["problems"]]
    assert not failures, "\n\n".join(failures) + f"\n\nhub log:\n{log[-4000:]}"
    assert all(r["cells"] > 0 for r in records)
    # The leftover check below is only meaningful if the processes were seen while they ran.
    seen = "processes seen:\n" + "\n".join(f"  {pid} {command[:160]}" for pid, command in hub.commands.items())
    assert sum("configurable-http-proxy" in c for c in recorded) == 1, seen
    assert sum("jupyterhub_idle_culler" in c for c in recorded) == 1, seen
    assert sum("jupyterhub-singleuser" in c for c in recorded) == STUDENTS + 1, seen
    for record in records:  # each student's kernel (its connection file is in that student's home)
        assert any("ipykernel_launcher" in c and f"/homes/{record['name']}/" in c for c in recorded), seen
    assert not outside, "sockets beyond loopback:\n" + "\n".join(outside)
    finished = {r["name"]: r.get("finished", 0) for r in records}
    for when, name in re.findall(r"\[I (\S+ \S+) IdleCuller .*\] Culling server (\S+) ", log):
        assert name == "absent" or datetime.datetime.fromisoformat(when).timestamp() > finished[name], (
            f"the culler stopped {name}'s server while they were working")
    assert culled, f"the idle culler did not stop the idle server within {IDLE_TIMEOUT_S + 120} s\n{log[-4000:]}"
    assert stopped, "servers still running after being stopped through the hub API"
    assert not survivors, "processes left after the hub stopped:\n" + "\n".join(survivors)
