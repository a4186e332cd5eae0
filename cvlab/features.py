"""Local features: Harris corners, patch descriptors, matching, and affine or projective alignment.

Conventions used throughout this module:

* images are grey (H, W), any finite real dtype, processed in float64 in the
  image's own units (a uint8 image keeps levels 0..255; it is *not* divided
  by 255);
* points are (N, 2) arrays of (row, col) = (y, x), like ``np.nonzero`` and
  ``skimage.feature.corner_peaks``;
* geometric transforms are 3x3 homogeneous matrices acting on column vectors
  (row, col, 1). An affine matrix A has the last row (0, 0, 1) and maps
  p' = A p. A projective matrix (a homography) H maps p to
  ((H p)₁ / (H p)₃, (H p)₂ / (H p)₃): the projective division.
  scikit-image's transform classes use (x, y) = (col, row) instead, so their
  matrix is P H P with P the swap [[0, 1, 0], [1, 0, 0], [0, 0, 1]].

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

Ceilings (module constants, stated in each docstring) keep every call on the
course's images under about 1 GB and 10 s; past one, the call raises
``ValueError`` naming the parameter and the ceiling.
"""

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import ndimage as ndi
from scipy.spatial import cKDTree

from . import edges
from ._checks import as_array, as_choice, as_float_image, as_int, as_odd, as_real, as_rng

__all__ = [
    "EIGEN_CLASSES",
    "gradients",
    "structure_tensor",
    "harris_response",
    "harris_from_tensor",
    "harris_zero_slope",
    "eigen_map",
    "classify_eigenvalues",
    "corner_peaks",
    "refine_subpixel",
    "saddle",
    "ssd_surface",
    "bright_blobs",
    "describe",
    "match",
    "nearest_neighbours",
    "find_matches",
    "estimate_affine",
    "estimate_homography",
    "ransac",
    "ransac_trials",
    "residuals",
    "frame_error",
    "warp",
    "overlap_difference",
    "mosaic",
    "rotate",
    "rotation_homography",
    "shear_wave",
    "repeatability",
    "transform_points",
    "relative_transform",
    "response_ratio",
]

#: Labels of the codes returned by :func:`classify_eigenvalues`.
EIGEN_CLASSES = ("flat", "edge", "corner")

#: Largest integration scale σ: a 4σ-truncated window of 513 taps, about 1 s on a 512 x 512 image.
MAX_SIGMA = 64.0
#: Largest descriptor patch side (a patch wider than the course's views describes nothing local).
MAX_PATCH_SIZE = 65
#: Largest number of descriptor values N · patch_size² computed in one call (128 MB of float64).
MAX_DESCRIPTOR_VALUES = 2**24
#: Largest window side and shift of :func:`ssd_surface`: about 10⁸ multiply-adds.
MAX_WINDOW = 101
MAX_SHIFT = 50
#: Largest number of descriptor pairs len(desc1) · len(desc2) that :func:`match` compares.
MAX_MATCH_PAIRS = 10**8
#: Most corners per image in :func:`find_matches`: 3000 descriptors of 65² values, 9·10⁶ pairs.
MAX_PEAKS = 3000
#: Largest number of correspondences for the fits and RANSAC (the DLT matrix is 3N x 9).
MAX_POINTS = 10**6
#: Largest ``iterations`` of :func:`ransac`; samples are drawn in batches, so memory does not grow with it.
MAX_ITERATIONS = 10**9
#: Largest minimal sample of :func:`ransac_trials` (the eight-point algorithm needs 8; the course's models 3 and 4).
MAX_SAMPLE_SIZE = 100
#: Most point tests (samples x matches) RANSAC spends before giving up on reaching its confidence: about 1 s.
MAX_RANSAC_WORK = 2 * 10**7
#: Largest output of :func:`warp`, :func:`rotate` and :func:`mosaic`, in pixels (2048 x 2048).
MAX_OUTPUT_PIXELS = 2**22
#: Largest side of a frame (:func:`frame_error`, :func:`repeatability`); no image is near it, and its corners
#: stay exact in float64.
MAX_FRAME_SIDE = 10**6
#: Most openings of :func:`bright_blobs`: each removes a layer one pixel thick, so 50 erase any object
#: narrower than 100 pixels.
MAX_OPENING = 50
#: Most views one :func:`mosaic` blends.
MAX_VIEWS = 16
#: Largest zoom of :func:`rotate`, and its inverse the smallest: past it one pixel fills the whole output,
#: or the whole input falls into one pixel.
MAX_ZOOM = 1000.0
#: Smallest focal length of :func:`rotation_homography`, in pixels: at f = 1 the pixel next to the centre is
#: already 45° off the axis, and K⁻¹ = [[1/f, …]] overflows as f → 0.
MIN_FOCAL = 1.0
#: Shortest wavelength of :func:`shear_wave`, in rows: two rows per period is the Nyquist limit.
MIN_WAVELENGTH = 2.0
#: A matrix whose condition number σ_max / σ_min exceeds this is treated as singular.
MAX_CONDITION = 1e12

_MODELS = {"affine": 3, "homography": 4}  # minimal sample size of each model
_BATCH_VALUES = 2**20  # RANSAC batch: samples x matches kept under ~25 MB per temporary


# ----------------------------------------------------------------- checks

def _grey(image, name="image"):
    return as_float_image(image, name, color=False)


def _sigma(sigma):
    return as_real(sigma, "sigma", minimum=0, maximum=MAX_SIGMA, strict=True)


def _harris_k(k):
    k = as_real(k, "k", minimum=0, maximum=0.25)
    if k == 0.25:
        raise ValueError("k must be < 0.25 (at 0.25 no pixel can score positive)")
    return k


def _as_points(points, name, *, allow_empty=True):
    """(N, 2) float64 array of (row, col); N may be 0 if ``allow_empty``."""
    if points is None:
        raise TypeError(f"{name} must be an (N, 2) array of (row, col), not None")
    if not isinstance(points, np.ma.MaskedArray) and np.shape(points) in ((0,), (0, 2)):  # [] or (0, 2): none
        if not allow_empty:
            raise ValueError(f"{name} must contain at least one point")
        return np.zeros((0, 2))
    array = as_array(points, name, ndim=2)
    if array.shape[1] != 2:
        raise ValueError(f"{name} must have shape (N, 2) of (row, col); got {array.shape}")
    return array.astype(np.float64)


def _as_pixels(points, name, shape):
    """(N, 2) int64 pixel positions inside an image of ``shape``: no rounding, no wrap-around."""
    pts = _as_points(points, name)
    if not np.array_equal(pts, np.round(pts)):
        raise ValueError(f"{name} must be integer pixel positions (row, col); round them first")
    if len(pts) and ((pts < 0).any() or (pts[:, 0] >= shape[0]).any() or (pts[:, 1] >= shape[1]).any()):
        raise ValueError(f"{name} must lie inside the image of shape {shape}")
    return pts.astype(np.int64)


def _as_matrix(matrix, name="matrix"):
    """A 3x3 homogeneous matrix (a 2x3 affine matrix gets the row (0, 0, 1))."""
    array = as_array(matrix, name, ndim=2).astype(np.float64)
    if array.shape == (2, 3):
        array = np.vstack([array, [0.0, 0.0, 1.0]])
    if array.shape != (3, 3):
        raise ValueError(f"{name} must be a 3x3 (or 2x3 affine) matrix; got shape {array.shape}")
    if not np.any(array):
        raise ValueError(f"{name} must not be all zeros")
    return array


def _as_shape(shape, name, maximum=MAX_FRAME_SIDE):
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise TypeError(f"{name} must be a (rows, cols) tuple; got {shape!r}")
    return tuple(as_int(s, name, minimum=1, maximum=maximum) for s in shape)


def _as_output_shape(shape, name="output_shape"):
    rows, cols = _as_shape(shape, name, maximum=None)
    if rows * cols > MAX_OUTPUT_PIXELS:
        raise ValueError(f"{name} must have at most MAX_OUTPUT_PIXELS = {MAX_OUTPUT_PIXELS} pixels; "
                         f"got {rows} x {cols}")
    return rows, cols


def _inverse(matrix, name="matrix"):
    """The inverse of a well-conditioned matrix; an affine matrix keeps its exact last row."""
    condition = np.linalg.cond(matrix)
    if not condition <= MAX_CONDITION:  # also catches inf and nan
        raise ValueError(f"{name} must be invertible: its condition number {condition:.3g} "
                         f"exceeds MAX_CONDITION = {MAX_CONDITION:g}")
    inverse = np.linalg.inv(matrix)
    if _is_affine(matrix):
        inverse[2] = (0.0, 0.0, 1.0)
    return inverse


def _is_affine(matrix):
    return bool(matrix[2, 0] == 0 and matrix[2, 1] == 0 and matrix[2, 2] == 1)


# --------------------------------------------------------------- detection

def gradients(image):
    """Sobel derivatives (Iy, Ix) of a grey image, in levels per pixel.

    Ix = f ⋆ (1/8)[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]] (correlation) and Iy
    the same kernel transposed, so Ix ≈ ∂f/∂x (x = column, to the right) and
    Iy ≈ ∂f/∂y (y = row, downwards). Border pixels are replicated.
    ``ndi.sobel`` omits the 1/8, so its values are 8x larger. This is
    :func:`cvlab.edges.gradient` with the Sobel operator, which chapter 4 derives.

    Taught in: 05_corners, "Harris".

    Parameters
    ----------
    image : array_like
        Grey image (H, W), any finite real dtype.

    Returns
    -------
    Iy, Ix : ndarray of float64, each (H, W)

    See Also
    --------
    structure_tensor : the products of these gradients, averaged over a window.
    cvlab.edges.gradient : the same with Central, Prewitt or Scharr kernels and optional smoothing.

    Examples
    --------
    >>> ramp = np.tile(np.arange(5.0) * 3, (4, 1))   # f(x, y) = 3x
    >>> Iy, Ix = gradients(ramp)
    >>> Ix[1, 1:4], Iy[1, 1:4]
    (array([3., 3., 3.]), array([0., 0., 0.]))
    """
    return _gradients(_grey(image))


def _gradients(f):
    return edges._gradient(f, "sobel")


def structure_tensor(image, sigma=1.0):
    """Gaussian-weighted structure tensor (second-moment matrix) M per pixel.

    M(x, y) = Σ_{i,j} w(i, j) [[Ix², Ix·Iy], [Ix·Iy, Iy²]](x + i, y + j),
    with w a Gaussian of standard deviation ``sigma`` (truncated at 4σ)
    and Ix, Iy from :func:`gradients`. It is the quadratic form of the SSD
    surface: E(u, v) ≈ [u v] M [u v]ᵀ for small shifts.

    Taught in: 05_corners, "Harris".

    Parameters
    ----------
    image : array_like
        Grey image (H, W).
    sigma : float
        Integration scale 0 < σ <= MAX_SIGMA (64) of the window w, in pixels.

    Returns
    -------
    Axx, Axy, Ayy : ndarray of float64, each (H, W)
        Axx = w * Ix², Axy = w * (Ix·Iy), Ayy = w * Iy².

    See Also
    --------
    harris_from_tensor : R from these three images.
    eigen_map : the eigenvalues of M.

    References
    ----------
    .. [1] C. Harris and M. Stephens, "A combined corner and edge detector," Alvey Vision Conference, 1988.

    Examples
    --------
    >>> ramp = np.tile(np.arange(6.0), (6, 1))      # Ix = 1, Iy = 0
    >>> Axx, Axy, Ayy = structure_tensor(ramp, sigma=1.0)
    >>> float(Axx[3, 3]), float(Axy[3, 3]), float(Ayy[3, 3])
    (1.0, 0.0, 0.0)
    """
    return _structure_tensor(_grey(image), _sigma(sigma))


