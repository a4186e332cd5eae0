"""Local features: Harris corners, patch descriptors, matching and affine alignment.

Conventions used throughout this module:

* images are grey (H, W), any finite real dtype, processed in float64 in the
  image's own units (a uint8 image keeps levels 0..255; it is *not* divided
  by 255);
* points are (N, 2) arrays of (row, col) = (y, x), like ``np.nonzero`` and
  ``skimage.feature.corner_peaks``;
* geometric transforms are 3x3 homogeneous matrices acting on column vectors
  (row, col, 1): p' = A p. The last row is (0, 0, 1). scikit-image's
  transform classes use (x, y) = (col, row) instead.

Scale conventions versus ``skimage.feature.corner_harris`` (same σ, same k):

* :func:`gradients` divides the Sobel kernel by 8, so Ix and Iy estimate
  ∂f/∂x and ∂f/∂y in levels per pixel; ``ndi.sobel`` (used by scikit-image)
  does not, so its gradients are 8x ours and its M is 64x ours;
* scikit-image converts uint8 images to floats in [0, 1] first (÷255);
* borders: we replicate the edge pixel (``mode='nearest'``) for both the
  Sobel and the Gaussian; scikit-image pads with zeros (``mode='constant'``),
  which adds a strong false edge along the frame.

Away from the border, therefore, R_skimage = (64 / c²)² · R_cvlab with c = 255
for uint8 input and c = 1 for float input: the same map up to a positive factor,
so the same corners. The Gaussian weight w(x, y) has standard deviation σ in
both and is truncated at 4σ.
"""

import numpy as np
from scipy import ndimage as ndi

from ._checks import as_array, as_float_image, as_int, as_real, as_rng

__all__ = [
    "gradients",
    "structure_tensor",
    "harris_response",
    "harris_from_tensor",
    "eigen_map",
    "corner_peaks",
    "refine_subpixel",
    "ssd_surface",
    "describe",
    "match",
    "estimate_affine",
    "ransac",
    "warp",
    "rotate",
    "repeatability",
    "transform_points",
    "response_ratio",
]


# ----------------------------------------------------------------- helpers

def _grey(image, name="image"):
    return as_float_image(image, name, color=False)


def _as_points(points, name, *, allow_empty=True):
    """(N, 2) float64 array of (row, col); N may be 0 if ``allow_empty``."""
    if points is None:
        raise TypeError(f"{name} must be an (N, 2) array of (row, col), not None")
    array = np.asarray(points)
    if array.size == 0 and array.shape in ((0,), (0, 2)):  # [] or an (0, 2) array: no points
        if not allow_empty:
            raise ValueError(f"{name} must contain at least one point")
        return np.zeros((0, 2))
    array = as_array(array, name, ndim=2)
    if array.shape[1] != 2:
        raise ValueError(f"{name} must have shape (N, 2) of (row, col); got {array.shape}")
    return array.astype(np.float64)


def _as_matrix(matrix, name="matrix"):
    """A 3x3 homogeneous affine matrix (a 2x3 matrix gets the row (0, 0, 1))."""
    array = as_array(matrix, name, ndim=2).astype(np.float64)
    if array.shape == (2, 3):
        array = np.vstack([array, [0.0, 0.0, 1.0]])
    if array.shape != (3, 3):
        raise ValueError(f"{name} must be a 3x3 (or 2x3) affine matrix; got shape {array.shape}")
    if not np.allclose(array[2], [0.0, 0.0, 1.0]):
        raise ValueError(f"{name} must be affine: its last row must be (0, 0, 1)")
    return array


def _as_shape(shape, name):
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise TypeError(f"{name} must be a (rows, cols) tuple; got {shape!r}")
    return tuple(as_int(s, name, minimum=1) for s in shape)


# --------------------------------------------------------------- detection

def gradients(image):
    """Sobel derivatives (Iy, Ix) of a grey image, in levels per pixel.

    Ix = f ⋆ (1/8)[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]] (correlation) and Iy
    the same kernel transposed, so Ix ≈ ∂f/∂x (x = column, to the right) and
    Iy ≈ ∂f/∂y (y = row, downwards). Border pixels are replicated.
    ``ndi.sobel`` omits the 1/8, so its values are 8x larger.

    Parameters
    ----------
    image : array_like
        Grey image (H, W), any finite real dtype.

    Returns
    -------
    Iy, Ix : ndarray of float64, each (H, W)

    Examples
    --------
    >>> ramp = np.tile(np.arange(5.0) * 3, (4, 1))   # f(x, y) = 3x
    >>> Iy, Ix = gradients(ramp)
    >>> Ix[1, 1:4], Iy[1, 1:4]
    (array([3., 3., 3.]), array([0., 0., 0.]))
    """
    f = _grey(image)
    iy = ndi.sobel(f, axis=0, mode="nearest")
    ix = ndi.sobel(f, axis=1, mode="nearest")
    iy *= 0.125
    ix *= 0.125
    return iy, ix


