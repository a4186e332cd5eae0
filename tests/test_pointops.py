import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cvlab import data
from cvlab.histogram import histogram
from cvlab.pointops import add, flip_horizontal, gamma, invert, scale, shift

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