def _structure_tensor(f, sigma):
    iy, ix = _gradients(f)

    def smooth(product):
        return ndi.gaussian_filter(product, sigma, mode="nearest", truncate=4.0)

    return smooth(ix * ix), smooth(ix * iy), smooth(iy * iy)


def harris_response(image, sigma=1.0, k=0.05):
    """Harris corner response R = det(M) − k·trace(M)² = λ₁λ₂ − k(λ₁ + λ₂)².

    R is large and positive at corners (both eigenvalues of M large),
    negative along edges (one large) and near zero on flat regions.
    Values are in (levels/pixel)⁴; see the module docstring for the factor
    relating them to ``skimage.feature.corner_harris``.

    Taught in: 05_corners, "Harris".

    Parameters
    ----------
    image : array_like
        Grey image (H, W).
    sigma : float
        Integration scale 0 < σ <= MAX_SIGMA (64) of the Gaussian window.
    k : float
        Harris sensitivity, 0 <= k < 0.25 (typically 0.04 to 0.06).

    Returns
    -------
    ndarray of float64, (H, W)

    See Also
    --------
    structure_tensor, harris_from_tensor, harris_zero_slope, corner_peaks

    References
    ----------
    .. [1] C. Harris and M. Stephens, "A combined corner and edge detector," Alvey Vision Conference, 1988.

    Examples
    --------
    >>> square = np.zeros((12, 12)); square[3:9, 3:9] = 1
    >>> R = harris_response(square)
    >>> bool(R[3, 3] > 0), bool(R[3, 6] < 0), float(R[0, 11])
    (True, True, 0.0)
    """
    f = _grey(image)
    sigma = _sigma(sigma)
    k = _harris_k(k)
    return _harris(*_structure_tensor(f, sigma), k)


def harris_from_tensor(axx, axy, ayy, k=0.05):
    """R = det(M) − k·trace(M)² from the structure tensor's three images (Axx, Axy, Ayy).

    Split from :func:`harris_response` so an explorer can change k without
    recomputing M.

    Taught in: 05_corners, "Harris".

    Parameters
    ----------
    axx, axy, ayy : array_like
        The three images of :func:`structure_tensor`, one shape.
    k : float
        Harris sensitivity, 0 <= k < 0.25.

    Returns
    -------
    ndarray of float64, the shape of ``axx``

    See Also
    --------
    harris_response : M and R in one call.

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


def harris_zero_slope(k=0.05):
    """Slope c of the line R = 0 in the λ₁–λ₂ plane: R > 0 exactly where λ₂ > c·λ₁ (λ₁ >= λ₂).

    With λ₂ = t·λ₁, R = λ₁²(t − k(1 + t)²) vanishes at the roots of
    k t² + (2k − 1) t + k = 0. The smaller root is

        c = (1 − 2k − √(1 − 4k)) / 2k = 2k / (1 − 2k + √(1 − 4k)),

    the second form free of cancellation (and c = 0 at k = 0); the larger
    root is 1/c, the mirror line λ₁ = c·λ₂. A larger k raises c and so
    shrinks the corner region.

    Taught in: 05_corners, "Harris".

    Parameters
    ----------
    k : float
        Harris sensitivity, 0 <= k < 0.25.

    Returns
    -------
    float
        c in [0, 1).

    See Also
    --------
    classify_eigenvalues : flat, edge or corner by this line.

    References
    ----------
    .. [1] C. Harris and M. Stephens, "A combined corner and edge detector," Alvey Vision Conference, 1988.

    Examples
    --------
    >>> c = harris_zero_slope(0.05)
    >>> round(float(c), 6)
    0.055728
    >>> l1 = 100.0; l2 = c * l1                      # on the line, R = 0
    >>> abs(l1 * l2 - 0.05 * (l1 + l2) ** 2) < 1e-9
    True
    """
    return float(_zero_slope(_harris_k(k)))


def _zero_slope(k):
    return 2.0 * k / (1.0 - 2.0 * k + np.sqrt(1.0 - 4.0 * k))


def eigen_map(image, sigma=1.0):
    """Eigenvalues λ₁ >= λ₂ >= 0 of the structure tensor M at every pixel.

    λ₁,₂ = (Axx + Ayy)/2 ± sqrt(((Axx − Ayy)/2)² + Axy²).
    Flat: both small. Edge: λ₁ >> λ₂ ≈ 0. Corner: both large.

    Taught in: 05_corners, "Harris".

    Parameters
    ----------
    image : array_like
        Grey image (H, W).
    sigma : float
        Integration scale 0 < σ <= MAX_SIGMA (64).

    Returns
    -------
    lambda1, lambda2 : ndarray of float64, each (H, W)

    See Also
    --------
    classify_eigenvalues : flat, edge or corner from these.

    Examples
    --------
    >>> ramp = np.tile(np.arange(6.0), (6, 1))      # an edge-like ramp
    >>> l1, l2 = eigen_map(ramp)
    >>> float(l1[3, 3]), float(l2[3, 3])
    (1.0, 0.0)
    """
    axx, axy, ayy = _structure_tensor(_grey(image), _sigma(sigma))
    half_trace = 0.5 * (axx + ayy)
    root = np.hypot(0.5 * (axx - ayy), axy)
    return half_trace + root, np.maximum(half_trace - root, 0.0)


def classify_eigenvalues(lambda1, lambda2, flat_level, k=0.05):
    """Flat (0), edge (1) or corner (2) from the eigenvalues of M: the regions of the λ₁–λ₂ plane.

    With λ_max = max(λ₁, λ₂) and λ_min = min(λ₁, λ₂):

    * flat where λ_max < ``flat_level`` (no direction changes much);
    * corner where λ_min > c·λ_max with c = :func:`harris_zero_slope` (k),
      which is exactly where R = λ₁λ₂ − k(λ₁ + λ₂)² > 0;
    * edge otherwise (one direction changes, the other hardly).

    The labels are ``EIGEN_CLASSES[code]``.

    Taught in: 05_corners, "Harris".

    Parameters
    ----------
    lambda1, lambda2 : array_like
        Eigenvalues (>= 0) of M, one shape, in either order; scalars work.
    flat_level : float
        >= 0, in the units of λ: below it a pixel counts as flat.
    k : float
        Harris sensitivity, 0 <= k < 0.25.

    Returns
    -------
    ndarray of int8, the shape of ``lambda1``

    See Also
    --------
    eigen_map, harris_zero_slope

    References
    ----------
    .. [1] C. Harris and M. Stephens, "A combined corner and edge detector," Alvey Vision Conference, 1988.

    Examples
    --------
    >>> codes = classify_eigenvalues([0.5, 80.0, 90.0], [0.1, 1.0, 60.0], flat_level=10.0)
    >>> codes, [EIGEN_CLASSES[c] for c in codes]
    (array([0, 1, 2], dtype=int8), ['flat', 'edge', 'corner'])
    """
    l1 = as_array(lambda1, "lambda1").astype(np.float64, copy=False)
    l2 = as_array(lambda2, "lambda2").astype(np.float64, copy=False)
    if l1.shape != l2.shape:
        raise ValueError(f"lambda1 and lambda2 must have one shape; got {l1.shape} and {l2.shape}")
    for values, name in ((l1, "lambda1"), (l2, "lambda2")):
        if (values < 0).any():
            raise ValueError(f"{name} must be >= 0: the eigenvalues of M are never negative")
    flat_level = as_real(flat_level, "flat_level", minimum=0)
    c = _zero_slope(_harris_k(k))
    larger, smaller = np.maximum(l1, l2), np.minimum(l1, l2)
    codes = np.where(smaller > c * larger, 2, 1).astype(np.int8)
    codes[larger < flat_level] = 0
    return codes


def corner_peaks(response, min_distance=5, threshold_rel=0.01, num_peaks=None):
    """Non-maximum suppression: the strongest local maxima of a response map.

    A pixel p is kept when R(p) = max of R over the (2d+1) x (2d+1) window
    around it (d = ``min_distance``), R(p) > threshold_rel · max R, and p is
    at least d pixels from every border. Ties and near neighbours are then
    thinned greedily, strongest first, so no two kept peaks are within
    Chebyshev distance d. This follows ``skimage.feature.corner_peaks``.

    Taught in: 05_corners, "Non-Maximum Suppression".

    Parameters
    ----------
    response : array_like
        2-D response map, e.g. from :func:`harris_response`.
    min_distance : int
        d >= 1: suppression radius and border width, in pixels. No ceiling
        is needed: once 2d >= min(H, W) no pixel is far enough from the
        border, and the result is empty at once.
    threshold_rel : float
        In [0, 1]: minimum response relative to the map's maximum.
    num_peaks : int, optional
        Keep at most this many (the strongest); 0 keeps none.

    Returns
    -------
    ndarray of int64, (N, 2)
        (row, col) of the peaks, strongest first.

    See Also
    --------
    refine_subpixel : move each peak to sub-pixel precision.

    Notes
    -----
    Exact ties are broken in raster order, so on a perfectly symmetric
    pattern the surviving peak need not turn with the image.

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
    return _corner_peaks(r, d, threshold_rel, num_peaks)


