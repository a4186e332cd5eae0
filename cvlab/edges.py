"""Edge detection: image derivatives as convolutions, Laplacian of Gaussian, and Canny.

An edge is where the grey level f(x, y) changes fast. The first derivatives
(∂f/∂x, ∂f/∂y) are estimated by correlating with small kernels
(:func:`derivative_kernels`), usually after Gaussian smoothing, since a
derivative amplifies noise; the edge is a maximum of the gradient magnitude
along the gradient direction (:func:`non_max_suppression`). The second
derivative (the Laplacian ∇²f) crosses zero there instead
(:func:`laplacian_of_gaussian`, :func:`zero_crossings`). :func:`canny` chains
smoothing, Sobel gradients, non-maximum suppression and hysteresis.

Conventions:

* x is the column (to the right), y the row (downwards); gradients come as
  (gy, gx), like ``np.gradient`` and ``cvlab.features``;
* images are grey (H, W), any finite real dtype, computed in float64 in the
  image's own units: derivative kernels are scaled so that f(x, y) = x gives
  gx = 1, so gradients are in levels per pixel;
* orientation θ = atan2(gy, gx) in radians, in (−π, π]; with y pointing down,
  a positive θ turns clockwise on the screen.

Borders:

* the 3×3 derivative kernels replicate the edge pixel (for three taps this is
  also the mirror), as ``cvlab.features.gradients`` does;
* :func:`smooth` (and so :func:`gradient` with ``sigma`` and :func:`canny`)
  averages only pixels inside the image: the Gaussian weights that fall
  outside are dropped and the rest renormalized, as ``skimage.feature.canny``
  does;
* :func:`laplacian_of_gaussian` and :func:`difference_of_gaussians` mirror the
  image (NumPy's ``'symmetric'``, scipy's ``'reflect'``), as scipy.ndimage does.

Every Gaussian here is truncated at r = ⌊4σ + 0.5⌋ taps on each side, the
radius scipy.ndimage and scikit-image use (the 3σ rule of chapter 2 keeps
99.7 % of the mass, 4σ keeps 99.994 %).
"""

import math

import numpy as np
from scipy import ndimage as ndi
from scipy import special

from . import filters
from ._checks import as_array, as_choice, as_float_image, as_image, as_int, as_odd, as_real

__all__ = [
    "OPERATORS",
    "derivative_kernels",
    "smooth",
    "gradient",
    "magnitude_orientation",
    "orientation_histogram",
    "gaussian_derivative_kernels",
    "laplacian_of_gaussian",
    "difference_of_gaussians",
    "zero_crossings",
    "non_max_suppression",
    "hysteresis",
    "canny",
    "edge_scores",
    "localization_error",
    "rotated_edge",
    "shapes_scene",
]

#: Each operator's smoothing taps (side, centre, side) across the derivative: the
#: kernel is the outer product of these with the difference (−1, 0, 1).
OPERATORS = {"central": (0, 1), "prewitt": (1, 1), "sobel": (1, 2), "scharr": (3, 10)}

#: Gaussians are cut at ⌊TRUNCATE·σ + 0.5⌋ taps per side (scipy's and scikit-image's default).
TRUNCATE = 4.0

#: Largest σ (pixels): radius 200, about 2·10⁹ multiply-adds on the course's largest image (1411²), a few seconds.
MAX_SIGMA = 50.0

#: Smallest σ for the derivative kernels, LoG and DoG: below it the kernel has a single tap.
MIN_SIGMA = 0.25

#: Canny ignores gradient magnitudes below ROUNDING × the image's largest |level|: floating-point noise.
ROUNDING = 1e-12

#: Largest distance tolerance (pixels) for :func:`edge_scores` and :func:`localization_error`.
MAX_TOLERANCE = 50.0

#: Most bins of :func:`orientation_histogram` (a tenth of a degree each).
MAX_BINS = 3600

#: Largest side of :func:`rotated_edge` (a few arrays of 1025² float64, about 10 MB each).
MAX_PATTERN_SIZE = 1025


# ----------------------------------------------------------------- checks


def _grey(image, name="image"):
    return as_float_image(image, name, color=False)


def _sigma(sigma, name="sigma", minimum=0.0):
    sigma = as_real(sigma, name, minimum=minimum)
    if sigma > MAX_SIGMA:
        raise ValueError(f"{name} must be <= MAX_SIGMA = {MAX_SIGMA:g} pixels; got {sigma:g}")
    return sigma


def _pair(a, b, name_a, name_b):
    """Two 2-D float64 arrays of one shape, e.g. (gy, gx) or (magnitude, orientation)."""
    a = as_array(a, name_a, ndim=2).astype(np.float64, copy=False)
    b = as_array(b, name_b, ndim=2).astype(np.float64, copy=False)
    return a, _same_shape(b, name_b, a, name_a)


def _nonnegative(array, name):
    """``array`` itself, after checking that no entry is negative (magnitudes, distances)."""
    if array.min() < 0:
        raise ValueError(f"{name} must be >= 0 everywhere")
    return array


def _same_shape(array, name, reference, reference_name):
    if array.shape != reference.shape:
        raise ValueError(f"{name} must have the shape of {reference_name} {reference.shape}; got {array.shape}")
    return array


def _edge_map(value, name):
    """A boolean (H, W) edge map; 0/1 numbers are accepted too."""
    if isinstance(value, np.ndarray) and value.dtype == bool:
        if value.ndim != 2:
            raise ValueError(f"{name} must be 2-D (H, W); got shape {value.shape}")
        if value.size == 0:
            raise ValueError(f"{name} must not be empty; got shape {value.shape}")
        return value
    array = as_array(value, name, ndim=2)
    if not np.all((array == 0) | (array == 1)):
        raise ValueError(f"{name} must be an edge map: boolean, or numbers that are all 0 or 1")
    return array != 0


# ----------------------------------------------------------------- first derivatives


