"""Tests for cvlab.filters: scipy.ndimage references, shapes, bad inputs and properties."""

import math

import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cvlab import filters
from cvlab.filters import (
    PAD_MODES,
    SCIPY_MODES,
    add_noise,
    box_kernel,
    convolve2d,
    correlate2d,
    gaussian_blur,
    gaussian_density,
    gaussian_kernel1d,
    gaussian_kernel2d,
    gaussian_mass,
    kernel_positions,
    match_template,
    median_filter,
    output_size,
    pad,
    psnr,
    separable_correlate,
    separate,
    unread,
)

RNG = np.random.default_rng(0)
GREY = RNG.random((23, 31)) * 255
RGB = RNG.random((17, 20, 3))
SOBEL_X = np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
LAPLACIAN = np.array([[0.0, 1, 0], [1, -4, 1], [0, 1, 0]])


# ---------------------------------------------------------------- output_size and pad


@pytest.mark.parametrize(("args", "expected"), [
    ((5, 3), 3), ((5, 3, 1), 5), ((7, 3, 0, 2), 3), ((6, 3, 0, 2), 2),
    ((224, 7, 3, 2), 112), ((32, 5, 0, 1), 28), ((3, 3), 1), ((1, 3, 1), 1),
])
def test_output_size_formula(args, expected):
    assert output_size(*args) == expected


def test_output_size_floors():
    # (I − K + 2P)/S = 2.5 is floored: the kernel's last half step would leave the input
    assert output_size(8, 3, 0, 2) == 3 == math.floor((8 - 3) / 2) + 1


@pytest.mark.parametrize(("args", "param"), [
    ((2, 3), "K"), ((5, 3, -1), "P"), ((5, 3, 0, 0), "S"), ((0, 1), "I"), ((5, 0), "K"),
])
def test_output_size_rejects(args, param):
    with pytest.raises(ValueError, match=param):
        output_size(*args)


def test_output_size_rejects_float():
    with pytest.raises(TypeError, match="S"):
        output_size(5, 3, 0, 1.5)


@pytest.mark.parametrize("mode", PAD_MODES)
def test_pad_matches_numpy_and_scipy(mode):
    got = pad(GREY, 4, mode)
    assert got.shape == (31, 39)
    np.testing.assert_array_equal(got, np.pad(GREY, 4, mode=mode))
    # scipy's name for the same border: correlating with a corner impulse reads the padded image
    impulse = np.zeros((9, 9))
    impulse[0, 0] = 1
    np.testing.assert_array_equal(got[:23, :31], ndi.correlate(GREY, impulse, mode=SCIPY_MODES[mode]))


def test_pad_rgb_leaves_channels():
    got = pad(RGB, (1, 2), "edge")
    assert got.shape == (19, 24, 3)
    np.testing.assert_array_equal(got[..., 1], np.pad(RGB[..., 1], ((1, 1), (2, 2)), mode="edge"))


def test_pad_keeps_dtype_and_input():
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    before = image.copy()
    assert pad(image, 1, "constant").dtype == np.uint8
    np.testing.assert_array_equal(image, before)


@pytest.mark.parametrize(("kwargs", "error", "param"), [
    ({"padding": -1, "mode": "edge"}, ValueError, "padding"),
    ({"padding": 1, "mode": "mirror"}, ValueError, "mode"),
    ({"padding": 1.0, "mode": "edge"}, TypeError, "padding"),
    ({"padding": (1, 2, 3), "mode": "edge"}, ValueError, "padding"),
    ({"padding": filters.MAX_PADDING + 1, "mode": "edge"}, ValueError, "MAX_PADDING"),
])
def test_pad_rejects(kwargs, error, param):
    with pytest.raises(error, match=param):
        pad(GREY, **kwargs)


# ---------------------------------------------------------------- correlate2d / convolve2d


def _odd_kernels():
    rng = np.random.default_rng(1)
    return [rng.normal(size=shape) for shape in [(1, 1), (3, 3), (5, 5), (3, 7), (1, 5), (7, 1)]]


@pytest.mark.parametrize("mode", PAD_MODES)
@pytest.mark.parametrize("kernel", _odd_kernels(), ids=lambda k: f"{k.shape[0]}x{k.shape[1]}")
def test_correlate2d_equals_scipy(mode, kernel):
    expected = ndi.correlate(GREY, kernel, mode=SCIPY_MODES[mode], cval=0.0)
    np.testing.assert_allclose(correlate2d(GREY, kernel, "same", mode), expected, rtol=0, atol=1e-12 * 255)


@pytest.mark.parametrize("mode", PAD_MODES)
@pytest.mark.parametrize("kernel", _odd_kernels(), ids=lambda k: f"{k.shape[0]}x{k.shape[1]}")
def test_convolve2d_equals_scipy(mode, kernel):
    expected = ndi.convolve(GREY, kernel, mode=SCIPY_MODES[mode], cval=0.0)
    np.testing.assert_allclose(convolve2d(GREY, kernel, "same", mode), expected, rtol=0, atol=1e-12 * 255)


def test_correlate2d_rgb_per_channel():
    kernel = _odd_kernels()[2]
    got = correlate2d(RGB, kernel, mode="symmetric")
    assert got.shape == RGB.shape
    for c in range(3):
        np.testing.assert_allclose(got[..., c], ndi.correlate(RGB[..., c], kernel, mode="reflect"), atol=1e-12, rtol=0)


def test_correlate2d_valid_equals_scipy_interior():
    kernel = _odd_kernels()[3]  # 3 x 7
    full = ndi.correlate(GREY, kernel, mode="constant")
    np.testing.assert_allclose(correlate2d(GREY, kernel, "valid"), full[1:-1, 3:-3], atol=1e-12 * 255, rtol=0)


def test_correlate2d_even_kernel_valid_by_definition():
    kernel = np.array([[1.0, 2.0], [3.0, 4.0]])
    f = np.arange(12.0).reshape(3, 4)
    expected = np.array([[sum(kernel[i, j] * f[m + i, n + j] for i in range(2) for j in range(2))
                          for n in range(3)] for m in range(2)])
    np.testing.assert_allclose(correlate2d(f, kernel, "valid"), expected)


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("P", [0, 1, 2])
@pytest.mark.parametrize("shape", [(3, 3), (2, 4), (5, 1)])
def test_strided_padded_shapes_match_output_size(stride, P, shape):
    got = correlate2d(GREY, np.ones(shape), padding=P, stride=stride)
    assert got.shape == (output_size(23, shape[0], P, stride), output_size(31, shape[1], P, stride))


def test_stride_subsamples_the_stride_one_result():
    kernel = _odd_kernels()[1]
    dense = correlate2d(GREY, kernel, padding=1, mode="wrap")
    np.testing.assert_allclose(correlate2d(GREY, kernel, padding=1, mode="wrap", stride=2), dense[::2, ::2])
    np.testing.assert_allclose(correlate2d(GREY, kernel, padding=1, mode="wrap", stride=3), dense[::3, ::3])


def test_correlation_versus_convolution_flip():
    impulse = np.zeros((5, 5))
    impulse[2, 2] = 1.0
    w = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(convolve2d(impulse, w)[1:4, 1:4], w)
    np.testing.assert_array_equal(correlate2d(impulse, w)[1:4, 1:4], w[::-1, ::-1])