def _corner_peaks(r, d, threshold_rel, num_peaks):
    height, width = r.shape
    if height <= 2 * d or width <= 2 * d or num_peaks == 0:
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
_OFFSETS = np.array([(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1)], dtype=np.int64)
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

    Taught in: 05_corners, "Sub-pixel Refinement".

    Parameters
    ----------
    response : array_like
        2-D response map.
    points : array_like
        (N, 2) integer (row, col) peaks inside ``response``, e.g. from :func:`corner_peaks`.

    Returns
    -------
    ndarray of float64, (N, 2)

    See Also
    --------
    corner_peaks

    Examples
    --------
    >>> rows, cols = np.mgrid[0:9, 0:9]
    >>> R = -((rows - 4.3) ** 2) - 2 * (cols - 3.8) ** 2   # peak at (4.3, 3.8)
    >>> refine_subpixel(R, [[4, 4]])
    array([[4.3, 3.8]])
    """
    r = as_array(response, "response", ndim=2).astype(np.float64, copy=False)
    idx = _as_pixels(points, "points", r.shape)
    return _refine_subpixel(r, idx)


def saddle(size=41, corner=(20.3, 19.6), width=1.0):
    """A blurred X-junction whose corner sits at a known sub-pixel position: a test for :func:`refine_subpixel`.

    f(r, c) = ½ + ½ · erf((r − r₀) / (√2 w)) · erf((c − c₀) / (√2 w)).

    The ideal saddle ½ + ½ · sign(r − r₀) · sign(c − c₀) has two bright and
    two dark quadrants meeting at (r₀, c₀), like the crossing of a
    chessboard. Blurring it with a Gaussian of standard deviation w gives
    exactly f: the Gaussian is separable and the saddle's varying part is a
    row profile times a column profile, and a blurred sign is
    erf(x / (√2 w)) = 2Φ(x / w) − 1.

    Taught in: 05_corners, "Sub-pixel Refinement".

    Parameters
    ----------
    size : int
        Side of the square image, 5 <= size <= ``edges.MAX_PATTERN_SIZE`` (1025).
    corner : tuple of float
        (r₀, c₀), anywhere in [0, size − 1] along each axis.
    width : float
        w in pixels, 0 < w <= ``edges.MAX_SIGMA`` (50); as w → 0 the image
        tends to the ideal saddle (½ on the two lines through the corner).

    Returns
    -------
    ndarray of float64, (size, size), values in [0, 1]

    See Also
    --------
    refine_subpixel, harris_response, cvlab.edges.rotated_edge

    Examples
    --------
    >>> saddle(5, corner=(2.0, 2.0), width=0.5).round(2)
    array([[1.  , 0.98, 0.5 , 0.02, 0.  ],
           [0.98, 0.96, 0.5 , 0.04, 0.02],
           [0.5 , 0.5 , 0.5 , 0.5 , 0.5 ],
           [0.02, 0.04, 0.5 , 0.96, 0.98],
           [0.  , 0.02, 0.5 , 0.98, 1.  ]])
    """
    size = as_int(size, "size", minimum=5, maximum=edges.MAX_PATTERN_SIZE)
    r0, c0 = _as_pair(corner, "corner")
    if not (0 <= r0 <= size - 1 and 0 <= c0 <= size - 1):
        raise ValueError(f"corner must lie in [0, size − 1] = [0, {size - 1}] along each axis; got {(r0, c0)}")
    width = as_real(width, "width", minimum=0, maximum=edges.MAX_SIGMA, strict=True)
    axis = np.arange(size, dtype=np.float64)
    # 2Φ − 1 along the rows and along the columns (edges' profile clips far offsets, so a tiny w cannot overflow)
    rows = 2.0 * edges._profile(axis - r0, width) - 1.0
    cols = 2.0 * edges._profile(axis - c0, width) - 1.0
    return 0.5 + 0.5 * rows[:, None] * cols[None, :]


def _refine_subpixel(r, idx):
    out = idx.astype(np.float64)
    if len(idx) == 0:
        return out
    height, width = r.shape
    inside = (idx[:, 0] > 0) & (idx[:, 0] < height - 1) & (idx[:, 1] > 0) & (idx[:, 1] < width - 1)
    rows, cols = idx[inside, 0], idx[inside, 1]
    patches = r[rows[:, None] + _OFFSETS[:, 0], cols[:, None] + _OFFSETS[:, 1]]
    c = patches @ _FIT.T  # (n, 6)
    haa, hab, hbb = 2 * c[:, 3], c[:, 4], 2 * c[:, 5]
    det = haa * hbb - hab * hab
    maximum = (haa < 0) & (det > 0)
    safe = np.where(maximum, det, 1.0)
    da = (-hbb * c[:, 1] + hab * c[:, 2]) / safe
    db = (hab * c[:, 1] - haa * c[:, 2]) / safe
    ok = maximum & (np.abs(da) <= 1) & (np.abs(db) <= 1)
    out[inside] += np.where(ok[:, None], np.column_stack([da, db]), 0.0)
    return out


# ------------------------------------------------------------ why corners

def ssd_surface(image, center, window=11, max_shift=8):
    """Error surface of shifting a patch: E(u, v) = Σ_{(x,y)∈W} [f(x+u, y+v) − f(x, y)]².

    W is the ``window`` x ``window`` box centred on ``center``. Flat patches
    give E ≈ 0 everywhere, an edge gives a valley along the edge, a corner a
    bowl that rises in every direction.

    Taught in: 05_corners, "Error Surface".

    Parameters
    ----------
    image : array_like
        Grey image (H, W).
    center : tuple of int
        (row, col) = (y, x) of the patch centre.
    window : int
        Odd side length of W, 1 <= window <= MAX_WINDOW (101).
    max_shift : int
        Shifts u, v range over −max_shift..max_shift, 0 <= max_shift <= MAX_SHIFT (50).

    Returns
    -------
    ndarray of float64, (2s+1, 2s+1)
        ``E[v + s, u + s]`` with s = max_shift: rows are the vertical shift v,
        columns the horizontal shift u (so ``imshow`` puts u on the x axis).

    See Also
    --------
    structure_tensor : M, the quadratic approximation of E near (0, 0).

    References
    ----------
    .. [1] H. P. Moravec, "Obstacle avoidance and navigation in the real world by a seeing robot rover,"
       PhD thesis, Stanford University, 1980.

    Examples
    --------
    >>> edge = np.zeros((9, 9)); edge[:, 4:] = 1       # vertical edge
    >>> ssd_surface(edge, (4, 4), window=3, max_shift=1)
    array([[3., 0., 3.],
           [3., 0., 3.],
           [3., 0., 3.]])
    """
    f = _grey(image)
    window = as_odd(window, "window", maximum=MAX_WINDOW)
    s = as_int(max_shift, "max_shift", minimum=0, maximum=MAX_SHIFT)
    if not isinstance(center, (tuple, list, np.ndarray)) or len(center) != 2:
        raise TypeError(f"center must be a (row, col) pair; got {center!r}")
    row, col = (as_int(c, "center") for c in center)
    reach = window // 2 + s
    height, width = f.shape
    if not (reach <= row < height - reach and reach <= col < width - reach):
        raise ValueError(
            f"center must lie window//2 + max_shift = {reach} pixels or more inside every border of the image "
            f"of shape {f.shape}; got {(row, col)}"
        )
    return _ssd_surface(f, row, col, window, s)


def _ssd_surface(f, row, col, window, s):
    h, reach = window // 2, window // 2 + s
    big = f[row - reach:row + reach + 1, col - reach:col + reach + 1]
    patch = f[row - h:row + h + 1, col - h:col + h + 1]
    views = sliding_window_view(big, (window, window))  # (2s+1, 2s+1, w, w), no copy
    surface = np.empty((2 * s + 1, 2 * s + 1))
    for v in range(2 * s + 1):  # one row of shifts at a time keeps memory at (2s+1)·w²
        diff = views[v] - patch
        surface[v] = np.einsum("uij,uij->u", diff, diff)
    return surface


# -------------------------------------------------- description, matching

def bright_blobs(image, threshold, min_area=0.0, max_area=None, opening=2):
    """Centres and sizes of the bright objects on a dark ground (coins on a table), by thresholding.

    The mask M = fill(open_k(f > t)): pixels above the threshold t, opened k
    times with the 3x3 cross (which removes specks and thin bridges) and with
    their holes filled. Each 4-connected component of M with area A (in
    pixels) in the open interval (A_min, A_max) is one object; it is returned
    as its centroid (the mean row and column of its pixels) and the radius of
    the disc of the same area, √(A / π).

    Taught in: 05_corners, "Intra-class Variation".

    Parameters
    ----------
    image : array_like
        Grey image f (RGB is refused).
    threshold : float
        t, in the image's grey levels.
    min_area, max_area : float
        A_min >= 0 and A_max (default: no upper bound), in pixels: drops
        specks below and large regions (a lit frame, the background) above.
    opening : int
        k, 0 <= k <= MAX_OPENING (50).

    Returns
    -------
    centres : ndarray of float64, (N, 2)
        (row, col) of each object, in the raster order of their first pixels.
    radii : ndarray of float64, (N,)

    See Also
    --------
    describe

    Examples
    --------
    >>> f = np.zeros((12, 12)); f[2:5, 2:5] = 200; f[6:11, 5:10] = 200; f[0, 11] = 200
    >>> centres, radii = bright_blobs(f, 100, min_area=4, opening=0)   # the lone pixel is too small
    >>> centres, radii.round(3)
    (array([[3., 3.],
           [8., 7.]]), array([1.693, 2.821]))
    """
    f = _grey(image)
    threshold = as_real(threshold, "threshold")
    low = as_real(min_area, "min_area", minimum=0)
    high = np.inf if max_area is None else as_real(max_area, "max_area", minimum=0)
    opening = as_int(opening, "opening", minimum=0, maximum=MAX_OPENING)
    return _bright_blobs(f, threshold, low, high, opening)


def _bright_blobs(f, threshold, low, high, opening):
    mask = f > threshold
    if opening:  # scipy reads iterations=0 as "until nothing changes"
        mask = ndi.binary_opening(mask, iterations=opening)
    mask = ndi.binary_fill_holes(mask)
    labels, count = ndi.label(mask)
    ids = np.arange(1, count + 1)
    areas = np.asarray(ndi.sum_labels(mask, labels, ids), dtype=np.float64).reshape(-1)
    chosen = ids[(areas > low) & (areas < high)]
    if not len(chosen):
        return np.zeros((0, 2)), np.zeros(0)
    centres = np.array(ndi.center_of_mass(mask, labels, chosen), dtype=np.float64).reshape(-1, 2)
    return centres, np.sqrt(areas[chosen - 1] / np.pi)


def describe(image, points, patch_size=9):
    """Normalized patch descriptors: zero mean and unit norm.

    d = (p − mean p) / ‖p − mean p‖ where p is the ``patch_size`` x
    ``patch_size`` patch around each point, flattened row by row. Removing
    the mean and the norm makes d invariant to f → a·f + b (a > 0); the
    Euclidean distance between two descriptors is then sqrt(2 − 2·NCC).

    Taught in: 05_corners, "Extract, Match, Align".

    Parameters
    ----------
    image : array_like
        Grey image (H, W).
    points : array_like
        (N, 2) integer (row, col) positions inside the image.
    patch_size : int
        Odd side length, 3 <= patch_size <= MAX_PATCH_SIZE (65), and
        N · patch_size² <= MAX_DESCRIPTOR_VALUES (2²⁴).

    Returns
    -------
    ndarray of float64, (N, patch_size²)

    See Also
    --------
    match : nearest neighbours with Lowe's ratio test.

    Notes
    -----
    The patch is axis-aligned (no dominant orientation is estimated), the
    orientation-free baseline: it is *not* rotation invariant, and it
    compares patches pixel by pixel, so it assumes the two views differ
    locally by a translation. Pixels outside the image are mirrored; a flat
    patch gives the zero vector.

    Examples
    --------
    >>> f = np.arange(25.0).reshape(5, 5)
    >>> d = describe(f, [[2, 2]], patch_size=3)
    >>> d.shape, round(float(np.linalg.norm(d)), 6), round(float(d.sum()), 6)
    ((1, 9), 1.0, 0.0)
    """
    f = _grey(image)
    size = as_odd(patch_size, "patch_size", minimum=3, maximum=MAX_PATCH_SIZE)
    idx = _as_pixels(points, "points", f.shape)
    if len(idx) * size * size > MAX_DESCRIPTOR_VALUES:
        raise ValueError(f"points and patch_size ask for {len(idx)} x {size}² descriptor values, more than "
                         f"MAX_DESCRIPTOR_VALUES = {MAX_DESCRIPTOR_VALUES}; describe fewer points at a time")
    return _describe(f, idx, size)


def _describe(f, idx, size):
    if len(idx) == 0:
        return np.zeros((0, size * size))
    h = size // 2
    padded = np.pad(f, h, mode="symmetric")
    offsets = np.arange(size)
    patches = padded[idx[:, 0, None, None] + offsets[:, None], idx[:, 1, None, None] + offsets[None, :]]
    flat = patches.reshape(len(idx), -1)
    scale = np.max(np.abs(flat), axis=1, keepdims=True)
    flat = flat - flat.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    flat_patch = norms <= 1e-12 * np.maximum(scale, 1.0) * size
    return np.where(flat_patch, 0.0, flat / np.where(flat_patch, 1.0, norms))


def match(desc1, desc2, ratio=0.8):
    """Nearest-neighbour matching with Lowe's ratio test.

    For each descriptor a in ``desc1``, find its nearest b₁ and second
    nearest b₂ in ``desc2`` (Euclidean distance) and keep (a, b₁) when
    ‖a − b₁‖ < ratio · ‖a − b₂‖: the best match must be clearly better than
    the runner-up, otherwise it is ambiguous (a repeated texture).

    Taught in: 05_corners, "Extract, Match, Align".

    Parameters
    ----------
    desc1 : array_like
        (N1, D) descriptors.
    desc2 : array_like
        (N2, D) descriptors, N2 >= 2, with N1 · N2 <= MAX_MATCH_PAIRS (10⁸).
    ratio : float
        In (0, 1]; 1 keeps every nearest neighbour with a unique best.

    Returns
    -------
    ndarray of int64, (M, 2)
        Pairs (i, j): desc1[i] matches desc2[j], in increasing i.

    See Also
    --------
    describe, find_matches

    References
    ----------
    .. [1] D. G. Lowe, "Distinctive image features from scale-invariant keypoints,"
       International Journal of Computer Vision, 60(2), 2004.

    Examples
    --------
    >>> d1 = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> d2 = np.array([[1.0, 0.1], [0.0, 0.9], [0.7, 0.7]])
    >>> match(d1, d2, ratio=0.8)
    array([[0, 1],
           [1, 0]])
    """
    a, b = _descriptor_sets(desc1, desc2)
    ratio = as_real(ratio, "ratio", minimum=0, maximum=1, strict=True)
    return _match(a, b, ratio)


def _descriptor_sets(desc1, desc2):
    a = as_array(desc1, "desc1", ndim=2).astype(np.float64, copy=False)
    b = as_array(desc2, "desc2", ndim=2).astype(np.float64, copy=False)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"desc1 and desc2 must have the same length D; got {a.shape[1]} and {b.shape[1]}")
    if len(b) < 2:
        raise ValueError("desc2 must hold at least 2 descriptors: a nearest and a second nearest")
    if len(a) * len(b) > MAX_MATCH_PAIRS:
        raise ValueError(f"desc1 and desc2 must give at most MAX_MATCH_PAIRS = {MAX_MATCH_PAIRS} pairs; "
                         f"got {len(a)} x {len(b)}")
    return a, b


def _match(a, b, ratio):
    best, d_best, d_second = _two_nearest(a, b)
    keep = np.sqrt(d_best) < ratio * np.sqrt(d_second)
    return np.column_stack([np.nonzero(keep)[0], best[keep]]).astype(np.int64)


def _two_nearest(a, b):
    """For each row of a: the index of its nearest row of b, and the squared distances d₁², d₂² to the two nearest."""
    rows = max(1, 2**22 // len(b))  # a block of distances stays under ~32 MB
    best = np.empty(len(a), dtype=np.int64)
    d_best, d_second = np.empty(len(a)), np.empty(len(a))
    b_sq = (b * b).sum(1)
    for start in range(0, len(a), rows):
        block = a[start:start + rows]
        d2 = np.maximum((block * block).sum(1)[:, None] + b_sq[None, :] - 2.0 * block @ b.T, 0.0)
        nearest = np.argpartition(d2, 1, axis=1)[:, :2]
        first = np.take_along_axis(d2, nearest, axis=1)
        swap = first[:, 1] < first[:, 0]
        best[start:start + rows] = np.where(swap, nearest[:, 1], nearest[:, 0])
        d_best[start:start + rows] = np.where(swap, first[:, 1], first[:, 0])
        d_second[start:start + rows] = np.where(swap, first[:, 0], first[:, 1])
    return best, d_best, d_second


def nearest_neighbours(desc1, desc2):
    """Each descriptor's nearest neighbour in another set, and how distinctive it is: d₁ / d₂.

    For each a in ``desc1``: j = argmin_b ‖a − b‖ over ``desc2``, d₁ = ‖a − b_j‖
    and d₂ the second smallest distance. The ratio d₁ / d₂ lies in [0, 1]:
    near 0 the nearest neighbour stands out, near 1 a runner-up is about as
    close (an edge, a repeated texture). Lowe's ratio test in :func:`match`
    keeps the pairs (a, b_j) whose ratio lies below its ``ratio``.

    Taught in: 05_corners, "Extract, Match, Align".

    Parameters
    ----------
    desc1 : array_like
        (N1, D) descriptors.
    desc2 : array_like
        (N2, D) descriptors, N2 >= 2, with N1 · N2 <= MAX_MATCH_PAIRS (10⁸).

    Returns
    -------
    nearest : ndarray of int64, (N1,)
        j for each row of ``desc1``.
    ratio : ndarray of float64, (N1,)
        d₁ / d₂, and 1 where d₂ = 0 (two candidates equally close: no winner).

    See Also
    --------
    match, describe

    Examples
    --------
    >>> d1 = np.array([[0.0, 1.0], [1.0, 0.0]])
    >>> d2 = np.array([[1.0, 0.1], [0.0, 0.9], [0.7, 0.7]])
    >>> nearest, ratio = nearest_neighbours(d1, d2)
    >>> nearest, ratio.round(3)
    (array([1, 0]), array([0.131, 0.131]))
    """
    a, b = _descriptor_sets(desc1, desc2)
    best, d_best, d_second = _two_nearest(a, b)
    tied = d_second == 0
    return best, np.where(tied, 1.0, np.sqrt(d_best / np.where(tied, 1.0, d_second)))


def find_matches(image_a, image_b, sigma=1.5, num_peaks=300, min_distance=5, patch_size=11, ratio=0.8):
    """Steps 1 and 2 of the panorama pipeline: corners in both images, described and matched.

    In each image: R = :func:`harris_response` (σ), the ``num_peaks``
    strongest peaks of :func:`corner_peaks`, refined by
    :func:`refine_subpixel`; then :func:`describe` each corner and
    :func:`match` with Lowe's ratio test. Step 3 is :func:`ransac` on the
    returned pairs.

    Taught in: 05_corners, "Extract, Match, Align".

    Parameters
    ----------
    image_a, image_b : array_like
        Grey images.
    sigma : float
        Integration scale of Harris, 0 < σ <= MAX_SIGMA.
    num_peaks : int
        Corners kept per image, 2 <= num_peaks <= MAX_PEAKS (3000).
    min_distance : int
        Non-maximum suppression radius, >= 1.
    patch_size : int
        Odd descriptor side, 3 <= patch_size <= MAX_PATCH_SIZE.
    ratio : float
        Lowe's ratio, in (0, 1].

    Returns
    -------
    src, dst : ndarray of float64, each (M, 2)
        Sub-pixel (row, col) of the matched corners in ``image_a`` and ``image_b``.

    See Also
    --------
    ransac : the robust fit that step 3 runs on these pairs.

    Notes
    -----
    Harris corners are covariant with rotation but not with scale, and the
    patches are compared pixel by pixel, so the matches are reliable when the
    two views differ *locally* by little more than a translation (small
    rotation, similar scale), whatever the global model (affine or
    homography) that step 3 fits.

    Examples
    --------
    >>> from cvlab import data
    >>> f = data.load_image("camera")[100:400, 100:400]
    >>> src, dst = find_matches(f[:, :250], f[:, 40:])   # the second view starts 40 columns to the right
    >>> len(src) > 50, round(float(np.median(src[:, 1] - dst[:, 1])), 6)
    (True, 40.0)
    """
    a, b = _grey(image_a, "image_a"), _grey(image_b, "image_b")
    sigma = _sigma(sigma)
    num_peaks = as_int(num_peaks, "num_peaks", minimum=2, maximum=MAX_PEAKS)
    d = as_int(min_distance, "min_distance", minimum=1)
    size = as_odd(patch_size, "patch_size", minimum=3, maximum=MAX_PATCH_SIZE)
    ratio = as_real(ratio, "ratio", minimum=0, maximum=1, strict=True)
    corners, fine, descriptors = [], [], []
    for f in (a, b):
        response = _harris(*_structure_tensor(f, sigma), 0.05)
        peaks = _corner_peaks(response, d, 0.01, num_peaks)
        corners.append(peaks)
        fine.append(_refine_subpixel(response, peaks))
        descriptors.append(_describe(f, peaks, size))
    if min(len(corners[0]), len(corners[1])) < 2:
        return np.zeros((0, 2)), np.zeros((0, 2))
    pairs = _match(descriptors[0], descriptors[1], ratio)
    return fine[0][pairs[:, 0]], fine[1][pairs[:, 1]]


# --------------------------------------------------------------- alignment

def _matched_points(src, dst, minimum):
    """Two (N, 2) float arrays of matched points with minimum <= N <= MAX_POINTS."""
    s = _as_points(src, "src", allow_empty=False)
    d = _as_points(dst, "dst", allow_empty=False)
    if s.shape != d.shape:
        raise ValueError(f"src and dst must have the same shape; got {s.shape} and {d.shape}")
    if len(s) < minimum:
        raise ValueError(f"src must hold at least {minimum} matched points for this fit; got {len(s)}")
    if len(s) > MAX_POINTS:
        raise ValueError(f"src must hold at most MAX_POINTS = {MAX_POINTS} points; got {len(s)}")
    return s, d


def _collinear(points):
    """True when the points lie on one line (or one point), relative to their spread."""
    centred = points - points.mean(axis=0)
    singular = np.linalg.svd(centred, compute_uv=False)
    return bool(singular[-1] <= 1e-9 * max(singular[0], 1e-300))


def estimate_affine(src, dst):
    """Least-squares affine transform A with dst ≈ A·src (homogeneous).

    Minimizes Σᵢ ‖A (rᵢ, cᵢ, 1)ᵀ − (r'ᵢ, c'ᵢ, 1)ᵀ‖² over the six free entries
    of A; three non-collinear pairs determine it exactly.

    Taught in: 05_corners, "Extract, Match, Align".

    Parameters
    ----------
    src, dst : array_like
        (N, 2) corresponding (row, col) points, 3 <= N <= MAX_POINTS (10⁶), not all collinear.

    Returns
    -------
    ndarray of float64, (3, 3)
        [[a, b, t_r], [c, d, t_c], [0, 0, 1]].

    See Also
    --------
    estimate_homography : the projective model, 8 degrees of freedom.
    ransac : the same fit, robust to wrong matches.

    Examples
    --------
    >>> src = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> estimate_affine(src, 2 * src + [3, -1]).round(6) + 0.0
    array([[ 2.,  0.,  3.],
           [ 0.,  2., -1.],
           [ 0.,  0.,  1.]])
    """
    s, d = _matched_points(src, dst, 3)
    if _collinear(s):
        raise ValueError("src points are collinear: an affine transform is not determined")
    return _fit_affine(s, d)


def _fit_affine(s, d):
    design = np.column_stack([s, np.ones(len(s))])
    solution, *_ = np.linalg.lstsq(design, d, rcond=None)  # (3, 2)
    return np.vstack([solution.T, [0.0, 0.0, 1.0]])


def _normalizer(points):
    """Hartley's similarity T: centroid to the origin, mean distance from it √2."""
    centroid = points.mean(axis=0)
    spread = np.sqrt(((points - centroid) ** 2).sum(axis=1)).mean()
    scale = np.sqrt(2.0) / spread if spread > 0 else 1.0
    return np.array([[scale, 0.0, -scale * centroid[0]], [0.0, scale, -scale * centroid[1]], [0.0, 0.0, 1.0]])