def structure_tensor(image, sigma=1.0):
    """Gaussian-weighted structure tensor (second-moment matrix) M per pixel.

    M(x, y) = Σ_{i,j} w(i, j) [[Ix², Ix·Iy], [Ix·Iy, Iy²]](x + i, y + j),
    with w a Gaussian of standard deviation ``sigma`` (truncated at 4σ)
    and Ix, Iy from :func:`gradients`. It is the quadratic form of the SSD
    surface: E(u, v) ≈ [u v] M [u v]ᵀ for small shifts.

    Parameters
    ----------
    image : array_like
        Grey image (H, W).
    sigma : float
        Integration scale σ > 0 of the window w, in pixels.

    Returns
    -------
    Axx, Axy, Ayy : ndarray of float64, each (H, W)
        Axx = w * Ix², Axy = w * (Ix·Iy), Ayy = w * Iy².

    Examples
    --------
    >>> ramp = np.tile(np.arange(6.0), (6, 1))      # Ix = 1, Iy = 0
    >>> Axx, Axy, Ayy = structure_tensor(ramp, sigma=1.0)
    >>> float(Axx[3, 3]), float(Axy[3, 3]), float(Ayy[3, 3])
    (1.0, 0.0, 0.0)
    """
    iy, ix = gradients(image)
    sigma = as_real(sigma, "sigma", minimum=0, strict=True)
    smooth = lambda a: ndi.gaussian_filter(a, sigma, mode="nearest", truncate=4.0)  # noqa: E731
    return smooth(ix * ix), smooth(ix * iy), smooth(iy * iy)


def harris_response(image, sigma=1.0, k=0.05):
    """Harris corner response R = det(M) − k·trace(M)² = λ₁λ₂ − k(λ₁ + λ₂)².

    R is large and positive at corners (both eigenvalues of M large),
    negative along edges (one large) and near zero on flat regions.
    Values are in (levels/pixel)⁴; see the module docstring for the factor
    relating them to ``skimage.feature.corner_harris``.

    Parameters
    ----------
    image : array_like
        Grey image (H, W).
    sigma : float
        Integration scale σ > 0 of the Gaussian window.
    k : float
        Harris sensitivity, 0 <= k < 0.25 (typically 0.04 to 0.06).

    Returns
    -------
    ndarray of float64, (H, W)

    Examples
    --------
    >>> square = np.zeros((12, 12)); square[3:9, 3:9] = 1
    >>> R = harris_response(square)
    >>> bool(R[3, 3] > 0), bool(R[3, 6] < 0), float(R[0, 11])
    (True, True, 0.0)
    """
    k = _harris_k(k)
    return _harris(*structure_tensor(image, sigma), k)


def harris_from_tensor(axx, axy, ayy, k=0.05):
    """R = det(M) − k·trace(M)² from the structure tensor's three images (Axx, Axy, Ayy).

    Split from :func:`harris_response` so an explorer can change k without
    recomputing M.

    Examples
    --------
    >>> harris_from_tensor(np.array([[4.0]]), np.array([[0.0]]), np.array([[1.0]]), k=0.05)
    array([[2.75]])
    """
    k = _harris_k(k)
    axx, axy, ayy = (as_array(a, name, ndim=2).astype(np.float64, copy=False) for a, name in
                     ((axx, "axx"), (axy, "axy"), (ayy, "ayy")))
    if not axx.shape == axy.shape == ayy.shape:
        raise ValueError(f"axx, axy and ayy must have one shape; got {axx.shape}, {axy.shape}, {ayy.shape}")
    return _harris(axx, axy, ayy, k)


def _harris(axx, axy, ayy, k):
    trace = axx + ayy
    response = axx * ayy
    response -= axy * axy
    response -= k * trace * trace
    return response


def _harris_k(k):
    k = as_real(k, "k", minimum=0, maximum=0.25)
    if k == 0.25:
        raise ValueError("k must be < 0.25 (at 0.25 no pixel can score positive)")
    return k


