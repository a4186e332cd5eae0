"""Chapter 2 explorers for ``cvlab.filters``: the output-size formula and the Gaussian's σ and radius."""

import matplotlib
import numpy as np
from matplotlib.patches import Rectangle

from .. import data, filters
from .._checks import as_float_image
from ._live import LiveFigure, explorer, slider

__all__ = ["output_size_explorer", "gaussian_explorer"]


def output_size_explorer():
    """I, K, P and S sliders: where the kernel lands on the padded input, and O = ⌊(I − K + 2P)/S⌋ + 1.

    The left panel is the padded (I + 2P) × (I + 2P) grid, the original
    I × I inside the black frame, shaded by how many kernel positions read each
    cell; red cells are never read (what floor drops when S does not divide
    I − K + 2P, and the gaps when S > K). Dots mark the kernel centres, the dashed and solid squares the
    first and last kernel positions. The right panel is the O × O output on
    the same scale.

    Taught in: 02_filtering, "输出尺寸".

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(output_size_explorer())]
    ['I (input)', 'K (kernel)', 'P (padding)', 'S (stride)']
    """
    live = LiveFigure(1, 2, size=(8.0, 4.2))
    grid_ax, out_ax = live.axes[0]
    limit = 12 + 2 * 3  # largest I + 2P the sliders allow
    cmap = matplotlib.colormaps["Blues"].with_extremes(under="#f4a6a6")
    coverage = grid_ax.imshow(np.zeros((limit, limit)), cmap=cmap, vmin=0.5, vmax=9,
                              extent=(-0.5, limit - 0.5, limit - 0.5, -0.5))
    frame = grid_ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="black", linewidth=2.5))
    first = grid_ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="darkorange", linewidth=2, linestyle="--"))
    last = grid_ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor="red", linewidth=2.5))
    anchors = grid_ax.scatter([], [], s=12, color="black", zorder=3)
    output = out_ax.imshow(np.full((limit, limit), np.nan), cmap="Greens", vmin=0, vmax=1,
                           extent=(-0.5, limit - 0.5, limit - 0.5, -0.5))
    for ax in (grid_ax, out_ax):
        ax.set_xticks([]), ax.set_yticks([])
        ax.tick_params(which="minor", length=0)
        ax.grid(which="minor", color="0.55", linewidth=0.5)
        ax.set_title("O = ⌊(I − K + 2·P) / S⌋ + 1 = ⌊0/0⌋ + 1 = 0")
    size = slider("I (input)", 7, 3, 12)
    kernel = slider("K (kernel)", 3, 1, 7)
    padding = slider("P (padding)", 0, 0, 3)
    stride = slider("S (stride)", 2, 1, 4)

    def show_grid(ax, side):
        ticks = np.arange(side + 1) - 0.5
        ax.set_xticks(ticks, minor=True), ax.set_yticks(ticks, minor=True)
        ax.set_xlim(-0.5, side - 0.5), ax.set_ylim(side - 0.5, -0.5)

    def update():
        I, K, P, S = size.value, kernel.value, padding.value, stride.value
        side = I + 2 * P
        show_grid(grid_ax, side)
        show_grid(out_ax, side)
        frame.set_bounds(P - 0.5, P - 0.5, I, I)
        canvas = np.full((limit, limit), np.nan)
        if K > side:
            canvas[:side, :side] = 0.0
            coverage.set_data(canvas)
            for patch in (first, last):
                patch.set_visible(False)
            anchors.set_offsets(np.empty((0, 2)))
            output.set_data(np.full((limit, limit), np.nan))
            grid_ax.set_title(f"K = {K} > I + 2P = {side}: no room")
            out_ax.set_title("no output (I − K + 2P < 0)")
            return
        canvas[:side, :side] = filters.coverage2d(I, K, P, S)  # 0: a cell no position reads, shown red
        coverage.set_data(canvas)
        coverage.set_clim(0.5, max(canvas[:side, :side].max(), 1.0) + 0.5)
        starts = filters.kernel_positions(I, K, P, S)
        O = len(starts)
        for patch, corner in ((first, starts[0]), (last, starts[-1])):
            patch.set_visible(True)
            patch.set_bounds(corner - 0.5, corner - 0.5, K, K)
        centres = starts + (K - 1) / 2
        anchors.set_offsets(np.column_stack([np.repeat(centres, O), np.tile(centres, O)]))
        cells = np.full((limit, limit), np.nan)
        cells[:O, :O] = 0.5
        output.set_data(cells)
        numerator = I - K + 2 * P
        grid_ax.set_title(f"O = ⌊({I} − {K} + 2·{P}) / {S}⌋ + 1 = ⌊{numerator}/{S}⌋ + 1 = {O}")
        lost = filters.unread(I, K, P, S)
        note = f"{lost} input row(s)/col(s) never read" if lost else "every input pixel is read"
        out_ax.set_title(f"output {O} × {O}; {note}")

    return explorer([size, kernel, padding, stride], live, update)