def test_correlate2d_accepts_uint8_and_lists_and_returns_float64():
    image = (GREY).astype(np.uint8)
    got = correlate2d(image, [[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, image)


def test_filters_do_not_modify_inputs():
    image, kernel = GREY.copy(), _odd_kernels()[1]
    kernel_before = kernel.copy()
    correlate2d(image, kernel, mode="reflect")
    convolve2d(image, kernel)
    separable_correlate(image, kernel[:, 0], kernel[0])
    gaussian_blur(image, 1.5)
    median_filter(image, 3)
    add_noise(np.clip(image / 255, 0, 1), "salt_pepper", 0.1, rng=0)
    separate(kernel)
    np.testing.assert_array_equal(image, GREY)
    np.testing.assert_array_equal(kernel, kernel_before)


@pytest.mark.parametrize(("kwargs", "error", "param"), [
    ({"kernel": np.ones((2, 2)), "padding": "same"}, ValueError, "odd"),
    ({"kernel": np.ones((3, 4))}, ValueError, "same"),
    ({"kernel": np.ones((3, 3)), "stride": 0}, ValueError, "stride"),
    ({"kernel": np.ones((3, 3)), "stride": 1.5}, TypeError, "stride"),
    ({"kernel": np.ones((3, 3)), "padding": -1}, ValueError, "padding"),
    ({"kernel": np.ones((3, 3)), "padding": "full"}, ValueError, "padding"),
    ({"kernel": np.ones((3, 3)), "padding": 1.0}, TypeError, "padding"),
    ({"kernel": np.ones((3, 3)), "mode": "mirror"}, ValueError, "mode"),
    ({"kernel": [[1.0, np.nan, 1.0]]}, ValueError, "kernel"),
    ({"kernel": [[1.0, np.inf, 1.0]]}, ValueError, "kernel"),
    ({"kernel": np.ones(3)}, ValueError, "kernel"),
    ({"kernel": np.ones((3, 3, 3))}, ValueError, "kernel"),
    ({"kernel": np.ones((3, 3), dtype=bool)}, TypeError, "kernel"),
    ({"kernel": np.ones((25, 3)), "padding": "valid"}, ValueError, "kernel"),
])
def test_correlate2d_rejects(kwargs, error, param):
    with pytest.raises(error, match=param):
        correlate2d(GREY, **kwargs)


@pytest.mark.parametrize("image", [np.ones(5), np.ones((2, 3, 3, 1)), np.ones((4, 4, 4)), [[1.0, np.nan]]],
                         ids=["1-D", "4-D", "RGBA", "NaN"])
def test_filters_reject_bad_images(image):
    for call in (lambda: correlate2d(image, np.ones((1, 1))), lambda: gaussian_blur(image, 1.0),
                 lambda: separable_correlate(image, [1.0], [1.0]), lambda: median_filter(image, 1)):
        with pytest.raises(ValueError, match="image"):
            call()


# ---------------------------------------------------------------- kernels


def test_box_kernel():
    np.testing.assert_allclose(box_kernel(5), np.full((5, 5), 0.04))
    assert box_kernel(4).sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="size"):
        box_kernel(0)


@pytest.mark.parametrize("sigma", [0.3, 0.5, 1.0, 1.7, 4.0])
def test_gaussian_kernel1d(sigma):
    g = gaussian_kernel1d(sigma)
    radius = math.ceil(3 * sigma)
    assert g.shape == (2 * radius + 1,)
    assert g.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(g, g[::-1])
    # sampled formula, normalized: the continuous 1/(√(2π) σ) cancels
    i = np.arange(-radius, radius + 1)
    continuous = np.exp(-(i**2) / (2 * sigma**2)) / (np.sqrt(2 * np.pi) * sigma)
    np.testing.assert_allclose(g, continuous / continuous.sum(), rtol=1e-14)


def test_gaussian_kernel1d_of_a_vanishing_sigma_is_the_impulse():
    # Issue 18: exp(−i² / 2σ²) with σ = 1e-200 gave [nan]; σ → 0 tends to the impulse.
    np.testing.assert_array_equal(gaussian_kernel1d(1e-200), [1.0])          # radius ⌈3σ⌉ = 0
    np.testing.assert_array_equal(gaussian_kernel1d(1e-200, radius=2), [0.0, 0.0, 1.0, 0.0, 0.0])
    np.testing.assert_allclose(gaussian_kernel1d(0.05), [0.0, 1.0, 0.0], atol=1e-80, rtol=0)
    f = np.arange(20.0).reshape(4, 5)
    np.testing.assert_array_equal(gaussian_blur(f, 1e-200), f)


def test_a_subnormal_sigma_gives_the_impulse_without_overflow():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")       # i / σ used to overflow with a warning
        np.testing.assert_array_equal(gaussian_kernel1d(5e-324, radius=2), [0.0, 0.0, 1.0, 0.0, 0.0])
        np.testing.assert_array_equal(gaussian_kernel2d(5e-324, radius=1), np.eye(3)[1:2].T @ np.eye(3)[1:2])
        f = np.arange(20.0).reshape(4, 5)
        np.testing.assert_array_equal(gaussian_blur(f, 5e-324), f)


def test_gaussian_density_refuses_a_sigma_below_its_minimum():
    with pytest.raises(ValueError, match="^sigma must be >= 0.001"):
        gaussian_density([0.0], 5e-324)
    peak = gaussian_density([0.0], filters.MIN_DENSITY_SIGMA)[0]
    assert peak == pytest.approx(1 / (math.sqrt(2 * math.pi) * 1e-3)) and np.isfinite(peak)


def test_gaussian_density_and_mass_match_scipy():
    from scipy import integrate, stats

    x = np.linspace(-9, 9, 37)
    for sigma in (0.3, 1.0, 2.5):
        np.testing.assert_allclose(gaussian_density(x, sigma), stats.norm.pdf(x, scale=sigma), rtol=1e-13)
        for radius in (0, 0.5, 1, 3 * sigma, 7):
            area, _ = integrate.quad(lambda t, s=sigma: stats.norm.pdf(t, scale=s), -radius, radius)
            assert gaussian_mass(sigma, radius) == pytest.approx(area, abs=1e-12)
            assert gaussian_mass(sigma, radius, ndim=2) == pytest.approx(area**2, abs=1e-12)
    assert gaussian_mass(2.0, 6) == pytest.approx(0.9973, abs=5e-5)   # the 3σ rule


def test_gaussian_kernel1d_three_sigma_rule_is_not_fooled_by_rounding():
    assert len(gaussian_kernel1d(1 / 3)) == 3   # 3 · (1/3) is 1, not 1.0000000000000002 → 2
    assert len(gaussian_kernel1d(1.0, radius=0)) == 1


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.5])
def test_gaussian_kernel2d_is_the_sampled_2d_formula(sigma):
    w = gaussian_kernel2d(sigma)
    r = math.ceil(3 * sigma)
    j, i = np.meshgrid(np.arange(-r, r + 1), np.arange(-r, r + 1))
    formula = np.exp(-(i**2 + j**2) / (2 * sigma**2)) / (2 * np.pi * sigma**2)
    np.testing.assert_allclose(w, formula / formula.sum(), rtol=1e-13)
    assert w.sum() == pytest.approx(1.0, abs=1e-14)


def test_gaussian_kernel_matches_scipy_weights():
    # scipy's gaussian_filter1d applied to an impulse returns its kernel
    impulse = np.zeros(21)
    impulse[10] = 1
    np.testing.assert_allclose(gaussian_kernel1d(2.0, radius=6),
                               ndi.gaussian_filter1d(impulse, 2.0, radius=6, mode="constant")[4:17], atol=1e-15)