def eigen_map(image, sigma=1.0):
    """Eigenvalues λ₁ >= λ₂ >= 0 of the structure tensor M at every pixel.

    λ₁,₂ = (Axx + Ayy)/2 ± sqrt(((Axx − Ayy)/2)² + Axy²).
    Flat: both small. Edge: λ₁ >> λ₂ ≈ 0. Corner: both large.

    Parameters
    ----------
    image : array_like
        Grey image (H, W).
    sigma : float
        Integration scale σ > 0.

    Returns
    -------
    lambda1, lambda2 : ndarray of float64, each (H, W)

    Examples
    --------
    >>> ramp = np.tile(np.arange(6.0), (6, 1))      # an edge-like ramp
    >>> l1, l2 = eigen_map(ramp)
    >>> float(l1[3, 3]), float(l2[3, 3])
    (1.0, 0.0)
    """
    axx, axy, ayy = structure_tensor(image, sigma)
    half_trace = 0.5 * (axx + ayy)
    root = np.hypot(0.5 * (axx - ayy), axy)
    return half_trace + root, np.maximum(half_trace - root, 0.0)


def corner_peaks(response, min_distance=5, threshold_rel=0.01, num_peaks=None):
    """Non-maximum suppression: the strongest local maxima of a response map.

    A pixel p is kept when R(p) = max of R over the (2d+1) x (2d+1) window
    around it (d = ``min_distance``), R(p) > threshold_rel · max R, and p is
    at least d pixels from every border. Ties and near neighbours are then
    thinned greedily, strongest first, so no two kept peaks are within
    Chebyshev distance d. This follows ``skimage.feature.corner_peaks``.
    Exact ties are broken in raster order, so on a perfectly symmetric
    pattern the surviving peak need not turn with the image.

    Parameters
    ----------
    response : array_like
        2-D response map, e.g. from :func:`harris_response`.
    min_distance : int
        d >= 1: suppression radius and border width, in pixels.
    threshold_rel : float
        In [0, 1]: minimum response relative to the map's maximum.
    num_peaks : int, optional
        Keep at most this many (the strongest).

    Returns
    -------
    ndarray of int64, (N, 2)
        (row, col) of the peaks, strongest first.

    Examples
    --------
    >>> square = np.zeros((10, 10)); square[2:8, 2:8] = 1
    >>> corner_peaks(harris_response(square), min_distance=1)
    array([[2, 2],
           [2, 7],
           [7, 2],
           [7, 7]])
    """
    r = as_array(response, "response", ndim=2).astype(np.float64, copy=False)
    d = as_int(min_distance, "min_distance", minimum=1)
    threshold_rel = as_real(threshold_rel, "threshold_rel", minimum=0, maximum=1)
    if num_peaks is not None:
        num_peaks = as_int(num_peaks, "num_peaks", minimum=0)
    height, width = r.shape
    if height <= 2 * d or width <= 2 * d:
        return np.zeros((0, 2), dtype=np.int64)
    inner = r[d:-d, d:-d]
    local_max = ndi.maximum_filter(r, size=2 * d + 1, mode="nearest")[d:-d, d:-d]
    threshold = max(threshold_rel * r.max(), r.min())
    candidate = (inner == local_max) & (inner > threshold)
    rows, cols = np.nonzero(candidate)
    order = np.argsort(-inner[rows, cols], kind="stable")
    rows, cols = rows[order] + d, cols[order] + d
    taken = np.zeros(r.shape, dtype=bool)
    kept = []
    for row, col in zip(rows.tolist(), cols.tolist()):
        if taken[row, col]:
            continue
        kept.append((row, col))
        if num_peaks is not None and len(kept) >= num_peaks:
            break
        taken[max(row - d, 0):row + d + 1, max(col - d, 0):col + d + 1] = True
    return np.array(kept, dtype=np.int64).reshape(-1, 2)


# Least-squares fit of q(a, b) = c0 + c1 a + c2 b + c3 a² + c4 ab + c5 b² on the 3x3 grid.
_OFFSETS = np.array([(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1)], dtype=np.float64)
_DESIGN = np.column_stack([
    np.ones(9), _OFFSETS[:, 0], _OFFSETS[:, 1], _OFFSETS[:, 0] ** 2,
    _OFFSETS[:, 0] * _OFFSETS[:, 1], _OFFSETS[:, 1] ** 2,
])
_FIT = np.linalg.pinv(_DESIGN)  # (6, 9)


