"""Lecture mode: ``cvlab.plot.lecture_style`` and explorers built under it."""

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.image import imread

from cvlab import plot, widgets
from cvlab.widgets._live import LiveFigure
from cvlab.widgets.testing import images_of


@pytest.fixture(autouse=True)
def restore_rc(monkeypatch):
    """Every test starts from the notebook style and leaves rcParams as it found them."""
    monkeypatch.delenv("CVLAB_LECTURE", raising=False)
    with plt.rc_context():
        plot.notebook_style()
        yield


def _png_shape(box):
    return imread(io.BytesIO(images_of(box)[0].value)).shape


def test_lecture_style_as_function_keeps_the_style():
    assert repr(plot.lecture_style()) == "<cvlab lecture style>"
    for key, value in plot.LECTURE_RC.items():
        assert plt.rcParams[key] == pytest.approx(value)
    assert plt.rcParams["font.size"] > 11


def test_lecture_style_as_context_manager_restores_everything():
    before = dict(plt.rcParams)
    with plot.lecture_style() as style:
        assert style is not None
        assert plt.rcParams["font.size"] == plot.LECTURE_RC["font.size"]
        assert plt.rcParams["lines.linewidth"] == plot.LECTURE_RC["lines.linewidth"]
    assert dict(plt.rcParams) == before


def test_lecture_style_restores_after_an_exception():
    before = plt.rcParams["axes.titlesize"]
    with pytest.raises(RuntimeError, match="boom"):
        with plot.lecture_style():
            raise RuntimeError("boom")
    assert plt.rcParams["axes.titlesize"] == before


@pytest.mark.parametrize("value, lecture", [("1", True), ("", False), ("0", False)])
def test_notebook_style_follows_cvlab_lecture(monkeypatch, value, lecture):
    monkeypatch.setenv("CVLAB_LECTURE", value)
    plot.notebook_style()
    assert plt.rcParams["font.size"] == (plot.LECTURE_RC["font.size"] if lecture else 11)
    assert plt.rcParams["figure.dpi"] == (100 if lecture else 80)


def test_lecture_style_is_larger_than_notebook_style():
    notebook = {key: plt.rcParams[key] for key in plot.LECTURE_RC}
    with plot.lecture_style():
        for key in ("font.size", "axes.titlesize", "lines.linewidth"):
            assert plt.rcParams[key] > notebook[key], key


def test_live_figure_keeps_the_style_it_was_built_with():
    with plot.lecture_style():
        lecture = LiveFigure()
    default = LiveFigure()
    assert lecture.axes[0, 0].title.get_fontsize() == plot.LECTURE_RC["axes.titlesize"]
    assert default.axes[0, 0].title.get_fontsize() == 11
    with lecture.style():
        (lecture_line,) = lecture.axes[0, 0].plot([0, 1])
    with default.style():
        (default_line,) = default.axes[0, 0].plot([0, 1])
    assert lecture_line.get_linewidth() == plot.LECTURE_RC["lines.linewidth"]
    assert default_line.get_linewidth() == plt.rcParams["lines.linewidth"]
    with lecture.style():
        assert plt.rcParams["font.size"] == plot.LECTURE_RC["font.size"]
    assert plt.rcParams["font.size"] == 11


def test_explorer_built_in_lecture_style_has_larger_text_and_default_is_unchanged():
    default = widgets.point_ops_explorer()
    default_png = images_of(default)[0].value
    with plot.lecture_style():
        lecture = widgets.point_ops_explorer()
    again = widgets.point_ops_explorer()
    lecture_png = images_of(lecture)[0].value
    assert lecture_png != default_png
    assert images_of(again)[0].value == default_png
    assert _png_shape(lecture) == _png_shape(default)
    # Tick labels are created lazily while drawing: they must use the captured style too.
    picture, hist_ax = [ax for ax in _figure_axes(lecture)]
    assert hist_ax.get_xticklabels()[0].get_fontsize() == plot.LECTURE_RC["xtick.labelsize"]
    assert _figure_axes(default)[1].get_xticklabels()[0].get_fontsize() < plot.LECTURE_RC["xtick.labelsize"]


def test_lecture_explorer_keeps_its_style_after_the_block_on_updates():
    with plot.lecture_style():
        lecture = widgets.point_ops_explorer()
    first = images_of(lecture)[0].value
    brightness = lecture.children[0].children[0]
    brightness.value = 40
    assert images_of(lecture)[0].value != first
    assert _figure_axes(lecture)[1].get_yticklabels()[0].get_fontsize() == plot.LECTURE_RC["ytick.labelsize"]
    assert plt.rcParams["font.size"] == 11


def _figure_axes(box):
    """The matplotlib axes behind an explorer's image (found through the observer closure)."""
    control = box.children[0].children[0]
    for callbacks in control._trait_notifiers["value"].values():
        for callback in callbacks:
            cells = getattr(callback, "__closure__", None) or ()
            for cell in cells:
                live = cell.cell_contents
                if isinstance(live, LiveFigure):
                    return list(np.ravel(live.axes))
    raise AssertionError("no LiveFigure found behind the explorer")
