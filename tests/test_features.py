"""Tests for cvlab.features: references (scipy.ndimage, scikit-image), robustness, bad inputs."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import ndimage as ndi
from scipy.special import erf
from skimage.feature import corner_harris
from skimage.feature import corner_peaks as sk_corner_peaks
from skimage.feature import structure_tensor as sk_structure_tensor

from cvlab import data
from cvlab import features as F


@pytest.fixture(scope="module")
def camera():
    return data.load_image("camera")


@pytest.fixture(scope="module")
def checkerboard():
    return data.load_image("checkerboard")


def _square(shape=(40, 40), top=10, left=12, bottom=30, right=33):
    image = np.zeros(shape)
    image[top:bottom, left:right] = 1.0
    return image


def _saddle(r0, c0, n=41, blur=1.0):
    """A smooth checkerboard corner (X-junction) centred at the non-integer (r0, c0)."""
    rows, cols = np.mgrid[0:n, 0:n].astype(np.float64)
    return 0.5 + 0.5 * erf((rows - r0) / blur) * erf((cols - c0) / blur)


def _nearest(p, q):
    return np.sqrt(((p[:, None, :] - q[None, :, :]) ** 2).sum(-1)).min(axis=1)


# ------------------------------------------------------------ gradients etc.

def test_gradients_match_scaled_ndi_sobel(camera):
    iy, ix = F.gradients(camera)
    f = camera.astype(np.float64)
    np.testing.assert_allclose(8 * iy, ndi.sobel(f, axis=0, mode="nearest"))
    np.testing.assert_allclose(8 * ix, ndi.sobel(f, axis=1, mode="nearest"))
    assert iy.dtype == ix.dtype == np.float64


def test_gradients_of_a_linear_ramp_are_exact_everywhere():
    rows, cols = np.mgrid[0:7, 0:9].astype(np.float64)
    iy, ix = F.gradients(2.0 * rows - 3.0 * cols)
    np.testing.assert_allclose(ix[1:-1, 1:-1], -3.0)
    np.testing.assert_allclose(iy[1:-1, 1:-1], 2.0)


def test_gradients_agree_with_finite_differences_on_a_smooth_image():
    rows, cols = np.mgrid[0:40, 0:40].astype(np.float64)
    f = np.sin(rows / 6.0) * np.cos(cols / 7.0)
    iy, ix = F.gradients(f)
    exact_x = -np.sin(rows / 6.0) * np.sin(cols / 7.0) / 7.0
    exact_y = np.cos(rows / 6.0) * np.cos(cols / 7.0) / 6.0
    np.testing.assert_allclose(ix[2:-2, 2:-2], exact_x[2:-2, 2:-2], atol=2e-3)
    np.testing.assert_allclose(iy[2:-2, 2:-2], exact_y[2:-2, 2:-2], atol=2e-3)


@pytest.mark.parametrize("sigma", [1.0, 2.5])
def test_structure_tensor_matches_skimage_up_to_the_sobel_factor(camera, sigma):
    f = camera / 255.0
    axx, axy, ayy = F.structure_tensor(f, sigma)
    arr, arc, acc = sk_structure_tensor(f, sigma=sigma, order="rc")
    m = int(np.ceil(4 * sigma)) + 2  # borders differ: skimage pads with zeros
    inner = np.s_[m:-m, m:-m]
    np.testing.assert_allclose(64 * ayy[inner], arr[inner], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(64 * axy[inner], arc[inner], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(64 * axx[inner], acc[inner], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", ["checkerboard", "camera"])
@pytest.mark.parametrize("sigma, k", [(1.0, 0.05), (2.0, 0.04)])
def test_harris_values_are_skimage_times_the_documented_factor(name, sigma, k):
    image = data.load_image(name)
    ours = F.harris_response(image, sigma, k)
    theirs = corner_harris(image, k=k, sigma=sigma)  # uint8 -> [0, 1] inside skimage
    factor = 255.0 ** 4 / 64.0 ** 2
    m = int(np.ceil(4 * sigma)) + 2
    inner = np.s_[m:-m, m:-m]
    np.testing.assert_allclose(ours[inner], factor * theirs[inner], rtol=1e-8, atol=1e-9 * np.abs(ours).max())


@pytest.mark.parametrize("name", ["checkerboard", "camera", "square"])
@pytest.mark.parametrize("sigma, k", [(1.0, 0.05), (2.0, 0.04)])
def test_corner_locations_agree_with_skimage(name, sigma, k):
    image = _square((64, 64), 12, 15, 47, 50) if name == "square" else data.load_image(name)
    ours = F.corner_peaks(F.harris_response(image, sigma, k), min_distance=5, threshold_rel=0.01)
    theirs = sk_corner_peaks(corner_harris(image, k=k, sigma=sigma), min_distance=5, threshold_rel=0.01)
    assert abs(len(ours) - len(theirs)) <= max(2, 0.05 * len(theirs))
    assert np.mean(_nearest(ours[:50], theirs) <= 1.0) >= 0.9   # our strongest are theirs
    assert np.mean(_nearest(theirs[:50], ours) <= 1.0) >= 0.9   # and theirs are ours


def test_an_exact_square_gives_exactly_its_four_corners():
    image = _square()
    peaks = F.corner_peaks(F.harris_response(image), min_distance=3)
    assert sorted(map(tuple, peaks.tolist())) == [(10, 12), (10, 32), (29, 12), (29, 32)]


def test_harris_is_positive_at_corners_negative_on_edges_zero_when_flat():
    r = F.harris_response(_square())
    assert r[10, 12] > 0 and r[20, 12] < 0 and r[10, 22] < 0
    assert r[20, 22] == 0.0 and r[2, 2] == 0.0


def test_harris_equals_eigenvalue_formula():
    image = data.load_image("camera")[200:260, 200:260]
    l1, l2 = F.eigen_map(image, 1.5)
    np.testing.assert_allclose(F.harris_response(image, 1.5, 0.06), l1 * l2 - 0.06 * (l1 + l2) ** 2,
                               rtol=1e-7, atol=1e-6)
    axx, axy, ayy = F.structure_tensor(image, 1.5)
    for row, col in [(10, 10), (30, 41), (55, 3)]:
        expected = np.linalg.eigvalsh([[axx[row, col], axy[row, col]], [axy[row, col], ayy[row, col]]])
        np.testing.assert_allclose([l2[row, col], l1[row, col]], expected, rtol=1e-9, atol=1e-9)
    assert (l1 >= l2).all() and (l2 >= 0).all()


def test_brightness_shift_leaves_response_unchanged_and_gain_scales_by_a4(camera):
    f = camera.astype(np.float64)
    r = F.harris_response(f)
    assert np.array_equal(F.harris_response(f + 30.0), r)
    np.testing.assert_allclose(F.harris_response(0.6 * f), 0.6 ** 4 * r, rtol=1e-9, atol=1e-9 * np.abs(r).max())
    np.testing.assert_array_equal(F.corner_peaks(F.harris_response(0.6 * f)), F.corner_peaks(r))


# --------------------------------------------------------------- peaks, NMS

def test_corner_peaks_against_brute_force():
    rng = np.random.default_rng(3)
    r = ndi.gaussian_filter(rng.normal(size=(60, 70)), 2)
    d, rel = 4, 0.2
    peaks = F.corner_peaks(r, min_distance=d, threshold_rel=rel)
    expected = []
    for row in range(d, 60 - d):
        for col in range(d, 70 - d):
            window = r[max(row - d, 0):row + d + 1, max(col - d, 0):col + d + 1]
            if r[row, col] == window.max() and r[row, col] > rel * r.max():
                expected.append((r[row, col], row, col))
    expected = [(row, col) for _, row, col in sorted(expected, reverse=True)]
    assert [tuple(p) for p in peaks.tolist()] == expected
    values = r[peaks[:, 0], peaks[:, 1]]
    assert (np.diff(values) <= 0).all()


def test_corner_peaks_thins_a_plateau_to_one_peak_and_excludes_borders():
    r = np.zeros((20, 20))
    r[8:10, 8:10] = 1.0
    r[1, 1] = 5.0  # inside the border band of width min_distance
    assert F.corner_peaks(r, min_distance=3, threshold_rel=0.1).tolist() == [[8, 8]]


def test_corner_peaks_num_peaks_and_empty_results():
    r = F.harris_response(_square())
    assert len(F.corner_peaks(r, min_distance=3, num_peaks=2)) == 2
    assert F.corner_peaks(np.zeros((20, 20))).shape == (0, 2)
    assert F.corner_peaks(r, min_distance=25).shape == (0, 2)
    assert F.corner_peaks(r).dtype == np.int64


@given(st.integers(1, 6), st.floats(0.0, 0.9), st.integers(0, 1000))
def test_corner_peaks_are_spaced_and_above_threshold(d, rel, seed):
    rng = np.random.default_rng(seed)
    r = ndi.gaussian_filter(rng.normal(size=(40, 45)), 1.5)
    peaks = F.corner_peaks(r, min_distance=d, threshold_rel=rel)
    if len(peaks):
        assert (peaks >= d).all() and (peaks[:, 0] < 40 - d).all() and (peaks[:, 1] < 45 - d).all()
        assert (r[peaks[:, 0], peaks[:, 1]] > rel * r.max()).all()
        gaps = np.abs(peaks[:, None, :] - peaks[None, :, :]).max(-1) + np.eye(len(peaks), dtype=int) * 999
        assert gaps.min() > d


# -------------------------------------------------------------- sub-pixel

@pytest.mark.parametrize("r0, c0", [(20.3, 19.6), (19.75, 20.45), (20.1, 20.4), (20.0, 20.0)])
def test_refine_subpixel_finds_a_non_integer_corner(r0, c0):
    response = F.harris_response(_saddle(r0, c0), sigma=2.0)
    peak = F.corner_peaks(response, min_distance=5, threshold_rel=0.1)[:1]
    refined = F.refine_subpixel(response, peak)
    assert np.abs(refined[0] - [r0, c0]).max() < 0.06
    assert np.abs(refined[0] - [r0, c0]).max() <= np.abs(peak[0] - [r0, c0]).max() + 1e-12


@pytest.mark.parametrize("r0, c0, width", [(20.3, 19.6, 0.7), (3.0, 36.5, 1.0), (0.0, 40.0, 2.5)])
def test_saddle_is_the_erf_formula_and_the_blurred_ideal_saddle(r0, c0, width):
    image = F.saddle(41, (r0, c0), width)
    np.testing.assert_allclose(image, _saddle(r0, c0, blur=np.sqrt(2) * width), rtol=0, atol=1e-15)
    # the blur of the ideal saddle, sampled 16 times finer than the pixels and blurred numerically
    fine = 16
    axis = (np.arange(41 * fine) - (fine - 1) / 2) / fine
    ideal = 0.5 + 0.5 * np.sign(axis - r0)[:, None] * np.sign(axis - c0)[None, :]
    blurred = ndi.gaussian_filter(ideal, width * fine, mode="nearest", truncate=8.0)
    centres = blurred[fine // 2::fine, fine // 2::fine]
    inside = (slice(20, -20), slice(20, -20)) if width > 2 else (slice(None), slice(None))
    assert np.abs(image - centres)[inside].max() < 0.02


def test_saddle_tends_to_the_ideal_saddle_and_refuses_a_corner_outside():
    ideal = F.saddle(9, (4.0, 4.0), 5e-324)
    signs = np.sign(np.arange(9) - 4.0)
    np.testing.assert_array_equal(ideal, 0.5 + 0.5 * signs[:, None] * signs[None, :])
    with pytest.raises(ValueError, match="corner must lie"):
        F.saddle(9, (4.0, 8.5))
    with pytest.raises(ValueError, match="width must"):
        F.saddle(9, (4.0, 4.0), 0.0)


def test_refine_subpixel_exact_on_a_quadratic_and_keeps_border_points():
    rows, cols = np.mgrid[0:9, 0:9]
    r = -((rows - 4.3) ** 2) - (rows - 4.3) * (cols - 3.6) - 2 * (cols - 3.6) ** 2
    np.testing.assert_allclose(F.refine_subpixel(r, [[4, 4]]), [[4.3, 3.6]], atol=1e-12)
    np.testing.assert_array_equal(F.refine_subpixel(r, [[0, 4], [8, 8]]), [[0, 4], [8, 8]])
    assert F.refine_subpixel(r, np.zeros((0, 2), int)).shape == (0, 2)


# ----------------------------------------------------------- why corners

def test_ssd_surface_matches_a_direct_double_loop(camera):
    f = camera.astype(np.float64)
    center, window, s = (100, 120), 7, 3
    surface = F.ssd_surface(camera, center, window, s)
    h = window // 2
    patch = f[center[0] - h:center[0] + h + 1, center[1] - h:center[1] + h + 1]
    for v in range(-s, s + 1):
        for u in range(-s, s + 1):
            moved = f[center[0] + v - h:center[0] + v + h + 1, center[1] + u - h:center[1] + u + h + 1]
            assert surface[v + s, u + s] == pytest.approx(((moved - patch) ** 2).sum())
    assert surface[s, s] == 0.0


def test_ssd_surface_flat_edge_corner():
    image = _square((60, 60), 20, 20, 60, 60)  # bright bottom-right quadrant
    flat = F.ssd_surface(image, (45, 45), 9, 4)
    edge = F.ssd_surface(image, (40, 20), 9, 4)  # vertical edge: moving along rows changes nothing
    corner = F.ssd_surface(image, (20, 20), 9, 4)
    assert flat.max() == 0.0
    assert edge[:, 4].max() == 0.0 and edge[4, [0, -1]].min() > 0
    off_centre = corner.copy()
    off_centre[4, 4] = np.inf
    assert off_centre.min() > 0


def test_ssd_surface_small_shift_is_the_structure_tensor_quadratic_form():
    rows, cols = np.mgrid[0:50, 0:50].astype(np.float64)
    f = np.sin(rows / 40.0) + np.cos(cols / 32.0) + 0.5 * np.sin((rows + cols) / 30.0)
    surface = F.ssd_surface(f, (25, 25), 5, 1)
    iy, ix = F.gradients(f)
    win = np.s_[23:28, 23:28]
    m = np.array([[(ix[win] ** 2).sum(), (ix[win] * iy[win]).sum()], [(ix[win] * iy[win]).sum(), (iy[win] ** 2).sum()]])
    for v, u in [(0, 1), (1, 0), (1, 1), (-1, 1)]:
        quad = np.array([u, v]) @ m @ np.array([u, v])
        # E ≈ [u v] M [u v]ᵀ
        assert surface[v + 1, u + 1] == pytest.approx(quad, abs=0.05 * np.trace(m) * (u * u + v * v))


# ------------------------------------------------------- descriptors, match

def test_describe_is_zero_mean_unit_norm_and_gain_offset_invariant(camera):
    points = F.corner_peaks(F.harris_response(camera), num_peaks=30)
    d = F.describe(camera, points, 9)
    assert d.shape == (30, 81)
    np.testing.assert_allclose(d.sum(1), 0, atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(d, axis=1), 1)
    np.testing.assert_allclose(F.describe(0.5 * camera + 40.0, points, 9), d, atol=1e-12)
    row, col = points[0]
    patch = camera[row - 4:row + 5, col - 4:col + 5].astype(float).ravel()
    patch -= patch.mean()
    np.testing.assert_allclose(d[0], patch / np.linalg.norm(patch))


def test_describe_flat_patch_and_border_point():
    image = np.zeros((20, 20))
    image[10:, 10:] = 7.0
    d = F.describe(image, [[3, 3], [0, 0], [10, 10]], 5)
    assert np.all(d[0] == 0) and np.all(d[1] == 0)
    assert np.linalg.norm(d[2]) == pytest.approx(1.0)


def test_match_against_brute_force():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(25, 6)), rng.normal(size=(30, 6))
    b[:10] = a[:10] + 0.01 * rng.normal(size=(10, 6))
    pairs = F.match(a, b, ratio=0.8)
    expected = []
    for i, row in enumerate(a):
        dist = np.linalg.norm(b - row, axis=1)
        first, second = np.sort(dist)[:2]
        if first < 0.8 * second:
            expected.append((i, int(np.argmin(dist))))
    assert [tuple(p) for p in pairs.tolist()] == expected
    assert {(i, i) for i in range(10)} <= set(expected)
    assert pairs.dtype == np.int64


@given(st.integers(0, 10_000), st.floats(0.3, 1.0))
def test_nearest_neighbours_against_brute_force_and_match(seed, ratio):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(12, 5)), rng.normal(size=(9, 5))
    nearest, distinct = F.nearest_neighbours(a, b)
    distance = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    first, second = np.sort(distance, axis=1)[:, :2].T
    np.testing.assert_array_equal(nearest, distance.argmin(axis=1))
    np.testing.assert_allclose(distinct, first / second, rtol=1e-9)
    kept = np.nonzero(distinct < ratio)[0]
    np.testing.assert_array_equal(F.match(a, b, ratio), np.column_stack([kept, nearest[kept]]))


def test_nearest_neighbours_calls_a_tie_at_zero_distance_ambiguous():
    nearest, distinct = F.nearest_neighbours([[1.0, 0.0], [0.0, 2.0]], [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(distinct, [1.0, 1 / np.sqrt(5)], rtol=1e-12)  # ties: 1; then 1 / √5
    assert nearest[1] == 2


@given(st.integers(0, 10_000), st.floats(0.3, 1.0))
def test_match_smaller_ratio_keeps_a_subset(seed, ratio):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(12, 4)), rng.normal(size=(9, 4))
    loose = {tuple(p) for p in F.match(a, b, 1.0).tolist()}
    strict = {tuple(p) for p in F.match(a, b, ratio).tolist()}
    assert strict <= loose


# --------------------------------------------------------------- alignment

def _random_affine(rng):
    angle = rng.uniform(-np.pi, np.pi)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    linear = rot @ np.diag(rng.uniform(0.6, 1.5, 2)) + rng.normal(scale=0.1, size=(2, 2))
    return np.vstack([np.column_stack([linear, rng.uniform(-50, 50, 2)]), [0, 0, 1]])


@given(st.integers(0, 10_000))
def test_estimate_affine_recovers_an_exact_transform(seed):
    rng = np.random.default_rng(seed)
    matrix = _random_affine(rng)
    src = rng.uniform(0, 200, size=(10, 2))
    dst = src @ matrix[:2, :2].T + matrix[:2, 2]
    np.testing.assert_allclose(F.estimate_affine(src, dst), matrix, atol=1e-8)


def test_estimate_affine_is_least_squares():
    rng = np.random.default_rng(2)
    src = rng.uniform(0, 100, size=(30, 2))
    dst = src + rng.normal(size=(30, 2))
    fit = F.estimate_affine(src, dst)
    design = np.column_stack([src, np.ones(30)])
    reference = np.linalg.lstsq(design, dst, rcond=None)[0].T
    np.testing.assert_allclose(fit[:2], reference, atol=1e-10)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ransac_recovers_an_affine_transform_with_30_percent_outliers(seed):
    rng = np.random.default_rng(seed)
    matrix = _random_affine(rng)
    n = 100
    src = rng.uniform(0, 300, size=(n, 2))
    dst = src @ matrix[:2, :2].T + matrix[:2, 2] + rng.normal(scale=0.2, size=(n, 2))
    outliers = rng.choice(n, 30, replace=False)
    dst[outliers] = rng.uniform(-100, 400, size=(30, 2))
    fit, inliers = F.ransac(src, dst, threshold=1.5, iterations=100, rng=rng)
    np.testing.assert_allclose(fit[:2, :2], matrix[:2, :2], atol=5e-3)
    np.testing.assert_allclose(fit[:2, 2], matrix[:2, 2], atol=0.3)
    truth = np.ones(n, bool)
    truth[outliers] = False
    assert np.array_equal(inliers, truth)
    # least squares on everything is pulled away by the outliers
    assert np.abs(F.estimate_affine(src, dst)[:2, 2] - matrix[:2, 2]).max() > 1.0


def test_ransac_is_reproducible_with_the_same_seed():
    rng = np.random.default_rng(5)
    src = rng.uniform(0, 100, size=(20, 2))
    dst = src + 3.0
    dst[:6] = rng.uniform(0, 100, size=(6, 2))
    a = F.ransac(src, dst, 1.0, 30, rng=7)
    b = F.ransac(src, dst, 1.0, 30, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_warp_matches_ndi_affine_transform_and_handles_rgb(camera):
    matrix = np.array([[0.9, 0.2, 5.0], [-0.1, 1.1, -3.0], [0, 0, 1]])
    out = F.warp(camera, matrix, (100, 120))
    expected = ndi.affine_transform(camera.astype(float), np.linalg.inv(matrix), output_shape=(100, 120),
                                    order=1, mode="constant", cval=0.0)
    np.testing.assert_allclose(out, expected)
    rgb = data.load_image("chelsea")[:50, :60]
    out = F.warp(rgb, matrix, (40, 40))
    assert out.shape == (40, 40, 3)
    np.testing.assert_allclose(out[..., 1], F.warp(rgb[..., 1], matrix, (40, 40)))


def test_warp_cubic_matches_ndi_and_keeps_gradients_better_than_bilinear(camera):
    _, matrix = F.rotate(camera, 30, output_shape=(200, 200))
    cubic = F.warp(camera, matrix, (200, 200), order=3)
    expected = ndi.affine_transform(camera.astype(float), np.linalg.inv(matrix), output_shape=(200, 200), order=3)
    np.testing.assert_allclose(cubic, expected)
    linear = F.warp(camera, matrix, (200, 200))

    def energy(image):
        return sum((g[20:-20, 20:-20] ** 2).sum() for g in F.gradients(image))

    assert energy(cubic) > 1.1 * energy(linear)


def test_warp_integer_translation_is_exact_shift(camera):
    out = F.warp(camera, [[1, 0, 3], [0, 1, -2], [0, 0, 1]], camera.shape)
    np.testing.assert_array_equal(out[3:, :-2], camera[:-3, 2:])
    assert (out[:3] == 0).all() and (out[:, -2:] == 0).all()


def test_rotate_90_matches_rot90_and_its_matrix_maps_points(checkerboard):
    rotated, matrix = F.rotate(checkerboard, 90)
    np.testing.assert_allclose(rotated, np.rot90(checkerboard).astype(float), atol=1e-9)
    np.testing.assert_array_equal(F.rotate(checkerboard, 90, order=1)[0], np.rot90(checkerboard).astype(float))
    h, w = checkerboard.shape
    for row, col in [(0, 0), (0, w - 1), (17, 42)]:
        new = (matrix @ [row, col, 1])[:2]
        assert rotated[int(round(new[0])), int(round(new[1]))] == pytest.approx(checkerboard[row, col])


def test_rotate_with_scale_and_output_shape_keeps_the_centre(camera):
    out, matrix = F.rotate(camera, 30, scale=0.5, output_shape=(101, 81))
    np.testing.assert_allclose(matrix @ [255.5, 255.5, 1], [50, 40, 1])
    np.testing.assert_allclose(np.linalg.det(matrix[:2, :2]), 0.25)
    assert out.shape == (101, 81)


# --------------------------------------------------------------- evaluation

def test_repeatability_of_a_90_degree_rotation_on_the_checkerboard_is_one(checkerboard):
    rotated, matrix = F.rotate(checkerboard, 90)
    a = F.corner_peaks(F.harris_response(checkerboard))
    b = F.corner_peaks(F.harris_response(rotated))
    assert len(a) > 20
    assert F.repeatability(a, b, matrix) == 1.0
    assert F.repeatability(b, a, np.linalg.inv(matrix)) == 1.0


def test_repeatability_counts_and_shape_filter():
    a = np.array([[5, 5], [10, 10], [50, 50]])
    b = np.array([[5, 6], [13, 10]])
    assert F.repeatability(a, b, np.eye(3)) == pytest.approx(1 / 3)
    assert F.repeatability(a, b, np.eye(3), tol=3) == pytest.approx(2 / 3)
    assert F.repeatability(a, b, np.eye(3), shape_b=(20, 20)) == pytest.approx(1 / 2)
    assert F.repeatability(a, np.zeros((0, 2)), np.eye(3)) == 0.0


def test_repeatability_falls_with_noise(camera):
    crop = camera[128:384, 128:384].astype(float)
    a = F.corner_peaks(F.harris_response(crop, 1.5), num_peaks=200)
    rng = np.random.default_rng(0)
    scores = []
    for noise in (0.0, 10.0, 40.0):
        b = F.corner_peaks(F.harris_response(crop + rng.normal(scale=noise, size=crop.shape), 1.5), num_peaks=200)
        scores.append(F.repeatability(a, b, np.eye(3)))
    assert scores[0] == 1.0 and scores[0] > scores[1] > scores[2]


# ------------------------------------------------------------- inputs

def test_inputs_are_not_modified(camera):
    image = camera.copy()
    points = np.array([[50, 60], [100, 120], [200, 210]])
    saved = points.copy()
    F.harris_response(image)
    F.describe(image, points)
    F.refine_subpixel(F.harris_response(image), points)
    src = points.astype(float)
    dst = src + 1.0
    F.ransac(src, dst, 1.0, 10, 0)
    F.repeatability(points, points, np.eye(3))
    F.warp(image, np.eye(3), (10, 10))
    F.rotate(image, 10)
    np.testing.assert_array_equal(image, camera)
    np.testing.assert_array_equal(points, saved)
    np.testing.assert_array_equal(src, saved)


@pytest.mark.parametrize("call, error, param", [
    (lambda: F.gradients(np.zeros(5)), ValueError, "image"),
    (lambda: F.gradients(np.zeros((5, 5, 3))), ValueError, "image"),
    (lambda: F.gradients(np.array([[1.0, np.nan]])), ValueError, "image"),
    (lambda: F.gradients(np.zeros((3, 3), bool)), TypeError, "image"),
    (lambda: F.structure_tensor(np.zeros((5, 5)), 0), ValueError, "sigma"),
    (lambda: F.structure_tensor(np.zeros((5, 5)), "1"), TypeError, "sigma"),
    (lambda: F.harris_response(np.zeros((5, 5)), k=0.3), ValueError, "k"),
    (lambda: F.harris_response(np.zeros((5, 5)), k=-0.1), ValueError, "k"),
    (lambda: F.harris_response(None), TypeError, "image"),
    (lambda: F.eigen_map(np.zeros((5, 5)), -1), ValueError, "sigma"),
    (lambda: F.corner_peaks(np.zeros(5)), ValueError, "response"),
    (lambda: F.corner_peaks(np.zeros((9, 9)), min_distance=0), ValueError, "min_distance"),
    (lambda: F.corner_peaks(np.zeros((9, 9)), min_distance=2.5), TypeError, "min_distance"),
    (lambda: F.corner_peaks(np.zeros((9, 9)), threshold_rel=2), ValueError, "threshold_rel"),
    (lambda: F.corner_peaks(np.zeros((9, 9)), num_peaks=-1), ValueError, "num_peaks"),
    (lambda: F.refine_subpixel(np.zeros((9, 9)), [[1.5, 2]]), ValueError, "points"),
    (lambda: F.refine_subpixel(np.zeros((9, 9)), [[1, 2, 3]]), ValueError, "points"),
    (lambda: F.refine_subpixel(np.zeros((9, 9)), [[10, 2]]), ValueError, "points"),
    (lambda: F.ssd_surface(np.zeros((30, 30)), (15, 15), 4, 2), ValueError, "window"),
    (lambda: F.ssd_surface(np.zeros((30, 30)), (2, 15), 5, 2), ValueError, "center"),
    (lambda: F.ssd_surface(np.zeros((30, 30)), 15, 5, 2), TypeError, "center"),
    (lambda: F.ssd_surface(np.zeros((30, 30)), (15, 15), 5, -1), ValueError, "max_shift"),
    (lambda: F.describe(np.zeros((20, 20)), [[5, 5]], 4), ValueError, "patch_size"),
    (lambda: F.describe(np.zeros((20, 20)), [[5, 25]]), ValueError, "points"),
    (lambda: F.describe(np.zeros((20, 20)), None), TypeError, "points"),
    (lambda: F.match(np.zeros((3, 4)), np.zeros((3, 5))), ValueError, "desc1"),
    (lambda: F.match(np.zeros((3, 4)), np.zeros((1, 4))), ValueError, "desc2"),
    (lambda: F.match(np.zeros((3, 4)), np.zeros((3, 4)), ratio=0), ValueError, "ratio"),
    (lambda: F.match(np.zeros(4), np.zeros((3, 4))), ValueError, "desc1"),
    (lambda: F.estimate_affine([[0, 0], [1, 1]], [[0, 0], [1, 1]]), ValueError, "src"),
    (lambda: F.estimate_affine([[0, 0], [1, 1], [2, 2]], [[0, 0], [1, 1], [2, 3]]), ValueError, "collinear"),
    (lambda: F.estimate_affine([[0, 0], [1, 1], [2, 0]], [[0, 0], [1, 1]]), ValueError, "dst"),
    (lambda: F.ransac(np.zeros((5, 2)), np.zeros((5, 2)), threshold=0), ValueError, "threshold"),
    (lambda: F.ransac(np.zeros((5, 2)), np.zeros((5, 2)), iterations=0), ValueError, "iterations"),
    (lambda: F.ransac(np.zeros((5, 2)), np.zeros((5, 2)), rng="seed"), TypeError, "rng"),
    (lambda: F.warp(np.zeros((5, 5)), np.zeros((3, 3)), (5, 5)), ValueError, "matrix"),
    (lambda: F.warp(np.zeros((5, 5)), [[1, 0, 0], [0, 1, 0], [1, 1, 0]], (5, 5)), ValueError, "matrix"),
    (lambda: F.warp(np.zeros((5, 5)), np.eye(3), 5), TypeError, "output_shape"),
    (lambda: F.warp(np.zeros((5, 5)), np.eye(3), (0, 5)), ValueError, "output_shape"),
    (lambda: F.rotate(np.zeros((5, 5)), "90"), TypeError, "angle_deg"),
    (lambda: F.rotate(np.zeros((5, 5)), 10, scale=0), ValueError, "scale"),
    (lambda: F.warp(np.zeros((5, 5)), np.eye(3), (5, 5), order=7), ValueError, "order"),
    (lambda: F.repeatability([], [[1, 1]], np.eye(3)), ValueError, "points_a"),
    (lambda: F.repeatability([[1, 1]], [[1, 1]], np.eye(3), tol=-1), ValueError, "tol"),
    (lambda: F.repeatability([[1, 1]], [[1, 1]], np.eye(2)), ValueError, "matrix"),
    (lambda: F.repeatability([[100, 100]], [[1, 1]], np.eye(3), shape_b=(5, 5)), ValueError, "shape_b"),
])
def test_bad_inputs_fail_clearly(call, error, param):
    with pytest.raises(error, match=param):
        call()


def test_harris_from_tensor_is_harris_response_split_in_two():
    image = data.load_image("camera")[100:180, 200:280]
    np.testing.assert_array_equal(F.harris_from_tensor(*F.structure_tensor(image, 1.5), k=0.06),
                                  F.harris_response(image, 1.5, 0.06))


# ------------------------------------------------- R = 0 line, eigenvalue classes

@given(st.floats(0.0, 0.249), st.floats(1e-3, 1e6))
def test_harris_zero_slope_is_where_r_vanishes(k, lambda1):
    c = F.harris_zero_slope(k)
    assert 0.0 <= c < 1.0
    lambda2 = c * lambda1
    assert abs(lambda1 * lambda2 - k * (lambda1 + lambda2) ** 2) <= 1e-12 * lambda1**2
    # just above the line R > 0, just below R < 0 (for k > 0)
    if k > 1e-3:
        assert lambda1 * (1.01 * lambda2) - k * (lambda1 + 1.01 * lambda2) ** 2 > 0
        assert lambda1 * (0.99 * lambda2) - k * (lambda1 + 0.99 * lambda2) ** 2 < 0


@pytest.mark.parametrize("k", [0.04, 0.05, 0.06, 0.15, 0.24])
def test_harris_zero_slope_agrees_with_the_textbook_root(k):
    assert F.harris_zero_slope(k) == pytest.approx((1 - 2 * k - np.sqrt(1 - 4 * k)) / (2 * k), rel=1e-12)
    assert F.harris_zero_slope(0.0) == 0.0


def test_classify_eigenvalues_matches_the_sign_of_r_on_a_photo(camera):
    l1, l2 = F.eigen_map(camera, 1.5)
    response = F.harris_response(camera, 1.5, 0.05)
    codes = F.classify_eigenvalues(l1, l2, flat_level=0.01 * l1.max(), k=0.05)
    clear = np.abs(response) > 1e-6 * np.abs(response).max()
    strong = clear & (l1 >= 0.01 * l1.max())
    np.testing.assert_array_equal(codes[strong] == 2, response[strong] > 0)
    assert (codes[l1 < 0.01 * l1.max()] == 0).all()
    assert set(np.unique(codes)) == {0, 1, 2} and codes.dtype == np.int8
    np.testing.assert_array_equal(F.classify_eigenvalues(l2, l1, 0.01 * l1.max()), codes)  # order does not matter


def test_classify_eigenvalues_bad_inputs():
    with pytest.raises(ValueError, match="lambda2 must be >= 0"):
        F.classify_eigenvalues([1.0], [-1.0], 0.5)
    with pytest.raises(ValueError, match="lambda1 and lambda2 must have one shape"):
        F.classify_eigenvalues([1.0, 2.0], [1.0], 0.5)
    with pytest.raises(ValueError, match="flat_level must be >= 0"):
        F.classify_eigenvalues([1.0], [1.0], -0.5)


# --------------------------------------------------------------- blobs

def test_bright_blobs_finds_discs_at_their_centres_with_their_radii():
    rows, cols = np.mgrid[0:120, 0:160].astype(np.float64)
    discs = [((30.0, 40.0), 12.0), ((80.5, 110.25), 20.0), ((90.0, 30.0), 6.0)]
    image = np.full(rows.shape, 20.0)
    for (r0, c0), radius in discs:
        image[np.hypot(rows - r0, cols - c0) <= radius] = 200.0
    image[5, 150] = 200.0                          # a speck, removed by the opening
    image[30, 40] = 20.0                           # a hole, filled
    centres, radii = F.bright_blobs(image, 100, min_area=10)
    np.testing.assert_allclose(centres, [d[0] for d in discs], atol=0.05)
    np.testing.assert_allclose(radii, [d[1] for d in discs], rtol=0.03)
    small_dropped, _ = F.bright_blobs(image, 100, min_area=200)
    np.testing.assert_allclose(small_dropped, [d[0] for d in discs[:2]], atol=0.05)
    speck_kept, _ = F.bright_blobs(image, 100, opening=0)
    assert len(speck_kept) == 4
    assert F.bright_blobs(image, 250)[0].shape == (0, 2)


def test_bright_blobs_is_the_scipy_pipeline_on_the_coins():
    coins = data.load_image("coins")
    mask = ndi.binary_fill_holes(ndi.binary_opening(coins > 110, iterations=2))
    labels, count = ndi.label(mask)
    areas = ndi.sum(mask, labels, np.arange(1, count + 1))
    chosen = np.arange(1, count + 1)[(areas > 600) & (areas < 4000)]
    centres, radii = F.bright_blobs(coins, 110, min_area=600, max_area=4000)
    np.testing.assert_array_equal(centres, ndi.center_of_mass(mask, labels, chosen))
    np.testing.assert_array_equal(radii, np.sqrt(areas[chosen - 1] / np.pi))
    assert len(radii) == 24
