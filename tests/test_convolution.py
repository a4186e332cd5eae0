import numpy as np
import pytest
import scipy.ndimage as ndi
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cvlab import data
from cvlab.convolution import (
    conv2d,
    conv_params,
    linearity_gap,
    receptive_field,
    receptive_field_weights,
    shift_equivariance_gap,
    shift_interior,
    shift_paths,
    threshold,
    varying_blur,
)
from cvlab.filters import correlate2d, gaussian_blur, median_filter, output_size
from cvlab.pointops import gamma, shift

RNG = np.random.default_rng(0)
F = RNG.random((24, 30))
G = RNG.random((24, 30))
BOX = np.full((3, 3), 1 / 9)
KERNEL = RNG.normal(size=(5, 3))  # asymmetric: no symmetry can hide a mistake


def box_wrap(image):
    return correlate2d(image, BOX, mode="wrap")


def gauss_wrap(image):
    return gaussian_blur(image, 1.5, mode="wrap")


def median_wrap(image):
    return median_filter(image, 3, mode="wrap")


def varying_wrap(image):
    return varying_blur(image, 0.5, 3.0, mode="wrap")


# ---------------------------------------------------------------- conv2d


def conv2d_loop(x, weight, bias, stride, padding):
    """The definition, one multiply-add at a time."""
    n_batch, c_in, height, width = x.shape
    c_out, _, k, _ = weight.shape
    padded = np.zeros((n_batch, c_in, height + 2 * padding, width + 2 * padding))
    padded[:, :, padding:padding + height, padding:padding + width] = x
    out_h = (height - k + 2 * padding) // stride + 1
    out_w = (width - k + 2 * padding) // stride + 1
    y = np.zeros((n_batch, c_out, out_h, out_w))
    for b in range(n_batch):
        for o in range(c_out):
            for m in range(out_h):
                for n in range(out_w):
                    total = 0.0 if bias is None else bias[o]
                    for c in range(c_in):
                        for i in range(k):
                            for j in range(k):
                                total += weight[o, c, i, j] * padded[b, c, m * stride + i, n * stride + j]
                    y[b, o, m, n] = total
    return y


@st.composite
def layers(draw):
    n_batch, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    k = draw(st.integers(1, 4))
    padding = draw(st.integers(0, 2))
    stride = draw(st.integers(1, 3))
    height = draw(st.integers(max(1, k - 2 * padding), 8))
    width = draw(st.integers(max(1, k - 2 * padding), 8))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_batch, c_in, height, width))
    weight = rng.normal(size=(c_out, c_in, k, k))
    bias = rng.normal(size=c_out) if draw(st.booleans()) else None
    return x, weight, bias, stride, padding


@given(layers())
def test_conv2d_matches_a_loop_reference_and_output_size(layer):
    x, weight, bias, stride, padding = layer
    y = conv2d(x, weight, bias, stride=stride, padding=padding)
    np.testing.assert_allclose(y, conv2d_loop(*layer), rtol=1e-12, atol=1e-12)
    k = weight.shape[2]
    assert y.shape == (x.shape[0], weight.shape[0],
                       output_size(x.shape[2], k, padding, stride), output_size(x.shape[3], k, padding, stride))


@pytest.mark.parametrize("padding", [0, 1, 2])
def test_conv2d_is_a_sum_of_correlate2d_over_channel_pairs(padding):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 3, 9, 11))
    weight = rng.normal(size=(4, 3, 5, 5))
    y = conv2d(x, weight, padding=padding)
    for b in range(2):
        for o in range(4):
            expected = sum(correlate2d(x[b, c], weight[o, c], padding=padding, mode="constant") for c in range(3))
            np.testing.assert_allclose(y[b, o], expected, atol=1e-12, rtol=0)


def test_conv2d_stride_matches_correlate2d_stride():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(1, 1, 10, 13))
    weight = rng.normal(size=(1, 1, 3, 3))
    expected = correlate2d(x[0, 0], weight[0, 0], padding=1, mode="constant", stride=2)
    np.testing.assert_allclose(conv2d(x, weight, stride=2, padding=1)[0, 0], expected, atol=1e-12, rtol=0)


def test_conv2d_per_axis_stride_and_padding_subsample_the_stride_one_result():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 2, 11, 9))
    weight = rng.normal(size=(3, 2, 3, 3))
    dense = conv2d(x, weight, padding=(1, 2))
    assert dense.shape == (2, 3, 11, 11)
    strided = conv2d(x, weight, stride=(2, 3), padding=(1, 2))
    np.testing.assert_allclose(strided, dense[..., ::2, ::3], atol=1e-12, rtol=0)