def refine_subpixel(response, points):
    """Sub-pixel peak positions from a quadratic fit to the 3x3 neighbourhood.

    Fits q(a, b) = c₀ + c₁a + c₂b + c₃a² + c₄ab + c₅b² by least squares to R
    at offsets (a, b) ∈ {−1, 0, 1}² (a along rows, b along columns) and moves
    each point to the stationary point of q, where ∇q = 0:
    [[2c₃, c₄], [c₄, 2c₅]] (a, b)ᵀ = −(c₁, c₂)ᵀ. A point is left where it is
    if q is not a maximum there, the step exceeds one pixel, or it lies on
    the border.

    Parameters
    ----------
    response : array_like
        2-D response map.
    points : array_like
        (N, 2) integer (row, col) peaks, e.g. from :func:`corner_peaks`.

    Returns
    -------
    ndarray of float64, (N, 2)

    Examples
    --------
    >>> rows, cols = np.mgrid[0:9, 0:9]
    >>> R = -((rows - 4.3) ** 2) - 2 * (cols - 3.8) ** 2   # peak at (4.3, 3.8)
    >>> refine_subpixel(R, [[4, 4]])
    array([[4.3, 3.8]])
    """
    r = as_array(response, "response", ndim=2).astype(np.float64, copy=False)
    pts = _as_points(points, "points")
    out = pts.copy()
    if len(pts) == 0:
        return out
    if not np.array_equal(pts, np.round(pts)):
        raise ValueError("points must be integer pixel positions (row, col)")
    idx = pts.astype(np.int64)
    height, width = r.shape
    if (idx < 0).any() or (idx[:, 0] >= height).any() or (idx[:, 1] >= width).any():
        raise ValueError(f"points must lie inside response of shape {r.shape}")
    inside = (idx[:, 0] > 0) & (idx[:, 0] < height - 1) & (idx[:, 1] > 0) & (idx[:, 1] < width - 1)
    rows, cols = idx[inside, 0], idx[inside, 1]
    patches = r[rows[:, None] + _OFFSETS[:, 0].astype(int), cols[:, None] + _OFFSETS[:, 1].astype(int)]
    c = patches @ _FIT.T  # (n, 6)
    haa, hab, hbb = 2 * c[:, 3], c[:, 4], 2 * c[:, 5]
    det = haa * hbb - hab * hab
    maximum = (haa < 0) & (det > 0)
    safe = np.where(maximum, det, 1.0)
    da = (-hbb * c[:, 1] + hab * c[:, 2]) / safe
    db = (hab * c[:, 1] - haa * c[:, 2]) / safe
    ok = maximum & (np.abs(da) <= 1) & (np.abs(db) <= 1)
    step = np.where(ok[:, None], np.column_stack([da, db]), 0.0)
    out[inside] += step
    return out


# ------------------------------------------------------------ why corners

def ssd_surface(image, center, window=11, max_shift=8):
    """Error surface of shifting a patch: E(u, v) = Σ_{(x,y)∈W} [f(x+u, y+v) − f(x, y)]².

    W is the ``window`` x ``window`` box centred on ``center``. Flat patches
    give E ≈ 0 everywhere, an edge gives a valley along the edge, a corner a
    bowl that rises in every direction.

    Parameters
    ----------
    image : array_like
        Grey image (H, W).
    center : tuple of int
        (row, col) = (y, x) of the patch centre.
    window : int
        Odd side length of W, >= 1.
    max_shift : int
        Shifts u, v range over −max_shift..max_shift, >= 0.

    Returns
    -------
    ndarray of float64, (2s+1, 2s+1)
        ``E[v + s, u + s]`` with s = max_shift: rows are the vertical shift v,
        columns the horizontal shift u (so ``imshow`` puts u on the x axis).

    Examples
    --------
    >>> edge = np.zeros((9, 9)); edge[:, 4:] = 1       # vertical edge
    >>> ssd_surface(edge, (4, 4), window=3, max_shift=1)
    array([[3., 0., 3.],
           [3., 0., 3.],
           [3., 0., 3.]])
    """
    f = _grey(image)
    window = as_int(window, "window", minimum=1)
    if window % 2 == 0:
        raise ValueError(f"window must be odd; got {window}")
    s = as_int(max_shift, "max_shift", minimum=0)
    if not isinstance(center, (tuple, list, np.ndarray)) or len(center) != 2:
        raise TypeError(f"center must be a (row, col) pair; got {center!r}")
    row, col = (as_int(int(c) if isinstance(c, np.integer) else c, "center") for c in center)
    reach = window // 2 + s
    height, width = f.shape
    if not (reach <= row < height - reach and reach <= col < width - reach):
        raise ValueError(
            f"center {(row, col)} too close to the border: window//2 + max_shift = {reach} "
            f"pixels are needed on every side of an image of shape {f.shape}"
        )
    h = window // 2
    big = f[row - reach:row + reach + 1, col - reach:col + reach + 1]
    patch = f[row - h:row + h + 1, col - h:col + h + 1]
    views = np.lib.stride_tricks.sliding_window_view(big, (window, window))  # (2s+1, 2s+1, w, w)
    diff = views - patch
    return np.einsum("vuij,vuij->vu", diff, diff)


# -------------------------------------------------- description, matching

def describe(image, points, patch_size=9):
    """Normalized patch descriptors: zero mean and unit norm.

    d = (p − mean p) / ‖p − mean p‖ where p is the ``patch_size`` x
    ``patch_size`` patch around each point, flattened row by row. Removing
    the mean and the norm makes d invariant to f → a·f + b (a > 0); the
    Euclidean distance between two descriptors is then sqrt(2 − 2·NCC).
    The patch is axis-aligned (no dominant orientation is estimated), the
    orientation-free baseline: it is *not* rotation invariant. Pixels
    outside the image are mirrored; a flat patch gives the zero vector.

    Parameters
    ----------
    image : array_like
        Grey image (H, W).
    points : array_like
        (N, 2) integer (row, col) positions inside the image.
    patch_size : int
        Odd side length, >= 3.

    Returns
    -------
    ndarray of float64, (N, patch_size²)

    Examples
    --------
    >>> f = np.arange(25.0).reshape(5, 5)
    >>> d = describe(f, [[2, 2]], patch_size=3)
    >>> d.shape, round(float(np.linalg.norm(d)), 6), round(float(d.sum()), 6)
    ((1, 9), 1.0, 0.0)
    """
    f = _grey(image)
    size = as_int(patch_size, "patch_size", minimum=3)
    if size % 2 == 0:
        raise ValueError(f"patch_size must be odd; got {size}")
    pts = _as_points(points, "points")
    if len(pts) == 0:
        return np.zeros((0, size * size))
    if not np.array_equal(pts, np.round(pts)):
        raise ValueError("points must be integer pixel positions (row, col); round them first")
    idx = pts.astype(np.int64)
    if (idx < 0).any() or (idx[:, 0] >= f.shape[0]).any() or (idx[:, 1] >= f.shape[1]).any():
        raise ValueError(f"points must lie inside image of shape {f.shape}")
    h = size // 2
    padded = np.pad(f, h, mode="symmetric")
    offsets = np.arange(size)
    patches = padded[idx[:, 0, None, None] + offsets[:, None], idx[:, 1, None, None] + offsets[None, :]]
    flat = patches.reshape(len(idx), -1)
    flat = flat - flat.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    scale = np.max(np.abs(patches.reshape(len(idx), -1)), axis=1, keepdims=True)
    flat_patch = norms <= 1e-12 * np.maximum(scale, 1.0) * size
    return np.where(flat_patch, 0.0, flat / np.where(flat_patch, 1.0, norms))


def _pairwise_sq(a, b):
    d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.maximum(d2, 0.0)


def match(desc1, desc2, ratio=0.8):
    """Nearest-neighbour matching with Lowe's ratio test.

    For each descriptor a in ``desc1``, find its nearest b₁ and second
    nearest b₂ in ``desc2`` (Euclidean distance) and keep (a, b₁) when
    ‖a − b₁‖ < ratio · ‖a − b₂‖: the best match must be clearly better than
    the runner-up, otherwise it is ambiguous (a repeated texture).

    Parameters
    ----------
    desc1 : array_like
        (N1, D) descriptors.
    desc2 : array_like
        (N2, D) descriptors, N2 >= 2.
    ratio : float
        In (0, 1]; 1 keeps every nearest neighbour with a unique best.

    Returns
    -------
    ndarray of int64, (M, 2)
        Pairs (i, j): desc1[i] matches desc2[j], in increasing i.

    Examples
    --------
    >>> d1 = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> d2 = np.array([[1.0, 0.1], [0.0, 0.9], [0.7, 0.7]])
    >>> match(d1, d2, ratio=0.8)
    array([[0, 1],
           [1, 0]])
    """
    a = as_array(desc1, "desc1", ndim=2).astype(np.float64, copy=False)
    b = as_array(desc2, "desc2", ndim=2).astype(np.float64, copy=False)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"desc1 and desc2 must have the same length D; got {a.shape[1]} and {b.shape[1]}")
    if len(b) < 2:
        raise ValueError("desc2 must hold at least 2 descriptors for the ratio test")
    ratio = as_real(ratio, "ratio", minimum=0, maximum=1, strict=True)
    d2 = _pairwise_sq(a, b)
    nearest = np.argpartition(d2, 1, axis=1)[:, :2]
    first = np.take_along_axis(d2, nearest, axis=1)
    swap = first[:, 1] < first[:, 0]
    best = np.where(swap, nearest[:, 1], nearest[:, 0])
    d_best = np.where(swap, first[:, 1], first[:, 0])
    d_second = np.where(swap, first[:, 0], first[:, 1])
    keep = np.sqrt(d_best) < ratio * np.sqrt(d_second)
    return np.column_stack([np.nonzero(keep)[0], best[keep]]).astype(np.int64)