def _kernels(operator):
    side, centre = OPERATORS[operator]
    smoothing = np.array([side, centre, side], dtype=np.float64)
    kx = np.outer(smoothing, [-1.0, 0.0, 1.0]) / (2.0 * smoothing.sum())
    return kx.T.copy(), kx


def derivative_kernels(name):
    """The 3×3 derivative kernels (ky, kx) of a named operator, for correlation.

    Each kernel is a smoothing across the derivative times the central
    difference along it, scaled so that the result is in levels per pixel:

    kx(i, j) = s(i) · d(j) / (2 Σ s),  d = (−1, 0, 1),  ky = kxᵀ,

    with s = (0, 1, 0) for ``'central'`` (no smoothing), (1, 1, 1) for
    ``'prewitt'``, (1, 2, 1) for ``'sobel'`` and (3, 10, 3) for ``'scharr'``.
    So gx(x, y) = Σᵢ Σⱼ kx(i, j) f(x + j, y + i) ≈ ∂f/∂x; the Sobel kernel is
    (1/8)[[−1, 0, 1], [−2, 0, 2], [−1, 0, 1]].

    Parameters
    ----------
    name : {'central', 'prewitt', 'sobel', 'scharr'}

    Returns
    -------
    ky, kx : ndarray of float64, each (3, 3)

    See Also
    --------
    gradient : correlates an image with these kernels.

    References
    ----------
    .. [1] I. Sobel and G. Feldman, "A 3×3 isotropic gradient operator for image processing," 1968.
    .. [2] J. M. S. Prewitt, "Object enhancement and extraction," Picture Processing and Psychopictorics, 1970.
    .. [3] H. Scharr, "Optimale Operatoren in der digitalen Bildverarbeitung," PhD thesis, Heidelberg, 2000.

    Taught in: 04_edges, "Sobel, Prewitt, Scharr".

    Examples
    --------
    >>> ky, kx = derivative_kernels("sobel")
    >>> kx * 8
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    >>> bool(np.array_equal(ky, kx.T))
    True
    """
    return _kernels(as_choice(name, "name", OPERATORS))


def _smooth_across(d, side, centre, axis):
    """c·d(k) + s·(d(k + 1) + d(k − 1)) along ``axis``, dropping the two padded ends.

    The operations come in scipy.ndimage's order, so the Sobel result matches
    ``cvlab.features.gradients`` (which calls ``ndi.sobel``) bit for bit.
    """
    middle = d[1:-1] if axis == 0 else d[:, 1:-1]
    if side == 0:
        return centre * middle
    before, after = (d[:-2], d[2:]) if axis == 0 else (d[:, :-2], d[:, 2:])
    return centre * middle + side * (after + before)


def _gradient(f, operator="sobel"):
    """(gy, gx) of a float64 grey image with the operator's 3×3 kernels, edge pixels replicated."""
    side, centre = OPERATORS[operator]
    padded = np.pad(f, 1, mode="edge")
    gx = _smooth_across(padded[:, 2:] - padded[:, :-2], side, centre, axis=0)
    gy = _smooth_across(padded[2:] - padded[:-2], side, centre, axis=1)
    scale = 1.0 / (2 * (centre + 2 * side))
    gy *= scale
    gx *= scale
    return gy, gx


def _gaussian_taps(sigma):
    """The normalized Gaussian g(i), i = −r … r with r = ⌊4σ + 0.5⌋; a single tap 1 when r = 0."""
    radius = int(TRUNCATE * sigma + 0.5)
    if radius == 0:
        return np.ones(1)
    return filters._gaussian_taps(sigma, radius)


def _inside_weight(length, taps):
    """w(k) = Σ of the taps that fall inside [0, length) when centred at k."""
    radius = len(taps) // 2
    total = np.concatenate([[0.0], np.cumsum(taps)])
    k = np.arange(length)
    first = np.maximum(0, radius - k)
    last = np.minimum(2 * radius, length - 1 - k + radius)
    return total[last + 1] - total[first]


def _smooth(f, sigma):
    """Gaussian average of the pixels inside the image (zero padding, then renormalized)."""
    taps = _gaussian_taps(sigma)
    if len(taps) == 1:
        return f.copy()
    radius = len(taps) // 2
    blurred = filters._separable_grey(f, taps, taps, (radius, radius), "constant", f.shape)
    blurred /= np.outer(_inside_weight(f.shape[0], taps), _inside_weight(f.shape[1], taps))
    return blurred


def smooth(image, sigma):
    """Gaussian smoothing that averages only pixels inside the image (Canny's first stage).

    (G_σ ⊗ f)(x, y) / (G_σ ⊗ 1)(x, y), where 1 is the image of ones and both
    are zero outside the image: a weighted average with weights
    g(i) g(j) ∝ exp(−(i² + j²) / 2σ²) over the pixels that exist. Away from
    the border (more than r = ⌊4σ + 0.5⌋ pixels) it is the plain Gaussian
    blur; at the border it invents no pixels. Computed as two 1-D passes.

    Parameters
    ----------
    image : array_like
        Grey image (H, W), any finite real dtype.
    sigma : float
        Standard deviation σ in pixels, 0 ≤ σ ≤ :data:`MAX_SIGMA`; below 0.125
        the kernel has one tap and the image is returned as float64.

    Returns
    -------
    ndarray of float64, (H, W)

    See Also
    --------
    cvlab.filters.gaussian_blur : the same Gaussian (cut at 3σ) with a padded border.

    Notes
    -----
    ``skimage.feature.canny`` smooths the same way (its ``mode='constant'``
    default divides by the blurred mask); this is why a uniform image stays
    uniform up to its border, where zero padding alone would darken it.

    Taught in: 04_edges, "Canny, stage by stage".

    Examples
    --------
    >>> flat = np.full((4, 6), 7.0)
    >>> bool(np.allclose(smooth(flat, 2.0), 7.0))       # zero padding alone would darken the border
    True
    >>> smooth([[0.0, 0.0, 1.0, 1.0]], 1.0).round(3)
    array([[0.084, 0.316, 0.684, 0.916]])
    """
    return _smooth(_grey(image), _sigma(sigma))


