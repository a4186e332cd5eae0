"""The static site (``make html``): every chapter exported with its figures, widgets never a hole."""

import base64
import copy
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import build_site  # noqa: E402

sys.path.pop(0)

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
            build_site.WIDGET_VIEW: {"model_id": "box", "version_major": 2, "version_minor": 0},
            "text/plain": "VBox(...)",
        }),
    ]
    notebook.cells = [nbformat.v4.new_markdown_cell("# Chapter 9 · Test (test)"), cell]
    if with_state:
        notebook.metadata["widgets"] = {build_site.WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": {
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
    if build_site.WIDGET_VIEW in page_html or "Error displaying widget" in page_html:
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


def test_staticize_without_saved_state_leaves_a_note_not_a_hole():
    static = build_site.staticize(_widget_notebook(with_state=False))
    html = static.cells[1].outputs[1]["data"]["text/html"]
    assert build_site.STATIC_CLASS in html
    assert "<img" not in html
    assert "needs a running Python kernel" in html


def test_staticize_shows_a_progress_bar_as_its_final_text():
    notebook = _widget_notebook(with_state=False)
    notebook.metadata["widgets"] = {build_site.WIDGET_STATE: {"state": {
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
    subprocess.run([sys.executable, "-W", "error", str(ROOT / "scripts" / "build_site.py"), "--out", str(out)],
                   check=True, cwd=ROOT, capture_output=True, timeout=600)
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
    views = sum(build_site.WIDGET_VIEW in output.get("data", {})
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