def test_conv2d_is_cross_correlation_not_convolution():
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 2, 2] = 1.0
    weight = np.arange(9.0).reshape(1, 1, 3, 3)
    # An impulse through a cross-correlation draws the kernel flipped.
    np.testing.assert_array_equal(conv2d(x, weight, padding=1)[0, 0, 1:4, 1:4], weight[0, 0, ::-1, ::-1])


def test_conv2d_matches_scipy_for_a_single_channel():
    x = RNG.normal(size=(1, 1, 12, 15))
    weight = RNG.normal(size=(1, 1, 3, 3))
    expected = ndi.correlate(x[0, 0], weight[0, 0], mode="constant")[1:-1, 1:-1]
    np.testing.assert_allclose(conv2d(x, weight)[0, 0], expected, atol=1e-12, rtol=0)


def test_conv2d_bad_inputs_name_the_parameter():
    x = np.zeros((1, 3, 8, 8))
    with pytest.raises(ValueError, match="weight.*C_in = 2.*x has 3"):
        conv2d(x, np.zeros((4, 2, 3, 3)))
    with pytest.raises(ValueError, match="weight's kernel 9x9 is larger"):
        conv2d(x, np.zeros((4, 3, 9, 9)))
    with pytest.raises(ValueError, match="weight's kernel 11x11 is larger than the padded input 10x10"):
        conv2d(x, np.zeros((4, 3, 11, 11)), padding=1)
    conv2d(x, np.zeros((4, 3, 10, 10)), padding=1)  # exactly fits
    with pytest.raises(ValueError, match="x must be 4-D"):
        conv2d(np.zeros((3, 8, 8)), np.zeros((4, 3, 3, 3)))
    with pytest.raises(ValueError, match="weight must be 4-D"):
        conv2d(x, np.zeros((3, 3, 3)))
    with pytest.raises(ValueError, match="bias"):
        conv2d(x, np.zeros((4, 3, 3, 3)), bias=np.zeros(3))
    with pytest.raises(ValueError, match="stride"):
        conv2d(x, np.zeros((4, 3, 3, 3)), stride=0)
    with pytest.raises(ValueError, match="padding"):
        conv2d(x, np.zeros((4, 3, 3, 3)), padding=-1)
    with pytest.raises(TypeError, match="padding"):
        conv2d(x, np.zeros((4, 3, 3, 3)), padding="same")
    with pytest.raises(TypeError, match="x"):
        conv2d(x.astype(complex), np.zeros((4, 3, 3, 3)))


def test_conv2d_leaves_inputs_unchanged():
    x = RNG.normal(size=(1, 2, 6, 6))
    weight = RNG.normal(size=(3, 2, 3, 3))
    bias = RNG.normal(size=3)
    copies = x.copy(), weight.copy(), bias.copy()
    conv2d(x, weight, bias, padding=1)
    for before, after in zip(copies, (x, weight, bias)):
        np.testing.assert_array_equal(before, after)


# ---------------------------------------------------------------- conv_params and receptive_field


@pytest.mark.parametrize("c_in, c_out, k", [(1, 1, 1), (3, 16, 3), (16, 32, 5), (64, 10, 1)])
def test_conv_params_counts_the_arrays_of_a_layer(c_in, c_out, k):
    weight, bias = np.zeros((c_out, c_in, k, k)), np.zeros(c_out)
    assert conv_params(c_in, c_out, k) == weight.size + bias.size
    assert conv_params(c_in, c_out, k, bias=False) == weight.size


def test_conv_params_bad_inputs():
    with pytest.raises(ValueError, match="c_in"):
        conv_params(0, 4, 3)
    with pytest.raises(TypeError, match="k"):
        conv_params(3, 4, 3.0)
    with pytest.raises(TypeError, match="bias"):
        conv_params(3, 4, 3, bias="yes")


def measured_receptive_field(stack):
    """Count the input columns that can change output pixel (0, 0) of a stack of all-ones layers."""
    size = receptive_field(stack) + 6
    touched = 0
    for column in range(size):
        x = np.zeros((1, 1, size, size))
        x[0, 0, 0, column] = 1.0
        for k, s in stack:
            x = conv2d(x, np.ones((1, 1, k, k)), stride=s)
        touched += x[0, 0, 0, 0] > 0
    return touched


@pytest.mark.parametrize("stack", [[], [(3, 1)], [(3, 1)] * 3, [(3, 2), (3, 2)], [(5, 2), (3, 1), (2, 2), (3, 1)]])
def test_receptive_field_matches_an_impulse_experiment(stack):
    assert receptive_field(stack) == measured_receptive_field(stack)


