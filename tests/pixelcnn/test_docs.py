"""Every public function and class of cvlab.nn and cvlab.pixelcnn names the chapter section that teaches it."""

import importlib
import inspect
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = ["cvlab.nn", "cvlab.pixelcnn", "cvlab.widgets.pixelcnn", "cvlab.exercises.pixelcnn"]


def _headings(notebook):
    cells = json.loads((ROOT / "notebooks" / f"{notebook}.ipynb").read_text())["cells"]
    return [line for cell in cells if cell["cell_type"] == "markdown"
            for line in "".join(cell["source"]).splitlines() if line.startswith("#")]


def _public(module_name):
    module = importlib.import_module(module_name)
    for name in module.__all__:
        value = getattr(module, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            yield f"{module_name}.{name}", value


@pytest.mark.parametrize("qualified, value", [pair for module in MODULES for pair in _public(module)],
                         ids=lambda item: item if isinstance(item, str) else "")
def test_taught_in_names_a_real_heading(qualified, value):
    doc = inspect.getdoc(value) or ""
    match = re.search(r"^Taught in: (\d\d_\w+), \"([^\"]+)\"\.$", doc, re.M)
    assert match, f"{qualified}: add a line 'Taught in: NN_name, \"heading piece\".'"
    notebook, piece = match.groups()
    assert (ROOT / "notebooks" / f"{notebook}.ipynb").is_file(), f"{qualified}: no notebook {notebook}"
    assert any(piece in heading for heading in _headings(notebook)), f"{qualified}: no heading with {piece!r}"
