"""Project-level contracts: dependencies agree, algorithm modules stay NumPy/SciPy-only."""

import ast
import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ALGORITHM_MODULES = ["histogram", "pointops", "filters", "convolution", "features", "nn", "pixelcnn", "edges", "vae",
                     "gan", "attention"]
#: PixelCNN training shows the tqdm progress bar the course asks for (imported lazily, only when shown).
PRESENTATION_EXCEPTIONS = {"pixelcnn": {"tqdm"}, "nn": {"tqdm"}}


def _name(requirement):
    return re.split(r"[<>=!~ ;\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _environment_pins():
    """Map package name -> version pin from environment.yml (conda and pip sections)."""
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        match = re.match(r"^\s+- ([A-Za-z0-9_.-]+)\s*(?:==?)\s*([0-9][0-9.]*)?\s*$", line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def _lock():
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line)
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def test_environment_names_the_same_direct_dependencies_as_pyproject():
    project = _pyproject()
    direct = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        direct |= {_name(r) for r in extra}
    conda = set(_environment_pins()) - {"python", "pip"}
    assert conda == direct


def test_environment_pins_follow_the_lock():
    lock = _lock()
    for name, pin in _environment_pins().items():
        if name in ("python", "pip"):
            continue
        assert pin, f"{name} has no version in environment.yml"
        assert lock[name] == pin or lock[name].startswith(pin + "."), (name, pin, lock[name])


def test_notebook_7_is_locked_with_the_jupyterlab_release_it_requires():
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    lock = _lock()
    assert lock["notebook"].split(".")[0] == "7"
    (jupyterlab,) = [Requirement(r) for r in requires("notebook") if Requirement(r).name == "jupyterlab"]
    assert jupyterlab.specifier.contains(lock["jupyterlab"]), (str(jupyterlab.specifier), lock["jupyterlab"])


def test_ipywidgets_and_jupyterlab_widgets_are_locked_together():
    lock = _lock()
    assert lock["ipywidgets"].split(".")[0] == "8"
    assert lock["jupyterlab-widgets"].split(".")[0] == "3"


def _imported_top_level(path):
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("module", ALGORITHM_MODULES)
def test_algorithm_modules_import_only_numpy_and_scipy(module):
    base = ROOT / "cvlab" / module
    files = sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]
    files = [f for f in files if f.exists()]
    if not files:
        pytest.skip(f"cvlab.{module} is not written yet")
    allowed = {"numpy", "scipy", "math", "numbers", "functools", "hashlib", "pathlib", "dataclasses", "itertools",
               "copy", "inspect", "io", "zipfile", "zlib"}
    allowed |= PRESENTATION_EXCEPTIONS.get(module, set())
    for path in files:
        assert _imported_top_level(path) <= allowed, path


def test_ci_script_calls_make_test_and_fails_with_it():
    script = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in script
    assert re.search(r"^make test$", script, re.M)


def test_the_network_guard_refuses_outside_addresses():
    import socket

    with socket.socket() as sock, pytest.raises(RuntimeError, match="network"):
        sock.connect(("192.0.2.1", 80))


PUBLIC_MODULES = ["cvlab.data", "cvlab.histogram", "cvlab.pointops", "cvlab.filters", "cvlab.convolution",
                  "cvlab.features", "cvlab.pixelcnn", "cvlab.plot", "cvlab.widgets", "cvlab.exercises", "cvlab.edges",
                  "cvlab.grading", "cvlab.vae", "cvlab.gan", "cvlab.attention"]


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_function_and_class_has_a_doctest_example(module_name):
    import importlib
    import inspect

    module = importlib.import_module(module_name)
    missing = [name for name in module.__all__
               if (inspect.isfunction(getattr(module, name)) or inspect.isclass(getattr(module, name)))
               and ">>>" not in (inspect.getdoc(getattr(module, name)) or "")]
    assert not missing, f"{module_name}: add a doctest example to {missing}"

