"""Chapter 1 explorers for ``cvlab.pointops``: point operations and coordinate operations."""

import ipywidgets as widgets
import numpy as np

from .. import data, histogram, pointops
from .._checks import as_image
from ._live import LiveFigure, explorer, slider

__all__ = ["point_ops_explorer", "shift_explorer"]


def _grey_levels(image):
    """The camera by default; otherwise a grey image as uint8 levels."""
    if image is None:
        return data.load_image("camera")
    return pointops.to_uint8(as_image(image, color=False))


def point_ops_explorer(image=None):
    """Brightness, contrast and gamma sliders with the live histogram.

    Taught in: 01_histograms, "点操作".

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
    # Both histograms are drawn relative to the taller of their tallest bins, so the axes never
    # change and only the changing artists are redrawn; the tallest bin's count is written out.
    before = hist_ax.stairs(original, edges, color="0.7", fill=True, label="f")
    current = hist_ax.stairs(original, edges, color="C0", linewidth=1.5, label="g")
    tallest = hist_ax.text(0.02, 0.96, "", transform=hist_ax.transAxes, ha="left", va="top", fontsize=9)
    hist_ax.set_xlim(0, 256)
    hist_ax.set_ylim(0, 1.05)
    hist_ax.set_xlabel("grey level")
    hist_ax.set_ylabel("count / tallest bin")
    legend = hist_ax.legend(loc="upper right")
    brightness = slider("brightness +", 0, -128, 128)
    contrast = slider("contrast ×", 1.0, 0.0, 3.0, 0.05)
    exponent = slider("gamma", 1.0, 0.2, 3.0, 0.05)
    live.animate(shown, picture.title, before, current, tallest, legend)

    def update():
        out, counts, saturated = pointops.adjust_with_histogram(image, contrast.value, brightness.value,
                                                                exponent.value)
        shown.set_data(out)
        peak = max(counts.max(), original.max())
        before.set_data(values=original / peak)
        current.set_data(values=counts / peak)
        tallest.set_text(f"tallest bin: {peak:,} pixels")
        picture.set_title(f"g = gamma(f·{contrast.value:.2f} + {brightness.value}), {saturated:.1%} clipped")

    return explorer([brightness, contrast, exponent], live, update)


def shift_explorer(image=None):
    """Shift and flip sliders: coordinate operations move pixels, not levels.

    Taught in: 01_histograms, "坐标操作".

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
    flipped = pointops.flip_horizontal(image)  # once: it does not depend on the sliders

    def update():
        source = flipped if flip.value else image
        shown.set_data(pointops.shift(source, dy.value, dx.value))
        inner = "f(−x, y)" if flip.value else "f"
        right.set_title(f"g(x, y) = {inner} shifted by (dx={dx.value}, dy={dy.value})")

    return explorer([dy, dx, flip], live, update)