def test_receptive_field_grows_by_two_per_3x3_layer():
    assert [receptive_field([(3, 1)] * depth) for depth in range(5)] == [1, 3, 5, 7, 9]


def test_receptive_field_bad_inputs():
    with pytest.raises(TypeError, match="layers"):
        receptive_field(3)
    with pytest.raises(ValueError, match=r"layers\[1\]"):
        receptive_field([(3, 1), (3,)])
    with pytest.raises(ValueError, match=r"layers\[0\] S"):
        receptive_field([(3, 0)])


# ---------------------------------------------------------------- the two gaps


LINEAR_SHIFT_INVARIANT = [box_wrap, gauss_wrap, lambda f: correlate2d(f, KERNEL, mode="wrap")]


@pytest.mark.parametrize("op", LINEAR_SHIFT_INVARIANT)
@pytest.mark.parametrize("a, b", [(2.0, 0.0), (0.3, -1.7), (-1.0, 4.0)])
def test_linear_filters_have_zero_linearity_gap(op, a, b):
    assert linearity_gap(op, F, G, a, b) < 1e-12


@pytest.mark.parametrize("op", LINEAR_SHIFT_INVARIANT)
@pytest.mark.parametrize("dy, dx", [(0, 0), (3, -5), (-11, 29), (40, 7)])
def test_wrap_padded_filters_are_exactly_shift_equivariant(op, dy, dx):
    assert shift_equivariance_gap(op, F, dy, dx, boundary="wrap") < 1e-12


@pytest.mark.parametrize("op, name", [
    (median_wrap, "median"), (lambda f: threshold(f, 0.5), "threshold"), (lambda f: gamma(f, 2.2), "gamma"),
])
def test_counter_examples_to_linearity(op, name):
    # a, b keep a·f + b·g inside [0, 1] so that gamma accepts it.
    assert linearity_gap(op, F, G, 0.5, 0.5) > 0.05, name
    # They are still shift-equivariant: each pixel is treated alike.
    assert shift_equivariance_gap(op, F, 4, -7) < 1e-12, name


def test_varying_blur_is_linear_but_not_shift_invariant():
    assert linearity_gap(varying_wrap, F, G, 1.7, -0.4) < 1e-12
    assert shift_equivariance_gap(varying_wrap, F, 0, 6) > 0.05
    # Moving along the rows keeps sigma, so a purely vertical shift is still equivariant.
    assert shift_equivariance_gap(varying_wrap, F, 5, 0) < 1e-12


def test_zero_padded_blur_agrees_only_in_the_interior():
    def blur(image):
        return correlate2d(image, BOX, mode="constant")

    gap, (rows, cols) = shift_equivariance_gap(blur, F, 3, -4, boundary="zero", radius=1, return_interior=True)
    assert gap < 1e-12
    assert (rows, cols) == (slice(4, 23), slice(1, 25))
    # Comparing one pixel closer to the border (radius too small) catches the difference.
    assert shift_equivariance_gap(blur, F, 3, -4, boundary="zero", radius=0) > 0.01


@given(st.integers(-10, 10), st.integers(-10, 10), st.integers(0, 4))
def test_zero_shift_interior_is_where_the_two_paths_agree_for_a_constant_image(dy, dx, radius):
    ones = np.ones((21, 23))

    def blur(image):
        return ndi.uniform_filter(image, 2 * radius + 1, mode="constant")

    gap, (rows, cols) = shift_equivariance_gap(blur, ones, dy, dx, boundary="zero", radius=radius,
                                              return_interior=True)
    assert gap < 1e-12
    assert rows.stop - rows.start == max(0, 21 - 2 * radius - abs(dy))
    assert cols.stop - cols.start == max(0, 23 - 2 * radius - abs(dx))


@given(arrays(np.float64, st.tuples(st.integers(2, 8), st.integers(2, 8)), elements=st.floats(-4, 4)),
       st.floats(-3, 3), st.floats(-3, 3), st.integers(0, 2**16))
def test_any_matrix_acting_on_pixels_is_linear(f, a, b, seed):
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(f.size, f.size))
    g = rng.normal(size=f.shape)

    def op(image):
        return (matrix @ image.ravel()).reshape(image.shape)

    scale = 1 + np.abs(matrix).sum(axis=1).max() * (abs(a) + abs(b)) * max(np.abs(f).max(), np.abs(g).max())
    assert linearity_gap(op, f, g, a, b) <= 1e-12 * scale


