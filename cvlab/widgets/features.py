"""Chapter 5 explorers: the SSD surface of a patch, Harris parameters, rotation covariance."""

import numpy as np
from matplotlib.patches import Rectangle

from .. import data, features
from ._live import LiveFigure, explorer, slider

__all__ = ["ssd_surface_explorer", "harris_explorer", "rotation_explorer"]


def _photo():
    """The camera image downsampled to 256 x 256 (every second pixel), as float64."""
    return data.load_image("camera")[::2, ::2].astype(np.float64)


def _no_ticks(*axes):
    for ax in axes:
        ax.set_xticks([]), ax.set_yticks([])


def ssd_surface_explorer(window=15, max_shift=10):
    """Move a patch over the checkerboard and watch E(u, v) and the eigenvalues of M.

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(ssd_surface_explorer())]
    ['row y', 'column x']
    """
    image = data.load_image("checkerboard").astype(np.float64)
    height, width = image.shape
    reach = window // 2 + max_shift
    sigma = window / 6.0
    lam1, lam2 = features.eigen_map(image, sigma)
    top = max(float(lam1.max()), 1.0)
    live = LiveFigure(1, 3, size=(9.0, 3.1))
    ax_image, ax_surface, ax_plane = live.axes[0]
    ax_image.imshow(image, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    box = ax_image.add_patch(Rectangle((0, 0), window, window, fill=False, edgecolor="red", linewidth=2))
    first = features.ssd_surface(image, (reach, reach), window, max_shift)
    extent = (-max_shift - 0.5, max_shift + 0.5, max_shift + 0.5, -max_shift - 0.5)
    surface = ax_surface.imshow(first, cmap="viridis", extent=extent, interpolation="nearest")
    ax_surface.set_xticks([-max_shift, 0, max_shift]), ax_surface.set_yticks([-max_shift, 0, max_shift])
    ax_surface.set_xlabel("u (columns)")
    ax_surface.set_ylabel("v (rows)")
    # the lambda plane: Harris R = 0 with k = 0.05 is the pair of lines lambda2 = c·lambda1
    k = 0.05
    c = (1 - 2 * k - np.sqrt(1 - 4 * k)) / (2 * k)
    line = np.linspace(0, 1.05 * top, 2)
    ax_plane.plot(line, c * line, color="0.5", linewidth=1)
    ax_plane.plot(c * line, line, color="0.5", linewidth=1)
    ax_plane.text(0.97 * top, 0.5 * top, "corner", ha="right")
    ax_plane.text(0.97 * top, 0.02 * top, "edge", ha="right")
    ax_plane.text(0.02 * top, 0.02 * top, "flat")
    ax_image.set_title("patch"), ax_surface.set_title("E(u, v)"), ax_plane.set_title("eigenvalues of M")
    (marker,) = ax_plane.plot([0], [0], "o", color="red", markersize=9)
    ax_plane.set_xlim(0, 1.05 * top), ax_plane.set_ylim(0, 1.05 * top)
    ax_plane.set_xlabel("lambda1"), ax_plane.set_ylabel("lambda2")
    ax_plane.set_aspect("equal")
    ticks = [0, round(top / 2, -2), round(top, -2)]
    ax_plane.set_xticks(ticks), ax_plane.set_yticks(ticks)
    _no_ticks(ax_image)
    row = slider("row y", 75, reach, height - reach - 1)
    col = slider("column x", 75, reach, width - reach - 1)

    def update():
        y, x = row.value, col.value
        e = features.ssd_surface(image, (y, x), window, max_shift)
        surface.set_data(e)
        surface.set_clim(0, max(float(e.max()), 1.0))
        box.set_xy((x - window // 2 - 0.5, y - window // 2 - 0.5))
        l1, l2 = float(lam1[y, x]), float(lam2[y, x])
        # plot (larger, smaller) in the lower triangle and its mirror: show the larger on x
        marker.set_data([l1], [l2])
        kind = "flat" if l1 < 0.05 * top else ("corner" if l2 > c * l1 else "edge")  # R > 0 above the line
        ax_image.set_title(f"patch at (x={x}, y={y})")
        ax_surface.set_title(f"E(u, v), max {e.max():.3g}")
        ax_plane.set_title(f"l1={l1:.0f}, l2={l2:.0f}: {kind}")

    return explorer([row, col], live, update)


def harris_explorer():
    """Harris corners on the checkerboard and a photo as sigma, k and the threshold change.

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
    k = slider("k", 0.05, 0.02, 0.2, 0.01)
    threshold = slider("threshold_rel", 0.01, 0.0, 0.3, 0.005)

    tensors = {}  # sigma -> structure tensors of both images: k and the threshold reuse them

    def response_of(index, image):
        key = (index, sigma.value)
        if key not in tensors:
            tensors[key] = features.structure_tensor(image, sigma.value)
        return features.harris_from_tensor(*tensors[key], k.value)

    def update():
        pairs = ((board, board_dots, ax_board, "checkerboard"), (photo, photo_dots, ax_photo, "camera"))
        for index, (image, dots, ax, name) in enumerate(pairs):
            response = response_of(index, image)
            peaks = features.corner_peaks(response, min_distance=5, threshold_rel=threshold.value)
            dots.set_offsets(peaks[:, ::-1] if len(peaks) else np.zeros((0, 2)))
            ax.set_title(f"{name}: {len(peaks)} corners")

    return explorer([sigma, k, threshold], live, update)


def rotation_explorer(size=256, angles=tuple(range(0, 91, 5))):
    """Rotate the photo, detect again and map the first corners through the known rotation.

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(rotation_explorer())]
    ['theta (deg)']
    """
    camera = data.load_image("camera").astype(np.float64)
    shape = (size, size)
    settings = dict(min_distance=5, num_peaks=150)
    sigma = 1.5
    view_a, matrix_a = features.rotate(camera, 0.0, output_shape=shape)
    response_a = features.harris_response(view_a, sigma)
    points_a = features.corner_peaks(response_a, **settings)

    def measure(angle):
        view_b, matrix_b = features.rotate(camera, float(angle), output_shape=shape)
        response_b = features.harris_response(view_b, sigma)
        points_b = features.corner_peaks(response_b, **settings)
        a_to_b = matrix_b @ np.linalg.inv(matrix_a)
        score = features.repeatability(points_a, points_b, a_to_b, shape_b=shape)
        mapped = features.transform_points(a_to_b, points_a)
        ratio = features.response_ratio(response_a, points_a, response_b, points_b, a_to_b)
        return view_b, points_b, mapped, score, ratio

    results = {angle: measure(angle) for angle in angles}  # precomputed: the slider only looks up
    curve = [results[angle][3] for angle in angles]
    live = LiveFigure(1, 2, size=(7.6, 3.3))
    ax_b, ax_curve = live.axes[0]
    shown_b = ax_b.imshow(view_a, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    detected = ax_b.scatter([], [], s=14, c="red", marker="+", label="detected in B")
    mapped_dots = ax_b.scatter([], [], s=24, facecolors="none", edgecolors="cyan", linewidths=0.8, label="A mapped")
    ax_b.set_xlim(-0.5, size - 0.5), ax_b.set_ylim(size - 0.5, -0.5)
    ax_b.set_title("B")
    ax_b.set_xlabel("red: found in B, cyan: A mapped")
    _no_ticks(ax_b)
    ax_curve.plot(angles, curve, "o-", color="C0", markersize=3)
    (now,) = ax_curve.plot([0], [curve[0]], "o", color="red", markersize=8)
    ax_curve.set_ylim(0, 1.05)
    ax_curve.set_xticks([0, 30, 60, 90]), ax_curve.set_yticks([0, 0.5, 1])
    ax_curve.set_xlabel("theta (deg)")
    ax_curve.set_ylabel("repeatability")
    ax_curve.set_title("repeatability")
    step = angles[1] - angles[0] if len(angles) > 1 else 1
    angle = slider("theta (deg)", 30 if 30 in results else angles[0], angles[0], angles[-1], step)

    def update():
        if angle.value not in results:
            results[angle.value] = measure(angle.value)
        view_b, points_b, mapped, score, ratio = results[angle.value]
        shown_b.set_data(view_b)
        detected.set_offsets(points_b[:, ::-1] if len(points_b) else np.zeros((0, 2)))
        mapped_dots.set_offsets(mapped[:, ::-1])
        now.set_data([angle.value], [score])
        ax_b.set_title(f"theta = {angle.value} deg")
        ax_curve.set_title(f"rep {score:.2f}, R_B/R_A {ratio:.2f}")

    return explorer([angle], live, update)
