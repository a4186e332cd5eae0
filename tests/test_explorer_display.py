"""How every explorer presents itself to a front end (``cvlab/widgets/_live.py``).

Where its live view cannot be drawn, an explorer reads as a one-line note, not
as its ``VBox(children=...`` repr; and it carries the script that lets its
focused controls keep ←/→/↑/↓ in Notebook 7 (checked in a real Notebook 7 by
``tests/browser/test_front_ends.py``).
"""

import shutil
import subprocess

import ipywidgets
import pytest

from cvlab import widgets
from cvlab.widgets._live import EXPLORER_CLASS, EXPLORER_NOTE, KEYBOARD_SCRIPT

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module", params=widgets.__all__)
def box(request):
    return getattr(widgets, request.param)()


def test_plain_text_form_is_the_note_and_the_live_view_is_unchanged(box):
    bundle = box._repr_mimebundle_()
    assert bundle["text/plain"] == EXPLORER_NOTE
    assert bundle[WIDGET_VIEW]["model_id"] == box.model_id
    assert isinstance(box, ipywidgets.VBox)


def test_note_is_one_line_in_chinese_and_english_and_not_an_error():
    assert "\n" not in EXPLORER_NOTE
    assert "运行" in EXPLORER_NOTE and "Run this cell" in EXPLORER_NOTE
    assert "error" not in EXPLORER_NOTE.lower() and "错误" not in EXPLORER_NOTE


def test_every_explorer_carries_the_keyboard_script_hidden(box):
    assert EXPLORER_CLASS in box._dom_classes
    scripts = [child for child in box.children if isinstance(child, ipywidgets.Output)]
    assert len(scripts) == 1
    (script,) = scripts
    assert script.layout.display == "none"
    assert [output["data"] for output in script.outputs] == [{"application/javascript": KEYBOARD_SCRIPT}]


def test_keyboard_script_marks_focused_controls_for_lumino():
    assert f'closest(".{EXPLORER_CLASS}")' in KEYBOARD_SCRIPT
    assert 'toggleAttribute("data-lm-suppress-shortcuts"' in KEYBOARD_SCRIPT
    assert 'window.addEventListener("keydown"' in KEYBOARD_SCRIPT and "}, true);" in KEYBOARD_SCRIPT


@pytest.mark.skipif(shutil.which("node") is None, reason="syntax check needs Node.js (make html needs it too)")
def test_keyboard_script_is_valid_javascript(tmp_path):
    path = tmp_path / "keyboard.js"
    path.write_text(KEYBOARD_SCRIPT)
    checked = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr
