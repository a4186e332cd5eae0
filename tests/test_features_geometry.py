"""Tests for cvlab.features' projective geometry: homographies, RANSAC, warping, mosaics, rotating cameras."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from skimage.transform import ProjectiveTransform
from skimage.transform import warp as sk_warp

from cvlab import data
from cvlab import features as F
from cvlab.timing import cpu_seconds

SWAP = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])  # (row, col, 1) <-> (x, y, 1)


def _random_homography(rng):
    """A homography that keeps a 500 x 500 frame in front of the camera and of moderate distortion."""
    angle = rng.uniform(-0.5, 0.5)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    linear = turn @ np.diag(rng.uniform(0.7, 1.3, 2))
    matrix = np.eye(3)
    matrix[:2, :2] = linear + rng.normal(scale=0.05, size=(2, 2))
    matrix[:2, 2] = rng.uniform(-60, 60, 2)
    matrix[2, :2] = rng.uniform(-4e-4, 4e-4, 2)
    return matrix


def _projective_points(matrix, points):
    q = np.column_stack([points, np.ones(len(points))]) @ matrix.T
    return q[:, :2] / q[:, 2:]


# ------------------------------------------------------------ estimate_homography

@pytest.mark.parametrize("seed", range(5))
def test_estimate_homography_recovers_an_exact_homography_to_1e8(seed):
    rng = np.random.default_rng(seed)
    truth = _random_homography(rng)
    src = rng.uniform(0, 500, size=(30, 2))
    found = F.estimate_homography(src, _projective_points(truth, src))
    assert np.abs(found - truth).max() <= 1e-8 * np.abs(truth).max()
    assert found[2, 2] == 1.0


def test_four_points_determine_the_homography():
    rng = np.random.default_rng(7)
    truth = _random_homography(rng)
    src = np.array([[0.0, 0.0], [0.0, 400.0], [300.0, 0.0], [310.0, 390.0]])
    np.testing.assert_allclose(F.estimate_homography(src, _projective_points(truth, src)), truth, rtol=1e-9, atol=1e-10)


def test_estimate_homography_agrees_with_skimage_on_noisy_points():
    rng = np.random.default_rng(3)
    truth = _random_homography(rng)
    src = rng.uniform(0, 500, size=(200, 2))
    dst = _projective_points(truth, src) + rng.normal(scale=0.5, size=(200, 2))
    theirs = ProjectiveTransform.from_estimate(src[:, ::-1], dst[:, ::-1]).params
    theirs = SWAP @ theirs @ SWAP
    ours = F.estimate_homography(src, dst)
    # Both minimize an algebraic error after Hartley normalization (skimage with two rows of the cross
    # product, cvlab with three), so on noisy data they differ slightly and fit the points equally well.
    rms = [np.sqrt(np.mean(F.residuals(fit, src, dst) ** 2)) for fit in (ours, theirs)]
    assert rms[0] <= 1.01 * rms[1]
    assert F.frame_error(ours, theirs, (500, 500)) < 0.3


def test_estimate_homography_needs_four_non_degenerate_pairs():
    square = np.array([[0.0, 0.0], [0.0, 10.0], [10.0, 0.0], [10.0, 10.0]])
    with pytest.raises(ValueError, match="src must hold at least 4"):
        F.estimate_homography(square[:3], square[:3])
    line = np.column_stack([np.arange(6.0), 2 * np.arange(6.0)])
    with pytest.raises(ValueError, match="src points are collinear"):
        F.estimate_homography(line, line + 1)
    with pytest.raises(ValueError, match="dst points are collinear"):
        F.estimate_homography(square, np.column_stack([np.arange(4.0), np.arange(4.0)]))
    three_on_a_line = np.array([[0.0, 0.0], [0.0, 5.0], [0.0, 10.0], [10.0, 3.0]])
    with pytest.raises(ValueError, match="do not determine a homography"):
        F.estimate_homography(three_on_a_line, three_on_a_line * 2)


@given(st.integers(0, 10_000))
def test_estimate_homography_does_not_depend_on_the_order_of_the_pairs(seed):
    rng = np.random.default_rng(seed)
    truth = _random_homography(rng)
    src = rng.uniform(0, 500, size=(12, 2))
    dst = _projective_points(truth, src) + rng.normal(scale=1.0, size=(12, 2))
    order = rng.permutation(12)
    np.testing.assert_allclose(F.estimate_homography(src[order], dst[order]), F.estimate_homography(src, dst),
                               rtol=1e-8, atol=1e-10)


@given(st.integers(0, 10_000), st.floats(-np.pi, np.pi), st.floats(0.2, 5.0), st.floats(-300, 300),
       st.floats(-300, 300))
def test_estimate_homography_is_covariant_with_a_similarity_of_both_sets(seed, angle, scale, shift_r, shift_c):
    """H' fitted to (S·src, S·dst) equals S H S⁻¹ also on noisy data: the normalized DLT has no preferred frame."""
    rng = np.random.default_rng(seed)
    truth = _random_homography(rng)
    src = rng.uniform(0, 500, size=(15, 2))
    dst = _projective_points(truth, src) + rng.normal(scale=2.0, size=(15, 2))
    similarity = np.array([[scale * np.cos(angle), -scale * np.sin(angle), shift_r],
                           [scale * np.sin(angle), scale * np.cos(angle), shift_c], [0.0, 0.0, 1.0]])
    moved = F.estimate_homography(F.transform_points(similarity, src), F.transform_points(similarity, dst))
    expected = similarity @ F.estimate_homography(src, dst) @ np.linalg.inv(similarity)
    grid = F.transform_points(similarity, rng.uniform(0, 500, size=(20, 2)))
    np.testing.assert_allclose(_projective_points(moved, grid), _projective_points(expected, grid),
                               atol=1e-7 * scale * 500)


# ------------------------------------------------------------------ ransac

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ransac_recovers_a_homography_with_40_percent_outliers(seed):
    rng = np.random.default_rng(seed)
    truth = _random_homography(rng)
    n = 150
    src = rng.uniform(0, 500, size=(n, 2))
    dst = _projective_points(truth, src) + rng.normal(scale=0.3, size=(n, 2))
    wrong = rng.choice(n, 60, replace=False)
    dst[wrong] = rng.uniform(-100, 600, size=(60, 2))
    fit, inliers = F.ransac(src, dst, threshold=2.0, iterations=5000, rng=rng, model="homography")
    expected = np.ones(n, bool)
    expected[wrong] = False
    assert np.array_equal(inliers, expected)
    assert F.frame_error(fit, truth, (500, 500)) < 0.5
    # least squares on everything is pulled far away by the wrong matches
    assert F.frame_error(F.estimate_homography(src, dst), truth, (500, 500)) > 20


def test_ransac_homography_is_reproducible_with_the_same_seed():
    rng = np.random.default_rng(5)
    src = rng.uniform(0, 200, size=(40, 2))
    dst = _projective_points(_random_homography(rng), src)
    dst[:15] = rng.uniform(0, 200, size=(15, 2))
    first = F.ransac(src, dst, 1.0, 300, rng=11, model="homography")
    second = F.ransac(src, dst, 1.0, 300, rng=np.random.default_rng(11), model="homography")
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


@pytest.mark.parametrize("model", ["affine", "homography"])
def test_adaptive_ransac_with_a_billion_iterations_returns_quickly_on_a_clean_set(model):
    rng = np.random.default_rng(0)
    src = rng.uniform(0, 300, size=(200, 2))
    truth = _random_homography(rng) if model == "homography" else np.array([[1.1, 0.1, 3], [0.0, 0.9, -4], [0, 0, 1]])
    dst = _projective_points(truth, src)
    assert cpu_seconds(lambda: F.ransac(src, dst, 1.0, 10**9, 0, model=model), repeat=1) < 5.0  # not 10⁹ samples
    fit, inliers = F.ransac(src, dst, 1.0, 10**9, 0, model=model)
    assert inliers.all()
    np.testing.assert_allclose(fit, truth, rtol=1e-7, atol=1e-9)


