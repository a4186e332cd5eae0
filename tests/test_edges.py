"""cvlab.edges against textbook kernels, scipy.ndimage, scikit-image and loop references."""

import math
from collections import deque

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from skimage import feature

from cvlab import data, edges, features, filters

CAMERA = data.load_image("camera")
TEXTBOOK = {
    "central": np.array([[0, 0, 0], [-1, 0, 1], [0, 0, 0]]) / 2,
    "prewitt": np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]) / 6,
    "sobel": np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]) / 8,
    "scharr": np.array([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]]) / 32,
}
images = arrays(np.float64, st.tuples(st.integers(4, 24), st.integers(4, 24)),
                elements=st.floats(0, 255, allow_nan=False, allow_subnormal=False))


def _noisy_scene(noise=0.2, seed=0):
    image, distance = edges.shapes_scene()
    return image + np.random.default_rng(seed).normal(0.0, noise, image.shape), distance


def _two_by_two_blocks(mask):
    return int((mask[:-1, :-1] & mask[1:, :-1] & mask[:-1, 1:] & mask[1:, 1:]).sum())


# ----------------------------------------------------------------- kernels and gradients


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_kernels_are_the_textbook_ones(name):
    ky, kx = edges.derivative_kernels(name)
    np.testing.assert_array_equal(kx, TEXTBOOK[name])
    np.testing.assert_array_equal(ky, TEXTBOOK[name].T)


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_kernels_measure_one_level_per_pixel_on_a_unit_ramp(name):
    ky, kx = edges.derivative_kernels(name)
    x = np.tile(np.arange(3.0), (3, 1))
    assert np.sum(kx * x) == pytest.approx(1.0, abs=1e-15) and np.sum(ky * x) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_kernels_are_smoothing_times_difference(name):
    column, row = filters.separate(edges.derivative_kernels(name)[1])
    assert np.allclose(row / row[2], [-1, 0, 1])


