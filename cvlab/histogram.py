"""Image histograms: from a 2-D pixel matrix to a 1-D distribution of grey levels.

Images are uint8 levels in [0, 255] or floats in [0, 1] (see ``cvlab._checks``).
"""

import numpy as np

from ._checks import as_array, as_choice, as_int, as_levels

__all__ = ["histogram", "cdf", "equalize", "compare"]

COMPARE_METHODS = ("intersection", "chi2", "bhattacharyya")


def _bin_index(channel, bins):
    """Bin of each pixel: level v of uint8 goes to floor(v * bins / 256)."""
    if channel.dtype == np.uint8:
        return (channel.astype(np.int64) * bins) >> 8
    return np.minimum((channel * bins).astype(np.int64), bins - 1)


def histogram(image, bins=256):
    """Count how many pixels fall in each grey-level bin.

    h(k) = #{(x, y) : f(x, y) in bin k}, with ``bins`` equal bins over
    [0, 256) for uint8 and [0, 1] for float images. The counts of a grey
    image sum to H·W.

    Parameters
    ----------
    image : array_like
        Grey (H, W) or RGB (H, W, 3); uint8 levels or floats in [0, 1].
    bins : int
        Number of equal-width bins, 1 to 256.

    Returns
    -------
    ndarray of int64
        Shape (bins,) for a grey image, (3, bins) for RGB (rows r, g, b).

    Examples
    --------
    >>> histogram(np.array([[0, 0], [255, 7]], dtype=np.uint8))[[0, 7, 255]]
    array([2, 1, 1])
    >>> histogram(np.array([[0.0, 0.5], [0.99, 1.0]]), bins=2)
    array([1, 3])
    """
    levels = as_levels(image)
    bins = as_int(bins, "bins", minimum=1, maximum=256)
    if levels.ndim == 3:
        return np.stack([histogram(levels[..., c], bins) for c in range(3)])
    return np.bincount(_bin_index(levels, bins).ravel(), minlength=bins).astype(np.int64)


def cdf(hist, normalized=False):
    """Cumulative histogram: c(k) = Σ_{j ≤ k} h(j).

    Parameters
    ----------
    hist : array_like
        Non-negative counts along the last axis, as returned by :func:`histogram`.
    normalized : bool
        If true, divide by the total so the last value is 1.

    Returns
    -------
    ndarray
        Same shape as ``hist``: int64 for integer counts, float64 for float
        counts (e.g. an averaged histogram) or if ``normalized``.

    Examples
    --------
    >>> cdf([1, 0, 3])
    array([1, 1, 4])
    >>> cdf([1, 0, 3], normalized=True)
    array([0.25, 0.25, 1.  ])
    """
    counts = as_array(hist, "hist")
    if counts.min() < 0:
        raise ValueError("hist must be non-negative counts")
    cumulative = np.cumsum(counts, axis=-1)
    if not normalized:
        return cumulative.astype(np.int64) if np.issubdtype(counts.dtype, np.integer) else cumulative
    total = cumulative[..., -1:]
    if (total == 0).any():
        raise ValueError("hist must have a positive total to be normalized")
    return cumulative / total


def equalize(image):
    """Histogram equalization of a grey uint8 image.

    g(x, y) = round((c(f(x, y)) − c_min) / (N − c_min) · 255), where c is the
    cumulative histogram, c_min its smallest non-zero value and N = H·W.
    This is OpenCV's ``equalizeHist``. A constant image has nothing to
    stretch and is returned unchanged.

    Parameters
    ----------
    image : array_like
        Grey (H, W) uint8 levels. For an RGB fundus photo, equalize its
        green channel, which carries most of the contrast.

    Returns
    -------
    ndarray of uint8, shape (H, W)

    Examples
    --------
    >>> equalize(np.array([[10, 10], [20, 30]], dtype=np.uint8))
    array([[  0,   0],
           [128, 255]], dtype=uint8)
    """
    levels = as_levels(image, color=False)
    if levels.dtype != np.uint8:
        raise TypeError("image must be uint8 for equalize; got float (multiply by 255 and round)")
    cumulative = cdf(histogram(levels))
    c_min = cumulative[cumulative > 0][0]
    n = levels.size
    if n == c_min:
        return levels.copy()
    lut = np.round((cumulative - c_min) / (n - c_min) * 255)
    return np.clip(lut, 0, 255).astype(np.uint8)[levels]


def compare(h1, h2, method="intersection"):
    """Compare two histograms after normalizing each to sum to 1.

    With p = h1 / Σh1 and q = h2 / Σh2:

    * ``'intersection'``: Σ min(p, q), similarity in [0, 1], 1 when equal;
    * ``'chi2'``: Σ (p − q)² / (p + q) over bins with p + q > 0,
      distance in [0, 2], 0 when equal;
    * ``'bhattacharyya'``: sqrt(1 − Σ sqrt(p · q)), distance in [0, 1],
      0 when equal (OpenCV's ``HISTCMP_BHATTACHARYYA``).

    Parameters
    ----------
    h1, h2 : array_like
        Non-negative 1-D histograms of equal length with positive totals.
    method : {'intersection', 'chi2', 'bhattacharyya'}

    Returns
    -------
    float

    Examples
    --------
    >>> compare([2, 2, 0], [0, 1, 1], "intersection")
    0.5
    >>> compare([1, 0], [0, 1], "bhattacharyya")
    1.0
    """
    p = _as_distribution(h1, "h1")
    q = _as_distribution(h2, "h2")
    if p.shape != q.shape:
        raise ValueError(f"h1 and h2 must have the same shape; got {p.shape} and {q.shape}")
    as_choice(method, "method", COMPARE_METHODS)
    if method == "intersection":
        return float(np.minimum(p, q).sum())
    if method == "chi2":
        total = p + q
        used = total > 0
        return float(((p[used] - q[used]) ** 2 / total[used]).sum())
    overlap = np.sqrt(p * q).sum()
    return float(np.sqrt(max(0.0, 1.0 - overlap)))


def _as_distribution(hist, name):
    counts = as_array(hist, name, ndim=1).astype(np.float64)
    if counts.min() < 0 or counts.sum() <= 0:
        raise ValueError(f"{name} must be non-negative with a positive total")
    return counts / counts.sum()