def test_adaptive_stopping_draws_about_the_predicted_number_of_samples(monkeypatch):
    """With half the pairs wrong, N = log(0.01) / log(1 − 0.5⁴) ≈ 71 samples suffice; the loop stops near there."""
    rng = np.random.default_rng(1)
    src = rng.uniform(0, 300, size=(200, 2))
    dst = _projective_points(_random_homography(rng), src)
    dst[:100] = rng.uniform(0, 300, size=(100, 2))
    drawn = []
    original = F._distinct_samples

    def counting(generator, n, size, count):
        drawn.append(count)
        return original(generator, n, size, count)

    monkeypatch.setattr(F, "_distinct_samples", counting)
    F.ransac(src, dst, 1.0, 10**6, 0, model="homography")
    assert sum(drawn) <= 2 * 256  # one or two batches, not the ceiling


@pytest.mark.parametrize("share, size", [(0.5, 4), (0.8, 3), (0.3, 4)])
def test_ransac_trials_is_where_a_clean_sample_becomes_likely(share, size):
    trials = F.ransac_trials(share, size, 0.99)
    # Monte Carlo: with that many samples, about 99 % of runs draw at least one clean sample
    rng = np.random.default_rng(0)
    clean = rng.random((4000, int(np.ceil(trials)), size)) < share
    assert np.mean(clean.all(axis=2).any(axis=1)) == pytest.approx(0.99, abs=0.01)
    assert F.ransac_trials(1.0, 4) == 0.0


@pytest.mark.parametrize("share, size", [(0.0, 4), (1e-300, 4), (1e-4, 100), (5e-324, 1), (3e-162, 2)])
def test_ransac_trials_refuses_when_no_number_of_samples_is_enough(share, size):
    # wˢ is 0 in float64, or N ≈ −log(1 − p) / wˢ is past the largest float: refused, never inf.
    with pytest.raises(ValueError, match="inlier_share \\*\\* sample_size"):
        F.ransac_trials(share, size)


def test_ransac_trials_stays_finite_near_the_float_limits():
    # wˢ = 1e-300 is tiny but representable: N ≈ 4.6e300, as the formula's first-order form −log(1 − p) / wˢ.
    assert F.ransac_trials(1e-75, 4) == pytest.approx(-math.log(0.01) / 1e-300, rel=1e-12)
    assert F.ransac_trials(0.5, 100) == pytest.approx(-math.log(0.01) * 2.0**100, rel=1e-12)


def test_shear_wave_moves_each_row_by_its_shift():
    camera = data.load_image("camera").astype(np.float64)
    bent, shift = F.shear_wave(camera, 6.0, 128.0)
    assert np.abs(shift).max() == pytest.approx(6.0, abs=0.01)
    row = 32  # s = 6 exactly: an integer move
    assert shift[row] == pytest.approx(6.0)
    np.testing.assert_allclose(bent[row, 6:], camera[row, :-6], atol=1e-6)


def test_ransac_gives_up_with_a_named_error_when_no_model_gathers_support(monkeypatch):
    monkeypatch.setattr(F, "MAX_RANSAC_WORK", 10**6)
    rng = np.random.default_rng(2)
    noise = rng.uniform(0, 500, size=(300, 2)), rng.uniform(0, 500, size=(300, 2))
    with pytest.raises(ValueError, match="MAX_RANSAC_WORK"):
        F.ransac(*noise, 1.0, 10**9, 0, model="homography")
    F.ransac(*noise, 1.0, 200, 0, model="homography")  # a modest ceiling still returns the best model


def test_ransac_affine_model_is_unchanged_by_the_homography_option():
    rng = np.random.default_rng(4)
    src = rng.uniform(0, 300, size=(60, 2))
    dst = src @ np.array([[0.9, 0.2], [-0.1, 1.05]]).T + [5.0, -7.0]
    dst[:10] = rng.uniform(0, 300, size=(10, 2))
    affine, inliers = F.ransac(src, dst, 1.0, 500, 0)
    assert np.array_equal(affine[2], [0.0, 0.0, 1.0]) and inliers[10:].all() and not inliers[:10].any()
    homography, same = F.ransac(src, dst, 1.0, 500, 0, model="homography")
    np.testing.assert_array_equal(same, inliers)
    np.testing.assert_allclose(homography, affine, atol=1e-8)  # an affine map is a homography with (0, 0, 1)