# --------------------------------------------------------------- alignment

def _matched_points(src, dst):
    """Two (N, 2) float arrays of matched points with N >= 3, enough for an affine fit."""
    s = _as_points(src, "src", allow_empty=False)
    d = _as_points(dst, "dst", allow_empty=False)
    if s.shape != d.shape:
        raise ValueError(f"src and dst must have the same shape; got {s.shape} and {d.shape}")
    if len(s) < 3:
        raise ValueError(f"src must hold at least 3 matched points for an affine fit; got {len(s)}")
    return s, d


def estimate_affine(src, dst):
    """Least-squares affine transform A with dst ≈ A·src (homogeneous).

    Minimizes Σᵢ ‖A (rᵢ, cᵢ, 1)ᵀ − (r'ᵢ, c'ᵢ, 1)ᵀ‖² over the six free entries
    of A; three non-collinear pairs determine it exactly.

    Parameters
    ----------
    src, dst : array_like
        (N, 2) corresponding (row, col) points, N >= 3, not all collinear.

    Returns
    -------
    ndarray of float64, (3, 3)
        [[a, b, t_r], [c, d, t_c], [0, 0, 1]].

    Examples
    --------
    >>> src = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> estimate_affine(src, 2 * src + [3, -1]).round(6) + 0.0
    array([[ 2.,  0.,  3.],
           [ 0.,  2., -1.],
           [ 0.,  0.,  1.]])
    """
    s, d = _matched_points(src, dst)
    design = np.column_stack([s, np.ones(len(s))])
    if np.linalg.matrix_rank(design) < 3:
        raise ValueError("src points are collinear: an affine transform is not determined")
    solution, *_ = np.linalg.lstsq(design, d, rcond=None)  # (3, 2)
    return np.vstack([solution.T, [0.0, 0.0, 1.0]])



def ransac(src, dst, threshold=2.0, iterations=200, rng=0):
    """Robust affine fit by RANSAC, refined by least squares on the inliers.

    Repeat ``iterations`` times: pick 3 pairs at random, solve the affine A
    through them exactly, count inliers ‖A·srcᵢ − dstᵢ‖ < threshold. Keep
    the A with most inliers (ties: smaller inlier error), refit it on all
    its inliers with :func:`estimate_affine`, and report the final inliers.
    With inlier share w, one sample is clean with probability w³, so
    iterations ≈ log(0.01) / log(1 − w³) reach 99 % confidence.

    Parameters
    ----------
    src, dst : array_like
        (N, 2) putative matches (row, col), N >= 3.
    threshold : float
        Inlier distance in pixels, > 0.
    iterations : int
        Number of random 3-point samples, >= 1.
    rng : numpy.random.Generator or int
        Source of randomness (an int is used as a seed).

    Returns
    -------
    matrix : ndarray of float64, (3, 3)
    inliers : ndarray of bool, (N,)

    Examples
    --------
    >>> src = np.array([[0, 0], [0, 10], [10, 0], [10, 10], [5, 5], [3, 7]])
    >>> dst = src + [2.0, 1.0]
    >>> dst[5] = [40, 40]                                # one outlier
    >>> A, inliers = ransac(src, dst, threshold=1.0, iterations=50, rng=0)
    >>> A.round(6) + 0.0
    array([[1., 0., 2.],
           [0., 1., 1.],
           [0., 0., 1.]])
    >>> inliers
    array([ True,  True,  True,  True,  True, False])
    """
    s, d = _matched_points(src, dst)
    threshold = as_real(threshold, "threshold", minimum=0, strict=True)
    iterations = as_int(iterations, "iterations", minimum=1)
    generator = as_rng(rng)
    n = len(s)
    samples = np.stack([generator.choice(n, 3, replace=False) for _ in range(iterations)])
    hs = np.concatenate([s, np.ones((n, 1))], axis=1)  # (n, 3)
    design = hs[samples]  # (it, 3, 3)
    targets = d[samples]  # (it, 3, 2)
    dets = np.linalg.det(design)
    spread = np.abs(design[..., :2]).max(axis=(1, 2)) + 1.0
    good = np.abs(dets) > 1e-9 * spread ** 2
    best_count, best = -1, None
    if good.any():
        params = np.linalg.solve(design[good], targets[good])  # (g, 3, 2): dst = hs @ params
        predicted = np.einsum("nk,gkj->gnj", hs, params)
        err = np.linalg.norm(predicted - d, axis=2)  # (g, n)
        inlier = err < threshold
        counts = inlier.sum(axis=1)
        score = np.where(inlier, err, 0.0).sum(axis=1)
        order = np.lexsort((score, -counts))
        best_count, best = counts[order[0]], inlier[order[0]]
    if best is None or best_count < 3:
        raise ValueError("ransac found no affine model with 3 or more inliers; raise threshold or iterations")
    try:
        matrix = estimate_affine(s[best], d[best])
    except ValueError:
        raise ValueError("ransac's inliers are collinear; raise threshold or iterations") from None
    inliers = np.linalg.norm(_transform(matrix, s) - d, axis=1) < threshold
    if inliers.sum() >= 3 and not np.array_equal(inliers, best):
        try:
            matrix = estimate_affine(s[inliers], d[inliers])
            inliers = np.linalg.norm(_transform(matrix, s) - d, axis=1) < threshold
        except ValueError:
            pass
    return matrix, inliers