@given(st.integers(1, 12), st.integers(1, 12), st.integers(-13, 13), st.integers(-13, 13), st.integers(0, 3))
def test_shift_interior_is_exactly_where_a_loop_says_both_paths_read_real_pixels(height, width, dy, dx, radius):
    rows, cols = shift_interior((height, width), dy, dx, radius)
    inside = np.zeros((height, width), bool)
    inside[rows, cols] = True

    def real(m, n):
        return 0 <= m < height and 0 <= n < width

    for m in range(height):
        for n in range(width):
            window = [(m + i, n + j) for i in range(-radius, radius + 1) for j in range(-radius, radius + 1)]
            # shift then filter reads f'(p) = f(p - shift), which must be a real pixel of f' and of f;
            # filter then shift reads f around (m - dy, n - dx), which must stay inside f.
            ok = all(real(p, q) and real(p - dy, q - dx) for p, q in window)
            assert inside[m, n] == ok, (m, n)


def test_shift_interior_bad_inputs():
    with pytest.raises(ValueError, match="shape"):
        shift_interior(5, 0, 0, 1)
    with pytest.raises(ValueError, match="radius"):
        shift_interior((5, 5), 0, 0, -1)
    with pytest.raises(TypeError, match="dx"):
        shift_interior((5, 5), 0, None, 1)


def test_gap_bad_inputs_name_the_parameter():
    with pytest.raises(TypeError, match="op must be callable"):
        linearity_gap(np.ones((3, 3)), F, G)
    with pytest.raises(TypeError, match="op must be callable"):
        shift_equivariance_gap("blur", F, 1, 1)
    with pytest.raises(ValueError, match="f and g"):
        linearity_gap(box_wrap, F, G[:5])
    with pytest.raises(ValueError, match="boundary"):
        shift_equivariance_gap(box_wrap, F, 1, 1, boundary="reflect")
    with pytest.raises(ValueError, match="radius"):
        shift_equivariance_gap(box_wrap, F, 1, 1, boundary="zero", radius=-1)
    with pytest.raises(TypeError, match="dy"):
        shift_equivariance_gap(box_wrap, F, 1.5, 1)
    with pytest.raises(ValueError, match="op must return"):
        shift_equivariance_gap(lambda f: f[1:], F, 1, 1)
    with pytest.raises(TypeError, match="op must return"):
        linearity_gap(lambda f: "image", F, G)
    with pytest.raises(ValueError, match="f must not contain NaN"):
        linearity_gap(box_wrap, np.full((3, 3), np.nan), G[:3, :3])


def test_linearity_gap_weights_past_their_ceiling_are_refused_by_name():
    from cvlab.convolution import MAX_WEIGHT

    for name in ("a", "b"):
        for value in (1e300, -1e300):
            with pytest.raises(ValueError, match=f"^{name} must be"):
                linearity_gap(np.square, F, G, **{name: value})
    # at the ceiling a squaring op on 0–255 levels is still finite, and exactly measured
    f = np.full((2, 2), 255.0)
    expected = (2 * MAX_WEIGHT * 255.0) ** 2 - 2 * MAX_WEIGHT * 255.0**2    # (a f + b f)² − (a f² + b f²)
    assert linearity_gap(np.square, f, f, MAX_WEIGHT, MAX_WEIGHT) == pytest.approx(expected, rel=1e-15)


def test_gaps_pass_copies_so_an_in_place_op_cannot_change_the_inputs():
    f, g = F.copy(), G.copy()

    def rude(image):
        image += 1
        return image

    linearity_gap(rude, f, g)
    shift_equivariance_gap(rude, f, 2, 3)
    shift_equivariance_gap(rude, f, 2, 3, boundary="zero")
    np.testing.assert_array_equal(f, F)
    np.testing.assert_array_equal(g, G)


# ---------------------------------------------------------------- the counter-examples themselves


@given(arrays(np.uint8, st.tuples(st.integers(1, 9), st.integers(1, 9))), st.integers(0, 256))
def test_threshold_matches_numpy(image, t):
    out = threshold(image, t)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.where(image >= t, 1.0, 0.0))


def test_threshold_bad_inputs_and_rgb():
    cat = data.load_image("chelsea")
    assert threshold(cat, 128).shape == cat.shape
    with pytest.raises(TypeError, match="t"):
        threshold(cat, None)
    with pytest.raises(ValueError, match="image"):
        threshold(np.zeros(5), 1)


def test_varying_blur_column_n_is_a_gaussian_of_sigma_n():
    image = data.load_image("camera")[100:140, 200:260] / 255
    low, high = 0.6, 2.5
    out = varying_blur(image, low, high)
    radius = int(np.ceil(3 * high))
    sigmas = np.linspace(low, high, image.shape[1])
    for n in (0, 7, 31, 59):
        expected = ndi.gaussian_filter(image, sigmas[n], radius=radius, mode="reflect")[:, n]
        np.testing.assert_allclose(out[:, n], expected, atol=1e-12, rtol=0)