def estimate_homography(src, dst):
    """Homography H with dst ~ H·src, by the normalized direct linear transform (DLT).

    Each pair x = (r, c, 1)ᵀ → x' = (r', c', 1)ᵀ gives x' × (H x) = 0,
    three equations (two independent) linear in the nine entries h of H:

        [[ 0ᵀ,     −xᵀ,    c'xᵀ],
         [ xᵀ,      0ᵀ,   −r'xᵀ],
         [−c'xᵀ,  r'xᵀ,     0ᵀ]] h = 0.

    Stacking all N pairs gives A h = 0; h is the right singular vector of A
    with the smallest singular value (least squares under ‖h‖ = 1). Before
    that, both point sets are normalized (Hartley): x̃ = T x with T a
    similarity moving the centroid to the origin and the mean distance to it
    to √2, so the entries of A have one magnitude. Then H = T'⁻¹ H̃ T,
    scaled so that H[2, 2] = 1. Four pairs, no three collinear, determine H.

    Taught in: 05_corners, "Homography".

    Parameters
    ----------
    src, dst : array_like
        (N, 2) corresponding (row, col) points, 4 <= N <= MAX_POINTS (10⁶).

    Returns
    -------
    ndarray of float64, (3, 3)
        H, mapping ``src`` to ``dst`` with the projective division, H[2, 2] = 1.

    Raises
    ------
    ValueError
        Fewer than 4 pairs, collinear points, or pairs that leave H undetermined.

    See Also
    --------
    estimate_affine : the affine special case (last row (0, 0, 1)).
    ransac : the same fit, robust to wrong matches (``model="homography"``).
    transform_points : apply H to points.

    Notes
    -----
    All three rows of the cross product are used, not only the first two:
    then the algebraic error Σ ‖x' × H x‖² is unchanged when both normalized
    sets turn by the same rotation, so the result is exactly covariant with a
    similarity applied to both point sets (and independent of their order).

    References
    ----------
    .. [1] R. I. Hartley, "In defense of the eight-point algorithm,"
       IEEE Transactions on Pattern Analysis and Machine Intelligence, 19(6), 1997.
    .. [2] R. Hartley and A. Zisserman, Multiple View Geometry in Computer Vision, 2nd ed.,
       Cambridge University Press, 2004, section 4.4.

    Examples
    --------
    >>> H = np.array([[1.0, 0.2, 5.0], [0.1, 0.9, -3.0], [0.001, 0.002, 1.0]])
    >>> src = np.array([[0.0, 0.0], [0.0, 100.0], [100.0, 0.0], [100.0, 100.0], [50.0, 30.0]])
    >>> np.allclose(estimate_homography(src, transform_points(H, src)), H)
    True
    """
    s, d = _matched_points(src, dst, 4)
    for points, name in ((s, "src"), (d, "dst")):
        if _collinear(points):
            raise ValueError(f"{name} points are collinear: a homography is not determined")
    return _fit_homography(s, d)


