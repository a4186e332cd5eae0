"""Drive explorers without a browser: find their controls and images, and pick values to try.

Used by the explorers' doctests, the test suite and ``make bench``.

>>> from cvlab.widgets import point_ops_explorer
>>> from cvlab.widgets.testing import controls_of, images_of, trial_values
>>> box = point_ops_explorer()
>>> control = controls_of(box)[0]
>>> before = images_of(box)[0].value
>>> control.value = trial_values(control)[0]
>>> images_of(box)[0].value != before
True
"""

import ipywidgets as widgets
import numpy as np

__all__ = ["controls_of", "images_of", "trial_values"]


def controls_of(box):
    """All value controls (sliders, dropdowns, checkboxes) inside a container, in order.

    >>> from cvlab.widgets import shift_explorer
    >>> [type(c).__name__ for c in controls_of(shift_explorer())]
    ['IntSlider', 'IntSlider', 'Checkbox']
    """
    found = []
    for child in getattr(box, "children", ()):
        if isinstance(child, (widgets.Image, widgets.HTML)):
            continue
        if isinstance(child, widgets.ValueWidget):
            found.append(child)
        found.extend(controls_of(child))
    return found


def images_of(box):
    """All image widgets inside a container, in order.

    >>> from cvlab.widgets import shift_explorer
    >>> len(images_of(shift_explorer()))
    1
    """
    found = [box] if isinstance(box, widgets.Image) else []
    for child in getattr(box, "children", ()):
        found.extend(images_of(child))
    return found


def trial_values(control, count=5):
    """Values spread over a control's range, ending back at its starting value.

    >>> trial_values(widgets.IntSlider(value=2, min=0, max=8), count=3)
    [0, 4, 8, 2]
    """
    start = control.value
    if isinstance(control, widgets.Checkbox):
        values = [not start, start] * (count // 2 + 1)
    elif hasattr(control, "options"):
        values = [option[1] if isinstance(option, tuple) else option for option in control.options]
        values = (values * count)[: max(count, len(values))]
    else:
        values = [type(start)(v) for v in np.linspace(control.min, control.max, count)]
    return [v for v in values if v != start][:count] + [start]