@pytest.mark.parametrize(("call", "error", "param"), [
    (lambda: gaussian_kernel1d(0.0), ValueError, "sigma"),
    (lambda: gaussian_kernel1d(-1.0), ValueError, "sigma"),
    (lambda: gaussian_kernel1d(np.nan), ValueError, "sigma"),
    (lambda: gaussian_kernel1d("1"), TypeError, "sigma"),
    (lambda: gaussian_kernel1d(1.0, radius=-1), ValueError, "radius"),
    (lambda: gaussian_kernel2d(1.0, radius=2.5), TypeError, "radius"),
    (lambda: gaussian_blur(GREY, 0), ValueError, "sigma"),
    (lambda: gaussian_blur(GREY, 1.0, mode="nearest"), ValueError, "mode"),
])
def test_kernels_reject(call, error, param):
    with pytest.raises(error, match=param):
        call()


# ---------------------------------------------------------------- separability


@pytest.mark.parametrize("kernel", [box_kernel(3), box_kernel(5), gaussian_kernel2d(1.2), SOBEL_X, SOBEL_X.T,
                                    np.outer([1.0, -2, 3], [0.5, 4, 0, -1, 2]), np.ones((1, 4)), np.ones((3, 1))],
                         ids=["box3", "box5", "gauss", "sobel_x", "sobel_y", "outer", "row", "column"])
def test_separate_finds_rank_one(kernel):
    pieces = separate(kernel)
    assert pieces is not None
    column, row = pieces
    assert column.shape == (kernel.shape[0],) and row.shape == (kernel.shape[1],)
    np.testing.assert_allclose(np.outer(column, row), kernel, atol=1e-10, rtol=0)


def test_separate_recovers_the_1d_gaussian_and_box():
    g = gaussian_kernel1d(1.5)
    for kernel, expected in [(np.outer(g, g), g), (box_kernel(3), np.full(3, 1 / 3))]:
        column, row = separate(kernel)
        np.testing.assert_allclose(column, expected, atol=1e-12, rtol=0)
        np.testing.assert_allclose(row, expected, atol=1e-12, rtol=0)


def test_separate_binomial_from_the_notes():
    column, row = separate(np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16)
    np.testing.assert_allclose(column, [0.25, 0.5, 0.25])
    np.testing.assert_allclose(row, [0.25, 0.5, 0.25])


@pytest.mark.parametrize("kernel", [LAPLACIAN, np.eye(3), np.random.default_rng(2).normal(size=(5, 5)),
                                    np.random.default_rng(3).normal(size=(3, 4))],
                         ids=["laplacian", "identity", "random5", "random3x4"])
def test_separate_rejects_higher_rank(kernel):
    assert separate(kernel) is None


def test_separate_atol():
    nearly = np.outer([1.0, 2, 1], [1.0, 2, 1])
    nearly[0, 0] += 1e-6
    assert separate(nearly) is None
    assert separate(nearly, atol=1e-5) is not None
    with pytest.raises(ValueError, match="atol"):
        separate(nearly, atol=-1)
    with pytest.raises(ValueError, match="kernel"):
        separate([1.0, 2.0])


@pytest.mark.parametrize("mode", PAD_MODES)
@pytest.mark.parametrize("kernel", [gaussian_kernel2d(1.0), gaussian_kernel2d(2.0, radius=4), box_kernel(5),
                                    SOBEL_X], ids=["gauss1", "gauss2", "box5", "sobel"])
def test_separable_equals_2d(mode, kernel):
    column, row = separate(kernel)
    np.testing.assert_allclose(separable_correlate(GREY, column, row, mode=mode),
                               correlate2d(GREY, kernel, mode=mode), atol=1e-12 * 255)
    np.testing.assert_allclose(separable_correlate(RGB, column, row, padding="valid", mode=mode),
                               correlate2d(RGB, kernel, padding="valid", mode=mode), atol=1e-12)


def test_separable_correlate_int_padding_and_rejects():
    got = separable_correlate(GREY, [1.0, 2.0], [1.0, 1.0, 1.0, 1.0], padding=2)
    np.testing.assert_allclose(got, correlate2d(GREY, np.outer([1, 2], [1, 1, 1, 1]), padding=2), atol=1e-10, rtol=0)
    with pytest.raises(ValueError, match="odd"):
        separable_correlate(GREY, [1.0, 2.0], [1.0, 2.0, 1.0])
    with pytest.raises(ValueError, match="column"):
        separable_correlate(GREY, np.ones((3, 3)), [1.0])
    with pytest.raises(ValueError, match="row"):
        separable_correlate(GREY, [1.0], [np.nan])


@pytest.mark.parametrize("mode", PAD_MODES)
@pytest.mark.parametrize("sigma", [0.7, 1.0, 2.0, 3.3])
def test_gaussian_blur_equals_scipy(mode, sigma):
    expected = ndi.gaussian_filter(GREY, sigma, mode=SCIPY_MODES[mode], radius=math.ceil(3 * sigma))
    np.testing.assert_allclose(gaussian_blur(GREY, sigma, mode), expected, atol=1e-12 * 255, rtol=0)