def warp(image, matrix, output_shape, fill=0.0, order=1):
    """Apply an affine transform to an image: g(p) = f(A⁻¹ p), bilinear by default.

    ``matrix`` A maps input (row, col) to output (row, col); each output
    pixel p looks up the input at A⁻¹p (inverse mapping, so there are no
    holes) and interpolates between the four neighbours (``order=1``) or
    with a cubic spline (``order=3``, sharper: bilinear interpolation blurs,
    which lowers gradients and thus R). Outside the input it gets ``fill``.

    Parameters
    ----------
    image : array_like
        Grey (H, W) or RGB (H, W, 3) image.
    matrix : array_like
        3x3 (or 2x3) affine matrix, invertible.
    output_shape : tuple of int
        (rows, cols) of the result.
    fill : float
        Value outside the input.
    order : int
        Spline order of the interpolation, 0 (nearest) to 5.

    Returns
    -------
    ndarray of float64, output_shape (+ (3,) for RGB)

    Examples
    --------
    >>> f = np.arange(9.0).reshape(3, 3)
    >>> warp(f, [[1, 0, 1], [0, 1, 0], [0, 0, 1]], (3, 3))   # move down one row
    array([[0., 0., 0.],
           [0., 1., 2.],
           [3., 4., 5.]])
    """
    f = as_float_image(image)
    a = _as_matrix(matrix)
    shape = _as_shape(output_shape, "output_shape")
    fill = as_real(fill, "fill")
    order = as_int(order, "order", minimum=0, maximum=5)
    if abs(np.linalg.det(a[:2, :2])) < 1e-12:
        raise ValueError("matrix must be invertible")
    inverse = np.linalg.inv(a)
    options = dict(output_shape=shape, order=order, mode="constant", cval=fill)
    if f.ndim == 2:
        return ndi.affine_transform(f, inverse, **options)
    return np.stack([ndi.affine_transform(f[..., c], inverse, **options) for c in range(f.shape[2])], axis=-1)


def rotate(image, angle_deg, scale=1.0, output_shape=None, order=3):
    """Rotate (and optionally scale) an image about its centre.

    The matrix is A = T(c_out) · S(scale) · R(θ) · T(−c_in), with c the
    centre ((H − 1)/2, (W − 1)/2) of each image and, in (row, col) with rows
    pointing down, R(θ) = [[cos θ, −sin θ], [sin θ, cos θ]] so positive θ
    turns the picture counter-clockwise on screen.

    Parameters
    ----------
    image : array_like
        Grey or RGB image.
    angle_deg : float
        Rotation angle θ in degrees.
    scale : float
        Isotropic zoom s > 0 (2 doubles the size of the content).
    output_shape : tuple of int, optional
        Size of the result (default: the input's). The input centre lands
        on the output centre, so a smaller output is a centred crop.
    order : int
        Interpolation order passed to :func:`warp`; the default cubic
        spline keeps corners sharp, so R survives the resampling.

    Returns
    -------
    rotated : ndarray of float64
    matrix : ndarray of float64, (3, 3)
        A, mapping input (row, col) to output (row, col).

    Examples
    --------
    >>> f = np.arange(9.0).reshape(3, 3)
    >>> g, A = rotate(f, 90)
    >>> g.round(6) + 0.0
    array([[2., 5., 8.],
           [1., 4., 7.],
           [0., 3., 6.]])
    >>> (A @ [0, 2, 1]).round(6)                         # top-right goes top-left
    array([0., 0., 1.])
    """
    f = as_float_image(image)
    theta = np.deg2rad(as_real(angle_deg, "angle_deg"))
    zoom = as_real(scale, "scale", minimum=0, strict=True)
    shape = f.shape[:2] if output_shape is None else _as_shape(output_shape, "output_shape")
    c_in = (np.array(f.shape[:2]) - 1) / 2.0
    c_out = (np.array(shape) - 1) / 2.0
    cos, sin = np.cos(theta), np.sin(theta)
    # rows point down: a counter-clockwise turn on screen maps (r, c) -> (cos r - sin c, sin r + cos c)
    linear = zoom * np.array([[cos, -sin], [sin, cos]])
    linear = np.where(np.abs(linear) < 1e-15, 0.0, linear)
    matrix = np.eye(3)
    matrix[:2, :2] = linear
    matrix[:2, 2] = c_out - linear @ c_in
    return warp(f, matrix, shape, order=order), matrix


