import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cvlab import data
from cvlab.histogram import cdf, clahe, compare, equalize, histogram

uint8_images = arrays(np.uint8, st.tuples(st.integers(1, 20), st.integers(1, 20)))


def test_grey_histogram_matches_bincount_on_camera():
    image = data.load_image("camera")
    hist = histogram(image)
    assert hist.dtype == np.int64 and hist.shape == (256,)
    np.testing.assert_array_equal(hist, np.bincount(image.ravel(), minlength=256))


def test_rgb_histogram_has_one_row_per_channel():
    image = data.load_image("chelsea")
    hist = histogram(image)
    assert hist.shape == (3, 256)
    for c in range(3):
        np.testing.assert_array_equal(hist[c], np.bincount(image[..., c].ravel(), minlength=256))


@pytest.mark.parametrize("bins", [1, 2, 16, 100, 256])
def test_binned_histogram_matches_numpy_histogram(bins):
    image = data.load_image("moon")
    expected, _ = np.histogram(image, bins=bins, range=(0, 256))
    np.testing.assert_array_equal(histogram(image, bins), expected)


def test_float_histogram_matches_numpy_histogram_on_faces():
    face = data.faces()[0][0]
    expected, _ = np.histogram(face, bins=32, range=(0, 1))
    np.testing.assert_array_equal(histogram(face, 32), expected)


@given(uint8_images)
def test_histogram_sums_to_pixel_count(image):
    assert histogram(image).sum() == image.size


@given(uint8_images, st.randoms(use_true_random=False))
def test_shuffling_pixels_leaves_histogram_unchanged(image, random):
    flat = image.ravel().tolist()
    random.shuffle(flat)
    shuffled = np.array(flat, dtype=np.uint8).reshape(image.shape)
    np.testing.assert_array_equal(histogram(shuffled), histogram(image))


def test_cdf_is_cumsum_and_normalizes_to_one():
    hist = histogram(data.load_image("camera"))
    np.testing.assert_array_equal(cdf(hist), np.cumsum(hist))
    assert cdf(hist, normalized=True)[-1] == 1.0


def _equalize_reference(image):
    """Independent formula: rank each level by how many pixels are at or below it."""
    levels = np.unique(image)
    n = image.size
    at_or_below = np.array([(image <= v).sum() for v in levels])
    lut = dict(zip(levels, np.round((at_or_below - at_or_below[0]) / (n - at_or_below[0]) * 255)))
    return np.vectorize(lut.get)(image).astype(np.uint8)


@pytest.mark.parametrize("name", ["microaneurysms", "camera"])
def test_equalize_matches_independent_formula(name):
    image = data.load_image(name)
    np.testing.assert_array_equal(equalize(image), _equalize_reference(image))


def test_equalize_stretches_to_full_range_and_flattens_cdf():
    image = data.load_image("microaneurysms")
    out = equalize(image)
    assert out.min() == 0 and out.max() == 255
    uniform = np.linspace(0, 1, 256)
    before = np.abs(cdf(histogram(image), normalized=True) - uniform).max()
    after = np.abs(cdf(histogram(out), normalized=True) - uniform).max()
    assert after < before / 2


@given(uint8_images)
def test_equalize_is_monotone(image):
    out = equalize(image)
    order = np.argsort(image.ravel(), kind="stable")
    assert np.all(np.diff(out.ravel()[order].astype(int)) >= 0)


def test_equalize_leaves_a_constant_image_unchanged():
    image = np.full((4, 5), 77, np.uint8)
    np.testing.assert_array_equal(equalize(image), image)


def test_compare_identical_histograms():
    hist = histogram(data.load_image("camera"))
    assert compare(hist, hist, "intersection") == pytest.approx(1.0)
    assert compare(hist, hist, "chi2") == pytest.approx(0.0)
    assert compare(hist, hist, "bhattacharyya") == pytest.approx(0.0, abs=1e-7)


def test_compare_disjoint_histograms():
    assert compare([1, 0], [0, 3], "intersection") == 0.0
    assert compare([1, 0], [0, 3], "chi2") == 2.0
    assert compare([1, 0], [0, 3], "bhattacharyya") == 1.0