def gradient(image, operator="sobel", sigma=None):
    """Image gradient (gy, gx) ≈ (∂f/∂y, ∂f/∂x) by a 3×3 derivative operator.

    gx = f ⋆ kx and gy = f ⋆ ky (correlation) with the kernels of
    :func:`derivative_kernels`, in levels per pixel; with ``sigma`` the image
    is first smoothed by :func:`smooth`, so gx ≈ ∂(G_σ ⊗ f)/∂x. The edge
    pixels are replicated for the 3×3 kernels.

    Parameters
    ----------
    image : array_like
        Grey image (H, W), any finite real dtype.
    operator : {'sobel', 'central', 'prewitt', 'scharr'}
        The derivative kernels.
    sigma : float, optional
        Gaussian smoothing first, 0 ≤ σ ≤ :data:`MAX_SIGMA`; None or 0: none.

    Returns
    -------
    gy, gx : ndarray of float64, each (H, W)

    See Also
    --------
    derivative_kernels, magnitude_orientation, smooth

    Notes
    -----
    With the default ``'sobel'`` and no smoothing this is exactly
    ``cvlab.features.gradients`` (the Sobel kernels divided by 8, edge
    pixels replicated); ``scipy.ndimage.sobel`` omits the 1/8.

    Taught in: 04_edges, "Derivatives are convolutions".

    Examples
    --------
    >>> ramp = np.tile(np.arange(5.0) * 3, (4, 1))   # f(x, y) = 3x
    >>> gy, gx = gradient(ramp)
    >>> gx[1, 1:4], gy[1, 1:4]
    (array([3., 3., 3.]), array([0., 0., 0.]))
    """
    f = _grey(image)
    operator = as_choice(operator, "operator", OPERATORS)
    if sigma is not None:
        f = _smooth(f, _sigma(sigma))
    return _gradient(f, operator)


def _magnitude(gy, gx):
    magnitude = gy * gy
    magnitude += gx * gx
    return np.sqrt(magnitude, out=magnitude)


def magnitude_orientation(gy, gx):
    """Gradient magnitude |∇f| = √(gx² + gy²) and orientation θ = atan2(gy, gx).

    Parameters
    ----------
    gy, gx : array_like
        The two derivatives, 2-D arrays of one shape (from :func:`gradient`).

    Returns
    -------
    magnitude : ndarray of float64
        ≥ 0, in the units of the derivatives.
    orientation : ndarray of float64
        Radians in (−π, π]; 0 points along +x (right), π/2 along +y (down).
        The gradient points from dark to bright, across the edge.

    See Also
    --------
    gradient, non_max_suppression

    Taught in: 04_edges, "Gradient magnitude and orientation".

    Examples
    --------
    >>> magnitude, orientation = magnitude_orientation([[3.0, 0.0]], [[4.0, -2.0]])
    >>> magnitude, np.degrees(orientation)
    (array([[5., 2.]]), array([[ 36.86989765, 180.        ]]))
    """
    gy, gx = _pair(gy, gx, "gy", "gx")
    return _magnitude(gy, gx), np.arctan2(gy, gx)


def orientation_histogram(magnitude, orientation, bins=36):
    """Histogram of gradient orientations, each pixel weighted by its magnitude.

    h(k) = Σ |∇f(x, y)| over the pixels whose θ(x, y) falls in bin k, the
    bins splitting [−π, π) into ``bins`` equal arcs (θ = π is the direction
    −π and counts in the first). Strong edges dominate and flat regions, whose θ is noise, hardly
    count. Rotating the image by α shifts the histogram by α (circularly).

    Parameters
    ----------
    magnitude, orientation : array_like
        Arrays of one shape from :func:`magnitude_orientation`.
    bins : int
        Number of bins, 1 ≤ bins ≤ :data:`MAX_BINS`.

    Returns
    -------
    weights : ndarray of float64, (bins,)
        h(k), in the magnitude's units.
    edges : ndarray of float64, (bins + 1,)
        Bin boundaries in radians, from −π to π.

    See Also
    --------
    magnitude_orientation

    Taught in: 04_edges, "Gradient magnitude and orientation".

    Examples
    --------
    >>> weights, edges = orientation_histogram([[1.0, 2.0, 3.0]], [[0.1, 0.2, -3.0]], bins=4)
    >>> weights, np.degrees(edges)
    (array([3., 0., 3., 0.]), array([-180.,  -90.,    0.,   90.,  180.]))
    """
    magnitude, orientation = _pair(magnitude, orientation, "magnitude", "orientation")
    _nonnegative(magnitude, "magnitude")
    bins = as_int(bins, "bins", minimum=1, maximum=MAX_BINS)
    boundaries = np.linspace(-np.pi, np.pi, bins + 1)
    index = np.floor((orientation.ravel() + np.pi) / (2 * np.pi) * bins).astype(np.int64) % bins
    return np.bincount(index, weights=magnitude.ravel(), minlength=bins), boundaries


# ----------------------------------------------------------------- Gaussian derivatives and the Laplacian


def _gaussian_derivatives(sigma):
    """g, g′ and g″ sampled at i = −r … r (g normalized to sum 1)."""
    g = _gaussian_taps(sigma)
    i = np.arange(len(g), dtype=np.float64) - len(g) // 2
    variance = sigma * sigma
    return g, -i / variance * g, (i * i / variance - 1.0) / variance * g


