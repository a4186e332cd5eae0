"""What a student sees in a chapter before running it: a note where an explorer or a progress bar will be.

A stored widget view can never be drawn again (its model lived in the kernel
that ran the notebook): JupyterLab and Notebook 7 show its ``text/plain``,
``VBox(children=(HBox(...IntSlider...``, while the notebook is untrusted, as
a fresh clone is, and "Error displaying widget: model not found" once it is
trusted. ``scripts/run_notebooks.py`` therefore stores a one-line note in its
place (``with_notes``); these tests check the committed notebooks for it and
check the mechanism itself, on copies and on a notebook it executes.
"""

import copy
import re
import sys
from pathlib import Path

import ipywidgets
import nbformat
import pytest

from cvlab import widgets
from cvlab.widgets._live import EXPLORER_NOTE

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import run_notebooks  # noqa: E402

sys.path.pop(0)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPLORER_CALL = re.compile(r"\b(" + "|".join(map(re.escape, widgets.__all__)) + r")\s*\(")


def _widget_classes(cls=ipywidgets.Widget):
    for sub in cls.__subclasses__():
        yield sub.__name__
        yield from _widget_classes(sub)


#: A widget's repr, e.g. ``VBox(children=(HBox(children=(IntSlider(value=256, ...``.
WIDGET_REPR = re.compile(r"\b(" + "|".join(sorted(set(_widget_classes()))) + r")\((children|value|layout)=")


def _plain_text(output):
    if output.get("output_type") == "stream":
        return "".join(output.get("text", ""))
    return "".join(output.get("data", {}).get("text/plain", ""))


def _explorer_calls(cell):
    code = "\n".join(line.split("#", 1)[0] for line in cell.source.splitlines())
    return len(EXPLORER_CALL.findall(code)) if cell.source.startswith("# NBVAL_IGNORE_OUTPUT") else 0


def _saved_picture(models, model_id):
    return any(models[node].get("model_name") == "ImageModel" and models[node].get("buffers")
               for node in run_notebooks.reachable(models, model_id))


def stored_widget_problems(notebook):
    """Why a front end would show something wrong where a widget is stored (empty when all is well).

    Every widget output must be a note (no widget view left, no widget repr
    as text), each note must say what its widget is, and every explorer call in
    a widget cell must leave exactly one explorer note whose saved picture is
    in the notebook's widget state (the static site shows it).
    """
    problems = []
    models = run_notebooks.widget_models(notebook)
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        where = f"cell {number} ({cell.source.splitlines()[-1][:50] if cell.source else ''})"
        for output in cell.get("outputs", ()):
            if run_notebooks.WIDGET_VIEW in output.get("data", {}):
                problems.append(f"{where}: a stored widget view, shown as its repr or as 'model not found'")
            if WIDGET_REPR.search(_plain_text(output)):
                problems.append(f"{where}: a widget repr as text: {_plain_text(output)[:60]}")
            model_id = run_notebooks.widget_of(output)
            if model_id is not None and run_notebooks.WIDGET_VIEW not in output.get("data", {}):
                expected = run_notebooks.note_for(models, model_id)
                if output.get("data") != {"text/plain": expected}:
                    problems.append(f"{where}: the note should be {expected!r}, not {output.get('data')!r}")
        notes = [run_notebooks.widget_of(output) for output in cell.get("outputs", ())
                 if _plain_text(output) == EXPLORER_NOTE]
        if len(notes) != _explorer_calls(cell):
            problems.append(f"{where}: {_explorer_calls(cell)} explorer calls, {len(notes)} explorer notes")
        for model_id in notes:
            if not _saved_picture(models, model_id):
                problems.append(f"{where}: the explorer's last picture is not saved in the notebook")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_committed_notebook_shows_notes_not_dead_widgets(path):
    """Fails until the notebook is executed again with ``make notebooks``."""
    assert stored_widget_problems(nbformat.read(path, as_version=4)) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_with_notes_fixes_every_committed_notebook_and_keeps_the_rest(path):
    notebook = nbformat.read(path, as_version=4)
    before = copy.deepcopy(notebook)
    noted = run_notebooks.with_notes(notebook)
    assert notebook == before, "with_notes must not modify its input"
    assert stored_widget_problems(noted) == []
    assert run_notebooks.with_notes(noted) == noted
    nbformat.validate(noted)
    assert noted.metadata == notebook.metadata, "the widget state (saved pictures) stays"
    for old, new in zip(notebook.cells, noted.cells):
        for old_output, new_output in zip(old.get("outputs", ()), new.get("outputs", ())):
            if run_notebooks.WIDGET_VIEW not in old_output.get("data", {}):
                assert new_output == old_output