def test_ransac_rejects_collinear_sets_at_once():
    line = np.column_stack([np.arange(50.0), np.arange(50.0)])

    def refused():
        with pytest.raises(ValueError, match="src points are collinear"):
            F.ransac(line, line, 1.0, 10**9, 0, model="homography")

    assert cpu_seconds(refused, repeat=1) < 1.0  # before any sample is drawn


# ------------------------------------------------------------------- warp

def test_projective_warp_equals_skimage_warp_on_interior_pixels():
    order = 1  # bilinear; skimage's splines of higher order treat the constant border differently
    camera = data.load_image("camera").astype(np.float64)
    truth = np.array([[0.9, 0.15, 20.0], [-0.1, 1.05, 10.0], [3e-4, -2e-4, 1.0]])
    ours = F.warp(camera, truth, (400, 450), order=order)
    tform = ProjectiveTransform(SWAP @ truth @ SWAP)
    theirs = sk_warp(camera, tform.inverse, output_shape=(400, 450), order=order, mode="constant", cval=0.0,
                     preserve_range=True)
    rows, cols = np.indices((400, 450))
    source = _projective_points(np.linalg.inv(truth), np.column_stack([rows.ravel(), cols.ravel()]))
    interior = ((source >= 3) & (source <= 508)).all(axis=1).reshape(400, 450)
    assert interior.mean() > 0.5
    np.testing.assert_allclose(ours[interior], theirs[interior], rtol=0, atol=1e-9 * 255)


def test_projective_warp_of_an_affine_matrix_matches_the_affine_path():
    camera = data.load_image("camera")[:200, :200]
    affine = np.array([[0.9, 0.2, 5.0], [-0.1, 1.1, -3.0], [0.0, 0.0, 1.0]])
    scaled = 2.5 * affine  # the same map, but no longer with the last row (0, 0, 1)
    rows, cols = np.indices((150, 160))
    source = F.transform_points(np.linalg.inv(affine), np.column_stack([rows.ravel(), cols.ravel()]))
    inside = ((source >= 0.5) & (source <= 198.5)).all(axis=1).reshape(150, 160)  # off the rounding-prone edge
    np.testing.assert_allclose(F.warp(camera, scaled, (150, 160))[inside], F.warp(camera, affine, (150, 160))[inside],
                               atol=1e-9)


def test_warp_judges_invertibility_by_conditioning_not_by_the_determinant():
    camera = data.load_image("camera")[:50, :50]
    tiny = 1e-6 * np.eye(3)  # determinant 1e-18, perfectly conditioned: projectively the identity
    np.testing.assert_allclose(F.warp(camera, tiny, (50, 50)), camera.astype(float), atol=1e-9)
    singular = np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [0.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match="matrix must be invertible: its condition number"):
        F.warp(camera, singular, (50, 50))
    nearly = np.array([[1.0, 2.0, 0.0], [2.0, 4.0 + 1e-14, 0.0], [0.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match="MAX_CONDITION"):
        F.warp(camera, nearly, (50, 50))


def test_warp_fills_pixels_whose_source_lies_behind_the_camera():
    image = np.ones((20, 20))
    horizon = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.1, 0.0, -1.0]])  # w = 0.1 r − 1 changes sign at r = 10
    out = F.warp(image, horizon, (20, 20), fill=-5.0)
    rows, cols = np.indices((20, 20))
    lookup = np.einsum("ij,jrc->irc", np.linalg.inv(horizon), np.stack([rows, cols, np.ones((20, 20))]))
    behind = lookup[2] <= 0
    assert behind.any() and not behind.all()
    assert np.isfinite(out).all()
    assert (out[behind] == -5.0).all()


# ----------------------------------------------------------------- mosaic