# -------------------------------------------------------------- evaluation

def repeatability(points_a, points_b, matrix, tol=1.5, shape_b=None):
    """Share of A's corners found again in B after mapping through the known transform.

    rep = #{p ∈ A : min_{q∈B} ‖A·p − q‖ <= tol} / #A. With ``shape_b``
    given, only the points of A whose image lands inside B's frame (with a
    margin of tol) are counted, since the others cannot be re-detected.

    Parameters
    ----------
    points_a, points_b : array_like
        (N, 2) and (M, 2) (row, col) corners of images A and B (M may be 0).
    matrix : array_like
        3x3 affine matrix mapping A's coordinates to B's.
    tol : float
        Distance in pixels, >= 0.
    shape_b : tuple of int, optional
        (rows, cols) of image B.

    Returns
    -------
    float
        In [0, 1].

    Examples
    --------
    >>> a = np.array([[10, 10], [20, 30], [5, 5]])
    >>> b = a + [1, 0]                                   # B is A shifted down by one row
    >>> repeatability(a, b, [[1, 0, 1], [0, 1, 0], [0, 0, 1]])
    1.0
    >>> round(repeatability(a, b[:2], [[1, 0, 1], [0, 1, 0], [0, 0, 1]]), 3)  # [5, 5] is lost
    0.667
    """
    a = _as_points(points_a, "points_a", allow_empty=False)
    b = _as_points(points_b, "points_b")
    m = _as_matrix(matrix)
    tol = as_real(tol, "tol", minimum=0)
    mapped = _transform(m, a)
    if shape_b is not None:
        rows, cols = _as_shape(shape_b, "shape_b")
        inside = (
            (mapped[:, 0] >= -tol) & (mapped[:, 0] <= rows - 1 + tol)
            & (mapped[:, 1] >= -tol) & (mapped[:, 1] <= cols - 1 + tol)
        )
        mapped = mapped[inside]
        if len(mapped) == 0:
            raise ValueError("no point of points_a maps inside shape_b")
    if len(b) == 0:
        return 0.0
    nearest = np.sqrt(_pairwise_sq(mapped, b).min(axis=1))
    return float(np.mean(nearest <= tol))


def _transform(matrix, points):
    return points @ matrix[:2, :2].T + matrix[:2, 2]


def transform_points(matrix, points):
    """Map (row, col) points through an affine matrix: p' = A p + t, with A = matrix[:2, :2], t = matrix[:2, 2].

    Examples
    --------
    >>> transform_points([[0, -1, 10], [1, 0, 0], [0, 0, 1]], [[1, 2], [3, 4]])
    array([[8., 1.],
           [6., 3.]])
    """
    return _transform(_as_matrix(matrix), _as_points(points, "points"))


def response_ratio(response_a, points_a, response_b, points_b, matrix, tol=1.5):
    """Median R_B / R_A over A's corners found again in B: how invariant the response is.

    A corner p of A is found again when some corner q of B lies within
    ``tol`` of A·p (as in :func:`repeatability`); the ratio compares the
    response at q in B with the response at p in A. NaN when none is found.

    Examples
    --------
    >>> r_a, r_b = np.ones((5, 5)), np.full((5, 5), 2.0)
    >>> response_ratio(r_a, [[1, 1], [3, 3]], r_b, [[1, 2]], [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
    2.0
    """
    r_a = as_array(response_a, "response_a", ndim=2)
    r_b = as_array(response_b, "response_b", ndim=2)
    a = _as_points(points_a, "points_a", allow_empty=False).astype(np.int64)
    b = _as_points(points_b, "points_b").astype(np.int64)
    tol = as_real(tol, "tol", minimum=0)
    if len(b) == 0:
        return float("nan")
    mapped = _transform(_as_matrix(matrix), a)
    gaps = np.hypot(mapped[:, None, 0] - b[None, :, 0], mapped[:, None, 1] - b[None, :, 1])
    found = gaps.min(axis=1) <= tol
    if not found.any():
        return float("nan")
    partner = b[gaps.argmin(axis=1)[found]]
    return float(np.median(r_b[partner[:, 0], partner[:, 1]] / r_a[a[found, 0], a[found, 1]]))
