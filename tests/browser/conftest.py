"""Fixtures of the real-browser tests: Chromium, the notebooks to serve, and the servers.

Every test module in this folder is marked ``browser``. They need Debian's Chromium at
``/usr/bin/chromium`` (``.ci/run`` installs it) and skip with a one-line
reason without it; Playwright's own browser downloads are never used.

Servers never see the repository's notebooks: each front end serves its own
copy in a temporary folder, so JupyterLab's autosave cannot touch the
committed files and no two front ends share a kernel.
"""

import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from .pages import COPIES, chapter_notebooks
from .servers import free_port, isolated_env, jupyter_command, new_token, running

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _present_module():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import present
    finally:
        sys.path.pop(0)
    return present


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    """A folder with one copy of the chapter notebooks per front end (``COPIES``)."""
    root = tmp_path_factory.mktemp("served")
    for folder in COPIES.values():
        (root / folder).mkdir()
        for notebook in chapter_notebooks():
            shutil.copy2(notebook, root / folder / notebook.name)
    return root


@pytest.fixture(scope="session")
def jupyter(chromium, served, tmp_path_factory):
    """One Jupyter server for JupyterLab and Notebook 7 on a free loopback port, with a token.

    Yields its base URL, token, Jupyter data folder (where its notebook
    signatures live) and a function recording its kernels.
    """
    home = tmp_path_factory.mktemp("jupyter-home")
    port, token = free_port(), new_token()
    env = isolated_env(home)
    command = jupyter_command(served, port, token)
    with running(command, home / "server.log", served, "is running at", env, pytest.fail) as kernels:
        yield SimpleNamespace(url=f"http://127.0.0.1:{port}", token=token, data_dir=Path(env["JUPYTER_DATA_DIR"]),
                              note_kernels=kernels)


@pytest.fixture(scope="session")
def voila_url(chromium, served, tmp_path_factory):
    """A Voila server serving the Voila copies, started like ``make present`` with tracebacks shown."""
    home = tmp_path_factory.mktemp("voila-home")
    port = free_port()
    folder = served / COPIES["voila"]
    present = _present_module()
    command = present.voila_command(folder, port) + ["--show_tracebacks=True"]
    environment = present.voila_environment(isolated_env(home))
    with running(command, home / "voila.log", folder, "running at", environment, pytest.fail) as kernels:
        yield f"http://127.0.0.1:{port}", kernels


@pytest.fixture(scope="package")
def chromium_browser(chromium):
    """Headless Debian Chromium, closed when this package's tests end.

    Playwright's sync API runs an event loop while it is open, and a second one
    cannot start beside it: tests elsewhere (tests/test_site.py) open their own.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser(chromium_browser):
    """A fresh browser profile (cookies, storage) per test, as a student opening one front end has.

    A shared profile would be unrealistic: state JupyterLab leaves in the
    browser's storage makes a later Notebook 7 page on the same server fail
    ("Command 'filebrowser:open-path' not registered").
    """
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context
    finally:
        context.close()