@pytest.mark.parametrize("operator, reference, scale", [("sobel", ndi.sobel, 8), ("prewitt", ndi.prewitt, 6)])
def test_gradient_matches_scipy(operator, reference, scale):
    image = CAMERA[100:180, 150:260]
    gy, gx = edges.gradient(image, operator)
    f = image.astype(float)
    np.testing.assert_allclose(gx, reference(f, axis=1, mode="nearest") / scale, rtol=0, atol=1e-12)
    np.testing.assert_allclose(gy, reference(f, axis=0, mode="nearest") / scale, rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
def test_gradient_is_correlation_with_the_kernels(name):
    image = CAMERA[300:350, 20:90]
    ky, kx = edges.derivative_kernels(name)
    gy, gx = edges.gradient(image, name)
    np.testing.assert_allclose(gx, filters.correlate2d(image, kx, mode="edge"), atol=1e-10)
    np.testing.assert_allclose(gy, filters.correlate2d(image, ky, mode="edge"), atol=1e-10)


def test_central_gradient_is_numpy_gradient_inside():
    f = CAMERA[:40, :50].astype(float)
    gy, gx = edges.gradient(f, "central")
    ny, nx = np.gradient(f)
    np.testing.assert_allclose(gx[:, 1:-1], nx[:, 1:-1], atol=1e-12)
    np.testing.assert_allclose(gy[1:-1], ny[1:-1], atol=1e-12)


def test_sobel_gradient_is_exactly_features_gradients():
    for image in (CAMERA, data.load_image("checkerboard"), CAMERA[5:40, 3:70] / 255.0):
        gy, gx = edges.gradient(image, "sobel")
        fy, fx = features.gradients(image)
        assert np.array_equal(gy, fy) and np.array_equal(gx, fx)


def test_gradient_with_sigma_is_the_gradient_of_the_smoothed_image():
    gy, gx = edges.gradient(CAMERA, "scharr", sigma=1.7)
    sy, sx = edges.gradient(edges.smooth(CAMERA, 1.7), "scharr")
    assert np.array_equal(gy, sy) and np.array_equal(gx, sx)


def test_smooth_is_the_normalized_gaussian_of_the_pixels_inside():
    f = CAMERA[:60, :90].astype(float)
    sigma = 2.5
    inside = ndi.gaussian_filter(np.ones_like(f), sigma, mode="constant", truncate=4.0)
    expected = ndi.gaussian_filter(f, sigma, mode="constant", truncate=4.0) / inside
    np.testing.assert_allclose(edges.smooth(f, sigma), expected, rtol=1e-12)
    r = 10  # away from the border it is the plain Gaussian blur
    plain = ndi.gaussian_filter(f, sigma, truncate=4.0)
    np.testing.assert_allclose(edges.smooth(f, sigma)[r:-r, r:-r], plain[r:-r, r:-r], rtol=1e-12)


def test_smooth_with_a_tiny_sigma_is_the_identity():
    f = CAMERA[:8, :9]
    assert np.array_equal(edges.smooth(f, 0.1), f.astype(float))
    assert np.array_equal(edges.smooth(f, 0.0), f.astype(float))


def test_magnitude_and_orientation():
    gy, gx = edges.gradient(CAMERA[:50, :50])
    magnitude, orientation = edges.magnitude_orientation(gy, gx)
    np.testing.assert_allclose(magnitude, np.hypot(gy, gx), rtol=1e-15)
    np.testing.assert_array_equal(orientation, np.arctan2(gy, gx))


def test_orientation_histogram_matches_numpy():
    magnitude, orientation = edges.magnitude_orientation(*edges.gradient(CAMERA, "sobel", 1.0))
    weights, boundaries = edges.orientation_histogram(magnitude, orientation, bins=36)
    expected, numpy_edges = np.histogram(orientation, bins=36, range=(-np.pi, np.pi), weights=magnitude)
    np.testing.assert_allclose(boundaries, numpy_edges)
    np.testing.assert_allclose(weights, expected, rtol=1e-9)
    assert edges.orientation_histogram([[2.0]], [[np.pi]], bins=4)[0].tolist() == [2.0, 0.0, 0.0, 0.0]  # π is −π


@pytest.mark.parametrize("degrees", [0, 17, 45, 90, 135, 200, 300])
def test_scharr_reads_the_orientation_of_a_rotated_edge(degrees):
    angle = math.radians(degrees)
    image, distance = edges.rotated_edge(angle, size=31, width=1.0)
    _, orientation = edges.magnitude_orientation(*edges.gradient(image, "scharr"))
    near = (distance <= 0.5)[5:-5, 5:-5]
    error = np.angle(np.exp(1j * (orientation[5:-5, 5:-5][near] - angle)))
    assert near.sum() >= 10 and np.abs(error).max() < math.radians(0.2)


# ----------------------------------------------------------------- Gaussian derivatives, LoG, DoG


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.3, 4.0])
def test_gaussian_derivative_kernels_are_scipys(sigma):
    g, dg = edges.gaussian_derivative_kernels(sigma)
    impulse = np.zeros(2 * len(g) + 1)
    impulse[len(g)] = 1.0
    middle = slice(len(g) - len(g) // 2, len(g) + len(g) // 2 + 1)
    np.testing.assert_allclose(ndi.gaussian_filter1d(impulse, sigma, order=0)[middle], g, atol=1e-15)
    np.testing.assert_allclose(ndi.gaussian_filter1d(impulse, sigma, order=1)[middle], dg, atol=1e-15)


def test_derivative_theorem_holds_for_the_sampled_kernels():
    f = CAMERA[200].astype(float)
    g, dg = edges.gaussian_derivative_kernels(2.0)
    difference = np.array([0.5, 0.0, -0.5])  # the central difference as a convolution kernel
    left = np.convolve(difference, np.convolve(g, f))  # D ∗ (g ∗ f)
    right = np.convolve(np.convolve(difference, g), f)  # (D ∗ g) ∗ f
    np.testing.assert_allclose(left, right, atol=1e-10)
    # the sampled g′ is within a few percent of D ∗ g (the difference of the sampled g)
    continuous = np.convolve(f, dg)
    sampled = np.convolve(np.convolve(difference, g), f)[1:-1]
    assert np.abs(continuous - sampled).max() < 0.05 * np.abs(continuous).max()


@pytest.mark.parametrize("sigma", [0.8, 1.0, 2.0, 3.5])
def test_laplacian_of_gaussian_is_scipys(sigma):
    f = CAMERA[:120, :150].astype(float)
    np.testing.assert_allclose(edges.laplacian_of_gaussian(f, sigma), ndi.gaussian_laplace(f, sigma),
                               rtol=0, atol=1e-12 * 255)


@pytest.mark.parametrize("sigma, ratio", [(1.0, 1.6), (2.0, 1.2), (0.7, 3.0)])
def test_difference_of_gaussians_is_scipys(sigma, ratio):
    f = CAMERA[:100, :90].astype(float)
    expected = ndi.gaussian_filter(f, ratio * sigma) - ndi.gaussian_filter(f, sigma)
    np.testing.assert_allclose(edges.difference_of_gaussians(f, sigma, ratio), expected, rtol=0, atol=1e-11)


def test_dog_approaches_the_scaled_log_as_the_ratio_shrinks():
    f, sigma = CAMERA.astype(float), 2.0
    log = edges.laplacian_of_gaussian(f, sigma)
    errors = [np.linalg.norm(edges.difference_of_gaussians(f, sigma, k) / ((k - 1) * sigma**2) - log)
              / np.linalg.norm(log) for k in (3.0, 1.6, 1.2, 1.05)]
    assert all(a > b for a, b in zip(errors, errors[1:])) and errors[-1] < 0.05


def test_zero_crossings_of_the_log_sit_on_a_step():
    step = np.zeros((20, 30))
    step[:, 15:] = 100.0
    crossings = edges.zero_crossings(edges.laplacian_of_gaussian(step, 2.0), threshold=1.0)
    assert set(np.nonzero(crossings)[1]) <= {14, 15} and crossings[:, 14:16].any(axis=1).all()


def test_zero_crossings_mark_the_pixel_nearer_zero():
    assert edges.zero_crossings([[5.0, -1.0]], 0).tolist() == [[False, True]]
    assert edges.zero_crossings([[1.0], [-5.0]], 0).tolist() == [[True], [False]]
    assert not edges.zero_crossings([[1.0, 2.0], [3.0, 4.0]], 0).any()


# ----------------------------------------------------------------- non-maximum suppression and hysteresis


def _loop_non_max_suppression(magnitude, orientation):
    """The interpolated rule, pixel by pixel: larger than the point ahead, at least the point behind."""
    height, width = magnitude.shape
    out = np.zeros_like(magnitude)
    for y in range(1, height - 1):
        for x in range(1, width - 1):
            m = magnitude[y, x]
            if m <= 0:
                continue
            dy, dx = math.sin(orientation[y, x]), math.cos(orientation[y, x])
            sy, sx = (1 if dy > 0 else -1), (1 if dx > 0 else -1)
            w = min(abs(dy), abs(dx)) / max(abs(dy), abs(dx))
            axis = (sy, 0) if abs(dy) > abs(dx) else (0, sx)
            ahead = (1 - w) * magnitude[y + axis[0], x + axis[1]] + w * magnitude[y + sy, x + sx]
            behind = (1 - w) * magnitude[y - axis[0], x - axis[1]] + w * magnitude[y - sy, x - sx]
            if m > ahead and m >= behind:
                out[y, x] = m
    return out


def test_non_max_suppression_matches_a_loop():
    rng = np.random.default_rng(3)
    image = ndi.gaussian_filter(rng.normal(size=(40, 50)), 1.5)
    magnitude, orientation = edges.magnitude_orientation(*edges.gradient(image))
    np.testing.assert_array_equal(edges.non_max_suppression(magnitude, orientation),
                                  _loop_non_max_suppression(magnitude, orientation))


def test_non_max_suppression_keeps_one_of_two_equal_pixels():
    ridge = np.tile([0.0, 1.0, 3.0, 3.0, 1.0, 0.0], (4, 1))
    thin = edges.non_max_suppression(ridge, np.zeros_like(ridge))
    assert thin[1:-1].tolist() == [[0.0, 0.0, 0.0, 3.0, 0.0, 0.0]] * 2


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0, 3.0])
def test_edges_after_non_max_suppression_are_one_pixel_thin(sigma):
    clean, _ = edges.shapes_scene()
    magnitude, orientation = edges.magnitude_orientation(*edges.gradient(clean, "sobel", sigma))
    assert _two_by_two_blocks(edges.non_max_suppression(magnitude, orientation) > 0.01) == 0
    assert _two_by_two_blocks(edges.canny(clean, sigma, 0.8, 0.9, use_quantiles=True)) == 0
    for seed in range(3):
        noisy, _ = _noisy_scene(0.2, seed)
        assert _two_by_two_blocks(edges.canny(noisy, sigma + 1.5, 0.8, 0.9, use_quantiles=True)) == 0