def _fit_homography(s, d):
    t_src, t_dst = _normalizer(s), _normalizer(d)
    x = s @ t_src[:2, :2].T + t_src[:2, 2]
    y = d @ t_dst[:2, :2].T + t_dst[:2, 2]
    n = len(x)
    xh = np.column_stack([x, np.ones(n)])  # (n, 3)
    zero = np.zeros((n, 3))
    r, c = y[:, :1], y[:, 1:]
    system = np.concatenate([
        np.hstack([zero, -xh, c * xh]),
        np.hstack([xh, zero, -r * xh]),
        np.hstack([-c * xh, r * xh, zero]),
    ])
    triangle = np.linalg.qr(system, mode="r")  # 9 x 9 with the singular values of the 3n x 9 system
    _, singular, vt = np.linalg.svd(triangle)
    if singular[-2] <= 1e-10 * singular[0]:
        raise ValueError("src and dst do not determine a homography: three of the points are collinear "
                         "or the pairs are otherwise degenerate")
    h = vt[-1].reshape(3, 3)
    matrix = np.linalg.solve(t_dst, h @ t_src)
    if abs(matrix[2, 2]) <= 1e-12 * np.abs(matrix).max():
        raise ValueError("the homography sends (row, col) = (0, 0) to infinity, so it cannot be scaled to "
                         "H[2, 2] = 1; shift src and dst")
    return matrix / matrix[2, 2]