def test_gaussian_blur_rgb_and_large_image():
    image = np.random.default_rng(4).random((70, 90, 3))
    expected = np.stack([ndi.gaussian_filter(image[..., c], 8.0, mode="reflect", radius=24) for c in range(3)], -1)
    np.testing.assert_allclose(gaussian_blur(image, 8.0), expected, atol=1e-12, rtol=0)


# ---------------------------------------------------------------- median, noise, psnr


@pytest.mark.parametrize("mode", PAD_MODES)
@pytest.mark.parametrize("size", [1, 3, 5])
def test_median_filter_equals_scipy(mode, size):
    expected = ndi.median_filter(GREY, size=size, mode=SCIPY_MODES[mode])
    np.testing.assert_array_equal(median_filter(GREY, size, mode), expected)


@pytest.mark.parametrize("mode", PAD_MODES)
@pytest.mark.parametrize("size", [3, 9, 21])
def test_median_filter_by_counting_levels_equals_scipy(mode, size):
    # Few distinct levels, large windows: the level-counting path (16 levels, ties everywhere).
    image = np.random.default_rng(13).integers(0, 16, size=(37, 45)).astype(np.float64) / 15
    expected = ndi.median_filter(image, size=size, mode=SCIPY_MODES[mode])
    np.testing.assert_array_equal(median_filter(image, size, mode), expected)


def test_median_filter_on_camera_with_a_large_window_equals_scipy():
    from cvlab import data

    camera = data.load_image("camera")[100:260, 150:330]
    for size in (15, 31):
        expected = ndi.median_filter(camera.astype(np.float64), size=size, mode="reflect")
        np.testing.assert_array_equal(median_filter(camera, size), expected)


def test_median_filter_partition_path_spans_several_blocks(monkeypatch):
    monkeypatch.setattr(filters, "_MEDIAN_BLOCK", 500)   # a few rows per block
    image = np.random.default_rng(14).normal(size=(41, 23))
    for size in (3, 7):
        np.testing.assert_array_equal(median_filter(image, size, "wrap"), ndi.median_filter(image, size, mode="wrap"))


def test_median_filter_rgb_and_rejects():
    got = median_filter(RGB, 3)
    for c in range(3):
        np.testing.assert_array_equal(got[..., c], ndi.median_filter(RGB[..., c], 3, mode="reflect"))
    with pytest.raises(ValueError, match="size"):
        median_filter(GREY, 4)
    with pytest.raises(ValueError, match="mode"):
        median_filter(GREY, 3, mode="nearest")


def test_median_removes_salt_and_pepper_better_than_box():
    clean = np.tile(np.linspace(0, 1, 64), (64, 1))
    noisy = add_noise(clean, "salt_pepper", 0.05, rng=np.random.default_rng(5))
    assert psnr(clean, median_filter(noisy, 3)) > psnr(clean, correlate2d(noisy, box_kernel(3), mode="symmetric")) + 10


def test_add_noise_gaussian_statistics_and_seed():
    flat = np.full((200, 200), 0.5)
    noisy = add_noise(flat, "gaussian", 0.05, rng=np.random.default_rng(6))
    assert noisy.dtype == np.float64
    assert abs(noisy.mean() - 0.5) < 0.002 and abs(noisy.std() - 0.05) < 0.002
    np.testing.assert_array_equal(add_noise(flat, "gaussian", 0.05, rng=7), add_noise(flat, "gaussian", 0.05, rng=7))
    assert add_noise(np.zeros((5, 5)), "gaussian", 0.5, rng=0).min() == 0.0  # clipped to [0, white]
    np.testing.assert_array_equal(add_noise(flat, "gaussian", 0.0, rng=0), flat)


def test_add_noise_salt_pepper_uint8_and_rgb():
    image = np.full((50, 40, 3), 100, dtype=np.uint8)
    noisy = add_noise(image, "salt_pepper", 0.2, rng=8)
    changed = np.any(noisy != 100, axis=-1)
    assert changed.sum() == 400
    assert set(np.unique(noisy[changed])) == {0.0, 255.0}
    assert np.all(noisy[changed] == noisy[changed][:, :1])  # whole pixels, all channels
    np.testing.assert_array_equal(image, 100)


@pytest.mark.parametrize(("args", "error", "param"), [
    ((np.zeros((4, 4)), "speckle", 0.1, 0), ValueError, "kind"),
    ((np.zeros((4, 4)), "gaussian", -0.1, 0), ValueError, "amount"),
    ((np.zeros((4, 4)), "salt_pepper", 1.5, 0), ValueError, "amount"),
    ((np.zeros((4, 4)), "gaussian", 0.1, None), TypeError, "rng"),
    ((np.zeros((4, 4)), "gaussian", 0.1, 0.5), TypeError, "rng"),
    ((np.full((4, 4), 2.0), "gaussian", 0.1, 0), ValueError, "image"),
])
def test_add_noise_rejects(args, error, param):
    with pytest.raises(error, match=param):
        add_noise(*args)