def test_a_tie_across_a_ridge_keeps_one_pixel_where_skimage_keeps_two():
    square = np.zeros((64, 64))
    square[16:48, 16:48] = 1.0  # on the pixel grid, so the ridge has two equal pixels
    assert _two_by_two_blocks(feature.canny(square, 1.0, 0.8, 0.9, use_quantiles=True)) > 0
    assert _two_by_two_blocks(edges.canny(square, 1.0, 0.8, 0.9, use_quantiles=True)) == 0


def _flood_hysteresis(magnitude, low, high):
    """Breadth-first search from every strong pixel through weak 8-neighbours."""
    weak = (magnitude >= low) & (magnitude > 0)
    out = np.zeros_like(weak)
    queue = deque(zip(*np.nonzero(weak & (magnitude >= high))))
    for y, x in queue:
        out[y, x] = True
    while queue:
        y, x = queue.popleft()
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                v, u = y + dy, x + dx
                if 0 <= v < weak.shape[0] and 0 <= u < weak.shape[1] and weak[v, u] and not out[v, u]:
                    out[v, u] = True
                    queue.append((v, u))
    return out


@pytest.mark.parametrize("low, high", [(0.5, 0.9), (0.2, 0.95), (0.0, 0.7), (0.8, 0.8)])
def test_hysteresis_matches_a_flood_fill(low, high):
    magnitude = np.random.default_rng(1).random((40, 60)) ** 3
    np.testing.assert_array_equal(edges.hysteresis(magnitude, low, high), _flood_hysteresis(magnitude, low, high))