def test_mosaic_of_two_shifted_crops_rebuilds_the_photo():
    camera = data.load_image("camera")[100:300, 100:400].astype(np.float64)
    left, right = camera[:, :180], camera[:, 120:]
    shift = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 120.0], [0.0, 0.0, 1.0]])
    for blend in ("feather", "average"):
        np.testing.assert_allclose(F.mosaic([left, right], [np.eye(3), shift], camera.shape, blend=blend), camera,
                                   atol=1e-9)


def test_mosaic_feathering_follows_the_distance_to_each_border():
    a, b = np.zeros((5, 9)), np.full((5, 9), 90.0)
    shift = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 4.0], [0.0, 0.0, 1.0]])
    row = F.mosaic([a, b], [np.eye(3), shift], (5, 13))[2]
    # column c in the overlap (4..8): weight of a is min(c + 1, 9 − c), of b min(c − 3, 13 − c), rows at distance 3
    for c in range(4, 9):
        wa, wb = min(3, c + 1, 9 - c), min(3, c - 3, 13 - c)
        assert row[c] == pytest.approx(90.0 * wb / (wa + wb))
    assert row[0] == 0.0 and row[12] == 90.0


@pytest.mark.parametrize("blend", ["feather", "average"])
def test_mosaic_does_not_darken_the_rim_of_a_view_moved_by_a_fraction_of_a_pixel(blend):
    flat = np.full((20, 30), 100.0)
    moved = np.array([[1.0, 0.0, 2.5], [0.0, 1.0, 3.5], [0.0, 0.0, 1.0]])
    out = F.mosaic([flat], [moved], (26, 36), blend=blend, fill=-1.0)
    covered = out != -1.0
    assert covered.sum() > 20 * 30 - 60
    np.testing.assert_allclose(out[covered], 100.0, rtol=1e-12)


def test_mosaic_handles_rgb_and_fills_the_empty_canvas():
    cat = data.load_image("chelsea")[:60, :80]
    out = F.mosaic([cat], [np.eye(3)], (70, 90), fill=7.0)
    assert out.shape == (70, 90, 3)
    np.testing.assert_allclose(out[:60, :80], cat, atol=1e-9)
    assert (out[65:] == 7.0).all() and (out[:, 85:] == 7.0).all()


@pytest.mark.parametrize("call, error, text", [
    (lambda: F.mosaic(np.zeros((4, 4)), [np.eye(3)], (4, 4)), TypeError, "images and matrices must be lists"),
    (lambda: F.mosaic([], [], (4, 4)), ValueError, "images must hold 1 to MAX_VIEWS"),
    (lambda: F.mosaic([np.zeros((4, 4))] * 17, [np.eye(3)] * 17, (4, 4)), ValueError, "MAX_VIEWS"),
    (lambda: F.mosaic([np.zeros((4, 4))], [np.eye(3)] * 2, (4, 4)), ValueError, "images and matrices must have"),
    (lambda: F.mosaic([np.zeros((4, 4)), np.zeros((4, 4, 3))], [np.eye(3)] * 2, (4, 4)), ValueError, "all grey"),
    (lambda: F.mosaic([np.zeros((4, 4))], [np.zeros((3, 3))], (4, 4)), ValueError, "matrices must not be all zeros"),
    (lambda: F.mosaic([np.zeros((4, 4))], [np.eye(3)], (4, 4), blend="max"), ValueError, "blend must be one of"),
    (lambda: F.mosaic([np.zeros((4, 4))], [np.eye(3)], (5000, 5000)), ValueError, "MAX_OUTPUT_PIXELS"),
])
def test_mosaic_bad_inputs(call, error, text):
    with pytest.raises(error, match=text):
        call()


# ------------------------------------------------------- rotating camera

