"""Chapter 1 explorer for ``cvlab.histogram``: the pixel matrix whose levels a histogram counts.

The histogram throws away where each level sits; this explorer shows the
matrix before that projection, a window of numbers at a time.
"""

import numpy as np
from matplotlib.patches import Rectangle

from .._checks import as_int
from ._live import LiveFigure, explorer, slider
from .pointops import _grey_levels

__all__ = ["pixel_window_explorer"]


def pixel_window_explorer(image=None, window=8):
    """Slide a ``window`` x ``window`` box over a grey image and read its values.

    Parameters
    ----------
    image : array_like, optional
        Grey levels (uint8, or floats in [0, 1]); default ``camera``.
    window : int
        Side of the box, 1 to 16 and at most the image's side (each value is printed).

    Taught in: 01_histograms, "像素矩阵".

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(pixel_window_explorer())]
    ['row y', 'column x']
    """
    image = _grey_levels(image)
    height, width = image.shape
    window = as_int(window, "window", minimum=1, maximum=min(height, width, 16))
    live = LiveFigure(1, 2, size=(9.0, 4.2))
    full, zoom = live.axes[0]
    full.imshow(image, cmap="gray", vmin=0, vmax=255)
    box = full.add_patch(_rectangle(window))
    crop_artist = zoom.imshow(image[:window, :window], cmap="gray", vmin=0, vmax=255)
    labels = [[zoom.text(j, i, "", ha="center", va="center", fontsize=8) for j in range(window)] for i in range(window)]
    for ax in (full, zoom):
        ax.set_xticks([]), ax.set_yticks([])
    row = slider("row y", height // 2, 0, height - window)
    col = slider("column x", width // 2, 0, width - window)
    live.animate(box, crop_artist, zoom.title, *(label for line in labels for label in line))

    def update():
        y, x = row.value, col.value
        crop = image[y:y + window, x:x + window]
        box.set_xy((x - 0.5, y - 0.5))
        crop_artist.set_data(crop)
        for (i, j), value in np.ndenumerate(crop):
            labels[i][j].set_text(str(value))
            labels[i][j].set_color("black" if value > 127 else "white")
        zoom.set_title(f"f(x, y) for x in [{x}, {x + window - 1}], y in [{y}, {y + window - 1}]")

    full.set_title("camera: a 2-D matrix of uint8 levels")
    return explorer([row, col], live, update)


def _rectangle(size):
    return Rectangle((0, 0), size, size, fill=False, edgecolor="red", linewidth=2)