def test_psnr():
    a = np.full((8, 8), 0.5)
    assert psnr(a, a + 0.1) == pytest.approx(20.0)
    assert psnr(a, a) == math.inf
    u = np.full((8, 8), 100, dtype=np.uint8)
    assert psnr(u, u.astype(float) + 10) == pytest.approx(10 * np.log10(255**2 / 100))
    assert psnr(a, a + 0.1, peak=2.0) == pytest.approx(20 * np.log10(20))
    with pytest.raises(ValueError, match="b"):
        psnr(a, np.zeros((8, 7)))
    with pytest.raises(ValueError, match="peak"):
        psnr(a, a, peak=0)


def test_psnr_peak_follows_the_dtype_not_the_values():
    # Issue 18: one float pixel at 1 + 1e-9 used to switch the peak to 255 and add 48 dB.
    clean = np.full((8, 8), 0.5)
    noisy = clean + np.random.default_rng(0).normal(0, 0.01, clean.shape)
    assert psnr(clean, noisy) == pytest.approx(10 * np.log10(1 / np.mean((clean - noisy) ** 2)))
    overshoot = noisy.copy()
    overshoot[0, 0] = 1 + 1e-9
    with pytest.raises(ValueError, match=r"b must lie in \[0, peak\] = \[0, 1\]"):
        psnr(clean, overshoot)
    assert psnr(clean, np.clip(overshoot, 0, 1)) < 60
    # uint8 on either side: peak 255, and the float side must lie on the 0-255 scale
    levels = np.full((8, 8), 100, np.uint8)
    assert psnr(levels.astype(float) + 5, levels) == pytest.approx(10 * np.log10(255**2 / 25))
    with pytest.raises(ValueError, match=r"a must lie in \[0, peak\] = \[0, 255\]"):
        psnr(levels - 200.0, levels)


def test_psnr_of_a_rotation_round_trip_is_the_truth_once_clipped():
    # Issue 18: a rotate round trip of a [0, 1] image reported 60.0 dB; the truth is about 12 dB.
    from scipy.ndimage import rotate

    image = np.random.default_rng(1).random((40, 40))
    back = rotate(rotate(image, 30, reshape=False, order=3), -30, reshape=False, order=3)
    assert back.max() > 1 or back.min() < 0                          # the cubic overshoot is real
    with pytest.raises(ValueError, match="must lie in"):
        psnr(image, back)
    clipped = np.clip(back, 0, 1)
    truth = 10 * np.log10(1 / np.mean((image - clipped) ** 2))
    assert psnr(image, clipped) == pytest.approx(truth) and truth < 20


def test_psnr_of_a_huge_peak_is_the_formula_without_overflow():
    # Issue 18: peak² overflowed for peak = 1e300; 10 log₁₀(peak² / MSE) is 20 log₁₀ peak − 10 log₁₀ MSE.
    a = np.full((4, 4), 3.0)
    b = a + np.arange(16.0).reshape(4, 4)
    mse = np.mean((a - b) ** 2)
    assert psnr(a, b, peak=1e300) == pytest.approx(6000 - 10 * np.log10(mse), rel=1e-14)
    huge = np.array([[0.0, 1e300]])      # differences whose square overflows are measured too
    assert psnr(huge, huge[:, ::-1], peak=1e300) == pytest.approx(0.0, abs=1e-12)


def test_psnr_matches_skimage():
    from skimage.metrics import peak_signal_noise_ratio

    rng = np.random.default_rng(9)
    a, b = rng.random((20, 20)), rng.random((20, 20))
    assert psnr(a, b) == pytest.approx(peak_signal_noise_ratio(a, b, data_range=1.0), rel=1e-12)


def test_public_names_are_the_issues_and_keep_their_signatures():
    import inspect

    expected = {
        "output_size": ["I", "K", "P", "S"], "pad": ["image", "padding", "mode"],
        "correlate2d": ["image", "kernel", "padding", "mode", "stride"],
        "convolve2d": ["image", "kernel", "padding", "mode", "stride"],
        "box_kernel": ["size"], "gaussian_kernel1d": ["sigma", "radius"], "gaussian_kernel2d": ["sigma", "radius"],
        "separate": ["kernel", "atol"], "separable_correlate": ["image", "column", "row", "padding", "mode"],
        "gaussian_blur": ["image", "sigma", "mode"],
    }
    for name, parameters in expected.items():
        assert name in filters.__all__
        assert list(inspect.signature(getattr(filters, name)).parameters) == parameters, name


# ---------------------------------------------------------------- hypothesis properties

_images = hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=3, max_side=12),
                     elements=st.floats(-100, 100))
_kernels = hnp.arrays(np.float64, st.tuples(st.sampled_from([1, 3, 5]), st.sampled_from([1, 3])),
                      elements=st.floats(-3, 3))


@given(_images, _kernels, st.floats(-5, 5), st.floats(-5, 5), st.sampled_from(PAD_MODES), st.data())
def test_linearity_in_the_image(f, w, a, b, mode, data):
    g = data.draw(hnp.arrays(np.float64, f.shape, elements=st.floats(-100, 100)))
    left = correlate2d(a * f + b * g, w, mode=mode)
    right = a * correlate2d(f, w, mode=mode) + b * correlate2d(g, w, mode=mode)
    np.testing.assert_allclose(left, right, atol=1e-9 * (1 + np.abs(right).max()), rtol=0)


