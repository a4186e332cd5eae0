"""Image histograms: from a 2-D pixel matrix to a 1-D distribution of grey levels.

Images are uint8 levels in [0, 255] or floats in [0, 1] (see ``cvlab._checks``).
Global equalization (:func:`equalize`) maps every pixel through one lookup
table; adaptive equalization (:func:`clahe`) gives each tile its own.
"""

import numpy as np

from ._checks import as_array, as_choice, as_int, as_int_pair, as_levels, as_real

__all__ = ["MAX_TILES", "histogram", "cdf", "equalize", "clahe", "compare"]

COMPARE_METHODS = ("intersection", "chi2", "bhattacharyya")

#: Most tiles per axis for :func:`clahe`: 64 × 64 lookup tables of 256 levels are 8 MB.
MAX_TILES = 64


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

    See Also
    --------
    cdf : the cumulative histogram.
    compare : distances between two histograms.

    Taught in: 01_histograms, "图像直方图".

    Examples
    --------
    >>> histogram(np.array([[0, 0], [255, 7]], dtype=np.uint8))[[0, 7, 255]]
    array([2, 1, 1])
    >>> histogram(np.array([[0.0, 0.5], [0.99, 1.0]]), bins=2)
    array([1, 3])
    """
    levels = as_levels(image)
    return _histograms(levels, as_int(bins, "bins", minimum=1, maximum=256))


def _histograms(levels, bins=256):
    """h of checked grey levels, or one h per channel (rows r, g, b) of RGB levels."""
    if levels.ndim == 3:
        return np.stack([_histogram(levels[..., c], bins) for c in range(3)])
    return _histogram(levels, bins)


def _histogram(levels, bins=256):
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

    See Also
    --------
    histogram, equalize

    Taught in: 01_histograms, "累积直方图".

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
    cumulative = _cdf(counts)
    if not normalized:
        return cumulative.astype(np.int64) if np.issubdtype(counts.dtype, np.integer) else cumulative
    total = cumulative[..., -1:]
    if (total == 0).any():
        raise ValueError("hist must have a positive total to be normalized")
    return cumulative / total


def _cdf(counts):
    return np.cumsum(counts, axis=-1)


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

    See Also
    --------
    clahe : one lookup table per tile, with a clip limit.
    cdf : the lookup table before scaling.

    References
    ----------
    .. [1] R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.3.

    Taught in: 01_histograms, "直方图均衡化".

    Examples
    --------
    >>> equalize(np.array([[10, 10], [20, 30]], dtype=np.uint8))
    array([[  0,   0],
           [128, 255]], dtype=uint8)
    """
    levels = as_levels(image, color=False)
    if levels.dtype != np.uint8:
        raise TypeError("image must be uint8 for equalize; got float (multiply by 255 and round)")
    cumulative = _cdf(_histogram(levels))
    c_min = cumulative[cumulative > 0][0]
    n = levels.size
    if n == c_min:
        return levels.copy()
    lut = np.round((cumulative - c_min) / (n - c_min) * 255)
    return np.clip(lut, 0, 255).astype(np.uint8)[levels]


def _tile_edges(length, tiles):
    """Boundaries of ``tiles`` nearly equal tiles along an axis of ``length`` pixels."""
    return np.round(np.linspace(0, length, tiles + 1)).astype(np.int64)


def _clipped_histogram(tile, clip_limit):
    """h clipped at L = max(1, clip_limit · n) counts per bin, the excess spread evenly over the bins below L.

    A bin that reaches L takes no more, and what it cannot take goes round again
    (Zuiderveld's redistribution); only when all 256 bins are full (L · 256 < n)
    is the rest spread over every bin.
    """
    counts = _histogram(tile).astype(np.float64)
    limit = max(1.0, clip_limit * tile.size)
    excess = np.maximum(counts - limit, 0.0).sum()
    counts = np.minimum(counts, limit)
    while excess > 1e-9 * tile.size:
        room = limit - counts
        below = room > 0
        if not below.any():
            return counts + excess / counts.size
        added = np.where(below, np.minimum(room, excess / np.count_nonzero(below)), 0.0)
        counts += added
        excess -= added.sum()
    return counts


def _axis_weights(length, edges):
    """For each pixel on an axis: the tile before it, the tile after it, and the weight of the latter."""
    centres = (edges[:-1] + edges[1:] - 1) / 2
    position = np.arange(length, dtype=np.float64)
    after = np.searchsorted(centres, position, side="right")
    before = np.clip(after - 1, 0, len(centres) - 1)
    after = np.clip(after, 0, len(centres) - 1)
    span = centres[after] - centres[before]
    weight = np.where(span > 0, (position - centres[before]) / np.where(span > 0, span, 1.0), 0.0)
    return before, after, weight


