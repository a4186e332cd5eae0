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
