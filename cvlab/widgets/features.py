"""Chapter 5 explorers: the SSD surface of a patch, Harris parameters, rotation covariance, a rotating camera."""

from functools import lru_cache

import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from .. import data, features
from .._checks import as_int, as_odd, as_real
from ._live import LiveFigure, explorer, slider

__all__ = ["ssd_surface_explorer", "harris_explorer", "rotation_explorer", "homography_explorer"]

#: The Harris k of every explorer (the chapter's value).
HARRIS_K = 0.05


def _photo():
    """The camera image downsampled to 256 x 256 (every second pixel), as float64."""
    return data.load_image("camera")[::2, ::2].astype(np.float64)


def _no_ticks(*axes):
    for ax in axes:
        ax.set_xticks([]), ax.set_yticks([])


def _xy(points):
    """(row, col) points as matplotlib's (x, y) offsets, also when there are none."""
    return points[:, ::-1] if len(points) else np.zeros((0, 2))


def ssd_surface_explorer(window=15, max_shift=10):
    """Move a patch over the checkerboard and watch E(u, v) and the eigenvalues of M.

    The λ₁–λ₂ panel draws the line R = 0 from ``features.harris_zero_slope``
    and names the region with ``features.classify_eigenvalues`` (k = 0.05).

    Taught in: 05_corners, "Error Surface".

    Parameters
    ----------
    window : int
        Odd side of the patch, at most ``features.MAX_WINDOW``.
    max_shift : int
        Largest shift u, v, at most ``features.MAX_SHIFT``; window // 2 + max_shift
        must leave room for the patch inside the 200 x 200 checkerboard.

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(ssd_surface_explorer())]
    ['row', 'col']
    """
    window = as_odd(window, "window", maximum=features.MAX_WINDOW)
    max_shift = as_int(max_shift, "max_shift", minimum=0, maximum=features.MAX_SHIFT)
    image = data.load_image("checkerboard").astype(np.float64)
    height, width = image.shape
    reach = window // 2 + max_shift
    if 2 * reach >= min(height, width):
        raise ValueError(f"window and max_shift must fit the {height} x {width} checkerboard: "
                         f"window // 2 + max_shift = {reach} must be < {min(height, width) // 2}")
    lam1, lam2 = features.eigen_map(image, window / 6.0)
    top = max(float(lam1.max()), 1.0)
    slope = features.harris_zero_slope(HARRIS_K)
    live = LiveFigure(1, 3, size=(9.2, 3.1))
    ax_image, ax_surface, ax_plane = live.axes[0]
    ax_image.imshow(image, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    box = ax_image.add_patch(Rectangle((0, 0), window, window, fill=False, edgecolor="red", linewidth=2))
    first = features.ssd_surface(image, (reach, reach), window, max_shift)
    extent = (-max_shift - 0.5, max_shift + 0.5, max_shift + 0.5, -max_shift - 0.5)
    surface = ax_surface.imshow(first, cmap="viridis", extent=extent, interpolation="nearest")
    bar = live.figure.colorbar(surface, ax=ax_surface, fraction=0.046, pad=0.04)
    bar.locator = MaxNLocator(nbins=2)  # few tick labels: each one costs a redraw
    bar.formatter.set_powerlimits((0, 0))
    ax_surface.set_xticks([-max_shift, 0, max_shift]), ax_surface.set_yticks([-max_shift, 0, max_shift])
    ax_surface.set_xlabel("u (columns)")
    ax_surface.set_ylabel("v (rows)")
    line = np.array([0.0, 1.05 * top])
    ax_plane.plot(line, slope * line, color="0.5", linewidth=1)
    ax_plane.plot(slope * line, line, color="0.5", linewidth=1)
    ax_plane.text(0.97 * top, 0.5 * top, "corner", ha="right")
    ax_plane.text(0.97 * top, 0.02 * top, "edge", ha="right")
    ax_plane.text(0.02 * top, 0.02 * top, "flat")
    (marker,) = ax_plane.plot([0], [0], "o", color="red", markersize=9)
    ax_plane.set_xlim(0, 1.05 * top), ax_plane.set_ylim(0, 1.05 * top)
    ax_plane.set_xlabel(r"$\lambda_1$"), ax_plane.set_ylabel(r"$\lambda_2$")
    ax_plane.set_aspect("equal")
    ticks = [0, round(top / 2, -2), round(top, -2)]
    ax_plane.set_xticks(ticks), ax_plane.set_yticks(ticks)
    _no_ticks(ax_image)
    row = slider("row", 75, reach, height - reach - 1)
    col = slider("col", 75, reach, width - reach - 1)
    live.animate(box, surface, bar.ax, marker, ax_image.title, ax_surface.title, ax_plane.title)

    def update():
        r, c = row.value, col.value
        e = features.ssd_surface(image, (r, c), window, max_shift)
        surface.set_data(e)
        surface.set_clim(0, max(float(e.max()), 1.0))
        box.set_xy((c - window // 2 - 0.5, r - window // 2 - 0.5))
        l1, l2 = float(lam1[r, c]), float(lam2[r, c])
        marker.set_data([l1], [l2])
        kind = features.EIGEN_CLASSES[features.classify_eigenvalues(l1, l2, 0.05 * top, HARRIS_K)]
        ax_image.set_title(f"patch at (row {r}, col {c})")
        ax_surface.set_title(f"E(u, v), max {e.max():.3g}")
        ax_plane.set_title(f"\u03bb\u2081={l1:.0f}, \u03bb\u2082={l2:.0f}: {kind}")  # λ₁, λ₂ without a mathtext parse

    return explorer([row, col], live, update)


def harris_explorer():
    """Harris corners on the checkerboard and a photo as σ, k and the threshold change.

    The structure tensors of both images are cached per σ (at most 8 values),
    so k and the threshold only recombine them with ``features.harris_from_tensor``.

    Taught in: 05_corners, "Integration Scale and k".

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(harris_explorer())]
    ['sigma', 'k', 'threshold_rel']
    """
    board = data.load_image("checkerboard").astype(np.float64)
    photo = _photo()
    live = LiveFigure(1, 2, size=(6.8, 3.4))
    ax_board, ax_photo = live.axes[0]
    ax_board.imshow(board, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    ax_photo.imshow(photo, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    board_dots = ax_board.scatter([], [], s=16, c="red", marker="+")
    photo_dots = ax_photo.scatter([], [], s=16, c="red", marker="+")
    _no_ticks(ax_board, ax_photo)
    for ax in (ax_board, ax_photo):
        ax.set_title("corners")
    sigma = slider("sigma", 1.5, 0.5, 4.0, 0.25)
    k = slider("k", HARRIS_K, 0.02, 0.2, 0.01)
    threshold = slider("threshold_rel", 0.01, 0.0, 0.3, 0.005)

    @lru_cache(maxsize=8)  # a number box accepts any σ in range: keep only the latest few tensors
    def tensors(value):
        return features.structure_tensor(board, value), features.structure_tensor(photo, value)

    def update():
        pairs = ((board_dots, ax_board, "checkerboard"), (photo_dots, ax_photo, "camera"))
        for tensor, (dots, ax, name) in zip(tensors(float(sigma.value)), pairs):
            response = features.harris_from_tensor(*tensor, k.value)
            peaks = features.corner_peaks(response, min_distance=5, threshold_rel=threshold.value)
            dots.set_offsets(_xy(peaks))
            ax.set_title(f"{name}: {len(peaks)} corners")

    return explorer([sigma, k, threshold], live, update)


def rotation_explorer(size=256, angles=tuple(range(0, 91, 5))):
    """Rotate the photo, detect again and map the first corners through the known rotation.

    Taught in: 05_corners, "Rotation".

    Parameters
    ----------
    size : int
        Side of the centred views, 32 to 512 (the camera image's side).
    angles : tuple of int
        The slider's angles in degrees, evenly spaced and increasing; all are
        measured when the explorer is built, others on demand (the last 8 kept).

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(rotation_explorer())]
    ['theta (deg)']
    """
    size = as_int(size, "size", minimum=32, maximum=512)
    if not isinstance(angles, (tuple, list)) or not angles:
        raise TypeError(f"angles must be a non-empty tuple of integer degrees; got {angles!r}")
    angles = tuple(as_int(angle, "angles", minimum=-360, maximum=360) for angle in angles)
    steps = {later - earlier for earlier, later in zip(angles, angles[1:])}
    if len(steps) > 1 or min(steps, default=1) <= 0:
        raise ValueError(f"angles must be evenly spaced and increasing; got {angles}")
    camera = data.load_image("camera").astype(np.float64)
    shape = (size, size)
    settings = dict(min_distance=5, num_peaks=150)
    sigma = 1.5
    view_a, matrix_a = features.rotate(camera, 0.0, output_shape=shape)
    response_a = features.harris_response(view_a, sigma)
    points_a = features.corner_peaks(response_a, **settings)

    @lru_cache(maxsize=len(angles) + 8)  # the grid stays; typed-in angles beyond it are bounded
    def measure(angle):
        view_b, matrix_b = features.rotate(camera, float(angle), output_shape=shape)
        response_b = features.harris_response(view_b, sigma)
        points_b = features.corner_peaks(response_b, **settings)
        a_to_b = features.relative_transform(matrix_a, matrix_b)
        score = features.repeatability(points_a, points_b, a_to_b, shape_b=shape)
        mapped = features.transform_points(a_to_b, points_a)
        ratio = features.response_ratio(response_a, points_a, response_b, points_b, a_to_b)
        return view_b, points_b, mapped, score, ratio

    curve = [measure(angle)[3] for angle in angles]
    live = LiveFigure(1, 2, size=(7.6, 3.3))
    ax_b, ax_curve = live.axes[0]
    shown_b = ax_b.imshow(view_a, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    detected = ax_b.scatter([], [], s=14, c="red", marker="+")
    mapped_dots = ax_b.scatter([], [], s=24, facecolors="none", edgecolors="cyan", linewidths=0.8)
    ax_b.set_xlim(-0.5, size - 0.5), ax_b.set_ylim(size - 0.5, -0.5)
    ax_b.set_xlabel("red: found in B, cyan: A mapped")
    _no_ticks(ax_b)
    ax_curve.plot(angles, curve, "o-", color="C0", markersize=3)
    (now,) = ax_curve.plot([angles[0]], [curve[0]], "o", color="red", markersize=8)
    ax_curve.set_ylim(0, 1.05)
    ax_curve.set_yticks([0, 0.5, 1])
    ax_curve.set_xlabel(r"$\theta$ (deg)")
    ax_curve.set_ylabel("repeatability")
    step = angles[1] - angles[0] if len(angles) > 1 else 1
    angle = slider("theta (deg)", 30 if 30 in angles else angles[0], angles[0], angles[-1], step)

    def update():
        view_b, points_b, mapped, score, ratio = measure(int(angle.value))
        shown_b.set_data(view_b)
        detected.set_offsets(_xy(points_b))
        mapped_dots.set_offsets(_xy(mapped))
        now.set_data([angle.value], [score])
        ax_b.set_title(f"B: A turned by \u03b8 = {angle.value} deg")  # θ without a mathtext parse per change
        ax_curve.set_title(f"repeatability {score:.2f}, median R_B / R_A {ratio:.2f}")

    return explorer([angle], live, update)


def homography_explorer(focal=400.0, view_shape=(240, 280)):
    """Turn a camera about its vertical axis (yaw): the new view, the homography recovered from it, its error.

    Both views are cut out of the wide motorcycle photo by a camera with focal
    length ``focal`` that only rotates, so the true map between them is
    H = K R K⁻¹ (``features.rotation_homography``). The explorer runs the
    chapter's pipeline (``features.find_matches``, then ``features.ransac``
    with a homography and with an affine model) and shows how far each
    recovered map is from the truth over the frame (``features.frame_error``).

    Taught in: 05_corners, "Affine versus Homography".

    Parameters
    ----------
    focal : float
        Focal length in pixels, 150 to 2000.
    view_shape : tuple of int
        (rows, cols) of each view, 64 to 400 each (the photo is 500 x 741).

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(homography_explorer())]
    ['yaw (deg)']
    """
    focal = as_real(focal, "focal", minimum=150, maximum=2000)
    if not isinstance(view_shape, (tuple, list)) or len(view_shape) != 2:
        raise TypeError(f"view_shape must be a (rows, cols) pair; got {view_shape!r}")
    shape = tuple(as_int(side, "view_shape", minimum=64, maximum=400) for side in view_shape)
    photo = data.load_image("motorcycle_left") @ np.array([0.299, 0.587, 0.114])
    photo_centre = ((photo.shape[0] - 1) / 2, (photo.shape[1] - 1) / 2)
    view_centre = ((shape[0] - 1) / 2, (shape[1] - 1) / 2)

    def view(yaw):
        mapping = features.rotation_homography(focal, photo_centre, yaw=yaw, center_out=view_centre)
        return features.warp(photo, mapping, shape, order=1)

    view_a = view(0.0)

    yaws = tuple(range(0, 31, 3))

    @lru_cache(maxsize=len(yaws) + 8)  # the grid stays; typed-in yaws beyond it are bounded
    def measure(yaw):
        view_b = view(yaw)
        truth = features.rotation_homography(focal, view_centre, yaw=yaw)
        src, dst = features.find_matches(view_a, view_b, num_peaks=250)
        fits = {}
        for model in ("homography", "affine"):
            try:
                fits[model] = features.ransac(src, dst, 2.0, 2000, 0, model=model)
            except ValueError:  # too few matches left at a large yaw
                fits[model] = None
        errors = {model: features.frame_error(fit[0], truth, shape) if fit else float("inf")
                  for model, fit in fits.items()}
        found = fits["homography"]
        inliers = dst[found[1]] if found else np.zeros((0, 2))
        difference = features.overlap_difference(view_a, view_b, found[0]) if found else np.full(shape, np.nan)
        return view_b, inliers, difference, errors

    for value in yaws:  # measured up front, so moving the slider only redraws
        measure(value)
    live = LiveFigure(1, 2, size=(8.0, 3.3))
    ax_view, ax_gap = live.axes[0]
    shown = ax_view.imshow(view_a, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    dots = ax_view.scatter([], [], s=14, c="red", marker="+")
    gap = ax_gap.imshow(np.zeros(shape), cmap="magma", vmin=0, vmax=60, interpolation="nearest")
    live.figure.colorbar(gap, ax=ax_gap, fraction=0.04, pad=0.03, ticks=[0, 30, 60], label="grey levels")
    _no_ticks(ax_view, ax_gap)
    suptitle = live.figure.suptitle("yaw", fontsize="medium")
    yaw = slider("yaw (deg)", 12, yaws[0], yaws[-1], yaws[1] - yaws[0])

    def update():
        view_b, inliers, difference, errors = measure(int(yaw.value))
        shown.set_data(view_b)
        dots.set_offsets(_xy(inliers))
        gap.set_data(difference)
        ax_view.set_title(f"view B, {len(inliers)} inliers (red +)")
        ax_gap.set_title("B minus A warped by the recovered H")
        suptitle.set_text(f"yaw {yaw.value} deg: frame error of the recovered homography "
                          f"{errors['homography']:.2f} px, of the best affine {errors['affine']:.1f} px")

    return explorer([yaw], live, update)