def _clahe(levels, tiles, clip_limit):
    row_edges, col_edges = _tile_edges(levels.shape[0], tiles[0]), _tile_edges(levels.shape[1], tiles[1])
    maps = np.empty((tiles[0], tiles[1], 256))
    for i, j in np.ndindex(*tiles):
        tile = levels[row_edges[i]:row_edges[i + 1], col_edges[j]:col_edges[j + 1]]
        maps[i, j] = 255 * _cdf(_clipped_histogram(tile, clip_limit)) / tile.size
    top, bottom, down = _axis_weights(levels.shape[0], row_edges)
    left, right, across = _axis_weights(levels.shape[1], col_edges)
    top, bottom, down = top[:, None], bottom[:, None], down[:, None]
    upper = (1 - across) * maps[top, left, levels] + across * maps[top, right, levels]
    lower = (1 - across) * maps[bottom, left, levels] + across * maps[bottom, right, levels]
    return np.floor((1 - down) * upper + down * lower + 0.5).astype(np.uint8)


def clahe(image, tiles=8, clip_limit=0.01):
    """Contrast-limited adaptive histogram equalization (CLAHE) of a grey uint8 image.

    The image is cut into tiles × tiles regions. Each region's histogram is
    clipped at L = max(1, clip_limit · n) counts per bin (n: the region's
    pixels) and the clipped excess is spread evenly over the bins still below
    L, so the lookup table's slope never exceeds 255·L/n per level: noise in
    flat regions is not blown up. The region's table is T(v) = 255 · c(v) / n with c the
    cumulative clipped histogram. Each pixel is mapped by the four tables of
    the nearest region centres, weighted bilinearly by its distance to them,
    so tile borders leave no seams.

    Parameters
    ----------
    image : array_like
        Grey (H, W) uint8 levels.
    tiles : int or (int, int)
        Regions per axis, from 1 to :data:`MAX_TILES` and at most the image's side.
    clip_limit : float
        In (0, 1]: the largest fraction of a region's pixels one bin may hold.
        1 means no clipping (plain adaptive equalization); smaller values
        limit the contrast gain more.

    Returns
    -------
    ndarray of uint8, shape (H, W)

    See Also
    --------
    equalize : one lookup table for the whole image.

    Notes
    -----
    scikit-image's ``equalize_adapthist`` implements the same method, but it
    first stretches the image to its full range, bins 14-bit levels, mirrors
    the tiles at the border and rescales its output. Given the stretched
    image, the two agree to about one grey level on average (see the tests).

    References
    ----------
    .. [1] K. Zuiderveld, "Contrast limited adaptive histogram equalization," in *Graphics Gems IV*,
       Academic Press, 1994, pp. 474–485.
    .. [2] S. M. Pizer et al., "Adaptive histogram equalization and its variations," Computer Vision,
       Graphics, and Image Processing 39(3), 1987.

    Taught in: 01_histograms, "自适应直方图均衡化".

    Examples
    --------
    >>> ramp = np.tile(np.arange(64, dtype=np.uint8), (64, 1))
    >>> out = clahe(ramp, tiles=1, clip_limit=1.0)     # one region, no clipping: global equalization
    >>> bool(np.array_equal(out[0, ::16], [4, 68, 131, 195]))
    True
    """
    levels = as_levels(image, color=False)
    if levels.dtype != np.uint8:
        raise TypeError("image must be uint8 for clahe; got float (multiply by 255 and round)")
    tiles = as_int_pair(tiles, "tiles", minimum=1)
    if max(tiles) > MAX_TILES:
        raise ValueError(f"tiles must be <= MAX_TILES = {MAX_TILES}; got {tiles}")
    if tiles[0] > levels.shape[0] or tiles[1] > levels.shape[1]:
        raise ValueError(f"tiles must be at most the image's shape {levels.shape}; got {tiles}")
    clip_limit = as_real(clip_limit, "clip_limit", minimum=0, strict=True, maximum=1)
    return _clahe(levels, tiles, clip_limit)


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

    See Also
    --------
    histogram

    References
    ----------
    .. [1] M. J. Swain and D. H. Ballard, "Color indexing," International Journal of Computer Vision 7(1), 1991.
    .. [2] A. Bhattacharyya, "On a measure of divergence between two statistical populations defined by
       their probability distributions," Bulletin of the Calcutta Mathematical Society 35, 1943.

    Taught in: 01_histograms, "减少误报".

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