# ----------------------------------------------------------------- Canny


@pytest.mark.parametrize("sigma", [1.0, 2.0, 3.0])
def test_canny_is_skimages_pixel_for_pixel_on_camera(sigma):
    ours = edges.canny(CAMERA, sigma, 0.8, 0.9, use_quantiles=True)
    theirs = feature.canny(CAMERA, sigma, 0.8, 0.9, use_quantiles=True)
    np.testing.assert_array_equal(ours, theirs)  # no exact ties on a smoothed photo: the tie rule never decides


@pytest.mark.parametrize("name", ["camera", "coins", "moon"])
def test_canny_is_skimages_pixel_for_pixel_with_default_thresholds(name):
    image = data.load_image(name)
    np.testing.assert_array_equal(edges.canny(image, 2.0), feature.canny(image, 2.0))


def test_thresholds_mean_the_same_for_uint8_and_unit_floats():
    image = CAMERA[100:300, 100:300]
    assert np.array_equal(edges.canny(image, 1.5), edges.canny(image / 255.0, 1.5))
    assert np.array_equal(edges.canny(image, 1.5, 20, 40), edges.canny(image / 255.0, 1.5, 20 / 255, 40 / 255))


def test_canny_is_its_stages():
    sigma = 2.0
    magnitude, orientation = edges.magnitude_orientation(*edges.gradient(CAMERA, "sobel", sigma))
    thin = edges.non_max_suppression(magnitude, orientation)
    low, high = np.percentile(magnitude, [70, 90])
    assert np.array_equal(edges.canny(CAMERA, sigma, 0.7, 0.9, use_quantiles=True),
                          edges.hysteresis(thin, low, high))
    assert np.array_equal(edges.canny(CAMERA, sigma, 30, 60), edges.hysteresis(thin, 30 / 8, 60 / 8))


