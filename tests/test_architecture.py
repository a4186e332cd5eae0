"""The layering rules of CONTRIBUTING.md, checked on the source.

* Widget modules draw: they import only NumPy, matplotlib, ipywidgets and cvlab
  (plus ``io`` and ``functools`` for PNG buffers and bounded caches), and call
  no NumPy maths; every formula lives in an algorithm module, once.
* Every public function and class of the algorithm modules names the chapter
  section that teaches it (``Taught in: 02_filtering, "Separability".``), and
  that notebook and heading exist.
* The classic algorithms cite their papers in a References section.
"""

import ast
import importlib
import inspect
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WIDGETS = sorted((ROOT / "cvlab" / "widgets").glob("*.py"))
WIDGET_IMPORTS = {"numpy", "matplotlib", "ipywidgets", "io", "functools"}
#: NumPy names that compute course maths; a widget that needs one needs a cvlab function instead.
NUMPY_MATHS = {
    "exp", "log", "log2", "log10", "log1p", "expm1", "sqrt", "square", "power", "sin", "cos", "tan", "arctan",
    "arctan2", "hypot", "deg2rad", "rad2deg", "radians", "degrees", "linalg", "fft", "convolve", "correlate",
    "cumsum", "cumprod", "gradient", "diff", "einsum", "tensordot", "dot", "matmul", "outer", "polyfit",
    "histogram", "bincount", "median", "percentile", "quantile", "var", "std", "erf", "tanh", "sinc",
}

#: Modules whose public functions and classes must say where they are taught.
TAUGHT = ["cvlab.histogram", "cvlab.pointops", "cvlab.filters", "cvlab.convolution", "cvlab.edges",
          "cvlab.features", "cvlab.attention", "cvlab.pixelcnn", "cvlab.vae", "cvlab.gan", "cvlab.nn",
          "cvlab.timing"]
TAUGHT_LINE = re.compile(r'Taught in: (\d\d_\w+), "([^"]+)"\.')

#: Classic algorithms and the paper their docstring must cite (a word of the reference).
CLASSICS = {
    "cvlab.features.harris_response": "Harris",
    "cvlab.features.match": "Lowe",
    "cvlab.features.ransac": "Fischler",
    "cvlab.features.estimate_homography": "Hartley",
    "cvlab.edges.canny": "Canny",
    "cvlab.histogram.clahe": "Zuiderveld",
    "cvlab.pixelcnn.PixelCNN": "van den Oord",
    "cvlab.pixelcnn.GatedPixelCNN": "van den Oord",
    "cvlab.attention.scaled_dot_product_attention": "Vaswani",
    "cvlab.attention.VisionTransformer": "Dosovitskiy",
    "cvlab.vae.VAE": "Kingma",
    "cvlab.vae.iwae_bound": "Burda",
}


def _imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("path", WIDGETS, ids=lambda p: p.name)
def test_widget_modules_import_only_drawing_libraries_and_cvlab(path):
    outside = set(_imports(ast.parse(path.read_text()))) - WIDGET_IMPORTS - {"cvlab"}
    assert not outside, f"{path.name} imports {sorted(outside)}; compute in a cvlab algorithm module instead"


@pytest.mark.parametrize("path", WIDGETS, ids=lambda p: p.name)
def test_widget_modules_hold_no_maths(path):
    used = {node.attr for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "np"}
    assert not used & NUMPY_MATHS, f"{path.name} computes with np.{sorted(used & NUMPY_MATHS)}: move it into cvlab"


def _headings(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [line for cell in cells if cell["cell_type"] == "markdown"
            for line in "".join(cell["source"]).splitlines() if line.startswith("#")]


def _public(module_name):
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return []
    return [(f"{module_name}.{name}", getattr(module, name)) for name in module.__all__
            if inspect.isfunction(getattr(module, name)) or inspect.isclass(getattr(module, name))]


@pytest.mark.parametrize("qualified, obj", [case for name in TAUGHT for case in _public(name)],
                         ids=lambda value: value if isinstance(value, str) else "")
def test_public_api_names_the_section_that_teaches_it(qualified, obj):
    match = TAUGHT_LINE.search(inspect.getdoc(obj) or "")
    assert match, f'{qualified}: add a line `Taught in: NN_chapter, "heading".` to its docstring'
    notebook = ROOT / "notebooks" / f"{match.group(1)}.ipynb"
    assert notebook.exists(), f"{qualified}: no notebook {notebook.name}"
    assert any(match.group(2) in heading for heading in _headings(notebook)), (
        f"{qualified}: no heading of {notebook.name} contains {match.group(2)!r}")


@pytest.mark.parametrize("qualified, author", sorted(CLASSICS.items()))
def test_classic_algorithms_cite_their_paper(qualified, author):
    module_name, name = qualified.rsplit(".", 1)
    doc = inspect.getdoc(getattr(importlib.import_module(module_name), name)) or ""
    references = doc.split("References\n----------", 1)
    assert len(references) == 2 and author in references[1], f"{qualified}: cite {author} under References"
