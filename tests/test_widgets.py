"""Every explorer builds with no arguments, redraws in place, and changes its picture."""

import ipywidgets
import pytest
from matplotlib.figure import Figure

from cvlab import widgets
from cvlab.widgets.testing import controls_of, images_of, trial_values


@pytest.fixture
def figure_count(monkeypatch):
    created = []
    original = Figure.__init__

    def counting_init(self, *args, **kwargs):
        created.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "__init__", counting_init)
    return created


@pytest.mark.parametrize("name", widgets.__all__)
def test_explorer_updates_its_one_figure_on_every_control(name, figure_count):
    box = getattr(widgets, name)()
    assert isinstance(box, ipywidgets.Box)
    (image,) = images_of(box)
    assert bytes(image.value).startswith(b"\x89PNG")
    controls = controls_of(box)
    assert controls, "an explorer needs at least one control"
    built = len(figure_count)
    for control in controls:
        before = bytes(image.value)
        changed = False
        for value in trial_values(control, count=3):
            control.value = value
            changed |= bytes(image.value) != before
        assert changed, f"{control.description!r} never changed the picture"
    assert len(figure_count) == built, "an update created a new figure"


def test_all_lists_only_factories():
    for name in widgets.__all__:
        assert callable(getattr(widgets, name))


def _picture_after_a_change(animated):
    """A LiveFigure with a fixed image, axes, a colour bar and a moving marker, after one move."""
    import io

    import matplotlib.image
    import numpy as np

    from cvlab.widgets._live import LiveFigure

    live = LiveFigure(1, 1, size=(3.0, 2.5))
    ax = live.axes[0, 0]
    shown = ax.imshow(np.arange(64.0).reshape(8, 8), cmap="viridis")
    live.figure.colorbar(shown, ax=ax)
    (marker,) = ax.plot([1], [1], "o", color="red")
    if animated:
        live.animate(marker, ax.title)
    ax.set_title("first")
    live.render()
    marker.set_data([6], [5])
    ax.set_title("moved")
    live.render()
    return matplotlib.image.imread(io.BytesIO(live.widget.value))


def test_animated_render_draws_the_same_picture_as_a_full_redraw():
    blitted, full = _picture_after_a_change(True), _picture_after_a_change(False)
    assert blitted.shape == full.shape
    assert (blitted == full).all()  # the old marker and title are gone, the new ones drawn as a full redraw would
