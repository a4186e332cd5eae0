"""Chapter 1 explorers: the pixel matrix, point operations and coordinate operations."""

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from .. import data, histogram, pointops
from .._checks import as_levels
from ._live import LiveFigure, explorer, slider

__all__ = ["pixel_window_explorer", "point_ops_explorer", "shift_explorer"]


def pixel_window_explorer(image=None, window=8):
    """Slide a ``window`` x ``window`` box over a grey image and read its values.

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(pixel_window_explorer())]
    ['row y', 'column x']
    """
    image = _grey_levels(image)
    height, width = image.shape
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

    def update():
        y, x = row.value, col.value
        crop = image[y:y + window, x:x + window]
        box.set_xy((x - 0.5, y - 0.5))
        crop_artist.set_data(crop)
        for i, j in np.ndindex(crop.shape):
            labels[i][j].set_text(str(crop[i, j]))
            labels[i][j].set_color("black" if crop[i, j] > 127 else "white")
        zoom.set_title(f"f(x, y) for x in [{x}, {x + window - 1}], y in [{y}, {y + window - 1}]")

    full.set_title("camera: a 2-D matrix of uint8 levels")
    return explorer([row, col], live, update)


def _grey_levels(image):
    """The camera by default; otherwise a grey image as uint8 levels."""
    if image is None:
        return data.load_image("camera")
    levels = as_levels(image, color=False)
    return levels if levels.dtype == np.uint8 else np.rint(levels * 255).astype(np.uint8)


def _rectangle(size):
    return Rectangle((0, 0), size, size, fill=False, edgecolor="red", linewidth=2)


def point_ops_explorer(image=None):
    """Brightness, contrast and gamma sliders with the live histogram.

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(point_ops_explorer())]
    ['brightness +', 'contrast ×', 'gamma']
    """
    image = _grey_levels(image)
    live = LiveFigure(1, 2, size=(9.0, 3.6))
    picture, hist_ax = live.axes[0]
    shown = picture.imshow(image, cmap="gray", vmin=0, vmax=255)
    picture.set_xticks([]), picture.set_yticks([])
    edges = np.arange(257)
    original = histogram.histogram(image)
    hist_ax.stairs(original, edges, color="0.7", fill=True, label="f")
    current = hist_ax.stairs(original, edges, color="C0", linewidth=1.5, label="g")
    hist_ax.set_xlim(0, 256)
    hist_ax.set_xlabel("grey level")
    hist_ax.set_ylabel("pixel count")
    hist_ax.legend(loc="upper right")
    brightness = slider("brightness +", 0, -128, 128)
    contrast = slider("contrast ×", 1.0, 0.0, 3.0, 0.05)
    exponent = slider("gamma", 1.0, 0.2, 3.0, 0.05)

    def update():
        out = pointops.gamma(pointops.add(pointops.scale(image, contrast.value), brightness.value), exponent.value)
        shown.set_data(out)
        counts = histogram.histogram(out)
        current.set_data(values=counts)
        hist_ax.set_ylim(0, 1.05 * max(counts.max(), original.max()))
        saturated = np.mean((out == 0) | (out == 255))
        picture.set_title(f"g = gamma(f·{contrast.value:.2f} + {brightness.value}), {saturated:.1%} clipped")

    return explorer([brightness, contrast, exponent], live, update)


def shift_explorer(image=None):
    """Shift and flip sliders: coordinate operations move pixels, not levels.

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(shift_explorer())]
    ['dy', 'dx', 'flip f(−x, y)']
    """
    image = _grey_levels(image)
    height, width = image.shape
    live = LiveFigure(1, 2, size=(9.0, 4.2))
    left, right = live.axes[0]
    left.imshow(image, cmap="gray", vmin=0, vmax=255)
    left.set_title("f(x, y)")
    shown = right.imshow(image, cmap="gray", vmin=0, vmax=255)
    for ax in (left, right):
        ax.set_xticks([]), ax.set_yticks([])
    dy = slider("dy", 0, -height // 2, height // 2)
    dx = slider("dx", 0, -width // 2, width // 2)
    flip = widgets.Checkbox(value=False, description="flip f(−x, y)")

    def update():
        source = pointops.flip_horizontal(image) if flip.value else image
        shown.set_data(pointops.shift(source, dy.value, dx.value))
        inner = "f(−x, y)" if flip.value else "f"
        right.set_title(f"g(x, y) = {inner} shifted by (dx={dx.value}, dy={dy.value})")

    return explorer([dy, dx, flip], live, update)
