import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cvlab import data
from cvlab.histogram import histogram
from cvlab.pointops import (
    add,
    adjust,
    adjust_with_histogram,
    flip_horizontal,
    gamma,
    invert,
    saturated_fraction,
    scale,
    shift,
    to_uint8,
)

uint8_images = arrays(np.uint8, st.tuples(st.integers(1, 12), st.integers(1, 12)))


def test_raw_numpy_wraps_but_add_saturates():
    assert (np.array([250], np.uint8) + np.uint8(20))[0] == 14  # arrays wrap silently
    assert add(np.array([[250]], np.uint8), 20)[0, 0] == 255
    assert add(np.array([[5]], np.uint8), -20)[0, 0] == 0


def test_saturation_at_both_ends_for_scale_and_float_images():
    assert scale(np.array([[200]], np.uint8), 2)[0, 0] == 255
    np.testing.assert_array_equal(add(np.array([[0.2, 0.9]]), 0.3), [[0.5, 1.0]])
    np.testing.assert_allclose(add(np.array([[0.2, 0.9]]), -0.3), [[0.0, 0.6]], atol=1e-15)


@given(uint8_images, st.integers(-300, 300))
def test_add_stays_in_range_and_matches_clipped_int_arithmetic(image, delta):
    out = add(image, delta)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, np.clip(image.astype(int) + delta, 0, 255))


@given(uint8_images)
def test_invert_is_an_involution(image):
    np.testing.assert_array_equal(invert(invert(image)), image)
    np.testing.assert_array_equal(invert(image), 255 - image)


@given(uint8_images)
def test_flip_twice_is_identity_and_keeps_histogram(image):
    np.testing.assert_array_equal(flip_horizontal(flip_horizontal(image)), image)
    np.testing.assert_array_equal(histogram(flip_horizontal(image)), histogram(image))


def test_flip_matches_numpy_fliplr_on_rgb():
    cat = data.load_image("chelsea")
    np.testing.assert_array_equal(flip_horizontal(cat), np.fliplr(cat))


