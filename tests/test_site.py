"""The static site (``make html``): every chapter exported with its figures, widgets never a hole, offline.

The offline tests open every page in Debian's Chromium (marked ``browser``;
skipped without ``/usr/bin/chromium``) with every request that is not a
``file:`` URL blocked: no request may leave ``site/``, nothing may fail or log
an error, and MathJax must typeset exactly as many formulas as the notebook's
Markdown holds, with no TeX error.
"""

import base64
import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import build_site  # noqa: E402
import run_notebooks  # noqa: E402

sys.path.pop(0)

CHROMIUM = Path("/usr/bin/chromium")

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nnot-really-a-png").decode()
ERROR_MARK = 'data-mime-type="application/vnd.jupyter.stderr"'
FIGURE = re.compile(r'<img\b[^>]*\bsrc="data:image/png;base64,[A-Za-z0-9+/]')


def _widget_notebook(with_state=True):
    """A tiny notebook with one figure and one explorer-like widget view (VBox > slider, image)."""
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nwidgets.point_ops_explorer()")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
        nbformat.v4.new_output("execute_result", execution_count=1, data={
            run_notebooks.WIDGET_VIEW: {"model_id": "box", "version_major": 2, "version_minor": 0},
            "text/plain": "VBox(...)",
        }),
    ]
    notebook.cells = [nbformat.v4.new_markdown_cell("# Chapter 9 · Test (test)"), cell]
    if with_state:
        notebook.metadata["widgets"] = {run_notebooks.WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": {
            "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_slider", "IPY_MODEL_image"]}},
            "slider": {"model_name": "IntSliderModel", "state": {"description": "gamma", "value": 1.5}},
            "image": {"model_name": "ImageModel", "state": {"format": "png"},
                      "buffers": [{"path": ["value"], "encoding": "base64", "data": PNG}]},
        }}}
    return notebook


def problems(page_html):
    """What makes an exported chapter page unacceptable (empty list when fine)."""
    found = []
    if ERROR_MARK in page_html:
        found.append("error or stderr output")
    if run_notebooks.WIDGET_VIEW in page_html or "Error displaying widget" in page_html:
        found.append("a live widget view that cannot render without a kernel")
    if not FIGURE.search(page_html):
        found.append("no embedded figure")
    return found


def test_staticize_shows_the_saved_picture_and_control_values():
    notebook = _widget_notebook()
    before = copy.deepcopy(notebook)
    static = build_site.staticize(notebook)
    assert notebook == before, "staticize must not modify its input"
    assert "widgets" not in static.metadata
    (figure, widget) = static.cells[1].outputs
    assert figure == notebook.cells[1].outputs[0]
    html = widget["data"]["text/html"]
    assert list(widget["data"]) == ["text/html"]
    assert f'src="data:image/png;base64,{PNG}"' in html
    assert "gamma = 1.5" in html
    assert "needs a running Python kernel" in html


def test_staticize_shows_the_same_for_a_live_view_and_the_note_standing_in_for_it():
    notebook = _widget_notebook()
    noted = run_notebooks.with_notes(notebook)
    assert run_notebooks.WIDGET_VIEW not in noted.cells[1].outputs[1]["data"]
    assert build_site.staticize(noted) == build_site.staticize(notebook)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_stored_notes_keep_every_saved_picture_for_the_site(notebook):
    """A chapter saved with notes (``make notebooks``) gives the same static page as with live views."""
    source = nbformat.read(notebook, as_version=4)
    assert build_site.staticize(run_notebooks.with_notes(source)) == build_site.staticize(source)


def test_staticize_without_saved_state_leaves_a_note_not_a_hole():
    static = build_site.staticize(_widget_notebook(with_state=False))
    html = static.cells[1].outputs[1]["data"]["text/html"]
    assert build_site.STATIC_CLASS in html
    assert "<img" not in html
    assert "needs a running Python kernel" in html


