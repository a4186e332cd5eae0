"""Every chapter in JupyterLab, Notebook 7 and Voila: run it, then move every explorer from the keyboard.

For each chapter notebook and each front end the test opens the chapter,
runs it (JupyterLab and Notebook 7: the front end's own "run all cells"
command; Voila: the page executes it, code hidden, as ``make present`` does),
and checks that no output is an error, that every explorer the notebook
creates is shown, and that pressing ←/→ on each explorer's focused first
slider changes the bytes of its picture without scrolling the page. It prints
the median time from key press to the new picture being decoded, per explorer
and front end, and writes them to ``artifacts/browser/latency.json``; a
picture of each chapter's first explorer (Voila: the whole chapter) goes to
``artifacts/browser/<front end>/<chapter>.png``.

JupyterLab and Notebook 7 share one Jupyter server (``jupyter lab`` serves
both), each on its own copy of the notebooks, so each chapter gets a kernel of
its own per front end; the kernel is shut down before the next chapter.

Timing: a chapter is executed three times (once per front end), which takes
a minute or more per chapter on a busy 2-core machine. Each page gets
``PAGE_TIMEOUT_S`` (default 300 s, override with ``CVLAB_BROWSER_TIMEOUT``).
The latency goal (150 ms) is reported, not asserted; only a sanity bound of
``CVLAB_BROWSER_LATENCY_LIMIT_MS`` (default 2000 ms) fails the test.
``CVLAB_NOTEBOOK_DIR`` points the tests at another folder of notebooks.
"""

import os
import re
import time

import nbformat
import pytest

from cvlab.widgets._live import EXPLORER_NOTE

from .pages import (
    ARTIFACTS,
    COPIES,
    ERRORS,
    PAGE_TIMEOUT_S,
    SHOWN,
    SHUT_DOWN,
    SHUTDOWN_VOILA_KERNEL,
    WIDGET_VIEW,
    chapter_notebooks,
    drive_explorers,
    expected_widgets,
    explorer_calls,
    open_in_jupyter,
    print_report,
    record,
)

pytestmark = pytest.mark.browser

# Asserted only as a sanity bound: far above the goal, so a busy CI machine passes,
# but a broken round trip (seconds per change) fails.
LIMIT_MS = float(os.environ.get("CVLAB_BROWSER_LATENCY_LIMIT_MS", "2000"))
FRONT_ENDS = {"lab": "JupyterLab", "notebook": "Notebook 7", "voila": "Voila"}
#: JavaScript errors Notebook 7.6.5 throws by itself while a notebook page starts, whatever the
#: notebook: printed, not failed. Its keyboard-shortcut settings plugin reads the schema of a
#: plugin the notebook page does not load (also with every extension disabled); and once
#: JupyterLab has been used on the same server, its file browser restores a path through a
#: command that only JupyterLab registers (the price of one server for both front ends).
KNOWN_PAGE_ERRORS = {"notebook": {"Cannot read properties of undefined (reading 'schema')",
                                  "Command 'filebrowser:open-path' not registered."}}


# Start the front end's own "run all cells"; the outcome lands in window.__cvlabRun.
RUN_ALL = r"""
() => {
  window.__cvlabRun = null;
  window.jupyterapp.commands.execute("notebook:run-all-cells").then(
    (ok) => { window.__cvlabRun = {ok: Boolean(ok)}; },
    (error) => { window.__cvlabRun = {ok: false, error: String(error)}; });
}
"""


def _wait_until_shown(page, stored, calls, timeout_s):
    """Wait until every widget output and every explorer's picture is on the page, or an error is."""
    page.wait_for_function(
        f"""([views, calls]) => {{
             if (({ERRORS})().length) return true;
             const shown = ({SHOWN})();
             return shown.roots >= views && shown.images >= calls;
           }}""",
        arg=[stored, calls], timeout=timeout_s * 1000,
    )


def _saved_explorers_show_the_note(path):
    """In a notebook the front end saved after running, each explorer's plain-text form is the note."""
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code" or not explorer_calls(cell):
            continue
        views = [output for output in cell.outputs if WIDGET_VIEW in output.get("data", {})]
        assert views, f"{path.name}: an explorer cell saved without its widget view:\n{cell.source}"
        for output in views:
            assert output["data"]["text/plain"] == EXPLORER_NOTE, output["data"]["text/plain"]


def _in_jupyter(page, front_end, jupyter, notebook, calls):
    start = time.monotonic()
    open_in_jupyter(page, front_end, jupyter, COPIES[front_end], notebook.name)
    page.evaluate(RUN_ALL)
    remaining = max(10.0, PAGE_TIMEOUT_S - (time.monotonic() - start))
    page.wait_for_function("() => window.__cvlabRun !== null", timeout=remaining * 1000)
    outcome = page.evaluate("() => window.__cvlabRun")
    problems = page.evaluate(ERRORS)
    assert outcome["ok"] and not problems, f"{notebook.name}: run all cells failed {outcome}: " + "\n".join(problems)
    # Widget views render after their cell has finished; every explorer call makes one.
    _wait_until_shown(page, calls, calls, max(10.0, PAGE_TIMEOUT_S - (time.monotonic() - start)))
    return time.monotonic() - start