def test_canny_finds_the_noisy_disks_and_square():
    image, distance = _noisy_scene(0.2, seed=5)
    found = edges.canny(image, 2.0, 0.8, 0.9, use_quantiles=True)
    assert edges.edge_scores(found, distance <= 0.5, tolerance=1.5)[2] >= 0.9


def test_canny_with_another_operator():
    found = edges.canny(CAMERA, 2.0, 0.8, 0.9, use_quantiles=True, operator="scharr")
    sobel = edges.canny(CAMERA, 2.0, 0.8, 0.9, use_quantiles=True)
    assert edges.edge_scores(found, sobel, 1.0)[2] > 0.95 and not np.array_equal(found, sobel)


def test_canny_finds_nothing_on_a_flat_image():
    assert not edges.canny(np.full((20, 20), 0.5), 1.0).any()
    assert not edges.canny(np.full((20, 20), 7, np.uint8), 1.0, 0.1, 0.2, use_quantiles=True).any()


@given(images, st.sampled_from([0.5, 1.0, 2.0]))
def test_quantile_canny_ignores_a_gain(image, sigma):
    # a power of two scales every intermediate value exactly, so not one comparison changes
    found = edges.canny(image, sigma, 0.6, 0.9, use_quantiles=True)
    assert np.array_equal(edges.canny(4.0 * image, sigma, 0.6, 0.9, use_quantiles=True), found)


def test_quantile_canny_ignores_an_offset_on_a_photo():
    found = edges.canny(CAMERA, 1.5, 0.8, 0.9, use_quantiles=True)
    assert np.array_equal(edges.canny(CAMERA + 100.0, 1.5, 0.8, 0.9, use_quantiles=True), found)


@given(images)
def test_sobel_gradient_rotates_with_the_image(image):
    gy, gx = edges.gradient(image)
    ry, rx = edges.gradient(np.rot90(image))  # g(y, x) = f(x, W − 1 − y): ∂g/∂x = ∂f/∂y, ∂g/∂y = −∂f/∂x
    np.testing.assert_array_equal(rx, np.rot90(gy))
    np.testing.assert_array_equal(ry, np.rot90(-gx))


# ----------------------------------------------------------------- scores


def test_edge_scores_by_hand():
    truth = np.zeros((7, 7), bool)
    truth[3, 1:6] = True
    found = np.zeros_like(truth)
    found[4, 1:4] = True  # three pixels one row off, two missing
    found[0, 6] = True  # one false pixel
    precision, recall, f1 = edges.edge_scores(found, truth, tolerance=1.0)
    assert (precision, recall) == (0.75, 0.6) and f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert edges.edge_scores(np.zeros_like(truth), truth) == (1.0, 0.0, 0.0)
    assert edges.edge_scores(truth.astype(int), truth, 0.0) == (1.0, 1.0, 1.0)


@given(arrays(bool, (12, 12)), arrays(bool, (12, 12)), st.floats(0, 5))
def test_precision_and_recall_swap_with_the_maps(a, b, tolerance):
    pa, ra, _ = edges.edge_scores(a, b, tolerance)
    pb, rb, _ = edges.edge_scores(b, a, tolerance)
    assert (pa, ra) == (rb, pb)