def gaussian_derivative_kernels(sigma):
    """The sampled 1-D Gaussian g(i) and its derivative g′(i), i = −r … r.

    g(i) = exp(−i² / 2σ²) / Σₖ exp(−k² / 2σ²) and g′(i) = −(i / σ²) g(i),
    with r = ⌊4σ + 0.5⌋. They are *convolution* kernels: by the derivative
    theorem d/dx (g ∗ f) = (dg/dx) ∗ f, so convolving with g′ along x
    smooths and differentiates in one pass (``np.convolve(f, dg, 'same')``).

    Parameters
    ----------
    sigma : float
        Standard deviation σ, :data:`MIN_SIGMA` ≤ σ ≤ :data:`MAX_SIGMA`.

    Returns
    -------
    g, dg : ndarray of float64, each (2r + 1,)

    See Also
    --------
    laplacian_of_gaussian : uses g″(i) = (i²/σ⁴ − 1/σ²) g(i).

    Notes
    -----
    These are the kernels of ``scipy.ndimage.gaussian_filter1d`` with
    ``order=0`` and ``order=1`` (which convolves, so it flips g′ to correlate).

    Taught in: 04_edges, "The derivative theorem".

    Examples
    --------
    >>> g, dg = gaussian_derivative_kernels(1.0)
    >>> len(g), round(float(g.sum()), 12), round(float(dg.sum()), 12)
    (9, 1.0, 0.0)
    >>> float(np.convolve(np.arange(20.0), dg, "valid")[0])   # the slope of f(x) = x
    1.0
    """
    g, dg, _ = _gaussian_derivatives(_sigma(sigma, minimum=MIN_SIGMA))
    return g, dg


def _separable(f, column, row, mode):
    radius_r, radius_c = len(column) // 2, len(row) // 2
    return filters._separable_grey(f, column, row, (radius_r, radius_c), mode, f.shape)


def _laplacian_of_gaussian(f, sigma):
    g, _, g2 = _gaussian_derivatives(sigma)
    return _separable(f, g2, g, "symmetric") + _separable(f, g, g2, "symmetric")


def laplacian_of_gaussian(image, sigma):
    """The Laplacian of the Gaussian-smoothed image: ∇²(G_σ ∗ f) = (∇²G_σ) ∗ f.

    ∇²G_σ(x, y) = g″(y) g(x) + g(y) g″(x), with g the sampled Gaussian and
    g″(i) = (i²/σ⁴ − 1/σ²) g(i): two separable passes summed. An edge is
    where it crosses zero (:func:`zero_crossings`). The border is mirrored
    (scipy's ``'reflect'``).

    Parameters
    ----------
    image : array_like
        Grey image (H, W), any finite real dtype.
    sigma : float
        σ in pixels, :data:`MIN_SIGMA` ≤ σ ≤ :data:`MAX_SIGMA`.

    Returns
    -------
    ndarray of float64, (H, W), in levels per pixel²

    See Also
    --------
    difference_of_gaussians, zero_crossings

    Notes
    -----
    It equals ``scipy.ndimage.gaussian_laplace(f, sigma)``. Its response to
    a feature of size ∝ σ shrinks like 1/σ²; multiply by σ² to compare scales.

    References
    ----------
    .. [1] D. Marr and E. Hildreth, "Theory of edge detection," Proc. R. Soc. Lond. B 207, 1980.

    Taught in: 04_edges, "Second derivatives".

    Examples
    --------
    >>> step = np.repeat([[0.0] * 8 + [1.0] * 8], 3, axis=0)
    >>> log = laplacian_of_gaussian(step, 1.5)
    >>> bool(log[1, 7] > 0 > log[1, 8])     # changes sign between the dark and the bright side
    True
    """
    return _laplacian_of_gaussian(_grey(image), _sigma(sigma, minimum=MIN_SIGMA))


def _blur_mirrored(f, sigma):
    taps = _gaussian_taps(sigma)
    return _separable(f, taps, taps, "symmetric")


def difference_of_gaussians(image, sigma, ratio=1.6):
    """DoG = G_{kσ} ∗ f − G_σ ∗ f, an approximation of (k − 1) σ² ∇²(G_σ ∗ f).

    Since ∂G_σ/∂σ = σ ∇²G_σ (the heat equation), a finite difference in scale
    gives G_{kσ} − G_σ ≈ (k − 1) σ · σ ∇²G_σ; the approximation improves as
    the ratio k approaches 1. Both blurs mirror the border.

    Parameters
    ----------
    image : array_like
        Grey image (H, W), any finite real dtype.
    sigma : float
        The smaller σ, at least :data:`MIN_SIGMA`.
    ratio : float
        k > 1; k·σ must not exceed :data:`MAX_SIGMA`. Marr and Hildreth
        suggested 1.6.

    Returns
    -------
    ndarray of float64, (H, W)

    See Also
    --------
    laplacian_of_gaussian

    Notes
    -----
    It equals ``ndi.gaussian_filter(f, k σ) − ndi.gaussian_filter(f, σ)``.

    References
    ----------
    .. [1] D. Marr and E. Hildreth, "Theory of edge detection," Proc. R. Soc. Lond. B 207, 1980.

    Taught in: 04_edges, "Second derivatives".

    Examples
    --------
    >>> step = np.repeat([[0.0] * 8 + [1.0] * 8], 3, axis=0)
    >>> dog = difference_of_gaussians(step, 1.5)
    >>> bool(dog[1, 7] > 0 > dog[1, 8])     # the same sign change as the LoG
    True
    """
    f = _grey(image)
    sigma = _sigma(sigma, minimum=MIN_SIGMA)
    ratio = as_real(ratio, "ratio", minimum=1.0, strict=True)
    if ratio * sigma > MAX_SIGMA:
        raise ValueError(f"ratio must keep ratio·sigma <= MAX_SIGMA = {MAX_SIGMA:g}; got {ratio:g}·{sigma:g}")
    return _blur_mirrored(f, ratio * sigma) - _blur_mirrored(f, sigma)


