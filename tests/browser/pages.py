"""What the real-browser tests do inside a page, the same in JupyterLab, Notebook 7 and Voila.

Find the explorers a chapter shows, move each one's first control from the
keyboard, time the key press to the new image being decoded, and collect
error output. Also what a notebook file promises: how many widget outputs it
stores and how many explorers its widget cells create.
"""

import json
import os
import re
import statistics
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from run_notebooks import PROGRESS_NOTE, WIDGET_NOTE, WIDGET_VIEW, widget_of, with_notes  # noqa: E402, F401 (re-exported)

sys.path.pop(0)

ARTIFACTS = ROOT / "artifacts" / "browser"
NOTEBOOK_DIR = Path(os.environ.get("CVLAB_NOTEBOOK_DIR", ROOT / "notebooks")).resolve()
#: The folder (under the served root) holding each front end's copy of the chapters.
COPIES = {"lab": "lab", "notebook": "notebook", "voila": "voila"}
#: Seconds a page may take to be ready (a chapter runs completely first).
PAGE_TIMEOUT_S = float(os.environ.get("CVLAB_BROWSER_TIMEOUT", "300"))
MOVES = 6  # key presses per explorer; the median of their latencies is reported
GOAL_MS = 150.0  # the end-to-end goal on loopback; reported, not asserted


def chapter_notebooks():
    """The notebooks to test, found at collection time (one test per chapter and front end)."""
    return sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def expected_widgets(path):
    """(stored widget outputs, explorer calls in widget cells) of a notebook.

    A stored widget output is a live view or the note ``run_notebooks.py`` puts
    in its place. Explorer calls are names from ``cvlab.widgets.__all__`` called
    in cells that start with ``# NBVAL_IGNORE_OUTPUT`` (every chapter's widget cells),
    so a new chapter's explorers are found without listing them here.
    """
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    stored = sum(widget_of(output) is not None for cell in code for output in cell.get("outputs", ()))
    return stored, sum(map(explorer_calls, code))


def explorer_calls(cell):
    """How many explorers a code cell creates: calls of ``cvlab.widgets.__all__`` names in a widget cell."""
    from cvlab import widgets

    if not cell.source.startswith("# NBVAL_IGNORE_OUTPUT"):
        return 0
    call = re.compile(r"\b(" + "|".join(map(re.escape, widgets.__all__)) + r")\s*\(")
    return len(call.findall("\n".join(line.split("#", 1)[0] for line in cell.source.splitlines())))


# In-page helpers: content hash of an image, and a probe that resolves when the
# image's src changes, timed from the key press (event.timeStamp) to decode.
PAGE_HELPERS = r"""
() => {
  if (window.__cvlab) return;
  const fnv = (bytes) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return h.toString(16) + ":" + bytes.length;
  };
  window.__cvlab = {
    async digest(img) {
      const response = await fetch(img.src);
      return fnv(new Uint8Array(await response.arrayBuffer()));
    },
    arm(img, root, timeoutMs) {
      const before = img.src;
      let pressed = null;
      const onInput = (event) => { if (pressed === null) pressed = event.timeStamp; };
      const types = ["keydown", "pointerdown", "click", "input", "change"];
      for (const type of types) root.addEventListener(type, onInput, true);
      window.__cvlab.pending = new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => { observer.disconnect(); reject(new Error("image did not change")); }, timeoutMs);
        const observer = new MutationObserver(async () => {
          if (img.src === before) return;
          observer.disconnect();
          clearTimeout(timer);
          const changed = performance.now();
          try { await img.decode(); } catch (error) { /* an undecodable image fails the digest check */ }
          const decoded = performance.now();
          for (const type of types) root.removeEventListener(type, onInput, true);
          resolve({pressed, changed, decoded, digest: await window.__cvlab.digest(img)});
        });
        observer.observe(img, {attributes: true, attributeFilter: ["src"]});
      });
    },
  };
}
"""

