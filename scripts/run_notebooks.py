"""Re-execute notebooks in place with the current environment's kernel (``make notebooks``).

    python scripts/run_notebooks.py notebooks/01_histograms.ipynb [...]

Outputs are stored exactly as nbval will compare them, so run this in the
pinned ``.venv`` only. Execution starts in ``notebooks/`` like JupyterLab.

A widget lives in the kernel that made it, so a stored widget view can never
be shown again: JupyterLab and Notebook 7 fall back to its ``text/plain``
(the ``VBox(children=...`` repr) while the notebook is untrusted, as a fresh
clone is, and print "Error displaying widget: model not found" once it is
trusted. So before saving, every widget view is replaced by a one-line note
that running the cell starts the explorer or shows the progress bar
(``with_notes``), which every front end shows as plain text. The widget's
saved state stays in the notebook metadata and the note keeps its model id
(``output.metadata["cvlab"]["widget"]``), so the static site can still show
the explorer's last picture and a progress bar's final text.
"""

import copy
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from cvlab.widgets._live import EXPLORER_NOTE

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PROGRESS_NOTE = "▶ 运行此单元即可显示训练进度条（Run this cell to show the training progress bar.）"
WIDGET_NOTE = "▶ 运行此单元即可显示这里的实时输出（Run this cell to show its live output.）"
PROGRESS_MODELS = {"FloatProgressModel", "IntProgressModel"}
#: Models of controls a student moves (an explorer is a picture with controls).
CONTROL_MODELS = {"DropdownModel", "CheckboxModel", "ToggleButtonModel", "ToggleButtonsModel", "RadioButtonsModel",
                  "SelectModel", "IntTextModel", "FloatTextModel", "BoundedIntTextModel", "BoundedFloatTextModel"}


def widget_models(notebook):
    """The saved widget state of ``notebook``: model id -> {"model_name", "state", ...}."""
    return notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def reachable(models, model_id, seen=None):
    """Model ids reachable from ``model_id`` through ``children``, depth first, in display order."""
    seen = set() if seen is None else seen
    if model_id in seen or model_id not in models:
        return []
    seen.add(model_id)
    found = [model_id]
    for child in models[model_id]["state"].get("children", ()):
        if isinstance(child, str) and child.startswith("IPY_MODEL_"):
            found += reachable(models, child[len("IPY_MODEL_"):], seen)
    return found


def note_for(models, model_id):
    """The note standing in for a widget view: an explorer is a picture with controls, a progress bar a bar."""
    names = {models[node].get("model_name", "") for node in reachable(models, model_id)}
    controls = {name for name in names if name.endswith("SliderModel")} | (names & CONTROL_MODELS)
    if "ImageModel" in names and controls:
        return EXPLORER_NOTE
    if names & PROGRESS_MODELS:
        return PROGRESS_NOTE
    return WIDGET_NOTE


def widget_of(output):
    """The model id a stored output shows (a live view or a note standing in for one), else None."""
    view = output.get("data", {}).get(WIDGET_VIEW)
    if view is not None:
        return view.get("model_id", "")
    return output.get("metadata", {}).get("cvlab", {}).get("widget")


def with_notes(notebook):
    """A copy of ``notebook`` whose widget views are one-line notes that keep the model id."""
    notebook = copy.deepcopy(notebook)
    models = widget_models(notebook)
    for cell in notebook.cells:
        for output in cell.get("outputs", ()) if cell.cell_type == "code" else ():
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                continue
            model_id = view.get("model_id", "")
            output["data"] = {"text/plain": note_for(models, model_id)}
            output["metadata"] = {**output.get("metadata", {}), "cvlab": {"widget": model_id}}
    return notebook


def run(path):
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        notebook, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    nbformat.write(with_notes(notebook), path)
    print(f"{path}: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        run(Path(name))