def ransac(src, dst, threshold=2.0, iterations=200, rng=0, model="affine", confidence=0.99):
    """Robust fit of an affine transform or a homography by RANSAC, refined on the inliers.

    Repeat: pick a minimal sample at random (3 pairs for ``"affine"``, 4 for
    ``"homography"``), solve the model through it exactly, and count inliers
    ‖T(srcᵢ) − dstᵢ‖ < threshold. Keep the model with most inliers (ties:
    smaller sum of squared inlier errors), refit it on all its inliers (:func:`estimate_affine`
    or :func:`estimate_homography`), and report the final inliers.

    Adaptive stopping: with inlier share w, a sample of s pairs is clean with
    probability wˢ, so after N = log(1 − p) / log(1 − wˢ) samples at least
    one was clean with probability p (``confidence``). N is recomputed from
    the best w found so far, and the loop stops once N samples are done;
    ``iterations`` is the ceiling.

    Taught in: 05_corners, "Extract, Match, Align".

    Parameters
    ----------
    src, dst : array_like
        (N, 2) putative matches (row, col), s <= N <= MAX_POINTS.
    threshold : float
        Inlier distance in pixels, > 0.
    iterations : int
        Most random samples, 1 <= iterations <= MAX_ITERATIONS (10⁹).
    rng : numpy.random.Generator or int
        Source of randomness (an int is used as a seed).
    model : {"affine", "homography"}
        What to fit.
    confidence : float
        p in (0, 1): the wanted probability of having drawn one clean sample.

    Returns
    -------
    matrix : ndarray of float64, (3, 3)
    inliers : ndarray of bool, (N,)

    Raises
    ------
    ValueError
        Besides bad arguments: when no sample gives a model with s inliers, or
        when reaching the confidence would take more than MAX_RANSAC_WORK
        (2·10⁷) point tests, which means that only a few per cent of the
        matches agree on any one model.

    See Also
    --------
    estimate_affine, estimate_homography, find_matches

    Notes
    -----
    A clean minimal sample still fits its own small noise exactly, so the
    first model is only as good as those few points; the refit on all inliers
    averages the noise out. Wrong matches that happen to fall within
    ``threshold`` of the model count as inliers and do pull the refit, by up
    to ``threshold`` each. Samples are drawn in batches, so memory does not
    grow with ``iterations``.

    References
    ----------
    .. [1] M. A. Fischler and R. C. Bolles, "Random sample consensus: a paradigm for model fitting with
       applications to image analysis and automated cartography," Communications of the ACM, 24(6), 1981.
    .. [2] R. Hartley and A. Zisserman, Multiple View Geometry in Computer Vision, 2nd ed., 2004, section 4.7.

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
    model = as_choice(model, "model", _MODELS)
    size = _MODELS[model]
    s, d = _matched_points(src, dst, size)
    threshold = as_real(threshold, "threshold", minimum=0, strict=True)
    iterations = as_int(iterations, "iterations", minimum=1, maximum=MAX_ITERATIONS)
    confidence = _confidence(confidence)
    generator = as_rng(rng)
    for points, name in ((s, "src"), (d, "dst")):
        if _collinear(points):
            raise ValueError(f"{name} points are collinear: no {model} is determined")
    return _ransac(s, d, threshold, iterations, generator, model, confidence)


def _confidence(confidence):
    confidence = as_real(confidence, "confidence", minimum=0, maximum=1, strict=True)
    if confidence == 1:
        raise ValueError("confidence must be < 1: certainty would need every possible sample")
    return confidence


def _ransac(s, d, threshold, iterations, generator, model, confidence):
    size = _MODELS[model]
    n = len(s)
    t_src, t_dst = _normalizer(s), _normalizer(d)
    xs = np.column_stack([s @ t_src[:2, :2].T + t_src[:2, 2], np.ones(n)])  # (n, 3), normalized
    ys = d @ t_dst[:2, :2].T + t_dst[:2, 2]
    # The threshold in normalized units (T is a similarity). Python floats: a huge threshold squares to inf,
    # which accepts every match, instead of overflowing with a warning.
    limit = threshold * float(t_dst[0, 0])
    limit2 = limit * limit
    batch = max(1, min(256, _BATCH_VALUES // n))
    best_count, best_score, best = -1, np.inf, None
    done, needed = 0, np.inf
    while done < min(iterations, needed):
        if done * n > MAX_RANSAC_WORK:
            raise ValueError(
                f"ransac did not reach confidence {confidence} within MAX_RANSAC_WORK = {MAX_RANSAC_WORK} point "
                f"tests: the best {model} explains only {max(best_count, 0)} of {n} matches; lower iterations, "
                "raise threshold, or fix the matches")
        count = int(min(batch, iterations - done))
        samples = _distinct_samples(generator, n, size, count)
        matrices = _minimal_fits(xs[samples], ys[samples], model)
        done += count
        if matrices is None:
            continue
        mapped = (matrices.reshape(-1, 3) @ xs.T).reshape(len(matrices), 3, n)  # one matrix product for the batch
        rows, cols = mapped[:, 0], mapped[:, 1]
        if model == "homography":
            with np.errstate(divide="ignore", invalid="ignore"):
                rows, cols = rows / mapped[:, 2], cols / mapped[:, 2]
        rows -= ys[:, 0]
        cols -= ys[:, 1]
        err2 = rows * rows + cols * cols
        inlier = err2 < limit2  # nan (a point sent to infinity) is never an inlier
        counts = inlier.sum(axis=1)
        scores = np.where(inlier, err2, 0.0).sum(axis=1)
        top = np.lexsort((scores, -counts))[0]
        if counts[top] > best_count or (counts[top] == best_count and scores[top] < best_score):
            best_count, best_score, best = int(counts[top]), float(scores[top]), inlier[top]
            needed = _samples_needed(best_count / n, size, confidence)
    if best is None or best_count < size:
        raise ValueError(f"ransac found no {model} with {size} or more inliers; raise threshold or iterations")
    return _refit(s, d, best, threshold, model)


def ransac_trials(inlier_share, sample_size, confidence=0.99):
    """Samples RANSAC needs: N = log(1 − p) / log(1 − wˢ).

    A sample of s pairs drawn from matches with inlier share w is all
    inliers (clean) with probability wˢ; N independent samples contain no
    clean one with probability (1 − wˢ)ᴺ, which falls to 1 − p at this N.

    Taught in: 05_corners, "Extract, Match, Align".

    Parameters
    ----------
    inlier_share : float
        w in (0, 1].
    sample_size : int
        1 <= s <= MAX_SAMPLE_SIZE (100): 3 for an affine transform, 4 for a homography.
    confidence : float
        p in (0, 1).

    Returns
    -------
    float
        N, not rounded; 0 when w = 1.

    Raises
    ------
    ValueError
        When wˢ is 0 in float64 (w = 0, or w so small or s so large that
        wˢ < 10⁻³⁰⁸), or so small that N ≈ −log(1 − p) / wˢ exceeds the
        largest float: then no number of samples is enough.

    See Also
    --------
    ransac : stops after this many samples, computed from the best w so far.

    References
    ----------
    .. [1] M. A. Fischler and R. C. Bolles, "Random sample consensus: a paradigm for model fitting with
       applications to image analysis and automated cartography," Communications of the ACM, 24(6), 1981.

    Examples
    --------
    >>> round(ransac_trials(0.5, 4), 1)                  # half the matches wrong, a homography
    71.4
    >>> round(ransac_trials(0.5, 3), 1), round(ransac_trials(0.9, 4), 1)
    (34.5, 4.3)
    """
    share = as_real(inlier_share, "inlier_share", minimum=0, maximum=1)
    size = as_int(sample_size, "sample_size", minimum=1, maximum=MAX_SAMPLE_SIZE)
    confidence = _confidence(confidence)
    needed = float(_samples_needed(share, size, confidence))
    if not np.isfinite(needed):
        raise ValueError(f"inlier_share ** sample_size = {share:g} ** {size} is too small: a clean sample is so "
                         "unlikely that the samples needed exceed any float; no number of samples is enough")
    return needed


def _samples_needed(share, size, confidence):
    """N = log(1 − p) / log(1 − wˢ) in Python floats: 0 when wˢ = 1, inf when wˢ is 0 or N overflows."""
    clean = share ** size
    if clean >= 1:
        return 0.0
    if clean <= 0:
        return math.inf
    return math.log1p(-confidence) / math.log1p(-clean)


def _refit(s, d, inliers, threshold, model):
    """Least squares on the inliers, then once more on the inliers of that fit if they changed."""
    fit = _fit_affine if model == "affine" else _fit_homography
    try:
        matrix = fit(s[inliers], d[inliers])
    except (ValueError, np.linalg.LinAlgError):
        raise ValueError(f"ransac's inliers do not determine a {model}; raise threshold or iterations") from None
    refined = _residuals(matrix, s, d) < threshold
    if refined.sum() >= _MODELS[model] and not np.array_equal(refined, inliers):
        try:
            again = fit(s[refined], d[refined])
        except (ValueError, np.linalg.LinAlgError):
            return matrix, inliers
        return again, _residuals(again, s, d) < threshold
    return matrix, refined


def _distinct_samples(generator, n, size, count):
    """(count, size) indices into range(n), distinct within each row (redrawing rows with repeats)."""
    samples = generator.integers(0, n, size=(count, size))
    while True:
        ordered = np.sort(samples, axis=1)
        repeated = (ordered[:, 1:] == ordered[:, :-1]).any(axis=1)
        if not repeated.any():
            return samples
        samples[repeated] = generator.integers(0, n, size=(int(repeated.sum()), size))


def _area2(p, q, r):
    """Twice the signed area of the triangles (p, q, r), each (b, 2)."""
    return (q[:, 0] - p[:, 0]) * (r[:, 1] - p[:, 1]) - (q[:, 1] - p[:, 1]) * (r[:, 0] - p[:, 0])


def _minimal_fits(x, y, model):
    """Exact models through minimal samples in normalized coordinates: (b, 3, 3), or None if all degenerate.

    x: (b, s, 3) homogeneous sources; y: (b, s, 2) targets. Samples with (nearly) collinear
    triples are dropped. The affine model is A = Y X⁻¹ with X, Y the 3x3 matrices of homogeneous
    columns; the homography maps the four points through the projective basis:
    B = [λ₁p₁ λ₂p₂ λ₃p₃] with [p₁ p₂ p₃] λ = p₄ sends e₁, e₂, e₃, (1, 1, 1) to p₁..p₄, and H = B_y B_x⁻¹.
    """
    yh = np.concatenate([y, np.ones(y.shape[:2] + (1,))], axis=2)
    triples = [(0, 1, 2)] if model == "affine" else [(0, 1, 2), (0, 1, 3), (0, 2, 3), (1, 2, 3)]
    good = np.ones(len(x), dtype=bool)
    for points in (x[..., :2], y):
        for i, j, k in triples:
            good &= np.abs(_area2(points[:, i], points[:, j], points[:, k])) > 1e-6
    if not good.any():
        return None
    x, yh = x[good], yh[good]
    if model == "affine":
        return np.linalg.solve(x, yh).swapaxes(1, 2)  # Aᵀ = X⁻ᵀ Yᵀ, and Xᵀ holds the points as rows

    def basis(points):  # points: (b, 4, 3) homogeneous
        columns = np.swapaxes(points[:, :3], 1, 2)
        weights = np.linalg.solve(columns, points[:, 3, :, None])  # (b, 3, 1)
        return columns * np.swapaxes(weights, 1, 2)

    return basis(yh) @ np.linalg.inv(basis(x))


def _residuals(matrix, s, d):
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.linalg.norm(_transform(matrix, s) - d, axis=1)
    return np.where(np.isnan(gap), np.inf, gap)


def residuals(matrix, src, dst):
    """Transfer error of each pair: eᵢ = ‖T(srcᵢ) − dstᵢ‖, with T the matrix and the projective division.

    Taught in: 05_corners, "Affine versus Homography".

    Parameters
    ----------
    matrix : array_like
        3x3 affine or projective matrix.
    src, dst : array_like
        (N, 2) corresponding (row, col) points.

    Returns
    -------
    ndarray of float64, (N,)
        In pixels; inf for a point that the matrix sends to infinity.

    See Also
    --------
    ransac : counts a pair as an inlier when eᵢ < threshold.

    Examples
    --------
    >>> residuals(np.eye(3), [[0, 0], [3, 4]], [[0, 1], [0, 0]])
    array([1., 5.])
    """
    m = _as_matrix(matrix)
    s = _as_points(src, "src")
    d = _as_points(dst, "dst")
    if s.shape != d.shape:
        raise ValueError(f"src and dst must have the same shape; got {s.shape} and {d.shape}")
    return _residuals(m, s, d)


def frame_error(matrix, reference, shape):
    """How far two transforms disagree over a frame: max over its four corners of ‖T(p) − T_ref(p)‖.

    The corners p are (0, 0), (0, W − 1), (H − 1, 0) and (H − 1, W − 1) of a
    frame of ``shape`` (H, W); for a homography the disagreement inside the
    frame is largest at its border, so this bounds the error of every pixel
    of a view warped with ``matrix`` instead of ``reference``.

    Taught in: 05_corners, "When a Homography Is Right".

    Parameters
    ----------
    matrix, reference : array_like
        3x3 affine or projective matrices.
    shape : tuple of int
        (H, W) of the frame, each side at most MAX_FRAME_SIDE (10⁶).

    Returns
    -------
    float
        In pixels.

    See Also
    --------
    residuals : the same distance for matched points.

    Examples
    --------
    >>> shift = [[1, 0, 0.5], [0, 1, 0], [0, 0, 1]]
    >>> frame_error(shift, np.eye(3), (100, 200))
    0.5
    """
    m = _as_matrix(matrix)
    ref = _as_matrix(reference, "reference")
    rows, cols = _as_shape(shape, "shape")
    corners = np.array([[0, 0], [0, cols - 1], [rows - 1, 0], [rows - 1, cols - 1]], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.linalg.norm(_transform(m, corners) - _transform(ref, corners), axis=1).max()
    return float(gap) if np.isfinite(gap) else float("inf")


# --------------------------------------------------------------- warping

def warp(image, matrix, output_shape, fill=0.0, order=1):
    """Apply an affine or projective transform to an image: g(p) = f(T⁻¹(p)), bilinear by default.

    ``matrix`` T maps input (row, col) to output (row, col); each output
    pixel p looks up the input at T⁻¹(p) (inverse mapping, so there are no
    holes) and interpolates between the four neighbours (``order=1``) or
    with a cubic spline (``order=3``, sharper: bilinear interpolation blurs,
    which lowers gradients and thus R). For a homography H the lookup is
    q = H⁻¹ (r, c, 1)ᵀ, then (q₁ / q₃, q₂ / q₃). Outside the input, or where
    q₃ <= 0 (behind the camera), the output is ``fill``.

    Taught in: 05_corners, "Homography".

    Parameters
    ----------
    image : array_like
        Grey (H, W) or RGB (H, W, 3) image.
    matrix : array_like
        3x3 (or 2x3 affine) matrix, invertible: its condition number
        σ_max / σ_min must not exceed MAX_CONDITION (10¹²). Conditioning,
        not the determinant, decides: 10⁻⁶·I is a fine matrix.
    output_shape : tuple of int
        (rows, cols) of the result, at most MAX_OUTPUT_PIXELS (2²²) pixels.
    fill : float
        Value outside the input.
    order : int
        Spline order of the interpolation, 0 (nearest) to 5.

    Returns
    -------
    ndarray of float64, output_shape (+ (3,) for RGB)

    See Also
    --------
    rotate, mosaic

    Notes
    -----
    An affine matrix goes to ``scipy.ndimage.affine_transform``; a projective
    one to ``scipy.ndimage.map_coordinates`` at the divided coordinates. Both
    agree with ``skimage.transform.warp`` on interior pixels.

    Examples
    --------
    >>> f = np.arange(9.0).reshape(3, 3)
    >>> warp(f, [[1, 0, 1], [0, 1, 0], [0, 0, 1]], (3, 3))   # move down one row
    array([[0., 0., 0.],
           [0., 1., 2.],
           [3., 4., 5.]])
    >>> H = [[2, 0, 0], [0, 2, 0], [0, 0, 2]]                 # projectively the identity
    >>> bool(np.allclose(warp(f, H, (3, 3)), f))
    True
    """
    f = as_float_image(image)
    m = _as_matrix(matrix)
    shape = _as_output_shape(output_shape)
    fill = as_real(fill, "fill")
    order = as_int(order, "order", minimum=0, maximum=5)
    return _warp(f, _inverse(m), shape, fill, order)


def _warp(f, inverse, shape, fill, order):
    options = dict(order=order, mode="constant", cval=fill)
    if _is_affine(inverse):
        def one(channel):
            return ndi.affine_transform(channel, inverse, output_shape=shape, **options)
    else:
        coordinates = _source_coordinates(inverse, shape)

        def one(channel):
            return ndi.map_coordinates(channel, coordinates, **options)
    if f.ndim == 2:
        return one(f)
    return np.stack([one(f[..., c]) for c in range(f.shape[2])], axis=-1)


def _source_coordinates(inverse, shape):
    """(2, rows, cols) input coordinates H⁻¹ p of every output pixel; behind the camera -> far outside."""
    rows = np.arange(shape[0], dtype=np.float64)[:, None]
    cols = np.arange(shape[1], dtype=np.float64)[None, :]
    q0, q1, w = (inverse[i, 0] * rows + inverse[i, 1] * cols + inverse[i, 2] for i in range(3))
    visible = w > 1e-12 * max(np.abs(q0).max(), np.abs(q1).max(), np.abs(w).max())
    w = np.where(visible, w, 1.0)
    far = -1e6  # any point this far outside reads the fill value
    return np.stack([np.where(visible, q0 / w, far), np.where(visible, q1 / w, far)])


def overlap_difference(image_a, image_b, matrix):
    """How well a transform aligns two views: |g_B(p) − f_A(T⁻¹(p))| on B's frame, NaN where A does not reach.

    View A is warped into B's frame with T (bilinear, :func:`warp`); every
    pixel of B that A covers gets the absolute difference. Where T is right
    and the scene obeys it, only noise and interpolation remain; where it is
    wrong, edges appear twice (ghosting).

    Taught in: 05_corners, "Affine versus Homography".

    Parameters
    ----------
    image_a, image_b : array_like
        Grey images.
    matrix : array_like
        Invertible 3x3 affine or projective matrix mapping A's (row, col) to B's.

    Returns
    -------
    ndarray of float64, the shape of ``image_b``

    See Also
    --------
    mosaic, residuals

    Examples
    --------
    >>> f = np.arange(16.0).reshape(4, 4)
    >>> overlap_difference(f, f[:, 1:], [[1, 0, 0], [0, 1, -1], [0, 0, 1]])   # B is A without its first column
    array([[0., 0., 0.],
           [0., 0., 0.],
           [0., 0., 0.],
           [0., 0., 0.]])
    >>> overlap_difference(f, f, [[1, 0, 1], [0, 1, 0], [0, 0, 1]])[:, 0]     # shifted a row: row 0 is not covered
    array([nan,  4.,  4.,  4.])
    """
    a, b = _grey(image_a, "image_a"), _grey(image_b, "image_b")
    inverse = _inverse(_as_matrix(matrix))
    if b.size > MAX_OUTPUT_PIXELS:
        raise ValueError(f"image_b must have at most MAX_OUTPUT_PIXELS = {MAX_OUTPUT_PIXELS} pixels")
    warped = _warp(a, inverse, b.shape, 0.0, 1)
    covered = _warp(np.ones(a.shape), inverse, b.shape, 0.0, 1) > 1 - 1e-9
    return np.where(covered, np.abs(b - warped), np.nan)


def mosaic(images, matrices, output_shape, blend="feather", fill=0.0):
    """Place several views on one canvas and blend them where they overlap.

    View i is warped onto the canvas with its matrix Tᵢ (view (row, col) →
    canvas (row, col)): gᵢ(p) = fᵢ(Tᵢ⁻¹(p)), bilinear. The canvas is the
    weighted mean

        g(p) = Σᵢ wᵢ(p) gᵢ(p) / Σᵢ wᵢ(p),

    with ``blend="feather"`` the weights of Brown and Lowe: wᵢ(p) = dᵢ(Tᵢ⁻¹(p)),
    dᵢ(r, c) = min(r + 1, c + 1, Hᵢ − r, Wᵢ − c) the distance to view i's
    border, so each view fades out towards its edges and seams disappear;
    with ``blend="average"`` wᵢ = 1 inside view i (a plain mean, which shows
    every misalignment). Where no view reaches, g = ``fill``.

    Taught in: 05_corners, "Affine versus Homography".

    Parameters
    ----------
    images : sequence of array_like
        1 to MAX_VIEWS (16) grey images, or RGB images (all the same kind).
    matrices : sequence of array_like
        One invertible 3x3 affine or projective matrix per image.
    output_shape : tuple of int
        (rows, cols) of the canvas, at most MAX_OUTPUT_PIXELS (2²²) pixels.
    blend : {"feather", "average"}
        The weights.
    fill : float
        Value where no view reaches.

    Returns
    -------
    ndarray of float64, output_shape (+ (3,) for RGB)

    See Also
    --------
    warp, ransac

    References
    ----------
    .. [1] M. Brown and D. G. Lowe, "Automatic panoramic image stitching using invariant features,"
       International Journal of Computer Vision, 74(1), 2007.

    Examples
    --------
    >>> left, right = np.full((4, 4), 10.0), np.full((4, 4), 20.0)
    >>> shift = [[1, 0, 0], [0, 1, 2], [0, 0, 1]]        # the right view starts at column 2
    >>> mosaic([left, right], [np.eye(3), shift], (4, 6), blend="average")[1]
    array([10., 10., 15., 15., 20., 20.])
    >>> mosaic([left, right], [np.eye(3), shift], (4, 6))[1].round(2)   # feathered: each fades towards its edge
    array([10.  , 10.  , 13.33, 16.67, 20.  , 20.  ])
    """
    if not isinstance(images, (list, tuple)) or not isinstance(matrices, (list, tuple)):
        raise TypeError("images and matrices must be lists (or tuples), one matrix per image")
    if not 1 <= len(images) <= MAX_VIEWS:
        raise ValueError(f"images must hold 1 to MAX_VIEWS = {MAX_VIEWS} views; got {len(images)}")
    if len(matrices) != len(images):
        raise ValueError(f"images and matrices must have one length; got {len(images)} and {len(matrices)}")
    views = [as_float_image(image, "images") for image in images]
    if len({view.ndim for view in views}) > 1:
        raise ValueError("images must be all grey or all RGB")
    inverses = [_inverse(_as_matrix(matrix, "matrices"), "matrices") for matrix in matrices]
    shape = _as_output_shape(output_shape)
    blend = as_choice(blend, "blend", ("feather", "average"))
    fill = as_real(fill, "fill")
    return _mosaic(views, inverses, shape, blend, fill)


def _mosaic(views, inverses, shape, blend, fill):
    total = np.zeros(shape + views[0].shape[2:])
    weight = np.zeros(shape)
    for view, inverse in zip(views, inverses):
        rows, cols = view.shape[:2]
        if blend == "feather":
            r, c = np.indices((rows, cols), dtype=np.float64)
            border = np.minimum(np.minimum(r + 1, c + 1), np.minimum(rows - r, cols - c))
        else:
            border = np.ones((rows, cols))
        # Warp w·f and w, not f and w: at a view's rim bilinear weights mix in the outside, and this way
        # they cancel in the ratio instead of darkening the seam (premultiplied alpha).
        weighted = view * (border[..., None] if view.ndim == 3 else border)
        total += _warp(weighted, inverse, shape, 0.0, 1)
        weight += _warp(border, inverse, shape, 0.0, 1)
    covered = weight > 1e-12
    safe = np.where(covered, weight, 1.0)
    out = total / (safe[..., None] if total.ndim == 3 else safe)
    out[~covered] = fill
    return out


def rotate(image, angle_deg, scale=1.0, output_shape=None, order=3):
    """Rotate (and optionally scale) an image about its centre.

    The matrix is A = T(c_out) · S(scale) · R(θ) · T(−c_in), with c the
    centre ((H − 1)/2, (W − 1)/2) of each image and, in (row, col) with rows
    pointing down, R(θ) = [[cos θ, −sin θ], [sin θ, cos θ]] so positive θ
    turns the picture counter-clockwise on screen.

    Taught in: 05_corners, "Rotation".

    Parameters
    ----------
    image : array_like
        Grey or RGB image.
    angle_deg : float
        Rotation angle θ in degrees.
    scale : float
        Isotropic zoom s (2 doubles the size of the content), 1 / MAX_ZOOM <= s <= MAX_ZOOM (1000).
    output_shape : tuple of int, optional
        Size of the result (default: the input's), at most MAX_OUTPUT_PIXELS
        pixels. The input centre lands on the output centre, so a smaller
        output is a centred crop.
    order : int
        Interpolation order passed to :func:`warp`; the default cubic
        spline keeps corners sharp, so R survives the resampling.

    Returns
    -------
    rotated : ndarray of float64
    matrix : ndarray of float64, (3, 3)
        A, mapping input (row, col) to output (row, col).

    See Also
    --------
    warp, rotation_homography

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
    zoom = as_real(scale, "scale", minimum=1.0 / MAX_ZOOM, maximum=MAX_ZOOM)
    shape = f.shape[:2] if output_shape is None else _as_output_shape(output_shape)
    order = as_int(order, "order", minimum=0, maximum=5)
    c_in = (np.array(f.shape[:2]) - 1) / 2.0
    c_out = (np.array(shape) - 1) / 2.0
    cos, sin = np.cos(theta), np.sin(theta)
    # rows point down: a counter-clockwise turn on screen maps (r, c) -> (cos r - sin c, sin r + cos c)
    linear = zoom * np.array([[cos, -sin], [sin, cos]])
    linear = np.where(np.abs(linear) < 1e-15, 0.0, linear)
    matrix = np.eye(3)
    matrix[:2, :2] = linear
    matrix[:2, 2] = c_out - linear @ c_in
    return _warp(f, _inverse(matrix), tuple(shape), 0.0, order), matrix


def rotation_homography(focal, center, yaw=0.0, pitch=0.0, roll=0.0, center_out=None):
    """Homography between the views of a camera that only rotates: H = K' R K⁻¹.

    A pixel (r, c) is the ray q = K⁻¹ (r, c, 1)ᵀ with
    K = [[f, 0, c_r], [0, f, c_c], [0, 0, 1]] (the ray's components are down,
    right, forward, in the order of (row, col, 1)). Turning the camera by R
    sends the ray to R q and its new pixel to K' R q, whatever the depth of
    the scene point: no parallax, so one homography aligns the two views
    exactly. R = R_roll · R_pitch · R_yaw:

    * yaw ψ turns the camera to the right about the vertical axis, so the
      content moves left: R_yaw = [[1, 0, 0], [0, cos ψ, −sin ψ], [0, sin ψ, cos ψ]];
    * pitch θ tilts it up, so the content moves down:
      R_pitch = [[cos θ, 0, sin θ], [0, 1, 0], [−sin θ, 0, cos θ]];
    * roll φ turns the picture like :func:`rotate` with angle φ:
      R_roll = [[cos φ, −sin φ, 0], [sin φ, cos φ, 0], [0, 0, 1]].

    Taught in: 05_corners, "When a Homography Is Right".

    Parameters
    ----------
    focal : float
        f >= MIN_FOCAL (1), the focal length in pixels (both views).
    center : tuple of float
        (c_r, c_c), the principal point of the input view (usually its centre).
    yaw, pitch, roll : float
        Angles in degrees, each in [−90, 90].
    center_out : tuple of float, optional
        The principal point of the output view (default ``center``), so a
        view of another size can be cut out of the input.

    Returns
    -------
    ndarray of float64, (3, 3)
        H with H[2, 2] = 1 when the rotation keeps the principal ray in front.

    See Also
    --------
    warp : render the rotated view; estimate_homography : recover H from matches.

    References
    ----------
    .. [1] R. Hartley and A. Zisserman, Multiple View Geometry in Computer Vision, 2nd ed., 2004, section 8.4.
    .. [2] M. Brown and D. G. Lowe, "Automatic panoramic image stitching using invariant features,"
       International Journal of Computer Vision, 74(1), 2007.

    Examples
    --------
    >>> H = rotation_homography(500.0, (100.0, 150.0), yaw=10.0)
    >>> transform_points(H, [[100.0, 150.0]]).round(2)   # the centre moves left by f·tan(10°)
    array([[100.  ,  61.84]])
    """
    f = as_real(focal, "focal", minimum=MIN_FOCAL)
    c_in = _as_pair(center, "center")
    c_out = c_in if center_out is None else _as_pair(center_out, "center_out")
    psi, theta, phi = (np.deg2rad(as_real(angle, name, minimum=-90, maximum=90))
                       for angle, name in ((yaw, "yaw"), (pitch, "pitch"), (roll, "roll")))
    cy, sy, cp, sp, cr, sr = np.cos(psi), np.sin(psi), np.cos(theta), np.sin(theta), np.cos(phi), np.sin(phi)
    r_yaw = np.array([[1.0, 0.0, 0.0], [0.0, cy, -sy], [0.0, sy, cy]])
    r_pitch = np.array([[cp, 0.0, sp], [0.0, 1.0, 0.0], [-sp, 0.0, cp]])
    r_roll = np.array([[cr, -sr, 0.0], [sr, cr, 0.0], [0.0, 0.0, 1.0]])
    k_in = np.array([[f, 0.0, c_in[0]], [0.0, f, c_in[1]], [0.0, 0.0, 1.0]])
    k_out = np.array([[f, 0.0, c_out[0]], [0.0, f, c_out[1]], [0.0, 0.0, 1.0]])
    h = k_out @ r_roll @ r_pitch @ r_yaw @ np.linalg.inv(k_in)
    return h / h[2, 2] if abs(h[2, 2]) > 1e-12 else h


def _as_pair(value, name):
    if not isinstance(value, (tuple, list, np.ndarray)) or len(value) != 2:
        raise TypeError(f"{name} must be a (row, col) pair; got {value!r}")
    return np.array([as_real(v, name) for v in value])


def shear_wave(image, amplitude, wavelength):
    """A smooth non-rigid deformation: row r slides sideways by s(r) = a·sin(2πr / λ).

    g(r, c) = f(r, c − s(r)) (cubic interpolation, the edge pixel repeated),
    so the point (r, c) of f lands at (r, c + s(r)) in g. No single affine
    map or homography describes it, but near any point it is close to a
    translation by s(r) plus a shear of slope s'(r) = (2πa / λ)·cos(2πr / λ),
    which is what local features cope with.

    Taught in: 05_corners, "Global versus Local Features".

    Parameters
    ----------
    image : array_like
        Grey image (H, W).
    amplitude : float
        a, the largest sideways shift in pixels, |a| <= the image width.
    wavelength : float
        λ >= MIN_WAVELENGTH (2), in rows: a shorter wave is not sampled by the rows (Nyquist).

    Returns
    -------
    deformed : ndarray of float64, (H, W)
    shift : ndarray of float64, (H,)
        s(r) for every row.

    See Also
    --------
    warp : the global (affine or projective) transforms.

    Examples
    --------
    >>> f = np.tile(np.arange(8.0), (4, 1))
    >>> g, s = shear_wave(f, 1.0, 4.0)                  # rows shift by 0, 1, 0, -1
    >>> s.round(6) + 0.0
    array([ 0.,  1.,  0., -1.])
    >>> g[1].round(6) + 0.0                              # row 1 moved right by one pixel
    array([0., 0., 1., 2., 3., 4., 5., 6.])
    """
    f = _grey(image)
    amplitude = as_real(amplitude, "amplitude", minimum=-f.shape[1], maximum=f.shape[1])
    wavelength = as_real(wavelength, "wavelength", minimum=MIN_WAVELENGTH)
    shift = amplitude * np.sin(2 * np.pi * np.arange(f.shape[0]) / wavelength)
    rows, cols = np.indices(f.shape, dtype=np.float64)
    deformed = ndi.map_coordinates(f, [rows, cols - shift[:, None]], order=3, mode="nearest")
    return deformed, shift


# -------------------------------------------------------------- evaluation

def repeatability(points_a, points_b, matrix, tol=1.5, shape_b=None):
    """Share of A's corners found again in B after mapping through the known transform.

    rep = #{p ∈ A : min_{q∈B} ‖T(p) − q‖ <= tol} / #A, with T affine or
    projective. With ``shape_b`` given, only the points of A whose image
    lands inside B's frame (with a margin of tol) are counted, since the
    others cannot be re-detected.

    Taught in: 05_corners, "Invariance and Covariance".

    Parameters
    ----------
    points_a, points_b : array_like
        (N, 2) and (M, 2) (row, col) corners of images A and B (M may be 0).
    matrix : array_like
        3x3 affine or projective matrix mapping A's coordinates to B's.
    tol : float
        Distance in pixels, >= 0.
    shape_b : tuple of int, optional
        (rows, cols) of image B, each at most MAX_FRAME_SIDE (10⁶).

    Returns
    -------
    float
        In [0, 1].

    See Also
    --------
    response_ratio : the invariance of R at the corners found again.

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
    with np.errstate(divide="ignore", invalid="ignore"):
        mapped = _transform(m, a)
    finite = np.isfinite(mapped).all(axis=1)
    if shape_b is not None:
        rows, cols = _as_shape(shape_b, "shape_b")
        inside = finite & (
            (mapped[:, 0] >= -tol) & (mapped[:, 0] <= rows - 1 + tol)
            & (mapped[:, 1] >= -tol) & (mapped[:, 1] <= cols - 1 + tol)
        )
        if not inside.any():
            raise ValueError("no point of points_a maps inside shape_b")
        mapped, finite = mapped[inside], finite[inside]
    if len(b) == 0:
        return 0.0
    distance = np.full(len(mapped), np.inf)
    distance[finite] = cKDTree(b).query(mapped[finite])[0]
    return float(np.mean(distance <= tol))


def _transform(matrix, points):
    if _is_affine(matrix):
        return points @ matrix[:2, :2].T + matrix[:2, 2]
    q = points @ matrix[:, :2].T + matrix[:, 2]
    return q[:, :2] / q[:, 2:]


def transform_points(matrix, points):
    """Map (row, col) points through a 3x3 matrix: p' = (q₁ / q₃, q₂ / q₃) with q = T (r, c, 1)ᵀ.

    For an affine matrix (last row (0, 0, 1)) q₃ = 1 and this is p' = A p + t,
    with A = matrix[:2, :2] and t = matrix[:2, 2].

    Taught in: 05_corners, "Rotation".

    Parameters
    ----------
    matrix : array_like
        3x3 (or 2x3 affine) matrix.
    points : array_like
        (N, 2) (row, col) points.

    Returns
    -------
    ndarray of float64, (N, 2)
        inf or nan where q₃ = 0 (the point maps to infinity).

    See Also
    --------
    residuals, repeatability

    Examples
    --------
    >>> transform_points([[0, -1, 10], [1, 0, 0], [0, 0, 1]], [[1, 2], [3, 4]])
    array([[8., 1.],
           [6., 3.]])
    >>> transform_points([[1, 0, 0], [0, 1, 0], [0.01, 0, 1]], [[100, 50]])   # projective: divide by 2
    array([[50., 25.]])
    """
    m = _as_matrix(matrix)
    pts = _as_points(points, "points")
    with np.errstate(divide="ignore", invalid="ignore"):
        return _transform(m, pts)


def relative_transform(matrix_a, matrix_b):
    """The map from view A to view B when both are transforms of one source: T_AB = T_B · T_A⁻¹.

    View A shows the source point p at T_A p and view B at T_B p, so the point
    q = T_A p of A is T_B T_A⁻¹ q in B. Both may be affine or projective;
    for two affine views the result is affine, its last row exactly (0, 0, 1).

    Taught in: 05_corners, "Rotation".

    Parameters
    ----------
    matrix_a : array_like
        3x3 (or 2x3 affine) matrix from the source to view A, invertible:
        its condition number must not exceed MAX_CONDITION (10¹²).
    matrix_b : array_like
        3x3 (or 2x3 affine) matrix from the source to view B.

    Returns
    -------
    ndarray of float64, (3, 3)
        T_AB, mapping A's (row, col) to B's.

    See Also
    --------
    rotate : returns the matrix of each view; transform_points, repeatability.

    Examples
    --------
    >>> to_a = [[1, 0, 5], [0, 1, 0], [0, 0, 1]]          # A: the source moved down 5 rows
    >>> to_b = [[1, 0, 0], [0, 1, 3], [0, 0, 1]]          # B: the source moved right 3 columns
    >>> relative_transform(to_a, to_b)                     # so from A to B: up 5 rows, right 3 columns
    array([[ 1.,  0., -5.],
           [ 0.,  1.,  3.],
           [ 0.,  0.,  1.]])
    """
    a = _as_matrix(matrix_a, "matrix_a")
    b = _as_matrix(matrix_b, "matrix_b")
    return b @ _inverse(a, "matrix_a")


def response_ratio(response_a, points_a, response_b, points_b, matrix, tol=1.5):
    """Median R_B / R_A over A's corners found again in B: how invariant the response is.

    A corner p of A is found again when some corner q of B lies within
    ``tol`` of T(p) (as in :func:`repeatability`); the ratio compares the
    response at q in B with the response at p in A. NaN when none is found.

    Taught in: 05_corners, "Rotation".

    Parameters
    ----------
    response_a, response_b : array_like
        2-D response maps of images A and B.
    points_a : array_like
        (N, 2) integer (row, col) corners inside ``response_a``, N >= 1.
    points_b : array_like
        (M, 2) integer (row, col) corners inside ``response_b`` (M may be 0).
    matrix : array_like
        3x3 affine or projective matrix mapping A's coordinates to B's.
    tol : float
        Distance in pixels, >= 0.

    Returns
    -------
    float

    See Also
    --------
    repeatability

    Examples
    --------
    >>> r_a, r_b = np.ones((5, 5)), np.full((5, 5), 2.0)
    >>> response_ratio(r_a, [[1, 1], [3, 3]], r_b, [[1, 2]], [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
    2.0
    """
    r_a = as_array(response_a, "response_a", ndim=2).astype(np.float64, copy=False)
    r_b = as_array(response_b, "response_b", ndim=2).astype(np.float64, copy=False)
    a = _as_pixels(points_a, "points_a", r_a.shape)
    if len(a) == 0:
        raise ValueError("points_a must contain at least one point")
    b = _as_pixels(points_b, "points_b", r_b.shape)
    m = _as_matrix(matrix)
    tol = as_real(tol, "tol", minimum=0)
    if len(b) == 0:
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        mapped = _transform(m, a.astype(np.float64))
    finite = np.isfinite(mapped).all(axis=1)
    distance = np.full(len(a), np.inf)
    partner = np.zeros(len(a), dtype=np.int64)
    distance[finite], partner[finite] = cKDTree(b).query(mapped[finite])
    found = distance <= tol
    if not found.any():
        return float("nan")
    q = b[partner[found]]
    return float(np.median(r_b[q[:, 0], q[:, 1]] / r_a[a[found, 0], a[found, 1]]))