def _in_voila(page, voila_url, notebook, stored, calls, console):
    """Open the chapter in Voila; return the seconds it took and whether it had to be reloaded.

    Voila 0.5.13 with ipywidgets 8.1.9 now and then (about one load in 20 of chapter 4 on this
    loaded 2-core machine, whatever extensions the page loads) restores none of the kernel's
    widget models into a freshly executed page: every explorer then reads "Error displaying
    widget: model not found" and the console "widget model not found". Reloading the page,
    as a lecturer would, executes the chapter again and shows it. That one case is reloaded
    once and reported; any other error, or the same one twice, fails.
    """
    base, note_kernels = voila_url
    # Voila's start page sets the _xsrf cookie its kernel-shutdown request needs.
    page.goto(f"{base}/", timeout=60_000)
    start = time.monotonic()
    for attempt in range(2):
        console.clear()
        response = page.goto(f"{base}/voila/render/{notebook.name}", timeout=PAGE_TIMEOUT_S * 1000,
                             wait_until="load")
        note_kernels()
        # The widget views Voila produced this time (it sends outputs as JSON in the page).
        view = r'"application/vnd\.jupyter\.widget-view\+json":\s*\{\s*"model_id"'
        served_views = len(re.findall(view, response.text()))
        page.wait_for_selector("#loading", state="detached", timeout=PAGE_TIMEOUT_S * 1000)
        _wait_until_shown(page, max(stored, served_views), calls,
                          max(10.0, PAGE_TIMEOUT_S - (time.monotonic() - start)))
        lost = page.evaluate(ERRORS) == ["an output contains: Error displaying widget"] and any(
            "widget model not found" in line for line in console)
        if not lost or attempt:
            return time.monotonic() - start, attempt
        page.evaluate(SHUTDOWN_VOILA_KERNEL)


def _screenshot(page, front_end, path):
    """Voila: the whole chapter (it scrolls inside #rendered_cells); else the first explorer."""
    if front_end != "voila":
        explorer = page.locator('[data-cvlab-explorer="0"]')
        if explorer.count():
            explorer.screenshot(path=str(path), timeout=60_000)
        return
    height = page.evaluate(
        "() => { const el = document.getElementById('rendered_cells'); return el ? el.scrollHeight : 0; }")
    viewport = page.viewport_size
    if height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": min(height + 40, 16_000)})
    try:
        page.screenshot(path=str(path), full_page=True, timeout=60_000)
    finally:
        page.set_viewport_size(viewport)


@pytest.mark.parametrize("front_end", list(FRONT_ENDS))
@pytest.mark.parametrize(
    "notebook",
    [pytest.param(path, id=path.stem) for path in chapter_notebooks()]
    or [pytest.param(None, marks=pytest.mark.skip(reason="no chapter notebooks"))],
)
def test_chapter_explorers_move_from_the_keyboard(front_end, notebook, request, browser, served, capsys):
    server = request.getfixturevalue("voila_url" if front_end == "voila" else "jupyter")
    stored, calls = expected_widgets(notebook)
    page = browser.new_page()
    page_errors, known_errors = [], []
    known = KNOWN_PAGE_ERRORS.get(front_end, set())
    page.on("pageerror", lambda error: (known_errors if error.message in known else page_errors).append(error.message))
    # A widget that fails to display says only "Error displaying widget"; the reason goes to the console.
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    where = f"{FRONT_ENDS[front_end]}, {notebook.name}"
    try:
        reloaded = False
        if front_end == "voila":
            seconds, reloaded = _in_voila(page, server, notebook, stored, calls, console_errors)
        else:
            seconds = _in_jupyter(page, front_end, server, notebook, calls)
        problems = page.evaluate(ERRORS) + [f"JavaScript error: {e}" for e in page_errors]
        assert not problems, f"{where}: " + "\n".join(problems + ["console errors:", *console_errors])
        report = drive_explorers(page, where, calls)
        problems = page.evaluate(ERRORS) + [f"JavaScript error: {e}" for e in page_errors]
        assert not problems, f"{where}, after moving sliders: " + "\n".join(
            problems + ["console errors:", *console_errors])
        (ARTIFACTS / front_end).mkdir(parents=True, exist_ok=True)
        _screenshot(page, front_end, ARTIFACTS / front_end / f"{notebook.stem}.png")
        if front_end == "lab":
            page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
            _saved_explorers_show_the_note(served / COPIES["lab"] / notebook.name)
    finally:
        try:
            page.evaluate(SHUTDOWN_VOILA_KERNEL if front_end == "voila" else SHUT_DOWN)
        except Exception:  # a page that failed to load has no kernel to free; the fixture is the backstop
            pass
        page.close()
    record(front_end, notebook.stem, seconds, report)
    with capsys.disabled():
        print_report(FRONT_ENDS[front_end], notebook.stem, seconds, report)
        if reloaded:
            print("    Voila restored no widget models on the first load; the reloaded page was clean")
        for message in sorted(set(known_errors)):
            print(f"    known {FRONT_ENDS[front_end]} error, not from the notebook: {message}")
    for row in report:
        assert row["median_ms"] <= LIMIT_MS, f"{where}: explorer {row['explorer']} median {row['median_ms']} ms"