def test_gamma_one_is_identity_and_matches_formula():
    camera = data.load_image("camera")
    np.testing.assert_array_equal(gamma(camera, 1.0), camera)
    expected = np.clip(np.rint(255 * (camera / 255) ** 2.2), 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(gamma(camera, 2.2), expected)


@given(uint8_images, st.integers(-15, 15), st.integers(-15, 15))
def test_shift_matches_a_loop_reference(image, dy, dx):
    height, width = image.shape
    expected = np.zeros_like(image)
    for y in range(height):
        for x in range(width):
            if 0 <= y - dy < height and 0 <= x - dx < width:
                expected[y, x] = image[y - dy, x - dx]
    np.testing.assert_array_equal(shift(image, dy, dx), expected)


def test_shift_fill_and_rgb():
    cat = data.load_image("chelsea")
    out = shift(cat, 10, -20, fill=255)
    assert out.shape == cat.shape
    assert (out[:10] == 255).all() and (out[:, -20:] == 255).all()
    np.testing.assert_array_equal(out[10:, :-20], cat[:-10, 20:])


@pytest.mark.parametrize("op", [
    lambda f: add(f, 20), invert, lambda f: scale(f, 2), lambda f: gamma(f, 0.5),
    flip_horizontal, lambda f: shift(f, 3, -2),
])
def test_inputs_are_left_unchanged(op):
    image = data.load_image("chelsea")
    before = image.copy()
    op(image)
    np.testing.assert_array_equal(image, before)


@pytest.mark.parametrize("call, error, match", [
    (lambda: add(np.zeros((2, 2), np.uint8), "20"), TypeError, "delta"),
    (lambda: add(np.zeros((2, 2), np.uint8), np.nan), ValueError, "delta"),
    (lambda: add(np.zeros(3, np.uint8), 1), ValueError, "image"),
    (lambda: invert([["a"]]), TypeError, "image"),
    (lambda: invert(np.array([[-0.5]])), ValueError, "image"),
    (lambda: scale(np.zeros((2, 2), np.uint8), -1), ValueError, "factor"),
    (lambda: gamma(np.zeros((2, 2), np.uint8), 0), ValueError, r"\bg must"),
    (lambda: flip_horizontal(None), TypeError, "image"),
    (lambda: flip_horizontal(np.zeros((2, 2, 4))), ValueError, "RGBA"),
    (lambda: shift(np.zeros((2, 2)), 1.5, 0), TypeError, "dy"),
    (lambda: shift(np.zeros((2, 2)), 0, "1"), TypeError, "dx"),
    (lambda: shift(np.zeros((2, 2), np.uint8), 0, 0, fill=300), ValueError, "fill"),
    (lambda: shift(np.zeros((2, 2), np.uint8), 0, 0, fill=0.5), ValueError, "fill"),
])
def test_bad_inputs_name_the_parameter(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_add_with_a_half_level_moves_every_level_up_by_one_and_merges_none():
    # Issue 18: rounding half to even sent 0.5 -> 0 but 1.5 -> 2, merging levels 1 and 2.
    levels = np.arange(256, dtype=np.uint8)[None, :]
    out = add(levels, 0.5)
    np.testing.assert_array_equal(out[0, :255], np.arange(1, 256))
    assert len(np.unique(out)) == 255          # only 254 and 255 meet, at the saturated top
    np.testing.assert_array_equal(add(levels, -0.5), levels)   # halves go up: v − 0.5 rounds back to v


@given(uint8_images, st.floats(-300, 300))
def test_add_rounds_halves_up_like_a_loop(image, delta):
    expected = [[min(255, max(0, int(np.floor(v + delta + 0.5)))) for v in row] for row in image.astype(float)]
    np.testing.assert_array_equal(add(image, delta), expected)


@pytest.mark.parametrize("dtype", [np.int32, np.uint16, np.int64])
def test_integer_levels_of_any_dtype_come_back_as_uint8(dtype):
    image = np.array([[0, 100, 250]], dtype=dtype)
    for out in (add(image, 20), invert(image), scale(image, 2), gamma(image, 0.5), adjust(image, 2, 10, 1.0)):
        assert out.dtype == np.uint8
    np.testing.assert_array_equal(add(image, 20), [[20, 120, 255]])
    np.testing.assert_array_equal(invert(image), [[255, 155, 5]])


def test_float_levels_come_back_as_float64():
    image = np.array([[0.0, 0.25, 0.9]], dtype=np.float32)
    for out in (add(image, 0.2), invert(image), scale(image, 2), gamma(image, 0.5)):
        assert out.dtype == np.float64
    np.testing.assert_allclose(invert(image), [[1.0, 0.75, 0.1]], atol=1e-7)


@given(uint8_images, st.floats(0, 3), st.integers(-128, 128), st.floats(0.2, 3))
def test_adjust_is_scale_then_add_then_gamma(image, factor, delta, exponent):
    np.testing.assert_array_equal(adjust(image, factor, delta, exponent),
                                  gamma(add(scale(image, factor), delta), exponent))


@given(arrays(np.uint8, st.tuples(st.integers(1, 12), st.integers(1, 12), st.sampled_from([1, 3]))),
       st.floats(0, 3), st.integers(-128, 128), st.floats(0.2, 3), st.booleans())
def test_adjust_with_histogram_is_adjust_then_its_histogram_and_saturation(image, factor, delta, exponent, floats):
    image = image[..., 0] if image.shape[2] == 1 else image        # grey or RGB
    levels = image / 255 if floats else image
    delta = delta / 255 if floats else delta
    adjusted, hist, saturated = adjust_with_histogram(levels, factor, delta, exponent)
    expected = adjust(levels, factor, delta, exponent)
    np.testing.assert_array_equal(adjusted, expected)
    assert adjusted.dtype == expected.dtype
    np.testing.assert_array_equal(hist, histogram(expected))
    assert saturated == saturated_fraction(expected)


def test_adjust_with_histogram_checks_once_and_names_the_parameter(monkeypatch):
    import cvlab.pointops as pointops

    calls = []
    checked = pointops.as_levels
    monkeypatch.setattr(pointops, "as_levels", lambda *args, **kw: calls.append(1) or checked(*args, **kw))
    adjust_with_histogram(data.load_image("camera"), 1.5, -10, 0.8)
    assert len(calls) == 1
    with pytest.raises(ValueError, match="^g must be >"):
        adjust_with_histogram(np.zeros((2, 2), np.uint8), g=0)
    with pytest.raises(ValueError, match="image"):
        adjust_with_histogram(np.full((2, 2), 2.0))


def test_saturated_fraction_and_to_uint8():
    assert saturated_fraction(np.array([[0, 5, 255, 255]], np.uint8)) == 0.75
    assert saturated_fraction(np.array([[0.0, 0.5, 1.0, 0.25]])) == 0.5
    np.testing.assert_array_equal(to_uint8(np.array([[0.0, 0.5 / 255, 1.5 / 255, 1.0]])), [[0, 1, 2, 255]])
    camera = data.load_image("camera")
    np.testing.assert_array_equal(to_uint8(camera / 255), camera)
    with pytest.raises(ValueError, match="image"):
        to_uint8(np.array([[1.5]]))


def test_huge_gains_and_exponents_saturate_without_warnings():
    import warnings

    image = np.array([[0, 1, 128, 255]], np.uint8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(scale(image, 1e308), [[0, 255, 255, 255]])
        np.testing.assert_array_equal(gamma(image, 1e300), [[0, 0, 0, 255]])
        np.testing.assert_array_equal(add(image, -1e308), [[0, 0, 0, 0]])