def _zero_crossings(response, threshold):
    positive = response >= 0
    found = np.zeros(response.shape, dtype=bool)
    for axis in (0, 1):
        first = (slice(None, -1), slice(None)) if axis == 0 else (slice(None), slice(None, -1))
        second = (slice(1, None), slice(None)) if axis == 0 else (slice(None), slice(1, None))
        a, b = response[first], response[second]
        crossing = (positive[first] != positive[second]) & (np.abs(a - b) >= threshold)
        nearer_first = np.abs(a) <= np.abs(b)
        found[first] |= crossing & nearer_first
        found[second] |= crossing & ~nearer_first
    return found


def zero_crossings(response, threshold):
    """Pixels where a response changes sign steeply enough: the edges of a LoG or DoG.

    Two 4-neighbours p, q cross zero when one is ≥ 0 and the other < 0, and
    count when |r(p) − r(q)| ≥ ``threshold`` (weak crossings come from noise
    and flat regions). Of the two, the one with the smaller |r|, nearer the
    zero, is marked (p on a tie).

    Parameters
    ----------
    response : array_like
        2-D real array, e.g. :func:`laplacian_of_gaussian`.
    threshold : float
        Smallest jump |r(p) − r(q)| across the crossing, ≥ 0, in the response's units.

    Returns
    -------
    ndarray of bool, same shape

    See Also
    --------
    laplacian_of_gaussian, difference_of_gaussians

    References
    ----------
    .. [1] D. Marr and E. Hildreth, "Theory of edge detection," Proc. R. Soc. Lond. B 207, 1980.

    Taught in: 04_edges, "Second derivatives".

    Examples
    --------
    >>> zero_crossings([[3.0, 1.0, -2.0, -4.0]], threshold=0.5).astype(int)
    array([[0, 1, 0, 0]])
    >>> zero_crossings([[3.0, 1.0, -2.0, -4.0]], threshold=5.0).any()
    np.False_
    """
    response = as_array(response, "response", ndim=2).astype(np.float64, copy=False)
    return _zero_crossings(response, as_real(threshold, "threshold", minimum=0))


# ----------------------------------------------------------------- Canny's stages


def _candidates(magnitude, low, floor=0.0):
    """Flat indices of the pixels off the one-pixel frame with magnitude ≥ low and > floor."""
    inside = np.zeros(magnitude.shape, dtype=bool)
    core = magnitude[1:-1, 1:-1]
    inside[1:-1, 1:-1] = (core >= low) & (core > floor)
    return np.flatnonzero(inside)


def _local_maxima(magnitude, index, theta):
    """Which candidates beat their two neighbours along the gradient, interpolated.

    The line through the pixel at angle θ meets the ring of its 8 neighbours
    between an axis neighbour and a diagonal one; the magnitude there is
    (1 − w)·axis + w·diagonal with w = min(|sin θ|, |cos θ|) / max(…).
    A pixel stays if it is larger than the point ahead (along +θ) and at
    least the point behind, so of two equal pixels across a ridge one stays.
    """
    width = magnitude.shape[1]
    dy, dx = np.sin(theta), np.cos(theta)
    ay, ax = np.abs(dy), np.abs(dx)
    # Rounded so exactly horizontal, vertical and diagonal directions get w = 0 or 1 despite π's rounding.
    w = np.round(np.minimum(ay, ax) / np.maximum(ay, ax), 12)
    row_step = np.where(dy > 0, width, -width)
    col_step = np.where(dx > 0, 1, -1)
    axis = np.where(ay > ax, row_step, col_step)
    diagonal = row_step + col_step
    flat = magnitude.ravel()
    m = flat[index]
    ahead = w * flat[index + diagonal] + (1 - w) * flat[index + axis]
    behind = w * flat[index - diagonal] + (1 - w) * flat[index - axis]
    return (m > ahead) & (m >= behind)


def non_max_suppression(magnitude, orientation):
    """Thin edges to one pixel: keep a pixel only where its magnitude peaks across the edge.

    For each pixel, compare |∇f| with the two points at distance ≈ 1 along
    the gradient direction θ, ahead and behind, their magnitudes interpolated
    linearly between the two nearest of the 8 neighbours. The pixel stays
    (with its magnitude) if it is larger than the point ahead and at least the
    one behind; every other pixel becomes 0, and so does the one-pixel frame,
    whose neighbours lie outside the image.

    Parameters
    ----------
    magnitude, orientation : array_like
        2-D arrays of one shape from :func:`magnitude_orientation`
        (|∇f| ≥ 0, θ in radians).

    Returns
    -------
    ndarray of float64, same shape: the magnitude on the ridge, 0 elsewhere

    See Also
    --------
    magnitude_orientation, hysteresis, canny

    Notes
    -----
    ``skimage.feature.canny`` keeps a pixel when it is at least both points
    (≥ and ≥), so two equal pixels across a ridge both stay and the edge is
    two pixels thick there. The strict comparison on one side keeps exactly
    one of them; otherwise the two agree.

    References
    ----------
    .. [1] J. Canny, "A computational approach to edge detection," IEEE TPAMI 8(6), 1986.

    Taught in: 04_edges, "Canny, stage by stage".

    Examples
    --------
    >>> ridge = np.tile([0.0, 1.0, 3.0, 2.0, 0.0], (5, 1))    # a vertical edge, strongest in column 2
    >>> non_max_suppression(ridge, np.zeros((5, 5)))[2]       # θ = 0: the gradient points along x
    array([0., 0., 3., 0., 0.])
    """
    magnitude, orientation = _pair(magnitude, orientation, "magnitude", "orientation")
    _nonnegative(magnitude, "magnitude")
    index = _candidates(magnitude, 0.0)
    thin = np.zeros(magnitude.shape)
    kept = index[_local_maxima(magnitude, index, orientation.ravel()[index])]
    thin.ravel()[kept] = magnitude.ravel()[kept]
    return thin


