"""Chapter 3 explorers for ``cvlab.convolution``: shift invariance of a blur, and the receptive field of a stack."""

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from .. import convolution, data, filters
from .._checks import as_float_image
from ._live import LiveFigure, explorer, slider

__all__ = ["shift_invariance_explorer", "receptive_field_explorer"]


def _grey_cat():
    """Chelsea the cat as grey floats in [0, 1] at half size, 150 x 225.

    The channel mean, then a 2 x 2 box with stride 2: small enough that a
    change redraws well within budget, and the border band of a few pixels
    stays visible next to the whole picture.
    """
    grey = data.load_image("chelsea")[:, :450].mean(axis=2) / 255
    return filters.correlate2d(grey, filters.box_kernel(2), padding="valid", stride=2)


def shift_invariance_explorer(image=None):
    """Sliders m₀, n₀ and the box radius k: shift-then-blur, blur-then-shift and their difference.

    The blur is a K x K box.
    With zero padding the two paths differ only in a band of width
    k = (K − 1) / 2 along the border and along the zero strip the shift
    brings in; the dashed rectangle is ``convolution.shift_interior``,
    where the difference is exactly zero. With wrap padding and a circular
    shift the difference vanishes everywhere.

    Taught in: 03_convolution_properties, "零填充时".

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(shift_invariance_explorer())]
    ['m0 (rows)', 'n0 (columns)', 'kernel radius k (K = 2k+1)', 'boundary']
    """
    image = _grey_cat() if image is None else as_float_image(image, color=False)
    height, width = image.shape
    live = LiveFigure(1, 3, size=(9.6, 2.9))
    axes = live.axes[0]
    first = axes[0].imshow(image, cmap="gray", vmin=0, vmax=1)
    second = axes[1].imshow(image, cmap="gray", vmin=0, vmax=1)
    gap_map = axes[2].imshow(np.zeros_like(image), cmap="magma", vmin=0, vmax=0.25)
    box = axes[2].add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="cyan", linestyle="--", linewidth=1))
    for ax in axes:
        ax.set_xticks([]), ax.set_yticks([])
    axes[0].set_title("shift, then blur", fontsize="small")
    axes[1].set_title("blur, then shift", fontsize="small")
    axes[2].set_title("|difference|", fontsize="small")
    suptitle = live.figure.suptitle("m0, n0, K", fontsize="small")
    m0 = slider("m0 (rows)", 15, -40, 40)
    n0 = slider("n0 (columns)", 25, -40, 40)
    reach = slider("kernel radius k (K = 2k+1)", 3, 0, 8)
    boundary = widgets.Dropdown(options=["zero", "wrap"], value="zero", description="boundary",
                                layout=widgets.Layout(width="180px"))

    def update():
        dy, dx, k = m0.value, n0.value, 2 * reach.value + 1
        column, row = filters.separate(filters.box_kernel(k))  # a box is separable: two 1-D passes keep it fast
        mode = "wrap" if boundary.value == "wrap" else "constant"

        def blur(f):
            return filters.separable_correlate(f, column, row, mode=mode)

        shift_then_blur, blur_then_shift = convolution.shift_paths(blur, image, dy, dx, boundary.value)
        difference = np.abs(shift_then_blur - blur_then_shift)
        first.set_data(shift_then_blur)
        second.set_data(blur_then_shift)
        gap_map.set_data(difference)
        if boundary.value == "wrap":
            rows, cols = slice(0, height), slice(0, width)
        else:
            rows, cols = convolution.shift_interior(image.shape, dy, dx, k // 2)
        box.set_xy((cols.start - 0.5, rows.start - 0.5))
        box.set_width(cols.stop - cols.start)
        box.set_height(rows.stop - rows.start)
        inside = difference[rows, cols]
        gap_inside = float(inside.max()) if inside.size else 0.0
        axes[2].title.set_text(f"|difference|, max {difference.max():.3f}")
        where = "over the whole image" if boundary.value == "wrap" else "inside the dashed interior"
        suptitle.set_text(f"m0={dy}, n0={dx}, K={k}, {boundary.value} boundary: max {where} = {gap_inside:.1e}")

    return explorer([m0, n0, reach, boundary], live, update)


def receptive_field_explorer():
    """Stack L layers of K x K kernels with stride S and see which inputs reach one output.

    The highlighted square is the receptive field r_L = 1 + Σ_l (K_l − 1) j_{l−1}
    from ``convolution.receptive_field``; the shading is how many paths lead
    from each input pixel to the centre output
    (``convolution.receptive_field_weights``), so the centre counts most.

    Taught in: 03_convolution_properties, "感受野".

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(receptive_field_explorer())]
    ['layers L', 'kernel K', 'stride S (layer 1)']
    """
    grid = 49
    live = LiveFigure(1, 1, size=(4.6, 4.2))
    ax = live.axes[0, 0]
    shown = ax.imshow(np.zeros((grid, grid)), cmap="Blues", vmin=0, vmax=1)
    square = ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="red", linewidth=1.5))
    ax.set_xticks([]), ax.set_yticks([])
    ax.set_title("receptive field", fontsize="small")
    depth = slider("layers L", 3, 1, 6)
    kernel = slider("kernel K", 3, 1, 5)
    stride = slider("stride S (layer 1)", 1, 1, 2)

    def update():
        layers = [(kernel.value, stride.value)] + [(kernel.value, 1)] * (depth.value - 1)
        field = convolution.receptive_field(layers)
        counts = convolution.receptive_field_weights(layers, size=grid)
        shown.set_data(counts)
        shown.set_clim(0, counts.max())
        start = grid // 2 - field // 2
        square.set_xy((start - 0.5, start - 0.5))
        square.set_width(field)
        square.set_height(field)
        ax.title.set_text(f"L={depth.value}, K={kernel.value}, S1={stride.value}: receptive field {field}x{field}")

    return explorer([depth, kernel, stride], live, update)