# Widget roots: output areas holding a widget; explorers: roots with an image and a control.
FIND_EXPLORERS = r"""
() => {
  const roots = [...document.querySelectorAll(".jp-OutputArea-output")]
    .filter((el) => el.querySelector(".jupyter-widgets") && !el.parentElement.closest(".jupyter-widgets"));
  const explorers = [];
  roots.forEach((root, index) => {
    const img = root.querySelector("img.widget-image");
    // The first slider; an explorer without sliders gets its first dropdown, checkbox or toggle button.
    const control = root.querySelector(".noUi-handle")
      || root.querySelector("select, input[type=checkbox], .widget-toggle-buttons button:not(.mod-active)");
    if (img && control) {
      root.setAttribute("data-cvlab-explorer", String(explorers.length));
      control.setAttribute("data-cvlab-control", "");
      const box = control.closest(".widget-inline-hbox, .widget-checkbox, .widget-toggle-buttons");
      // textContent, not innerText: JupyterLab skips rendering cells out of view (content-visibility).
      const named = (el) => (el ? el.textContent.replace(/\u200b/g, "").replace(/\s+/g, " ").trim().slice(0, 40) : "");
      const label = named(box && box.querySelector(".widget-label")) || named(control.closest("label"))
        || named(box && box.querySelector("label")) || named(control) || control.tagName.toLowerCase();
      explorers.push({index, label});
    }
  });
  return {roots: roots.length, explorers};
}
"""

# Explorers whose picture has arrived (Voila: blob or data URL; JupyterLab: blob URL).
SHOWN = r"""
() => {
  const roots = [...document.querySelectorAll(".jp-OutputArea-output")]
    .filter((el) => el.querySelector(".jupyter-widgets") && !el.parentElement.closest(".jupyter-widgets"));
  const images = roots.filter(
    (el) => el.querySelector('img.widget-image[src^="blob:"], img.widget-image[src^="data:"]'));
  return {roots: roots.length, images: images.length};
}
"""

ERRORS = r"""
() => {
  const problems = [];
  for (const el of document.querySelectorAll(
         '[data-mime-type="application/vnd.jupyter.stderr"], .jp-OutputArea-output.jp-mod-error'))
    problems.push("error/stderr output: " + (el.textContent.length > 900
      ? el.textContent.slice(0, 300) + "\n[...]\n" + el.textContent.slice(-600) : el.textContent));
  for (const el of document.querySelectorAll(".jupyter-widgets-error-widget"))
    problems.push("widget failed to display: " + el.textContent.slice(0, 200));
  const outputs = [...document.querySelectorAll(".jp-OutputArea-output")].map((el) => el.textContent).join("\n");
  for (const phrase of ["Error displaying widget", "There was an error when executing cell",
                        "Traceback (most recent call last)", "Cell execution timed out"])
    if (outputs.includes(phrase)) problems.push("an output contains: " + phrase);
  return problems;
}
"""


def _direction(page, explorer, previous=None):
    """The arrow key for the next move of the explorer's first slider.

    The first move heads for the farther end; later moves keep going until the
    slider reaches an end, then turn round (short sliders have few steps).
    """
    control = page.locator(f'[data-cvlab-explorer="{explorer}"] [data-cvlab-control]')
    if control.get_attribute("aria-valuenow") is None:
        return None
    low, high, now = (float(control.get_attribute(a)) for a in ("aria-valuemin", "aria-valuemax", "aria-valuenow"))
    if previous == "ArrowRight" and now < high or previous == "ArrowLeft" and now > low:
        return previous
    if previous is None:
        return "ArrowLeft" if now - low > high - now else "ArrowRight"
    return "ArrowLeft" if previous == "ArrowRight" else "ArrowRight"


def _move_first_control(page, explorer, timeout_ms, key):
    """Move the explorer's first control one step; return (latency ms, old digest, new digest).

    A slider is moved by ``key`` pressed on its focused handle, which must keep
    the focus and move in that direction (in Notebook 7 a key the notebook takes
    moves the focus to another cell instead).
    """
    root = page.locator(f'[data-cvlab-explorer="{explorer}"]')
    img = root.locator("img.widget-image").first
    control = root.locator("[data-cvlab-control]")
    before = img.evaluate("img => window.__cvlab.digest(img)")
    kind = control.evaluate(
        "el => el.classList.contains('noUi-handle') ? 'slider' : el.tagName === 'SELECT' ? 'select' : 'click'")
    page.evaluate(
        "([img, root, t]) => window.__cvlab.arm(img, root, t)",
        [img.element_handle(), root.element_handle(), timeout_ms],
    )
    if kind == "slider":
        control.focus()
        value = float(control.get_attribute("aria-valuenow"))
        control.press(key)
        assert control.evaluate("el => el === document.activeElement"), f"{key} took the focus off the slider"
        moved = float(control.get_attribute("aria-valuenow")) - value
        assert moved * (1 if key in ("ArrowRight", "ArrowUp") else -1) > 0, f"{key} moved the slider by {moved}"
    elif kind == "select":
        options = control.evaluate("el => [...el.options].map(o => o.value)")
        current = control.input_value()
        control.select_option(next(o for o in options if o != current))
    elif kind == "click" and "widget-toggle-button" in (control.get_attribute("class") or ""):
        root.locator(".widget-toggle-buttons button:not(.mod-active)").first.click()
    else:
        control.click()
    try:
        result = page.evaluate("() => window.__cvlab.pending")
    except Exception as error:  # playwright's Error: the in-page probe timed out
        raise AssertionError(f"no new image within {timeout_ms / 1000:.0f} s of moving the control ({error})") from None
    latency = result["decoded"] - result["pressed"] if result["pressed"] is not None else float("nan")
    return latency, before, result["digest"]