def test_varying_blur_with_one_sigma_is_gaussian_blur_and_keeps_constants():
    image = data.load_image("coins")[:50, :70] / 255
    np.testing.assert_allclose(varying_blur(image, 1.0, 1.0), gaussian_blur(image, 1.0), atol=1e-12, rtol=0)
    np.testing.assert_allclose(varying_blur(np.full((9, 12), 0.25), 0.5, 3), 0.25, atol=1e-15, rtol=0)


def test_varying_blur_rgb_is_per_channel_and_leaves_input_unchanged():
    cat = data.load_image("chelsea")[:30, :40]
    before = cat.copy()
    out = varying_blur(cat, 0.5, 2.0)
    np.testing.assert_array_equal(cat, before)
    for c in range(3):
        np.testing.assert_allclose(out[..., c], varying_blur(cat[..., c], 0.5, 2.0), atol=1e-12, rtol=0)


def test_varying_blur_bad_inputs():
    with pytest.raises(ValueError, match="sigma_min"):
        varying_blur(F, 0, 1)
    with pytest.raises(ValueError, match="sigma_max"):
        varying_blur(F, 2, 1)
    with pytest.raises(ValueError, match="mode"):
        varying_blur(F, 1, 2, mode="mirror")
    with pytest.raises(ValueError, match="image"):
        varying_blur(np.zeros((2, 2, 2)), 1, 2)


@pytest.mark.parametrize("layers", [[(3, 1)], [(3, 1), (3, 1), (5, 1)], [(3, 2), (3, 1)], [(7, 2), (3, 2), (3, 1)]])
def test_receptive_field_weights_are_the_gradient_of_one_output(layers):
    # Reference: push every input impulse forward with conv2d and read the one output it reaches.
    weights = receptive_field_weights(layers)
    size = receptive_field(layers)
    assert weights.shape == (size, size)
    forward = np.zeros((size, size))
    for r, c in np.ndindex(size, size):
        y = np.zeros((1, 1, size, size))
        y[0, 0, r, c] = 1.0
        for k, s in layers:
            y = conv2d(y, np.ones((1, 1, k, k)), stride=s)
        assert y.shape[-2:] == (1, 1)
        forward[r, c] = y[0, 0, 0, 0]
    np.testing.assert_array_equal(weights, forward)


@pytest.mark.parametrize("boundary", ["wrap", "zero"])
def test_shift_paths_are_the_two_sides_of_the_notes_identity(boundary):
    first, second = shift_paths(box_wrap, F, 3, -5, boundary)
    move = (lambda f: np.roll(f, (3, -5), axis=(0, 1))) if boundary == "wrap" else (lambda f: shift(f, 3, -5))
    np.testing.assert_array_equal(first, box_wrap(move(F)))
    np.testing.assert_array_equal(second, move(box_wrap(F)))
    if boundary == "wrap":
        assert shift_equivariance_gap(box_wrap, F, 3, -5) == np.abs(first - second).max()


def _loop_weights(layers):
    """The former scatter loop: one output impulse spread back through each layer."""
    weights = np.ones((1, 1))
    for k, s in reversed(layers):
        span = (weights.shape[0] - 1) * s + 1
        back = np.zeros((span + k - 1, span + k - 1))
        for i in range(k):
            for j in range(k):
                back[i:i + span:s, j:j + span:s] += weights
        weights = back
    return weights


@given(st.lists(st.tuples(st.integers(1, 6), st.integers(1, 3)), max_size=4))
def test_receptive_field_weights_separable_path_equals_the_scatter_loop(layers):
    np.testing.assert_array_equal(receptive_field_weights(layers), _loop_weights(layers))


def test_receptive_field_weights_centred_on_a_canvas():
    weights = receptive_field_weights([(3, 1)] * 2)
    canvas = receptive_field_weights([(3, 1)] * 2, size=9)
    np.testing.assert_array_equal(canvas[2:7, 2:7], weights)
    assert canvas.sum() == weights.sum()
    cropped = receptive_field_weights([(5, 1)] * 3, size=7)       # field 13 cropped to its centre 7 x 7
    np.testing.assert_array_equal(cropped, receptive_field_weights([(5, 1)] * 3)[3:10, 3:10])
    with pytest.raises(ValueError, match="size"):
        receptive_field_weights([(3, 1)], size=0)