def gaussian_explorer(image=None):
    """σ and radius sliders: the truncated Gaussian kernel, the blurred image and the detail it removed.

    Panels: the 1-D profile (taps inside ±r against the continuous curve, with
    the mass the truncation keeps), the 2-D kernel on a fixed ±12 grid, the
    blurred image and the removed detail f − G_σ ⊗ f. ``image`` is a grey
    image on the 0–255 scale; the default is a 200 × 200 crop of ``camera``.

    Taught in: 02_filtering, "高斯滤波器".

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(gaussian_explorer())]
    ['σ', 'radius r']
    """
    image = data.load_image("camera")[40:240, 160:360] if image is None else image
    pixels = as_float_image(image, color=False)
    live = LiveFigure(1, 4, size=(10.0, 2.8), dpi=72)
    profile_ax, kernel_ax, blur_ax, detail_ax = live.axes[0]
    reach = 12
    x = np.linspace(-reach, reach, 241)
    curve, = profile_ax.plot(x, np.zeros_like(x), color="0.6", label="continuous")
    taps, = profile_ax.plot([], [], "o-", color="C0", markersize=3, label="kernel taps")
    edges = [profile_ax.axvline(side, color="C3", linestyle="--", linewidth=1) for side in (-1, 1)]
    profile_ax.set_xlim(-reach - 0.5, reach + 0.5)
    profile_ax.set_xlabel("i")
    profile_ax.set_yticks([])
    profile_ax.legend(loc="upper right", fontsize=8)
    kernel_image = kernel_ax.imshow(np.zeros((2 * reach + 1, 2 * reach + 1)), cmap="magma",
                                    extent=(-reach - 0.5, reach + 0.5, reach + 0.5, -reach - 0.5))
    blurred = blur_ax.imshow(pixels, cmap="gray", vmin=0, vmax=255)
    detail = detail_ax.imshow(np.zeros_like(pixels), cmap="RdBu_r", vmin=-60, vmax=60)
    for ax in (kernel_ax, blur_ax, detail_ax):
        ax.set_xticks([]), ax.set_yticks([])
    detail_ax.set_title(r"detail $f - G_\sigma \otimes f$")
    profile_ax.set_title(r"r = 12 = 1.0$\sigma$ keeps 68.27%")  # placeholders: tight_layout reserves their height
    kernel_ax.set_title("kernel 25×25")
    blur_ax.set_title(r"$G_\sigma \otimes f$, $\sigma$ = 2.00")
    sigma = slider("σ", 2.0, 0.5, 6.0, 0.25)
    radius = slider("radius r", 6, 1, reach)

    def update():
        s, r = sigma.value, radius.value
        g = filters.gaussian_kernel1d(s, r)
        continuous = filters.gaussian_density(x, s)
        kept = filters.gaussian_mass(s, r)
        curve.set_ydata(continuous)
        taps.set_data(np.arange(-r, r + 1), g)
        for line, side in zip(edges, (-r, r)):
            line.set_xdata([side, side])
        profile_ax.set_ylim(0, 1.1 * max(g.max(), continuous.max()))
        profile_ax.set_title(rf"r = {r} = {r / s:.1f}$\sigma$ keeps {kept:.2%}")
        canvas = np.full((2 * reach + 1, 2 * reach + 1), np.nan)
        canvas[reach - r:reach + r + 1, reach - r:reach + r + 1] = filters.gaussian_kernel2d(s, r)
        kernel_image.set_data(np.ma.masked_invalid(canvas))
        kernel_image.set_clim(0, g.max() ** 2)
        kernel_ax.set_title(f"kernel {2 * r + 1}×{2 * r + 1}")
        smooth = filters.separable_correlate(pixels, g, g, mode="symmetric")
        blurred.set_data(smooth)
        blur_ax.set_title(rf"$G_\sigma \otimes f$, $\sigma$ = {s:.2f}")
        detail.set_data(pixels - smooth)

    return explorer([sigma, radius], live, update)