def _state(*models):
    return {"widgets": {run_notebooks.WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": dict(models)}}}


def _view(model_id):
    return nbformat.v4.new_output("display_data", data={
        run_notebooks.WIDGET_VIEW: {"model_id": model_id, "version_major": 2, "version_minor": 0},
        "text/plain": "VBox(children=(HBox(children=(IntSlider(value=1)),)))"})


def test_with_notes_names_explorers_progress_bars_and_other_widgets():
    notebook = nbformat.v4.new_notebook(metadata=_state(
        ("box", {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_row", "IPY_MODEL_picture"]}}),
        ("row", {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_slider"]}}),
        ("slider", {"model_name": "IntSliderModel", "state": {"value": 1}}),
        ("picture", {"model_name": "ImageModel", "state": {}}),
        ("bar", {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_progress"]}}),
        ("progress", {"model_name": "FloatProgressModel", "state": {"value": 3.0, "max": 3.0}}),
        ("button", {"model_name": "ButtonModel", "state": {}}),
        ("plot", {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_live", "IPY_MODEL_progress"]}}),
        ("live", {"model_name": "ImageModel", "state": {}}),
    ))
    cell = nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nwidgets.point_ops_explorer()")
    cell.outputs = [_view("box"), _view("bar"), _view("plot"), _view("button"), _view("gone"),
                    nbformat.v4.new_output("stream", name="stdout", text="3 steps\n")]
    notebook.cells = [cell]
    noted = run_notebooks.with_notes(notebook).cells[0].outputs
    assert [output["data"] for output in noted[:5]] == [
        {"text/plain": EXPLORER_NOTE}, {"text/plain": run_notebooks.PROGRESS_NOTE},
        {"text/plain": run_notebooks.PROGRESS_NOTE}, {"text/plain": run_notebooks.WIDGET_NOTE},
        {"text/plain": run_notebooks.WIDGET_NOTE}]
    assert [run_notebooks.widget_of(output) for output in noted] == ["box", "bar", "plot", "button", "gone", None]
    assert noted[5] == cell.outputs[5]
    assert stored_widget_problems(run_notebooks.with_notes(notebook)) == [
        "cell 0 (widgets.point_ops_explorer()): the explorer's last picture is not saved in the notebook"]


def test_the_checker_catches_what_students_saw():
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nwidgets.point_ops_explorer()")
    cell.outputs = [_view("box")]
    notebook.cells = [cell]
    where = "cell 0 (widgets.point_ops_explorer())"
    assert stored_widget_problems(notebook) == [
        f"{where}: a stored widget view, shown as its repr or as 'model not found'",
        f"{where}: a widget repr as text: VBox(children=(HBox(children=(IntSlider(value=1)),)))",
        f"{where}: 1 explorer calls, 0 explorer notes",
    ]


def test_make_notebooks_stores_notes_for_an_explorer_and_a_progress_bar(tmp_path):
    """``run_notebooks.run`` executes a notebook and saves it with notes and the saved pictures."""
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                 "language": "python"}})
    notebook.cells = [
        nbformat.v4.new_code_cell("from tqdm.auto import tqdm\nfrom cvlab import widgets"),
        nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nwidgets.shift_explorer()"),
        nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nfor step in tqdm(range(3), desc='train'):\n    pass"),
    ]
    path = tmp_path / "09_test.ipynb"
    nbformat.write(notebook, path)
    run_notebooks.run(path)
    stored = nbformat.read(path, as_version=4)
    assert stored_widget_problems(stored) == []
    assert [_plain_text(output) for output in stored.cells[1].outputs] == [EXPLORER_NOTE]
    assert run_notebooks.PROGRESS_NOTE in [_plain_text(output) for output in stored.cells[2].outputs]