def _connected_to_strong(weak, strong):
    """The 8-connected components of ``weak`` that contain a ``strong`` pixel."""
    labels, count = ndi.label(weak, structure=np.ones((3, 3), dtype=bool))
    keep = np.zeros(count + 1, dtype=bool)
    keep[labels[strong]] = True
    keep[0] = False
    return keep[labels]


def hysteresis(magnitude, low, high):
    """Double threshold with linking: strong edges, and the weak ones connected to them.

    A pixel is strong if its magnitude is ≥ ``high`` and weak if it is
    ≥ ``low`` (zeros, the suppressed pixels, are never edges). The result is
    every 8-connected component of weak pixels that contains a strong one,
    found with ``scipy.ndimage.label``: a faint stretch of an edge survives
    when it continues a clear one, isolated faint responses do not.

    Parameters
    ----------
    magnitude : array_like
        2-D magnitudes ≥ 0, usually after :func:`non_max_suppression`.
    low, high : float
        Thresholds in the magnitude's units, 0 ≤ low ≤ high.

    Returns
    -------
    ndarray of bool, same shape

    See Also
    --------
    non_max_suppression, canny

    References
    ----------
    .. [1] J. Canny, "A computational approach to edge detection," IEEE TPAMI 8(6), 1986.

    Taught in: 04_edges, "Canny, stage by stage".

    Examples
    --------
    >>> thin = np.array([[0, 5, 2, 2, 0, 2, 2]], dtype=float)
    >>> hysteresis(thin, low=1, high=4).astype(int)   # the weak run on the right touches no strong pixel
    array([[0, 1, 1, 1, 0, 0, 0]])
    """
    magnitude = _nonnegative(as_array(magnitude, "magnitude", ndim=2).astype(np.float64, copy=False), "magnitude")
    low = as_real(low, "low", minimum=0)
    high = as_real(high, "high", minimum=0)
    if high < low:
        raise ValueError(f"high must be >= low = {low:g}; got {high:g}")
    weak = (magnitude >= low) & (magnitude > 0)
    return _connected_to_strong(weak, weak & (magnitude >= high))


def _dtype_max(image):
    """scikit-image's reference for default thresholds: the integer dtype's maximum, 1 for floats."""
    if np.issubdtype(image.dtype, np.floating):
        return 1.0
    if image.dtype.itemsize == 8:
        raise TypeError(
            f"image has dtype {image.dtype}, whose maximum is no reference for the default thresholds (10 % and "
            "20 % of the dtype's maximum); convert it (e.g. to uint8), pass both thresholds, or use_quantiles=True"
        )
    return float(np.iinfo(image.dtype).max)


def _thresholds(image, low, high, use_quantiles):
    """(low, high) as quantiles in [0, 1] or as levels, checked; None takes scikit-image's defaults."""
    if not isinstance(use_quantiles, (bool, np.bool_)):
        raise TypeError(f"use_quantiles must be True or False; got {type(use_quantiles).__name__}")
    top = 1.0 if use_quantiles or (low is not None and high is not None) else _dtype_max(image)
    maximum = 1.0 if use_quantiles else None
    low = 0.1 * top if low is None else as_real(low, "low_threshold", minimum=0, maximum=maximum)
    high = 0.2 * top if high is None else as_real(high, "high_threshold", minimum=0, maximum=maximum)
    if high < low:
        raise ValueError(f"high_threshold must be >= low_threshold = {low:g}; got {high:g}")
    return low, high


def canny(image, sigma=1.0, low_threshold=None, high_threshold=None, use_quantiles=False, *, operator="sobel"):
    """The Canny edge detector, with the parameters of ``skimage.feature.canny``.

    1. smooth: f_σ = :func:`smooth` (f, σ), a Gaussian average of the pixels inside the image;
    2. gradient: (gy, gx) = :func:`gradient` (f_σ) with the Sobel kernels, |∇f_σ| and θ;
    3. :func:`non_max_suppression`: keep the maxima of |∇f_σ| along θ (the frame is dropped);
    4. :func:`hysteresis`: strong pixels (8·|∇f_σ| ≥ high) and the weak ones
       (8·|∇f_σ| ≥ low) 8-connected to them.

    Parameters
    ----------
    image : array_like
        Grey image (H, W), any finite real dtype (not 64-bit integers with default thresholds).
    sigma : float
        Standard deviation of the Gaussian, 0 ≤ σ ≤ :data:`MAX_SIGMA`.
    low_threshold, high_threshold : float, optional
        As in scikit-image: thresholds on the Sobel magnitude *without* its
        1/8 (``ndi.sobel``'s scale, so 8·|∇f_σ|) in the image's own units
        (levels for uint8). Default 10 % and 20 % of the dtype's maximum:
        25.5 and 51 for uint8, 0.1 and 0.2 for floats (so a float image is
        expected in [0, 1]). With ``use_quantiles`` they are quantiles in
        [0, 1] of the magnitude image instead (defaults 0.1 and 0.2).
    use_quantiles : bool
        Read the thresholds as quantiles of |∇f_σ| over the whole image.
    operator : {'sobel', 'central', 'prewitt', 'scharr'}
        Keyword only: another derivative operator for stage 2 (scikit-image
        always uses Sobel).

    Returns
    -------
    ndarray of bool, (H, W): True on edge pixels

    Raises
    ------
    ValueError
        If high_threshold < low_threshold, or a quantile lies outside [0, 1].

    See Also
    --------
    smooth, gradient, magnitude_orientation, non_max_suppression, hysteresis

    Notes
    -----
    Stage by stage this is ``hysteresis(non_max_suppression(*magnitude_orientation(
    *gradient(image, 'sobel', sigma))), low / 8, high / 8)``, exactly. It differs
    from scikit-image in one rule only: on a tie across a ridge scikit-image
    keeps both pixels and this keeps one (:func:`non_max_suppression`);
    everything else agrees up to rounding, since scikit-image computes in
    [0, 1] units where this stays in the image's levels. Magnitudes below
    :data:`ROUNDING` × max |f| count as 0: a flat image smooths to a constant
    only up to rounding, and with quantile thresholds that noise would
    otherwise become edges (scikit-image has a similar floor, 10⁻¹⁴, when
    its low threshold is 0).

    References
    ----------
    .. [1] J. Canny, "A computational approach to edge detection," IEEE TPAMI 8(6), 1986.

    Taught in: 04_edges, "Canny, stage by stage".

    Examples
    --------
    >>> square = np.zeros((12, 12), dtype=np.uint8)
    >>> square[3:9, 3:9] = 200
    >>> canny(square, sigma=1.0).astype(int)[1:11, 1:11]
    array([[0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 1, 1, 1, 1, 1, 1, 0, 0],
           [0, 0, 1, 0, 0, 0, 0, 1, 0, 0],
           [0, 0, 1, 0, 0, 0, 0, 1, 0, 0],
           [0, 0, 1, 0, 0, 0, 0, 1, 0, 0],
           [0, 0, 1, 0, 0, 0, 0, 1, 0, 0],
           [0, 0, 1, 1, 1, 1, 1, 1, 0, 0],
           [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
           [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]])
    """
    original = as_image(image, color=False)
    f = original.astype(np.float64, copy=False)
    sigma = _sigma(sigma)
    low, high = _thresholds(original, low_threshold, high_threshold, use_quantiles)
    operator = as_choice(operator, "operator", OPERATORS)
    gy, gx = _gradient(_smooth(f, sigma), operator)
    magnitude = _magnitude(gy, gx)
    if use_quantiles:
        low, high = np.percentile(magnitude, [100.0 * low, 100.0 * high])
    else:
        low, high = low / 8.0, high / 8.0  # the thresholds are on 8·|∇f|, scikit-image's scale
    # A flat image smooths to a constant only up to rounding; such magnitudes are not edges.
    index = _candidates(magnitude, low, floor=ROUNDING * np.abs(f).max())
    theta = np.arctan2(gy.ravel()[index], gx.ravel()[index])
    index = index[_local_maxima(magnitude, index, theta)]
    weak = np.zeros(magnitude.shape, dtype=bool)
    weak.ravel()[index] = True
    strong = np.zeros(magnitude.shape, dtype=bool)
    strong.ravel()[index[magnitude.ravel()[index] >= high]] = True
    return _connected_to_strong(weak, strong)


