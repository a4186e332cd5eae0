"""Interactive explorers, one zero-argument factory per idea.

Each factory returns an ipywidgets container whose figure is updated in place
on every control change (see ``_live.py``). ``make bench`` times every name
listed in ``__all__``.

>>> from cvlab import widgets
>>> box = widgets.point_ops_explorer()
>>> type(box).__name__
'VBox'
"""

from .histograms import pixel_window_explorer, point_ops_explorer, shift_explorer

__all__ = [
    "pixel_window_explorer",
    "point_ops_explorer",
    "shift_explorer",
]
