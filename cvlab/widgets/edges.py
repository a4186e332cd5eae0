"""Chapter 4 explorers: Canny's parameters on a photo, and Canny stage by stage."""

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import ListedColormap

from .. import data, edges
from ._live import LiveFigure, explorer, slider

__all__ = ["canny_explorer", "canny_stages_explorer"]

#: False is transparent, True is drawn in the colour: a layer of edge pixels over a picture.
_RED = ListedColormap([(0, 0, 0, 0), (1.0, 0.15, 0.1, 1)])
_ORANGE = ListedColormap([(0, 0, 0, 0), (1.0, 0.6, 0.0, 1)])
_YELLOW = ListedColormap([(0, 0, 0, 0), (1.0, 1.0, 0.2, 1)])


def _photo():
    """The camera image downsampled to 256 × 256 (every second pixel)."""
    return data.load_image("camera")[::2, ::2]


def _blank(shape):
    return np.zeros(shape, dtype=bool)


def _no_ticks(*axes):
    for ax in axes:
        ax.set_xticks([]), ax.set_yticks([])


def canny_explorer():
    """Canny on a photo: σ, the two thresholds (as quantiles of |∇f|) and the derivative operator.

    The edges are drawn in red over the photo. The thresholds are quantiles,
    as with ``use_quantiles=True``: 0.9 puts the high threshold above 90 % of
    the pixels' gradient magnitudes. A low threshold above the high one is
    swapped.

    Taught in: 04_edges, "Canny, stage by stage".

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(canny_explorer())]
    ['σ', 'low quantile', 'high quantile', 'operator']
    """
    photo = _photo()
    live = LiveFigure(1, 1, size=(4.6, 4.6))
    ax = live.axes[0, 0]
    ax.imshow(photo, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    over = ax.imshow(_blank(photo.shape), cmap=_RED, vmin=0, vmax=1, interpolation="nearest")
    _no_ticks(ax)
    ax.set_title("sobel, σ = 1.50: 0 edge pixels", y=1.0)  # fixed height: no search for space on each redraw
    ax.set_xlabel("quantiles 0.80 / 0.90")
    sigma = slider("σ", 1.5, 0.5, 5.0, 0.25)
    low = slider("low quantile", 0.8, 0.5, 0.99, 0.01)
    high = slider("high quantile", 0.9, 0.5, 0.99, 0.01)
    operator = widgets.Dropdown(options=list(edges.OPERATORS), value="sobel", description="operator",
                                layout=widgets.Layout(width="200px"))

    def update():
        lower, upper = sorted((low.value, high.value))
        found = edges.canny(photo, sigma.value, lower, upper, use_quantiles=True, operator=operator.value)
        over.set_data(found)
        ax.set_title(f"{operator.value}, σ = {sigma.value:.2f}: {int(found.sum())} edge pixels")
        ax.set_xlabel(f"quantiles {lower:.2f} / {upper:.2f}")

    return explorer([sigma, low, high, operator], live, update)


def canny_stages_explorer():
    """Canny one stage per panel on a crop of the camera: smoothing, |∇f|, thinning, two thresholds, linking.

    The thresholds are on |∇f| in grey levels per pixel (the Sobel estimate
    of the smoothed image): in the fourth panel yellow pixels are strong
    (≥ high) and orange ones weak (≥ low) on black; the last panel keeps the
    weak pixels that are 8-connected to a strong one.

    Taught in: 04_edges, "Canny, stage by stage".

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(canny_stages_explorer())]
    ['σ', 'low |∇f|', 'high |∇f|']
    """
    crop = data.load_image("camera")[60:188, 190:318]
    live = LiveFigure(1, 6, size=(11.0, 2.55), dpi=66, gridspec_kw={"width_ratios": [1, 1, 1, 1, 1, 0.07]})
    ax_smooth, ax_magnitude, ax_thin, ax_two, ax_final, ax_bar = live.axes[0]
    smoothed = ax_smooth.imshow(crop, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    magnitude_image = ax_magnitude.imshow(_blank(crop.shape), cmap="magma", vmin=0, vmax=40, interpolation="nearest")
    thin_image = ax_thin.imshow(_blank(crop.shape), cmap="magma", vmin=0, vmax=40, interpolation="nearest")
    ax_two.set_facecolor("black")
    weak_layer = ax_two.imshow(_blank(crop.shape), cmap=_ORANGE, vmin=0, vmax=1, interpolation="nearest")
    strong_layer = ax_two.imshow(_blank(crop.shape), cmap=_YELLOW, vmin=0, vmax=1, interpolation="nearest")
    final = ax_final.imshow(_blank(crop.shape), cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    live.figure.colorbar(magnitude_image, cax=ax_bar, ticks=[0, 20, 40], label="|∇f| in 2, 3 (levels/px)")
    _no_ticks(ax_smooth, ax_magnitude, ax_thin, ax_two, ax_final)
    # A fixed title height spares matplotlib a search for free space above each axes on every redraw.
    for ax, title in ((ax_smooth, "1. smoothed, σ = 1.50"), (ax_magnitude, "2. |∇f|"), (ax_thin, "3. thinned"),
                      (ax_two, "4. weak 3 / strong 8"), (ax_final, "5. linked: 0 px")):
        ax.set_title(title, y=1.0)
    sigma = slider("σ", 1.5, 0.5, 4.0, 0.25)
    low = slider("low |∇f|", 3.0, 0.0, 20.0, 0.5)
    high = slider("high |∇f|", 8.0, 0.0, 40.0, 0.5)

    def update():
        lower, upper = sorted((low.value, high.value))
        blurred = edges.smooth(crop, sigma.value)
        magnitude, orientation = edges.magnitude_orientation(*edges.gradient(blurred))
        thin = edges.non_max_suppression(magnitude, orientation)
        smoothed.set_data(blurred)
        magnitude_image.set_data(magnitude)
        thin_image.set_data(thin)
        weak_layer.set_data(edges.hysteresis(thin, lower, lower))
        strong_layer.set_data(edges.hysteresis(thin, upper, upper))
        found = edges.hysteresis(thin, lower, upper)
        final.set_data(found)
        ax_smooth.set_title(f"1. smoothed, σ = {sigma.value:.2f}")
        ax_two.set_title(f"4. weak {lower:g} / strong {upper:g}")
        ax_final.set_title(f"5. linked: {int(found.sum())} px")

    return explorer([sigma, low, high], live, update)