def test_staticize_shows_a_progress_bar_as_its_final_text():
    notebook = _widget_notebook(with_state=False)
    notebook.metadata["widgets"] = {run_notebooks.WIDGET_STATE: {"state": {
        "box": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_label", "IPY_MODEL_bar"]}},
        "label": {"model_name": "HTMLModel", "state": {"value": "train: 100%"}},
        "bar": {"model_name": "FloatProgressModel", "state": {"value": 10.0, "max": 10.0}},
    }}}
    html = build_site.staticize(notebook).cells[1].outputs[1]["data"]["text/html"]
    assert "train: 100%" in html
    assert '<progress value="10.0" max="10.0">' in html
    assert "<img" not in html


def test_title_is_the_first_heading():
    assert build_site.title_of(_widget_notebook(), "fallback") == "Chapter 9 · Test (test)"
    assert build_site.title_of(nbformat.v4.new_notebook(), "fallback") == "fallback"


def test_checker_catches_error_output_and_live_widgets(tmp_path):
    notebook = _widget_notebook()
    notebook.cells[1].outputs.append(nbformat.v4.new_output("stream", name="stderr", text="UserWarning: x\n"))
    path = tmp_path / "09_test.ipynb"
    nbformat.write(notebook, path)
    (page, _), = build_site.build([path], tmp_path / "out")
    assert problems(page.read_text(encoding="utf-8")) == ["error or stderr output"]
    live = '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "m"}</script>'
    assert problems(live) == ["a live widget view that cannot render without a kernel", "no embedded figure"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built by the real script (as ``make html`` runs it) into a temporary folder."""
    if not NOTEBOOKS:
        pytest.skip("no notebooks in notebooks/ to export")
    out = tmp_path_factory.mktemp("site")
    built = subprocess.run([sys.executable, "-W", "error", str(ROOT / "scripts" / "build_site.py"), "--out", str(out)],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, f"build_site.py failed:\n{built.stdout[-2000:]}\n{built.stderr[-3000:]}"
    return out


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_chapter_page(site, notebook):
    page = site / f"{notebook.stem}.html"
    assert page.is_file(), f"{page.name} missing from the site"
    text = page.read_text(encoding="utf-8")
    assert problems(text) == []
    source = nbformat.read(notebook, as_version=4)
    figures = sum("image/png" in output.get("data", {})
                  for cell in source.cells if cell.cell_type == "code" for output in cell.get("outputs", ()))
    views = sum(run_notebooks.widget_of(output) is not None
                for cell in source.cells if cell.cell_type == "code" for output in cell.get("outputs", ()))
    placeholders = re.findall(rf'<div class="{build_site.STATIC_CLASS}".*?</div>', text, flags=re.S)
    saved_pictures = sum(len(FIGURE.findall(placeholder)) for placeholder in placeholders)
    assert len(FIGURE.findall(text)) - saved_pictures >= figures, "a static figure is missing"
    assert len(placeholders) == views, "every widget view needs its static stand-in"
    # Every explorer's stand-in shows the picture saved when the notebook ran, not only the note.
    explorers = sum("_explorer(" in cell.source for cell in source.cells if cell.cell_type == "code")
    assert sum(bool(FIGURE.search(placeholder)) for placeholder in placeholders) >= explorers, \
        "an explorer's saved picture is missing"


def test_index_links_every_chapter(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    for notebook in NOTEBOOKS:
        assert f'href="{notebook.stem}.html"' in index


def test_site_bundles_mathjax_from_the_lock(site):
    """MathJax comes from node_modules (``npm ci`` of package-lock.json), not from a CDN."""
    lock = json.loads((ROOT / "package-lock.json").read_text())
    bundled = json.loads((build_site.MATHJAX / "package.json").read_text())
    assert bundled["version"] == lock["packages"]["node_modules/mathjax"]["version"]
    assert (site / build_site.MATHJAX_SCRIPT).is_file()
    assert list((site / "mathjax" / "es5" / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff")), "fonts missing"
    for page in site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), f"{page.name} links outside the site"


# Formulas as MathJax finds them in nbconvert's Markdown output: code is never typeset.
FENCED_CODE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
TEX = re.compile(r"(?<!\\)\$\$.+?(?<!\\)\$\$"  # $$ display $$
                 r"|(?<!\\)\\\[.+?\\\]"  # \[ display \]
                 r"|\\begin\{([A-Za-z*]+)\}.+?\\end\{\1\}"  # an environment
                 r"|(?<![\\$])\$(?!\$).+?(?<![\\$])\$"  # $ inline $
                 r"|(?<!\\)\\\(.+?\\\)", re.S)  # \( inline \)


def tex_formulas(notebook):
    """The number of TeX formulas in a notebook's Markdown cells."""
    count = 0
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            text = CODE_SPAN.sub("", FENCED_CODE.sub("", cell.source))
            count += sum(1 for _ in TEX.finditer(text))
    return count


def test_tex_formulas_counts_what_mathjax_typesets():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("Inline $a$ and $b_1$, display $$\\sum_i x_i$$, and \\(c\\) and \\[d\\]."),
        nbformat.v4.new_markdown_cell("Not math: `$x$` in code, a price of \\$5, and\n```\n$y$\n```\n"),
        nbformat.v4.new_markdown_cell("\\begin{align} x &= 1 \\end{align} then $z$"),
        nbformat.v4.new_code_cell("$not$ = 'markdown'"),
    ]
    assert tex_formulas(notebook) == 7