def test_rotation_homography_is_k_r_k_inverse_and_composes():
    focal, centre = 400.0, (120.0, 160.0)
    np.testing.assert_allclose(F.rotation_homography(focal, centre), np.eye(3), atol=1e-15)
    both = F.rotation_homography(focal, centre, yaw=7.0) @ F.rotation_homography(focal, centre, yaw=5.0)
    np.testing.assert_allclose(both / both[2, 2], F.rotation_homography(focal, centre, yaw=12.0), atol=1e-12)
    # a scene point at any depth projects consistently: rotate the ray, project with K
    rng = np.random.default_rng(0)
    points = rng.uniform(-2, 2, size=(10, 3)) + [0, 0, 6]  # (down, right, forward) in front of the camera
    yaw, pitch = np.deg2rad(9.0), np.deg2rad(-4.0)
    r_yaw = np.array([[1, 0, 0], [0, np.cos(yaw), -np.sin(yaw)], [0, np.sin(yaw), np.cos(yaw)]])
    r_pitch = np.array([[np.cos(pitch), 0, np.sin(pitch)], [0, 1, 0], [-np.sin(pitch), 0, np.cos(pitch)]])
    k = np.array([[focal, 0, centre[0]], [0, focal, centre[1]], [0, 0, 1]])

    def project(rays):
        q = rays @ k.T
        return q[:, :2] / q[:, 2:]

    before, after = project(points), project(points @ (r_pitch @ r_yaw).T)
    matrix = F.rotation_homography(focal, centre, yaw=9.0, pitch=-4.0)
    np.testing.assert_allclose(F.transform_points(matrix, before), after, atol=1e-9)


def test_rotation_homography_roll_turns_like_rotate():
    focal, centre = 300.0, (49.5, 49.5)
    _, turned = F.rotate(np.zeros((100, 100)), 20.0)
    np.testing.assert_allclose(F.rotation_homography(focal, centre, roll=20.0), turned, atol=1e-12)


def test_rotating_camera_views_are_related_by_the_true_homography():
    photo = data.load_image("motorcycle_left").mean(axis=2)
    centre, view_centre, shape = (249.5, 370.0), (99.5, 119.5), (200, 240)
    a = F.warp(photo, F.rotation_homography(500.0, centre, yaw=-6, center_out=view_centre), shape, order=3)
    b = F.warp(photo, F.rotation_homography(500.0, centre, yaw=6, center_out=view_centre), shape, order=3)
    truth = F.rotation_homography(500.0, view_centre, yaw=12)
    gap = F.overlap_difference(a, b, truth)
    assert np.nanmedian(gap) < 2.0  # what is left is interpolation
    shifted = truth.copy()
    shifted[1, 2] += 3.0
    assert np.nanmedian(F.overlap_difference(a, b, shifted)) > 3 * np.nanmedian(gap)


# ------------------------------------------------------- matches, residuals

def test_find_matches_on_the_motorcycle_pair_agree_with_the_ground_truth_disparity():
    grey = np.array([0.299, 0.587, 0.114])
    left = data.load_image("motorcycle_left")[100:400, 150:600] @ grey
    right = data.load_image("motorcycle_right")[100:400, 150:600] @ grey
    disparity = data.motorcycle_disparity()[100:400, 150:600]
    src, dst = F.find_matches(left, right, num_peaks=300)
    rows, cols = np.round(src).astype(int).T
    known = np.isfinite(disparity[rows, cols])
    gap = np.abs(src[:, 1] - dst[:, 1] - disparity[rows, cols])[known]
    assert len(gap) > 50
    assert np.median(gap) < 0.5                       # right column = left column − d
    assert np.median(np.abs(src[:, 0] - dst[:, 0])) < 0.5  # rectified: the same row


def test_residuals_and_frame_error():
    matrix = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(F.residuals(matrix, [[0, 0], [1, 1]], [[2, 0], [1, 1]]), [0.0, 2.0])
    horizon = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 0.0, -1.0]])
    assert F.residuals(horizon, [[1, 0]], [[0, 0]])[0] == np.inf  # sent to infinity
    projective = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1e-3, 0.0, 1.0]])
    corners = np.array([[0, 0], [0, 99], [49, 0], [49, 99]], float)
    expected = np.linalg.norm(F.transform_points(projective, corners) - corners, axis=1).max()
    assert F.frame_error(projective, np.eye(3), (50, 100)) == pytest.approx(expected)