# ----------------------------------------------------------------- scoring


def _distance_to(mask):
    """Euclidean distance from every pixel to the nearest True pixel (infinity if there is none)."""
    if not mask.any():
        return np.full(mask.shape, np.inf)
    return ndi.distance_transform_edt(~mask)


def edge_scores(predicted, truth, tolerance=1.5):
    """Precision, recall and F1 of an edge map, a match counting within ``tolerance`` pixels.

    precision = #{p predicted : d(p, truth) ≤ t} / #predicted,
    recall = #{q true : d(q, predicted) ≤ t} / #truth,
    F1 = 2 · precision · recall / (precision + recall),

    with d the Euclidean distance to the nearest pixel of the other map
    (``scipy.ndimage.distance_transform_edt``). t = 1 accepts the four direct
    neighbours, the default 1.5 the eight.

    Parameters
    ----------
    predicted, truth : array_like of bool
        Edge maps of one shape (0/1 numbers are accepted).
    tolerance : float
        t in pixels, 0 ≤ t ≤ :data:`MAX_TOLERANCE`.

    Returns
    -------
    precision, recall, f1 : float
        Each in [0, 1]. An empty map has precision (or recall) 1: it claims
        nothing wrong (or misses nothing). F1 is 0 when both are 0.

    See Also
    --------
    localization_error

    Notes
    -----
    Every pixel is matched on its own, not one to one as in the Berkeley
    benchmark: a two-pixel-thick edge next to the truth is all "precise".
    Thin edges (:func:`non_max_suppression`) keep this honest.

    Taught in: 04_edges, "Canny's trade-off".

    Examples
    --------
    >>> truth = np.zeros((5, 5), bool); truth[2] = True
    >>> shifted = np.roll(truth, 1, axis=0)             # one row off
    >>> edge_scores(shifted, truth, tolerance=1.0)
    (1.0, 1.0, 1.0)
    >>> edge_scores(shifted, truth, tolerance=0.5)
    (0.0, 0.0, 0.0)
    """
    predicted = _edge_map(predicted, "predicted")
    truth = _same_shape(_edge_map(truth, "truth"), "truth", predicted, "predicted")
    tolerance = as_real(tolerance, "tolerance", minimum=0, maximum=MAX_TOLERANCE)
    precision = float(np.mean(_distance_to(truth)[predicted] <= tolerance)) if predicted.any() else 1.0
    recall = float(np.mean(_distance_to(predicted)[truth] <= tolerance)) if truth.any() else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return precision, recall, f1


