"""Export every chapter notebook to static HTML in ``site/`` with an index page (``make html``).

    python scripts/build_site.py [--out site] [notebooks/01_histograms.ipynb ...]

Uses nbconvert's ``lab`` template on the committed notebooks (no execution:
the stored outputs are the ones nbval checked). Static figures are embedded
as PNG data. A widget cannot run without a kernel, so each explorer's output
is replaced by the picture it showed when the notebook was executed (taken
from the saved widget state in the notebook metadata), the values of its
controls, and a note that the interactive part needs a kernel
(``make present`` or ``make lab``).

The site works offline: pages load nothing from outside ``site/``. Formulas
are typeset by MathJax 3 copied into ``site/mathjax/`` from the npm package
pinned in ``package-lock.json`` (``make html`` runs ``npm ci`` first), with
its fonts; nbconvert's require.js and Mermaid loaders, which come from a CDN,
are left out (the pages run no notebook JavaScript and draw no diagrams).
"""

import argparse
import copy
import html
import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")  # silence jupyter_core's path-migration warning

import jinja2
import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from run_notebooks import reachable, widget_models, widget_of  # noqa: E402

sys.path.pop(0)

#: The npm package's browser build (``npm ci`` puts it here) and what the site needs of it:
#: TeX input with every extension and HTML output in one file, its fonts (found relative
#: to that file), and what its menu loads on demand (assistive MathML, the accessibility
#: explorer and its speech rules).
MATHJAX = ROOT / "node_modules" / "mathjax"
MATHJAX_FILES = ["LICENSE", "es5/tex-chtml-full.js", "es5/output/chtml/fonts/woff-v2", "es5/a11y", "es5/sre"]
MATHJAX_SCRIPT = "mathjax/es5/tex-chtml-full.js"
#: The delimiters nbconvert leaves around formulas in its Markdown output.
MATHJAX_CONFIG = {"tex": {"inlineMath": [["$", "$"], ["\\(", "\\)"]], "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
                          "processEscapes": True, "processEnvironments": True}}
#: nbconvert's lab template, without its CDN scripts and with the bundled MathJax.
TEMPLATE = f"""{{%- extends 'lab/index.html.j2' -%}}
{{%- block html_head_js_requirejs -%}}{{%- endblock html_head_js_requirejs -%}}
{{%- block html_head_js_mermaidjs -%}}{{%- endblock html_head_js_mermaidjs -%}}
{{%- block html_head_js_mathjax -%}}
<script>window.MathJax = {json.dumps(MATHJAX_CONFIG)};</script>
<script defer src="{MATHJAX_SCRIPT}"></script>
{{%- endblock html_head_js_mathjax -%}}
"""
STATIC_CLASS = "cvlab-widget-static"
NOTE = ("Interactive explorer: it needs a running Python kernel "
        "(<code>make present NB=…</code> or <code>make lab</code>).")
NOTE_OTHER = "Interactive widget: it needs a running Python kernel (<code>make lab</code>)."


def _image_data(model):
    """Base64 image data of an ImageModel from the saved state, or None."""
    for buffer in model.get("buffers", ()):
        if buffer.get("path") == ["value"] and buffer.get("encoding") == "base64":
            return buffer["data"]
    value = model["state"].get("value")
    return value if isinstance(value, str) and value else None


def _format_value(value):
    if isinstance(value, float):
        return f"{value:.3g}"
    return html.escape(str(value))


