"""Laws that hold for every input, checked over generated images, kernels and models (hypothesis).

The histogram, point-operation, linearity and logistic-mixture laws live next
to their modules' other tests; this file holds the rest of the course's laws.
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cvlab import convolution, features, filters, pixelcnn

finite = st.floats(-100, 100, allow_nan=False, width=64)
images = arrays(np.float64, st.tuples(st.integers(5, 16), st.integers(5, 16)), elements=finite)
kernels = arrays(np.float64, st.sampled_from([(1, 1), (3, 3), (3, 5), (5, 3)]), elements=finite)


@given(images, kernels, st.integers(-20, 20), st.integers(-20, 20))
def test_correlation_is_shift_equivariant_with_wrap_padding(f, w, dy, dx):
    shifted_then_filtered = filters.correlate2d(np.roll(f, (dy, dx), axis=(0, 1)), w, mode="wrap")
    filtered_then_shifted = np.roll(filters.correlate2d(f, w, mode="wrap"), (dy, dx), axis=(0, 1))
    np.testing.assert_allclose(shifted_then_filtered, filtered_then_shifted, atol=1e-9)


@given(images, arrays(np.float64, st.sampled_from([1, 3, 5]), elements=st.floats(-10, 10)),
       arrays(np.float64, st.sampled_from([1, 3, 5]), elements=st.floats(-10, 10)),
       st.sampled_from(["constant", "edge", "symmetric", "reflect", "wrap"]))
def test_separable_equals_2d_for_rank_one_kernels(f, column, row, mode):
    two_d = filters.correlate2d(f, np.outer(column, row), mode=mode)
    # Both sum the same products in another order: rounding grows with the terms' size, not the result's.
    scale = np.abs(f).max() * np.abs(column).sum() * np.abs(row).sum()
    np.testing.assert_allclose(filters.separable_correlate(f, column, row, mode=mode), two_d, atol=1e-12 * scale)


@given(st.floats(0.1, 20), st.one_of(st.none(), st.integers(0, 30)))
def test_gaussian_kernels_sum_to_one(sigma, radius):
    assert abs(filters.gaussian_kernel1d(sigma, radius).sum() - 1) < 1e-12
    assert abs(filters.gaussian_kernel2d(sigma, radius).sum() - 1) < 1e-12


@given(st.integers(1, 30), st.integers(1, 30), st.integers(1, 7), st.integers(0, 3), st.integers(1, 4))
def test_output_size_matches_the_real_output_shape(height, width, k, p, s):
    if height - k + 2 * p < 0 or width - k + 2 * p < 0:
        return
    out = filters.correlate2d(np.ones((height, width)), np.ones((k, k)), padding=p, stride=s)
    assert out.shape == (filters.output_size(height, k, p, s), filters.output_size(width, k, p, s))


@given(arrays(np.float64, st.tuples(st.integers(12, 24), st.integers(12, 24)), elements=st.floats(0, 255)),
       st.integers(0, 2**16), st.integers(1, 3))
def test_harris_response_and_corners_rotate_with_a_90_degree_rotation(image, seed, turns):
    # A little seeded texture breaks exact ties, whose raster-order resolution no rotation can respect.
    image = image + np.random.default_rng(seed).random(image.shape)
    response = features.harris_response(image)
    rotated = features.harris_response(np.rot90(image, turns))
    np.testing.assert_allclose(rotated, np.rot90(response, turns), atol=1e-9 * np.abs(response).max())
    corners = {tuple(p) for p in features.corner_peaks(response, min_distance=2)}
    found = features.corner_peaks(rotated, min_distance=2)
    assert {tuple(p) for p in _unrotate(found, turns, response.shape)} == corners


def _unrotate(points, turns, shape):
    """Map (row, col) in np.rot90(a, turns) back to (row, col) in a of ``shape``."""
    for step in range(turns):  # undo one quarter turn at a time: rot90 sends a[i, j] to (width - 1 - j, i)
        width = shape[1] if (turns - 1 - step) % 2 == 0 else shape[0]
        points = np.column_stack([points[:, 1], width - 1 - points[:, 0]])
    return points


@given(st.sampled_from([pixelcnn.PixelCNN, pixelcnn.GatedPixelCNN]), st.integers(0, 2**16),
       st.integers(2, 5), st.integers(3, 6), st.integers(3, 6))
def test_pixelcnn_never_sees_the_future_with_random_weights(model_class, seed, levels, height, width):
    rng = np.random.default_rng(seed)
    model = model_class(levels=levels, channels=4, n_layers=2, rng=rng)
    x = rng.integers(0, levels, (1, height, width))
    base = model.forward(x).reshape(levels, -1)
    j = int(rng.integers(0, height * width))
    y = x.copy()
    y.flat[j] = (y.flat[j] + 1) % levels
    changed = model.forward(y).reshape(levels, -1)
    assert np.array_equal(changed[:, : j + 1], base[:, : j + 1])


@given(st.integers(1, 3), st.integers(1, 3), st.sampled_from([1, 3, 5]), st.integers(3, 7), st.integers(3, 7),
       st.integers(0, 2**16), st.booleans())
def test_pixelcnn_conv2d_channels_last_equals_convolution_conv2d_channels_first(c_in, c_out, k, height, width, seed,
                                                                                masked):
    rng = np.random.default_rng(seed)
    layer = (pixelcnn.MaskedConv2d(c_in, c_out, k, "B", rng=rng) if masked
             else pixelcnn.Conv2d(c_in, c_out, k, rng=rng))
    layer.params["b"] = rng.standard_normal(c_out)
    x = rng.standard_normal((2, height, width, c_in))
    channels_first = convolution.conv2d(np.moveaxis(x, -1, 1), layer.params["w"] * layer.mask, layer.params["b"],
                                        stride=1, padding=k // 2)
    np.testing.assert_allclose(layer.forward(x), np.moveaxis(channels_first, 1, -1), atol=1e-12)