def drive_explorers(page, where, expected):
    """Move every explorer's first control ``MOVES`` times from the keyboard; return one row per explorer.

    Each press must change the image bytes.
    """
    page.evaluate(PAGE_HELPERS)
    found = page.evaluate(FIND_EXPLORERS)
    explorers = found["explorers"]
    assert len(explorers) >= expected, f"{where}: {len(explorers)} explorers shown, {expected} explorer calls"
    report = []
    for number, explorer in enumerate(explorers):
        page.locator(f'[data-cvlab-explorer="{number}"]').scroll_into_view_if_needed()
        latencies, key = [], None
        for _ in range(MOVES):
            key = _direction(page, number, key)
            place = f"{where}: explorer {number} (first control '{explorer['label']}', key {key})"
            try:
                latency, before, after = _move_first_control(page, number, 30_000, key)
            except AssertionError as error:
                raise AssertionError(f"{place}: {error}") from None
            assert after != before, f"{place}: image bytes unchanged"
            latencies.append(latency)
        report.append({"explorer": number, "first_control": explorer["label"],
                       "median_ms": round(statistics.median(latencies), 1), "max_ms": round(max(latencies), 1)})
    return report


def print_report(front_end, chapter, seconds, report):
    print(f"\n  {front_end} {chapter}: ready in {seconds:.1f} s, {len(report)} explorers "
          f"(key press -> new image, median of {MOVES}; goal {GOAL_MS:.0f} ms)")
    for row in report:
        verdict = "ok" if row["median_ms"] <= GOAL_MS else "over goal"
        print(f"    #{row['explorer']} '{row['first_control']}': median {row['median_ms']:.0f} ms, "
              f"max {row['max_ms']:.0f} ms  {verdict}")


_RECORDED = set()  # (front end, chapter) measured in this session: older entries are dropped, not merged


def record(front_end, chapter, seconds, report):
    """Add one chapter's latencies to ``artifacts/browser/latency.json`` (front end -> chapter -> rows)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "latency.json"
    try:
        table = json.loads(path.read_text()) if _RECORDED else {}
    except (OSError, ValueError):
        table = {}
    _RECORDED.add((front_end, chapter))
    table.setdefault(front_end, {})[chapter] = {"ready_s": round(seconds, 1), "explorers": report}
    path.write_text(json.dumps(table, indent=2, ensure_ascii=False) + "\n")


SHUTDOWN_VOILA_KERNEL = r"""
async () => {
  // What Voila's own beforeunload handler does, but awaited: free the chapter's kernel now.
  const config = JSON.parse(document.getElementById("jupyter-config-data").textContent);
  const xsrf = (document.cookie.match("\\b_xsrf=([^;]*)\\b") || [])[1] || "";
  const body = new FormData();
  body.append("_xsrf", xsrf);
  const response = await fetch(`${config.baseUrl}voila/api/shutdown/${config.kernelId}`, {method: "POST", body});
  return response.status;
}
"""


#: Where each Jupyter front end opens a notebook; ``reset`` starts JupyterLab without a saved workspace.
JUPYTER_URLS = {"lab": "{base}/lab/tree/{folder}/{name}?reset&token={token}",
                "notebook": "{base}/notebooks/{folder}/{name}?token={token}"}

# The notebook panel is open, its kernel connected and idle.
KERNEL_READY = r"""
() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  return Boolean(panel && panel.sessionContext && panel.sessionContext.isReady
                 && panel.sessionContext.session && panel.sessionContext.kernelDisplayStatus === "idle");
}
"""

SHUT_DOWN = "async () => { await window.jupyterapp.shell.currentWidget.sessionContext.shutdown(); }"


def open_in_jupyter(page, front_end, jupyter, folder, name, kernel=True):
    """Open a notebook in JupyterLab or Notebook 7 and, if ``kernel``, wait until its kernel is idle."""
    page.goto(JUPYTER_URLS[front_end].format(base=jupyter.url, folder=folder, name=name, token=jupyter.token),
              timeout=PAGE_TIMEOUT_S * 1000)
    if kernel:
        page.wait_for_function(KERNEL_READY, timeout=PAGE_TIMEOUT_S * 1000)
    jupyter.note_kernels()