def static_widget(models, model_id):
    """HTML standing in for one widget view: its saved state, and for explorers the kernel note.

    Images show the picture saved at execution time, with the control values;
    text and progress widgets (e.g. a tqdm bar) show their final text and bar.
    """
    pictures, controls, texts = [], [], []
    for node in reachable(models, model_id):
        model = models[node]
        state = model["state"]
        name = model.get("model_name", "")
        if name == "ImageModel":
            data = _image_data(model)
            if data:
                kind = html.escape(state.get("format", "png"))
                pictures.append(f'<img src="data:image/{kind};base64,{data}" alt="saved explorer view" '
                                f'style="max-width:100%">')
        elif name in ("FloatProgressModel", "IntProgressModel"):
            texts.append(f'<progress value="{state.get("value", 0)}" max="{state.get("max", 100)}"></progress>')
        elif name in ("HTMLModel", "LabelModel", "HTMLMathModel"):
            if state.get("value"):
                texts.append(state["value"] if name != "LabelModel" else html.escape(state["value"]))
        elif "value" in state and state.get("description"):
            controls.append(f"{html.escape(state['description'])} = {_format_value(state['value'])}")
    parts = list(pictures)
    if pictures or controls:
        shown = "Saved view" + (f" at {', '.join(controls)}" if controls else "") + ". " if pictures else ""
        parts.append(f'<p style="font-size:90%;color:#444;margin:4px 0">{shown}{NOTE}</p>')
    elif texts:
        parts.append(f'<p style="margin:4px 0">{" ".join(texts)}</p>')
    else:
        parts.append(f'<p style="font-size:90%;color:#444;margin:4px 0">{NOTE_OTHER}</p>')
    return (f'<div class="{STATIC_CLASS}" style="border-left:4px solid #888;padding:4px 10px;margin:4px 0">'
            + "".join(parts) + "</div>")


def staticize(notebook):
    """A copy of ``notebook`` whose widget outputs are static HTML and without widget metadata.

    A widget output is a live view (a notebook saved from a front end) or the
    note ``run_notebooks.py`` stores in its place; both name the widget's model.
    """
    notebook = copy.deepcopy(notebook)
    models = widget_models(notebook)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", ()):
            model_id = widget_of(output)
            if model_id is not None:
                output["data"] = {"text/html": static_widget(models, model_id)}
                output.get("metadata", {}).pop("cvlab", None)
    notebook.metadata.pop("widgets", None)
    return notebook


def title_of(notebook, fallback):
    """The first Markdown heading of a notebook, without the leading #."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


INDEX = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cvlab · 计算机视觉导论 (Introduction to Computer Vision)</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
li {{ margin: 0.4rem 0; }}
.note {{ color: #555; font-size: 90%; }}
</style>
</head>
<body>
<h1>cvlab · 计算机视觉导论</h1>
<p>章节 (chapters):</p>
<ol>
{items}
</ol>
<p class="note">Static export of the notebooks with their stored outputs. The interactive explorers
show the picture saved when the notebook was run; to move their sliders, run
<code>make present</code> (lecture mode) or <code>make lab</code>.</p>
</body>
</html>
"""


def bundle_mathjax(out):
    """Copy the pinned MathJax into ``out``/mathjax (replacing an older copy)."""
    if not (MATHJAX / "package.json").is_file():
        sys.exit(f"MathJax is missing from {MATHJAX}: run `npm ci` in {ROOT} (`make html` does)")
    target = out / "mathjax"
    shutil.rmtree(target, ignore_errors=True)
    for name in MATHJAX_FILES:
        source = MATHJAX / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def build(paths, out):
    """Export ``paths`` to ``out``/<stem>.html and write ``out``/index.html; return the pages."""
    out.mkdir(parents=True, exist_ok=True)
    bundle_mathjax(out)
    exporter = HTMLExporter(template_name="lab", template_file="cvlab_site.html.j2",
                            extra_loaders=[jinja2.DictLoader({"cvlab_site.html.j2": TEMPLATE})])
    pages = []
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        title = title_of(notebook, path.stem)
        body, _ = exporter.from_notebook_node(staticize(notebook), resources={"metadata": {"name": title}})
        page = out / f"{path.stem}.html"
        page.write_text(body, encoding="utf-8")
        pages.append((page, title))
        print(f"{path} -> {page}")
    items = "\n".join(f'<li><a href="{html.escape(page.name)}">{html.escape(title)}</a></li>' for page, title in pages)
    (out / "index.html").write_text(INDEX.format(items=items), encoding="utf-8")
    print(f"{out / 'index.html'}: {len(pages)} chapters")
    return pages


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--out", type=Path, default=ROOT / "site")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not paths:
        sys.exit("no notebooks to export")
    build(paths, args.out)


if __name__ == "__main__":
    main()