def test_frame_error_refuses_a_frame_past_its_ceiling_by_name():
    with pytest.raises(ValueError, match="^shape must be <= 1000000"):
        F.frame_error(np.eye(3), np.eye(3), (10**400, 10**400))
    assert F.frame_error([[1, 0, 0.5], [0, 1, 0], [0, 0, 1]], np.eye(3), (F.MAX_FRAME_SIDE,) * 2) == 0.5


@given(st.floats(-60, 60), st.floats(0.5, 2), st.floats(-60, 60), st.floats(0.5, 2))
def test_relative_transform_maps_view_a_onto_view_b(angle_a, scale_a, angle_b, scale_b):
    camera = np.zeros((40, 50))
    _, to_a = F.rotate(camera, angle_a, scale=scale_a, output_shape=(60, 70))
    _, to_b = F.rotate(camera, angle_b, scale=scale_b)
    a_to_b = F.relative_transform(to_a, to_b)
    points = np.random.default_rng(0).uniform(0, 40, size=(10, 2))
    # a source point seen at T_A p in view A is seen at T_B p in view B
    np.testing.assert_allclose(F.transform_points(a_to_b, F.transform_points(to_a, points)),
                               F.transform_points(to_b, points), atol=1e-9)
    np.testing.assert_array_equal(a_to_b[2], [0.0, 0.0, 1.0])       # two affine views: affine, exactly


def test_relative_transform_of_two_homographies_and_its_checks():
    h_a = F.rotation_homography(400.0, (50.0, 60.0), yaw=5.0, pitch=-3.0)
    h_b = F.rotation_homography(400.0, (50.0, 60.0), yaw=-4.0, roll=10.0)
    np.testing.assert_allclose(F.relative_transform(h_a, h_b), h_b @ np.linalg.inv(h_a), rtol=1e-12)
    with pytest.raises(ValueError, match="^matrix_a must be invertible"):
        F.relative_transform([[1, 0, 0], [2, 0, 0], [0, 0, 1]], np.eye(3))
    with pytest.raises(ValueError, match="^matrix_b must be a 3x3"):
        F.relative_transform(np.eye(3), np.eye(4))


def test_overlap_difference_is_nan_outside_and_zero_for_the_true_map():
    camera = data.load_image("camera")[:100, :120].astype(np.float64)
    moved = F.warp(camera, [[1, 0, 4], [0, 1, -3], [0, 0, 1]], (100, 120))
    gap = F.overlap_difference(camera, moved, [[1, 0, 4], [0, 1, -3], [0, 0, 1]])
    assert np.isnan(gap[:4]).all() and np.isnan(gap[:, -3:]).all()
    np.testing.assert_array_equal(gap[4:, :-3], 0.0)


def test_transform_points_matches_skimage_projective_transform():
    matrix = np.array([[0.9, 0.15, 20.0], [-0.1, 1.05, 10.0], [3e-4, -2e-4, 1.0]])
    points = np.random.default_rng(0).uniform(0, 300, size=(20, 2))
    theirs = ProjectiveTransform(SWAP @ matrix @ SWAP)(points[:, ::-1])[:, ::-1]
    np.testing.assert_allclose(F.transform_points(matrix, points), theirs, rtol=1e-12)


def test_repeatability_under_a_perspective_warp_of_a_known_homography():
    camera = data.load_image("camera").astype(np.float64)
    view = F.warp(camera, F.rotation_homography(600, (255.5, 255.5), yaw=0, center_out=(127.5, 127.5)), (256, 256),
                  order=3)
    tilt = F.rotation_homography(300.0, (127.5, 127.5), yaw=10.0)
    tilted = F.warp(view, tilt, (256, 256), order=3)
    a = F.corner_peaks(F.harris_response(view, 1.5), num_peaks=150)
    b = F.corner_peaks(F.harris_response(tilted, 1.5), num_peaks=150)
    score = F.repeatability(a, b, tilt, shape_b=(256, 256))
    assert 0.5 < score < 1.0
    assert F.repeatability(a, a, np.eye(3)) == 1.0