def test_localization_error():
    image, distance = edges.shapes_scene()
    found = edges.canny(image, 1.0)
    assert edges.localization_error(found, distance) == pytest.approx(distance[found].mean())
    near = found & (distance <= 0.5)
    assert edges.localization_error(found, distance, 0.5) == pytest.approx(distance[near].mean())
    # No pixel to measure: the mean of no distances is refused, not returned as NaN.
    with pytest.raises(ValueError, match="tolerance"):
        edges.localization_error(np.zeros_like(found), distance)
    with pytest.raises(ValueError, match="tolerance"):
        edges.localization_error(found, distance + 1.0, 0.5)


def test_a_vanishing_edge_width_gives_the_ideal_step_without_overflow():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # s / w used to overflow for a subnormal w
        image, distance = edges.rotated_edge(np.pi / 2, size=5, width=5e-324)
        scene, scene_distance = edges.shapes_scene(width=5e-324)
    np.testing.assert_array_equal(image[:, 2], [0.0, 0.0, 0.5, 1.0, 1.0])
    assert set(np.unique(scene)) <= {0.25, 0.5, 0.75}
    # Φ(−s / w) > ½ exactly inside (s < 0), whatever w: the same shapes as at the default width
    np.testing.assert_array_equal(scene > 0.5, edges.shapes_scene()[0] > 0.5)
    np.testing.assert_array_equal(scene_distance, edges.shapes_scene()[1])


def test_shapes_scene_distance_is_exact_on_the_disk():
    _, distance = edges.shapes_scene()
    (cy, cx), radius = edges.SCENE_DISKS[0]
    y, x = 36, 60  # near the large disk only
    assert distance[y, x] == pytest.approx(abs(math.hypot(y - cy, x - cx) - radius))


# ----------------------------------------------------------------- bad input


def test_bad_thresholds_are_named():
    with pytest.raises(ValueError, match="high_threshold must be >= low_threshold"):
        edges.canny(CAMERA, 1.0, 50, 20)
    with pytest.raises(ValueError, match="low_threshold must be <= 1"):
        edges.canny(CAMERA, 1.0, 1.5, 2.0, use_quantiles=True)
    with pytest.raises(TypeError, match="use_quantiles must be True or False"):
        edges.canny(CAMERA, 1.0, use_quantiles="yes")
    with pytest.raises(TypeError, match="image has dtype int64"):
        edges.canny(CAMERA.astype(np.int64), 1.0)
    assert edges.canny(CAMERA.astype(np.int64), 1.0, 20, 40).any()  # explicit thresholds need no dtype maximum
    with pytest.raises(ValueError, match="high must be >= low"):
        edges.hysteresis(np.ones((3, 3)), 2, 1)


def test_ceilings_are_named():
    with pytest.raises(ValueError, match="sigma must be <= MAX_SIGMA"):
        edges.canny(CAMERA, edges.MAX_SIGMA + 1)
    with pytest.raises(ValueError, match="sigma must be >= 0.25"):
        edges.laplacian_of_gaussian(CAMERA, 0.1)
    with pytest.raises(ValueError, match="ratio must keep ratio·sigma <= MAX_SIGMA"):
        edges.difference_of_gaussians(CAMERA, 40.0, 2.0)
    with pytest.raises(ValueError, match="tolerance must be <= 50"):
        edges.edge_scores(np.ones((3, 3), bool), np.ones((3, 3), bool), 51)
    with pytest.raises(ValueError, match="size must be <= 1025"):
        edges.rotated_edge(0.0, size=2049)


def test_edge_maps_must_be_boolean_or_zero_one():
    with pytest.raises(ValueError, match="predicted must be an edge map"):
        edges.edge_scores(np.full((3, 3), 2), np.ones((3, 3), bool))
    with pytest.raises(ValueError, match="truth must have the shape of predicted"):
        edges.edge_scores(np.ones((3, 3), bool), np.ones((3, 4), bool))


def test_negative_magnitudes_are_refused():
    with pytest.raises(ValueError, match="magnitude must be >= 0"):
        edges.non_max_suppression(-np.ones((4, 4)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="orientation must have the shape of magnitude"):
        edges.non_max_suppression(np.ones((4, 4)), np.zeros((4, 5)))