@pytest.fixture(scope="module")
def offline_browser():
    """Headless Debian Chromium in which every request that is not a file: URL is blocked and recorded."""
    if not CHROMIUM.exists():
        pytest.skip(f"the offline-site tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield browser
        finally:
            browser.close()


def open_offline(browser, page_path):
    """Open a page with the network blocked; return (page, context, blocked URLs, errors)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked, errors = [], []

    def only_files(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_files)
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"request failed: {request.url}"))
    page.goto(page_path.as_uri(), wait_until="load", timeout=120_000)
    return page, context, blocked, errors


# After MathJax's startup promise: rendered formulas, TeX errors, and $ or \( left in the text.
TYPESET = r"""
async () => {
  await MathJax.startup.promise;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const raw = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("pre, code, script, style, mjx-container")) continue;
    if (/\$|\\\(|\\\[/.test(node.textContent)) raw.push(node.textContent.trim().slice(0, 80));
  }
  return {rendered: document.querySelectorAll("mjx-container").length,
          errors: document.querySelectorAll("mjx-merror").length, raw};
}
"""


@pytest.mark.browser
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_chapter_page_works_offline(site, notebook, offline_browser, capsys):
    page, context, blocked, errors = open_offline(offline_browser, site / f"{notebook.stem}.html")
    try:
        typeset = page.evaluate(TYPESET)
        page.wait_for_load_state("networkidle")  # fonts and lazily loaded MathJax parts
    finally:
        context.close()
    formulas = tex_formulas(nbformat.read(notebook, as_version=4))
    counts = {"formulas": formulas, "rendered": typeset["rendered"], "blocked": len(blocked), "errors": len(errors)}
    with capsys.disabled():
        print(f"\n  offline {notebook.stem}: {formulas} TeX formulas, {typeset['rendered']} rendered, "
              f"{len(blocked)} blocked requests, {len(errors)} console errors")
    assert blocked == [], "requests outside site/"
    assert errors == []
    assert typeset["errors"] == 0, "MathJax reports a TeX error"
    assert typeset["rendered"] == formulas, counts
    assert typeset["raw"] == [], "TeX left untypeset"


@pytest.mark.browser
def test_index_page_works_offline(site, offline_browser):
    page, context, blocked, errors = open_offline(offline_browser, site / "index.html")
    context.close()
    assert blocked == [] and errors == []