def localization_error(predicted, distance, tolerance=3.0):
    """Mean distance from the found edge pixels to the true edge, ignoring false detections.

    e = mean{ d(p) : p predicted, d(p) ≤ t },

    with d(p) the distance from pixel p's centre to the nearest true edge
    (for example from :func:`shapes_scene`, or
    ``scipy.ndimage.distance_transform_edt(~truth)`` for an edge map): how far
    the edges that were found sit from where they belong. Pixels farther than
    t count as false detections (precision's business), not as poor
    localization.

    Parameters
    ----------
    predicted : array_like of bool
        Edge map (0/1 numbers are accepted).
    distance : array_like
        Distances d ≥ 0 in pixels, the shape of ``predicted``.
    tolerance : float
        t in pixels, 0 ≤ t ≤ :data:`MAX_TOLERANCE`.

    Returns
    -------
    float
        In pixels, in [0, t].

    Raises
    ------
    ValueError
        When no predicted pixel lies within t (an empty ``predicted``, or a
        ``tolerance`` below every distance): the mean of no distances is undefined.

    See Also
    --------
    edge_scores, shapes_scene

    Taught in: 04_edges, "Canny's trade-off".

    Examples
    --------
    >>> distance = np.abs(np.arange(6.0) - 2.3)[:, None] * np.ones((1, 4))   # true edge: the line y = 2.3
    >>> found = np.zeros((6, 4), bool); found[2] = True
    >>> round(localization_error(found, distance), 3)
    0.3
    """
    predicted = _edge_map(predicted, "predicted")
    distance = as_array(distance, "distance", ndim=2).astype(np.float64, copy=False)
    distance = _nonnegative(_same_shape(distance, "distance", predicted, "predicted"), "distance")
    tolerance = as_real(tolerance, "tolerance", minimum=0, maximum=MAX_TOLERANCE)
    found = distance[predicted]
    near = found[found <= tolerance]
    if not near.size:
        raise ValueError(f"no pixel of predicted lies at distance <= tolerance = {tolerance:g} px: the mean of no "
                         "distances is undefined; raise tolerance, or check that predicted holds edges")
    return float(near.mean())


# ----------------------------------------------------------------- test patterns with exact edges


def _edge_width(width):
    width = _sigma(width, "width")
    if width == 0:
        raise ValueError("width must be > 0")
    return width


def _profile(signed, width):
    """Φ(s / width): 0 far on the negative side, 1 on the positive side, ½ on the edge.

    Past |s| = 40·width, Φ is exactly 0 or 1 in float64, so s is clipped there before dividing: no overflow
    even for a subnormal width, whose profile is then the ideal step.
    """
    reach = 40.0 * width
    return 0.5 * (1.0 + special.erf(np.clip(signed, -reach, reach) / (math.sqrt(2.0) * width)))


def rotated_edge(angle, size=41, width=1.0):
    """A straight step edge through the centre whose gradient points along ``angle``.

    f(x, y) = Φ(s / w) with s = x cos θ + y sin θ measured from the centre
    pixel, Φ the standard normal CDF and w the edge's blur: the image rises
    from 0 to 1 across the edge, so its true gradient orientation is θ
    everywhere (x right, y down). The edge is the line s = 0.

    Parameters
    ----------
    angle : float
        θ in radians.
    size : int
        Odd side length, 5 ≤ size ≤ :data:`MAX_PATTERN_SIZE`.
    width : float
        w in pixels, 0 < w ≤ :data:`MAX_SIGMA`: the standard deviation of
        the blur across the edge (a camera's is about 0.5–1). As w → 0 the
        profile tends to the ideal step: 0, ½ on the line, 1.

    Returns
    -------
    image : ndarray of float64, (size, size), values in [0, 1]
    distance : ndarray of float64, (size, size)
        |s|, each pixel centre's distance from the edge.

    See Also
    --------
    shapes_scene, magnitude_orientation

    Taught in: 04_edges, "Sobel, Prewitt, Scharr".

    Examples
    --------
    >>> image, distance = rotated_edge(np.pi / 2, size=5)     # rising downwards
    >>> image[:, 2].round(3), distance[:, 2]
    (array([0.023, 0.159, 0.5  , 0.841, 0.977]), array([2., 1., 0., 1., 2.]))
    """
    angle = as_real(angle, "angle")
    size = as_odd(size, "size", minimum=5, maximum=MAX_PATTERN_SIZE)
    width = _edge_width(width)
    y, x = np.mgrid[:size, :size].astype(np.float64) - size // 2
    signed = x * math.cos(angle) + y * math.sin(angle)
    return _profile(signed, width), np.abs(signed)


#: Centres, radii and half-sides of the shapes in :func:`shapes_scene` (pixels; off the half-pixel grid on purpose).
SCENE_DISKS = (((36.3, 38.6), 22.0), ((96.2, 30.7), 7.0))
SCENE_SQUARE = ((87.8, 89.6), 20.3)


def shapes_scene(width=0.5):
    """A 128×128 test image with exactly known edges: two disks and a square.

    Each shape has a signed distance s(x, y) to its outline (negative
    inside): s = |p − c| − R for a disk of centre c and radius R, and the
    usual box distance for the square. The image is
    f = 0.25 + 0.5 · Φ(−min s / w), bright shapes (0.75) on a dark ground
    (0.25) with edges blurred by w, and the true edge of every pixel is
    d = min |s|. The large disk, the small disk (R = 7) and the square's
    corners show what smoothing does to round, small and sharp outlines.

    Parameters
    ----------
    width : float
        w in pixels, 0 < w ≤ :data:`MAX_SIGMA`; as w → 0 the edges tend to ideal steps.

    Returns
    -------
    image : ndarray of float64, (128, 128), values in [0.25, 0.75]
    distance : ndarray of float64, (128, 128)
        d, each pixel centre's distance from the nearest outline. The true
        edge map is ``distance <= 0.5``, one pixel across.

    See Also
    --------
    edge_scores, localization_error, rotated_edge

    Taught in: 04_edges, "Canny's trade-off".

    Examples
    --------
    >>> image, distance = shapes_scene()
    >>> image.shape, round(float(image.min()), 3), round(float(image.max()), 3)
    ((128, 128), 0.25, 0.75)
    >>> int((distance <= 0.5).sum())
    341
    """
    width = _edge_width(width)
    y, x = np.mgrid[:128, :128].astype(np.float64)
    signed = [np.hypot(y - cy, x - cx) - radius for (cy, cx), radius in SCENE_DISKS]
    (cy, cx), half = SCENE_SQUARE
    qy, qx = np.abs(y - cy) - half, np.abs(x - cx) - half
    signed.append(np.hypot(np.maximum(qy, 0), np.maximum(qx, 0)) + np.minimum(np.maximum(qy, qx), 0))
    image = 0.25 + 0.5 * _profile(-np.min(signed, axis=0), width)
    return image, np.min(np.abs(signed), axis=0)