@given(st.floats(-1000, 1000), st.integers(3, 15), st.integers(3, 15),
       hnp.arrays(np.float64, st.tuples(st.sampled_from([1, 3, 5]), st.sampled_from([1, 3, 5])),
                  elements=st.floats(0.01, 1)),
       st.sampled_from(["edge", "symmetric", "reflect", "wrap"]))
def test_sum_to_one_kernel_preserves_a_constant(value, height, width, w, mode):
    kernel = w / w.sum()
    image = np.full((height, width), value)
    np.testing.assert_allclose(correlate2d(image, kernel, mode=mode), image, atol=1e-12 * (1 + abs(value)), rtol=0)


@given(st.floats(0.3, 3.0), st.sampled_from(PAD_MODES))
def test_gaussian_blur_preserves_constant_and_equals_2d(sigma, mode):
    image = np.full((9, 11), 7.0)
    if mode != "constant":
        np.testing.assert_allclose(gaussian_blur(image, sigma, mode), image, atol=1e-12, rtol=0)
    np.testing.assert_allclose(gaussian_blur(GREY, sigma, mode), correlate2d(GREY, gaussian_kernel2d(sigma), mode=mode),
                               atol=1e-12 * 255)


@given(hnp.arrays(np.float64, st.integers(1, 5), elements=st.floats(-10, 10)),
       hnp.arrays(np.float64, st.integers(1, 5), elements=st.floats(-10, 10)))
def test_separate_any_outer_product(column, row):
    kernel = np.outer(column, row)
    pieces = separate(kernel, atol=1e-9)
    assert pieces is not None
    np.testing.assert_allclose(np.outer(*pieces), kernel, atol=1e-9, rtol=0)


# ---------------------------------------------------------------- the matrix-product passes on larger inputs


@pytest.mark.parametrize("stride", [1, 2, 3])
def test_correlate2d_large_image_row_chunks_and_column_blocks(stride):
    # 300 rows span several row chunks; 77 columns leave a partial column block
    image = np.random.default_rng(10).normal(size=(300, 77))
    kernel = np.random.default_rng(11).normal(size=(5, 7))
    expected = ndi.correlate(image, kernel, mode="mirror")[::stride, ::stride]
    np.testing.assert_allclose(correlate2d(image, kernel, mode="reflect", stride=stride), expected, atol=1e-12, rtol=0)


def test_separable_long_kernel_and_transposed_input():
    image = np.asfortranarray(np.random.default_rng(12).normal(size=(150, 260)))
    taps = gaussian_kernel1d(11.0)  # 67 taps, the narrow-block path
    expected = ndi.correlate1d(ndi.correlate1d(image, taps, axis=1, mode="wrap"), taps, axis=0, mode="wrap")
    got = separable_correlate(image, taps, taps, mode="wrap")
    assert got.flags.c_contiguous
    np.testing.assert_allclose(got, expected, atol=1e-12, rtol=0)


def test_separate_does_not_depend_on_the_kernel_scale():
    sobel = np.outer([1.0, 2, 1], [1.0, 0, -1])
    assert separate(sobel * 1e6) is not None
    assert separate(np.eye(3) * 1e6) is None


@pytest.mark.parametrize("I, K, P, S", [(7, 3, 0, 2), (8, 3, 1, 3), (6, 1, 0, 2), (9, 2, 2, 4)])
def test_coverage_counts_what_the_strided_filter_actually_reads(I, K, P, S):
    # An impulse at padded cell c changes exactly the outputs whose kernel position reads c.
    readers = [int(np.count_nonzero(correlate2d(np.eye(1, I + 2 * P, c), np.ones((1, K)), padding=0, stride=S)))
               for c in range(I + 2 * P)]
    np.testing.assert_array_equal(filters.coverage(I, K, P, S), readers)


# ---------------------------------------------------------------- what the kernel reads


@pytest.mark.parametrize("I, K, P, S", [(7, 3, 0, 2), (8, 3, 1, 3), (6, 1, 0, 2), (9, 2, 2, 4), (5, 5, 0, 1),
                                        (12, 3, 3, 5)])
def test_positions_coverage_and_unread_match_a_loop(I, K, P, S):
    count = np.zeros(I + 2 * P, dtype=int)
    starts = []
    t = 0
    while t * S + K <= I + 2 * P:
        starts.append(t * S)
        count[t * S:t * S + K] += 1
        t += 1
    np.testing.assert_array_equal(kernel_positions(I, K, P, S), starts)
    np.testing.assert_array_equal(filters.coverage(I, K, P, S), count)
    assert unread(I, K, P, S) == int((count[P:P + I] == 0).sum())
    assert len(starts) == output_size(I, K, P, S)