@given(st.lists(st.integers(0, 50), min_size=4, max_size=4).filter(any),
       st.lists(st.integers(0, 50), min_size=4, max_size=4).filter(any))
def test_compare_matches_formulas_and_is_symmetric(a, b):
    p, q = np.array(a) / sum(a), np.array(b) / sum(b)
    assert compare(a, b, "intersection") == pytest.approx(np.minimum(p, q).sum())
    assert compare(a, b, "bhattacharyya") == pytest.approx(np.sqrt(max(0, 1 - np.sqrt(p * q).sum())), abs=1e-7)
    for method in ("intersection", "chi2", "bhattacharyya"):
        assert compare(a, b, method) == pytest.approx(compare(b, a, method))


@pytest.mark.parametrize("call, error, match", [
    (lambda: histogram(np.zeros(5, np.uint8)), ValueError, "image"),
    (lambda: histogram(np.zeros((2, 2, 2, 2), np.uint8)), ValueError, "image"),
    (lambda: histogram(np.zeros((2, 2, 4), np.uint8)), ValueError, "RGBA"),
    (lambda: histogram(np.zeros((0, 3), np.uint8)), ValueError, "empty"),
    (lambda: histogram(np.array([[np.nan]])), ValueError, "NaN"),
    (lambda: histogram(np.array([[1.5]])), ValueError, r"\[0, 1\]"),
    (lambda: histogram(np.array([[300]])), ValueError, r"\[0, 255\]"),
    (lambda: histogram(np.zeros((2, 2), bool)), TypeError, "image"),
    (lambda: histogram(np.zeros((2, 2), complex)), TypeError, "image"),
    (lambda: histogram(np.zeros((2, 2), np.uint8), bins=0), ValueError, "bins"),
    (lambda: histogram(np.zeros((2, 2), np.uint8), bins=2.5), TypeError, "bins"),
    (lambda: cdf([-1, 2]), ValueError, "hist"),
    (lambda: cdf([0, 0], normalized=True), ValueError, "hist"),
    (lambda: equalize(np.zeros((2, 2, 3), np.uint8)), ValueError, "image"),
    (lambda: equalize(np.zeros((2, 2))), TypeError, "uint8"),
    (lambda: compare([1, 2], [1, 2, 3]), ValueError, "shape"),
    (lambda: compare([0, 0], [1, 2]), ValueError, "h1"),
    (lambda: compare([1, 2], [1, 2], "l2"), ValueError, "method"),
])
def test_bad_inputs_name_the_parameter(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_cdf_keeps_float_counts_of_an_averaged_histogram():
    np.testing.assert_array_equal(cdf([0.5, 0.5, 1.0]), [0.5, 1.0, 2.0])


@given(st.lists(st.integers(0, 50), min_size=4, max_size=4).filter(any),
       st.lists(st.integers(0, 50), min_size=4, max_size=4).filter(any))
def test_chi2_matches_its_formula(a, b):
    p, q = np.array(a) / sum(a), np.array(b) / sum(b)
    used = p + q > 0
    expected = ((p[used] - q[used]) ** 2 / (p[used] + q[used])).sum()
    assert compare(a, b, "chi2") == pytest.approx(expected)


# ---------------------------------------------------------------- CLAHE


@pytest.mark.parametrize("name, tiles", [("camera", 8), ("microaneurysms", 4), ("moon", 8)])
def test_clahe_agrees_with_skimage(name, tiles):
    from skimage.exposure import equalize_adapthist, rescale_intensity

    image = data.load_image(name)
    # skimage first stretches the image to its full range; give ours the same input.
    stretched = rescale_intensity(image, out_range=(0, 255)).astype(np.uint8)
    ours = clahe(stretched, tiles=tiles, clip_limit=0.01).astype(float)
    kernel = (image.shape[0] // tiles, image.shape[1] // tiles)
    theirs = 255 * equalize_adapthist(image, kernel_size=kernel, clip_limit=0.01)
    difference = np.abs(ours - theirs)
    # Same method; skimage bins 14-bit levels, mirrors the tiles at the border and rescales its output.
    assert difference.mean() < 2.0, difference.mean()
    assert np.percentile(difference, 99) < 6.0, np.percentile(difference, 99)
    assert np.corrcoef(ours.ravel(), theirs.ravel())[0, 1] > 0.998


def test_clahe_with_one_tile_and_no_clipping_is_global_equalization():
    image = data.load_image("microaneurysms")
    c = cdf(histogram(image))
    expected = np.floor(255 * c / image.size + 0.5).astype(np.uint8)[image]
    np.testing.assert_array_equal(clahe(image, tiles=1, clip_limit=1.0), expected)


def test_clahe_tile_centres_use_their_own_table():
    # At a tile's centre pixel the bilinear weights are (1, 0): the output is that tile's own table.
    image = data.load_image("camera")
    tiles = 8
    out = clahe(image, tiles=tiles, clip_limit=0.02)
    side = 512 // tiles
    for i, j in [(0, 0), (3, 5), (7, 7)]:
        tile = image[i * side:(i + 1) * side, j * side:(j + 1) * side]
        counts = histogram(tile).astype(float)
        limit = max(1.0, 0.02 * tile.size)
        clipped = np.minimum(counts, limit)
        while tile.size - clipped.sum() > 1e-6:   # hand the excess to the bins below the limit, capped there
            below = clipped < limit
            clipped[below] = np.minimum(limit, clipped[below] + (tile.size - clipped.sum()) / below.sum())
        table = np.floor(255 * np.cumsum(clipped) / tile.size + 0.5)
        # the centre (side - 1) / 2 falls between two pixels; both of its neighbours mix at most 1/side of the next
        y, x = i * side + side // 2, j * side + side // 2
        assert abs(int(out[y, x]) - table[image[y, x]]) <= 2


def test_clahe_limits_the_contrast_gain_that_global_equalization_gives_to_flat_regions():
    # A flat, slightly noisy background next to a bright disc: equalization stretches the noise.
    rng = np.random.default_rng(0)
    image = np.clip(rng.normal(60, 1.5, (128, 128)), 0, 255).astype(np.uint8)
    yy, xx = np.mgrid[:128, :128]
    image[(yy - 64) ** 2 + (xx - 64) ** 2 < 30**2] = 200
    background = (slice(0, 20), slice(0, 20))
    unlimited = clahe(image, tiles=4, clip_limit=1.0)[background].std()
    limited = clahe(image, tiles=4, clip_limit=0.01)[background].std()
    assert limited < unlimited / 3


@given(arrays(np.uint8, st.tuples(st.integers(8, 40), st.integers(8, 40))), st.integers(1, 4),
       st.floats(0.005, 1.0))
def test_clahe_keeps_shape_and_order_within_a_single_tile(image, tiles, clip_limit):
    out = clahe(image, tiles=1, clip_limit=clip_limit)
    assert out.shape == image.shape and out.dtype == np.uint8
    order = np.argsort(image.ravel(), kind="stable")
    assert np.all(np.diff(out.ravel()[order].astype(int)) >= 0)
    assert clahe(image, tiles=tiles, clip_limit=clip_limit).shape == image.shape


@pytest.mark.parametrize("call, error, match", [
    (lambda: clahe(np.zeros((8, 8))), TypeError, "uint8"),
    (lambda: clahe(np.zeros((8, 8), np.uint8), tiles=0), ValueError, "tiles"),
    (lambda: clahe(np.zeros((8, 8), np.uint8), tiles=9), ValueError, "tiles"),
    (lambda: clahe(np.zeros((8, 8), np.uint8), clip_limit=0), ValueError, "clip_limit"),
    (lambda: clahe(np.zeros((8, 8), np.uint8), clip_limit=1.5), ValueError, "clip_limit"),
    (lambda: clahe(np.zeros((8, 8, 3), np.uint8)), ValueError, "image"),
])
def test_clahe_bad_inputs(call, error, match):
    with pytest.raises(error, match=match):
        call()
