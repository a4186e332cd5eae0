"""Before a chapter runs, JupyterLab and Notebook 7 show the stored notes, trusted or not.

The chapter is saved the way ``make notebooks`` saves it (``with_notes``) and
opened without running it, once as a fresh clone is (not trusted) and once
signed in the server's notebook-signature store (trusted, as a notebook you
saved yourself is). Each explorer and progress-bar output must read as its
note, and nothing may read as a widget repr or a widget error. The chapter is
the one whose notes are the most varied (today 07_pixelcnn: explorer and
training progress bar).
"""

import nbformat
import pytest
from nbformat.sign import NotebookNotary

from cvlab.widgets._live import EXPLORER_NOTE

from .pages import (
    ERRORS,
    PROGRESS_NOTE,
    SHUT_DOWN,
    WIDGET_NOTE,
    chapter_notebooks,
    open_in_jupyter,
    widget_of,
    with_notes,
)

pytestmark = pytest.mark.browser

NOTES = (EXPLORER_NOTE, PROGRESS_NOTE, WIDGET_NOTE)

# The text of every output on the page, once the page shows every output of the notebook
# (cells out of view are attached later), and whether the code cells are trusted.
OUTPUTS = r"""
() => {
  const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  // Until the file is loaded, a notebook panel holds one empty placeholder cell.
  if (!panel || !panel.context || !panel.context.isReady) return null;
  const cells = panel.content.widgets.filter((cell) => cell.model.type === "code");
  const stored = cells.reduce((sum, cell) => sum + cell.model.outputs.length, 0);
  const outputs = [...document.querySelectorAll(".jp-OutputArea-output")]
    .filter((el) => !el.parentElement.closest(".jp-OutputArea-output"))
    .map((el) => el.textContent.trim());
  if (!cells.length || outputs.length < stored) return null;
  return {outputs, trusted: cells.map((cell) => cell.model.trusted)};
}
"""

HAS_SESSION = "() => Boolean(window.jupyterapp.shell.currentWidget.sessionContext.session)"


def _notes(notebook):
    return [output["data"]["text/plain"] for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", ()) if widget_of(output) is not None]


def _most_varied_chapter():
    noted = {path: with_notes(nbformat.read(path, as_version=4)) for path in chapter_notebooks()}
    if not any(_notes(notebook) for notebook in noted.values()):
        pytest.skip("no chapter stores a widget output")
    return max(noted.items(), key=lambda item: (len(set(_notes(item[1]))), -chapter_notebooks().index(item[0])))


@pytest.mark.parametrize("trusted", [False, True], ids=["fresh-clone", "trusted"])
@pytest.mark.parametrize("front_end", ["lab", "notebook"])
def test_stored_widget_outputs_read_as_notes(front_end, trusted, jupyter, served, browser):
    path, notebook = _most_varied_chapter()
    folder = served / f"noted-{front_end}-{'trusted' if trusted else 'untrusted'}"
    folder.mkdir()
    # Signatures are kept per content: a copy that differs only here is not trusted through another.
    notebook.metadata["cvlab_test_copy"] = folder.name
    if trusted:
        NotebookNotary(data_dir=str(jupyter.data_dir)).sign(notebook)
    nbformat.write(notebook, folder / path.name)
    expected = _notes(notebook)
    page = browser.new_page()
    try:
        open_in_jupyter(page, front_end, jupyter, folder.name, path.name, kernel=False)
        shown = page.wait_for_function(OUTPUTS, timeout=120_000).json_value()
        problems = page.evaluate(ERRORS)
    finally:
        try:
            page.wait_for_function(HAS_SESSION, timeout=120_000)  # so the kernel it starts is shut down
            page.evaluate(SHUT_DOWN)
        finally:
            page.close()
    assert set(shown["trusted"]) == {trusted}
    assert [text for text in shown["outputs"] if text in NOTES] == expected
    assert not [text for text in shown["outputs"] if "children=" in text], "a widget repr is shown"
    assert problems == []