def test_coverage2d_counts_the_positions_that_read_each_cell_of_the_grid():
    for I, K, P, S in [(7, 3, 0, 2), (8, 3, 1, 3), (6, 1, 0, 2), (12, 3, 3, 5), (5, 5, 0, 1)]:
        side = I + 2 * P
        readers = np.zeros((side, side), dtype=int)
        for top in range(0, side - K + 1, S):         # every 2-D kernel position, by a loop
            for left in range(0, side - K + 1, S):
                readers[top:top + K, left:left + K] += 1
        np.testing.assert_array_equal(filters.coverage2d(I, K, P, S), readers)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: filters.coverage(10**7, 3), "^I must be <= MAX_LENGTH"),
    (lambda: filters.coverage(7, 3, P=10**9), r"^P must be <= \(MAX_LENGTH − I\) / 2 = 499996"),
    (lambda: filters.kernel_positions(7, 3, 1, S=2**63), "^S must be <= MAX_STRIDE"),
    (lambda: filters.unread(7, 3, 1, S=10**400), "^S must be <= MAX_STRIDE"),
    (lambda: filters.coverage2d(3000, 3), "^I must be <= MAX_GRID_SIDE"),
    (lambda: filters.coverage2d(2000, 3, P=100), "^P must be <= \\(MAX_GRID_SIDE − I\\) / 2 = 24"),
    (lambda: correlate2d(np.ones((8, 8)), np.ones((3, 3)), stride=10**9), "^stride must be <= MAX_STRIDE"),
    (lambda: convolve2d(np.ones((8, 8)), np.ones((3, 3)), stride=2**63), "^stride must be <= MAX_STRIDE"),
])
def test_sizes_and_strides_past_their_ceilings_name_the_parameter(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_stride_past_the_padded_image_reads_one_position():
    image = np.arange(30.0).reshape(5, 6)
    out = correlate2d(image, np.ones((3, 3)), padding="valid", stride=filters.MAX_STRIDE)
    np.testing.assert_array_equal(out, [[image[:3, :3].sum()]])
    np.testing.assert_array_equal(kernel_positions(7, 3, 1, filters.MAX_STRIDE), [0])


# ---------------------------------------------------------------- template matching


def _template_loop(image, template, method):
    h, w = template.shape
    out = np.zeros((image.shape[0] - h + 1, image.shape[1] - w + 1))
    t = template - template.mean() if method != "correlation" else template
    for m, n in np.ndindex(out.shape):
        window = image[m:m + h, n:n + w]
        if method == "correlation":
            out[m, n] = np.sum(t * window)
        else:
            centred = window - window.mean()
            out[m, n] = np.sum(t * centred)
            if method == "ncc":
                norm = np.sqrt(np.sum(t**2) * np.sum(centred**2))
                out[m, n] = out[m, n] / norm if norm > 1e-9 else 0.0
    return out


@pytest.mark.parametrize("method", ["correlation", "zero_mean", "ncc"])
def test_match_template_matches_the_loop_formulas(method):
    image = RNG.random((19, 23))
    template = image[5:10, 8:15].copy()
    np.testing.assert_allclose(match_template(image, template, method), _template_loop(image, template, method),
                               atol=1e-10, rtol=0)


def test_match_template_ncc_equals_skimage():
    from skimage.feature import match_template as skimage_match

    from cvlab import data

    camera = data.load_image("camera")[100:228, 150:278] / 255
    template = camera[40:61, 50:71]
    np.testing.assert_allclose(match_template(camera, template), skimage_match(camera, template), atol=1e-10, rtol=0)


def test_match_template_invariances_under_brightness_and_contrast():
    image = RNG.random((30, 34))
    template = image[10:17, 12:21].copy()
    plain = match_template(image, template, "correlation")
    zero_mean = match_template(image, template, "zero_mean")
    ncc = match_template(image, template, "ncc")
    np.testing.assert_allclose(match_template(image + 0.7, template, "correlation"), plain + 0.7 * template.sum(),
                               atol=1e-10)
    np.testing.assert_allclose(match_template(image + 0.7, template, "zero_mean"), zero_mean, atol=1e-10)
    np.testing.assert_allclose(match_template(2.5 * image + 0.7, template, "ncc"), ncc, atol=1e-10)
    assert np.unravel_index(ncc.argmax(), ncc.shape) == (10, 12) and ncc.max() == pytest.approx(1.0)
    assert np.all(np.abs(ncc) <= 1 + 1e-12)


def test_match_template_flat_windows_score_zero_and_bad_inputs():
    image = np.zeros((10, 10))
    image[6:, 6:] = RNG.random((4, 4))
    template = RNG.random((3, 3))
    assert match_template(image, template)[0, 0] == 0.0
    # A large dark field next to bright structure: rounding in the running sums must not blow up flat windows.
    scene = np.zeros((300, 300))
    scene[200:, 200:] = 1000 * RNG.random((100, 100))
    scores = match_template(scene, RNG.random((15, 15)))
    assert np.all(np.abs(scores) <= 1 + 1e-9) and np.all(scores[:150, :150] == 0.0)
    with pytest.raises(ValueError, match="template must not be constant"):
        match_template(image, np.ones((3, 3)), "ncc")
    with pytest.raises(ValueError, match="template of shape"):
        match_template(image, np.ones((11, 3)))
    with pytest.raises(ValueError, match="method"):
        match_template(image, template, "sqdiff")
