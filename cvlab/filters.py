"""Linear filtering: S[f](m, n) = Σᵢ Σⱼ w(i, j) f(m + i, n + j), kernels and separability.

Every filter accepts a finite real grey (H, W) or RGB (H, W, 3) image of any
numeric dtype, filters each channel on its own and returns float64.

Padding modes use NumPy's names (``np.pad``). Beware, the libraries disagree:

===============  ==============  ======================  =================
NumPy (``pad``)  scipy.ndimage   OpenCV                  border of 1 2 3
===============  ==============  ======================  =================
``'constant'``   ``'constant'``  ``BORDER_CONSTANT``     0 0 | 1 2 3 | 0 0
``'edge'``       ``'nearest'``   ``BORDER_REPLICATE``    1 1 | 1 2 3 | 3 3
``'symmetric'``  ``'reflect'``   ``BORDER_REFLECT``      2 1 | 1 2 3 | 3 2
``'reflect'``    ``'mirror'``    ``BORDER_REFLECT_101``  3 2 | 1 2 3 | 2 1
``'wrap'``       ``'wrap'``      ``BORDER_WRAP``         2 3 | 1 2 3 | 1 2
===============  ==============  ======================  =================

So NumPy's ``'reflect'`` (the edge pixel is *not* repeated) is OpenCV's
default, while NumPy's ``'symmetric'`` (the edge pixel *is* repeated) is
what scipy calls ``'reflect'``.
"""

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._checks import (
    as_array,
    as_choice,
    as_float_image,
    as_image,
    as_int,
    as_int_pair,
    as_levels,
    as_real,
    as_rng,
)

__all__ = [
    "PAD_MODES",
    "SCIPY_MODES",
    "output_size",
    "coverage",
    "pad",
    "correlate2d",
    "convolve2d",
    "box_kernel",
    "gaussian_kernel1d",
    "gaussian_kernel2d",
    "separate",
    "separable_correlate",
    "gaussian_blur",
    "median_filter",
    "add_noise",
    "psnr",
]

#: Padding modes accepted by :func:`pad` and every filter (NumPy's names).
PAD_MODES = ("constant", "edge", "symmetric", "reflect", "wrap")

#: The same borders under scipy.ndimage's names (see the module docstring).
SCIPY_MODES = {"constant": "constant", "edge": "nearest", "symmetric": "reflect", "reflect": "mirror", "wrap": "wrap"}

NOISE_KINDS = ("gaussian", "salt_pepper")


# ---------------------------------------------------------------- core operations


def output_size(I, K, P=0, S=1):  # noqa: E741 (the notes' names)
    """Output length of a filter along one axis: O = ⌊(I − K + 2P) / S⌋ + 1.

    The notes write O = (I − K + 2P)/S + 1. When S does not divide
    I − K + 2P the kernel's last steps would run past the padded input, so
    the remainder is dropped: this uses floor division, as PyTorch,
    TensorFlow and NumPy-based code do.

    Parameters
    ----------
    I : int
        Input size (≥ 1).
    K : int
        Kernel size (≥ 1).
    P : int
        Padding added on *each* side (≥ 0).
    S : int
        Stride (≥ 1).

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If I − K + 2P < 0 (the kernel does not fit), S < 1 or P < 0.

    Examples
    --------
    >>> output_size(5, 3)            # 'valid'
    3
    >>> output_size(5, 3, P=1)       # 'same' for an odd kernel
    5
    >>> output_size(7, 3, P=0, S=2)  # (7 − 3)/2 + 1
    3
    >>> output_size(6, 3, P=0, S=2)  # (6 − 3)/2 = 1.5, floored to 1
    2
    """
    I = as_int(I, "I", minimum=1)  # noqa: E741
    K = as_int(K, "K", minimum=1)
    P = as_int(P, "P", minimum=0)
    S = as_int(S, "S", minimum=1)
    if I - K + 2 * P < 0:
        raise ValueError(f"K = {K} does not fit in I + 2P = {I + 2 * P}: I − K + 2P must be >= 0")
    return (I - K + 2 * P) // S + 1


def coverage(I, K, P=0, S=1):  # noqa: E741 (the notes' names)
    """How many kernel positions read each cell of the padded axis, of length I + 2P.

    The t-th position (t = 0 … O − 1, O from :func:`output_size`) reads the
    cells t·S … t·S + K − 1. A cell read by none is lost: the floor drops
    the last cells when S does not divide I − K + 2P, and a stride larger
    than the kernel (S > K) skips cells between positions too.

    Examples
    --------
    >>> coverage(5, 3, P=1)          # 'same': every input cell is read
    array([1, 2, 3, 3, 3, 2, 1])
    >>> coverage(6, 1, S=2)          # S > K: every other cell is skipped
    array([1, 0, 1, 0, 1, 0])
    """
    count = np.zeros(as_int(I, "I", minimum=1) + 2 * as_int(P, "P", minimum=0), dtype=np.int64)
    for t in range(output_size(I, K, P, S)):
        count[t * S:t * S + K] += 1
    return count


def pad(image, P, mode="constant"):
    """Add P pixels on every side of the image's two spatial axes.

    g(m, n) = f(m − P, n − P) inside, and outside the original grid the border
    rule ``mode`` (NumPy's names, see the module docstring for the other
    libraries' names):

    * ``'constant'``: zeros;
    * ``'edge'``: repeat the edge pixel;
    * ``'symmetric'``: mirror, repeating the edge pixel (scipy's ``'reflect'``);
    * ``'reflect'``: mirror about the edge pixel (scipy's ``'mirror'``);
    * ``'wrap'``: the image repeats periodically.

    Parameters
    ----------
    image : array_like
        Grey (H, W) or RGB (H, W, 3); the channel axis is not padded.
    P : int or tuple of two ints
        Padding on each side (≥ 0), or (P_rows, P_cols).
    mode : str
        One of :data:`PAD_MODES`.

    Returns
    -------
    ndarray, same dtype as ``image``, shape (H + 2P, W + 2P[, 3])

    Examples
    --------
    >>> ramp = np.array([[1, 2, 3]])
    >>> pad(ramp, (0, 2), "constant")
    array([[0, 0, 1, 2, 3, 0, 0]])
    >>> pad(ramp, (0, 2), "symmetric")
    array([[2, 1, 1, 2, 3, 3, 2]])
    >>> pad(ramp, (0, 2), "reflect")
    array([[3, 2, 1, 2, 3, 2, 1]])
    >>> pad(ramp, 1, "edge")
    array([[1, 1, 2, 3, 3],
           [1, 1, 2, 3, 3],
           [1, 1, 2, 3, 3]])
    """
    pixels = as_image(image)
    rows, cols = as_int_pair(P, "P", minimum=0)
    mode = as_choice(mode, "mode", PAD_MODES)
    widths = [(rows, rows), (cols, cols)] + [(0, 0)] * (pixels.ndim - 2)
    return np.pad(pixels, widths, mode=mode)


def _kernel(kernel, name="kernel", ndim=2):
    """A finite kernel as float64 of the given number of dimensions."""
    return as_array(kernel, name, ndim=ndim).astype(np.float64)


def _padding(padding, shape):
    """(P_rows, P_cols) for ``padding`` = 'same', 'valid' or an int, given the kernel shape."""
    if isinstance(padding, str):
        as_choice(padding, "padding", ("same", "valid"))
        if padding == "valid":
            return 0, 0
        if shape[0] % 2 == 0 or shape[1] % 2 == 0:
            raise ValueError(
                f"padding='same' needs an odd kernel (2k + 1 taps per axis) so it has a centre; got kernel shape "
                f"{shape}. Use padding='valid' or an int P."
            )
        return shape[0] // 2, shape[1] // 2
    if isinstance(padding, (bool, np.bool_)):
        raise TypeError("padding must be 'same', 'valid' or an int; got bool")
    try:
        return as_int_pair(padding, "padding", minimum=0)
    except TypeError:
        raise TypeError(f"padding must be 'same', 'valid' or an int; got {type(padding).__name__}") from None


def _out_shape(pixels, kernel_shape, pads, stride):
    """Output (rows, cols) by the notes' formula, naming the image when the kernel does not fit."""
    try:
        return tuple(output_size(pixels.shape[a], kernel_shape[a], pads[a], stride) for a in (0, 1))
    except ValueError:
        raise ValueError(
            f"kernel of shape {kernel_shape} does not fit in image of shape {pixels.shape[:2]} with padding {pads}"
        ) from None


# Each 1-D pass below is a matrix product. Correlating every row of x with r(0..K−1)
# at stride S, g(m, n) = Σⱼ r(j) x(m, S·n + j), is x times a banded (Toeplitz) matrix
# whose column n holds r at rows S·n … S·n + K − 1. A full W × W band would be mostly
# zeros, so the columns are cut into blocks of BLOCK outputs: every block uses the same
# small band T, and NumPy hands the stack of small products to BLAS in one call.
# Rows are processed in chunks so each product stays small (m·n·k ≤ 2¹⁸, about where
# OpenBLAS starts to split a product over threads): for products this small one
# thread is faster, and far more predictable on a busy machine.
BLOCK = 16
PRODUCT_SIZE = 2**18


def _band(taps, block, stride):
    """T with T[S·b + j, b] = r(j): x[:, S·B·q : …] @ T gives outputs B·q … B·q + B − 1."""
    span = stride * (block - 1) + len(taps)
    band = np.zeros((span, block))
    for b in range(block):
        band[stride * b:stride * b + len(taps), b] = taps
    return band


def _correlate_rows(x, taps, stride, width, out):
    """out(m, n) = Σⱼ r(j) x(m, S·n + j) for a 2-D float64 array x (any strides) into ``out``."""
    K, S = len(taps), stride
    block = BLOCK if K <= 64 else BLOCK // 2
    band = _band(taps, block, S)
    full = width // block  # number of whole blocks; the rest is one smaller product
    chunk = max(1, PRODUCT_SIZE // (block * band.shape[0]))
    for top in range(0, x.shape[0], chunk):
        rows, dest = x[top:top + chunk], out[top:top + chunk]
        (r0, r1), (d0, d1) = rows.strides, dest.strides
        if full:
            windows = as_strided(rows, (full, rows.shape[0], band.shape[0]), (S * block * r1, r0, r1), writeable=False)
            blocks = as_strided(dest, (full, rows.shape[0], block), (block * d1, d0, d1))
            np.matmul(windows, band, out=blocks)
        rest = width - full * block
        if rest:
            start, span = S * block * full, S * (rest - 1) + K
            dest[:, full * block:] = rows[:, start:start + span] @ band[:span, :rest]
    return out


def _per_channel(function, pixels, *args):
    """Apply a 2-D filter to a grey image, or to each channel of an RGB image."""
    if pixels.ndim == 2:
        return function(pixels, *args)
    return np.stack([function(np.ascontiguousarray(pixels[..., c]), *args) for c in range(pixels.shape[2])], axis=-1)


def _correlate_grey(pixels, weights, pads, mode, stride, out_shape, chunk=128):
    """S(m, n) = Σᵢ [Σⱼ w(i, j) f(S·m + i, S·n + j)]: one row pass per kernel row i, summed.

    Output rows are made ``chunk`` at a time so the partial sums stay in a small,
    cache-resident scratch buffer instead of a second full-size array.
    """
    padded = pad(pixels, pads, mode)
    rows, cols = out_shape
    total = np.zeros(out_shape)
    scratch = np.empty((min(chunk, rows), cols))
    for top in range(0, rows, chunk):
        count = min(chunk, rows - top)
        for i, taps in enumerate(weights):
            if not taps.any():
                continue
            first = stride * top + i
            _correlate_rows(padded[first:first + stride * (count - 1) + 1:stride], taps, stride, cols, scratch[:count])
            total[top:top + count] += scratch[:count]
    return total


def correlate2d(image, kernel, padding="same", mode="constant", stride=1):
    """Correlation, the notes' general weighted filter.

    S[f](m, n) = Σᵢ Σⱼ w(i, j) f(S·m + i, S·n + j), summed over the K_h × K_w
    kernel w placed on the padded image (i, j counted from the kernel's corner;
    with 'same' this is the notes' Σ_{i=−k}^{k} Σ_{j=−k}^{k} w(i, j) f(m + i, n + j)).
    The kernel is *not* flipped; see :func:`convolve2d`.

    Parameters
    ----------
    image : array_like
        Grey (H, W) or RGB (H, W, 3), any finite real dtype; RGB is filtered per channel.
    kernel : array_like
        2-D finite weights w, shape (K_h, K_w).
    padding : {'same', 'valid'} or int
        'same' pads k = K // 2 on each side so the output keeps the image's
        size (needs an odd kernel); 'valid' pads nothing; an int P pads P.
    mode : str
        Border rule for the padding, one of :data:`PAD_MODES` (NumPy's names).
    stride : int
        Step S between kernel positions (≥ 1).

    Returns
    -------
    ndarray of float64
        Shape (O_h, O_w[, 3]) with O = ⌊(I − K + 2P)/S⌋ + 1 per axis (:func:`output_size`).

    Examples
    --------
    >>> f = np.arange(16).reshape(4, 4)
    >>> correlate2d(f, np.ones((3, 3)) / 9, padding="valid")
    array([[ 5.,  6.],
           [ 9., 10.]])
    >>> correlate2d(f, [[1, 0, -1]], padding=(0, 1))[0]   # f(m, n − 1) − f(m, n + 1)
    array([-1., -2., -2.,  2.])
    >>> correlate2d(np.ones((5, 5)), np.ones((3, 3)), padding=1, stride=2).shape
    (3, 3)
    """
    pixels = as_float_image(image)
    weights = _kernel(kernel)
    pads = _padding(padding, weights.shape)
    mode = as_choice(mode, "mode", PAD_MODES)
    stride = as_int(stride, "stride", minimum=1)
    out_shape = _out_shape(pixels, weights.shape, pads, stride)
    return _per_channel(_correlate_grey, pixels, weights, pads, mode, stride, out_shape)


def convolve2d(image, kernel, padding="same", mode="constant", stride=1):
    """Convolution: correlation with the kernel flipped in both axes.

    (w ∗ f)(m, n) = Σᵢ Σⱼ w(i, j) f(m − i, n − j) = correlate2d(f, w[::-1, ::-1]).
    For a symmetric kernel (box, Gaussian) the two are the same; for an
    asymmetric one (a Sobel, a shifted impulse) they differ by the flip.
    Parameters and result as for :func:`correlate2d`.

    Examples
    --------
    >>> impulse = np.zeros((3, 3)); impulse[1, 1] = 1
    >>> w = np.arange(1, 10).reshape(3, 3)
    >>> convolve2d(impulse, w)          # convolution copies the kernel
    array([[1., 2., 3.],
           [4., 5., 6.],
           [7., 8., 9.]])
    >>> correlate2d(impulse, w)         # correlation copies it flipped
    array([[9., 8., 7.],
           [6., 5., 4.],
           [3., 2., 1.]])
    """
    weights = _kernel(kernel)
    return correlate2d(image, weights[::-1, ::-1], padding=padding, mode=mode, stride=stride)


# ---------------------------------------------------------------- kernels


def box_kernel(size):
    """The box (mean) filter: w(i, j) = 1 / N² on an N × N grid.

    Examples
    --------
    >>> box_kernel(3) * 9
    array([[1., 1., 1.],
           [1., 1., 1.],
           [1., 1., 1.]])
    """
    size = as_int(size, "size", minimum=1)
    return np.full((size, size), 1.0 / size**2)


def _radius(sigma, radius):
    sigma = as_real(sigma, "sigma", minimum=0, strict=True)
    if radius is None:
        radius = math.ceil(round(3 * sigma, 9))  # the 3σ rule (rounded so 3 · (1/3) is 1, not 1.0000000000000002)
    return sigma, as_int(radius, "radius", minimum=0)


def gaussian_kernel1d(sigma, radius=None):
    """A sampled, normalized 1-D Gaussian: g(i) ∝ exp(−i² / 2σ²) for i = −r … r.

    The continuous factor 1/(√(2π) σ) is replaced by dividing by the sum, so
    the truncated kernel sums to exactly 1 (a constant image stays constant).

    Parameters
    ----------
    sigma : float
        Standard deviation σ > 0, in pixels.
    radius : int, optional
        Half-width r ≥ 0; the kernel has 2r + 1 taps. Default ⌈3σ⌉, the
        notes' 3σ rule (99.7 % of the continuous mass lies within ±3σ).

    Returns
    -------
    ndarray of float64, shape (2r + 1,)

    Examples
    --------
    >>> gaussian_kernel1d(1.0).round(4)
    array([0.0044, 0.054 , 0.242 , 0.3991, 0.242 , 0.054 , 0.0044])
    >>> float(gaussian_kernel1d(2.5, radius=4).sum())
    1.0
    """
    sigma, radius = _radius(sigma, radius)
    i = np.arange(-radius, radius + 1, dtype=np.float64)
    g = np.exp(-(i**2) / (2 * sigma**2))
    return g / g.sum()


def gaussian_kernel2d(sigma, radius=None):
    """The 2-D Gaussian kernel, w(i, j) = (1 / 2πσ²) exp(−(i² + j²) / 2σ²), normalized to sum 1.

    Because exp(−(i² + j²)/2σ²) = exp(−i²/2σ²) · exp(−j²/2σ²), it is the
    outer product of two 1-D kernels (:func:`gaussian_kernel1d`): the
    Gaussian is separable.

    Parameters
    ----------
    sigma : float
        Standard deviation σ > 0.
    radius : int, optional
        Half-width r; default ⌈3σ⌉. The kernel is (2r + 1) × (2r + 1).

    Returns
    -------
    ndarray of float64

    Examples
    --------
    >>> (gaussian_kernel2d(0.85, radius=1) * 16).round(1)   # ≈ the notes' 1/16 [[1, 2, 1], ...]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    g = gaussian_kernel1d(sigma, radius)
    return np.outer(g, g)


# ---------------------------------------------------------------- separability


def separate(kernel, atol=1e-10):
    """Split a rank-1 kernel into a column and a row: w(i, j) = c(i) · r(j).

    The singular value decomposition w = Σₖ sₖ uₖ vₖᵀ shows the rank: a
    kernel is separable when every singular value after the first is zero.
    Then c = √s₁ u₁ and r = √s₁ v₁ (signs chosen so c sums to ≥ 0), which
    gives c = r = the 1-D kernel for a symmetric Gaussian or box.

    Parameters
    ----------
    kernel : array_like
        2-D finite weights.
    atol : float
        Largest allowed |w − c rᵀ| entry (≥ 0), relative to max |w| when
        that exceeds 1, so scaling a kernel up does not change the verdict.

    Returns
    -------
    (column, row) : tuple of float64 ndarrays, or None
        ``np.outer(column, row)`` equals ``kernel`` within ``atol``; None if
        the kernel is not rank 1 (e.g. the Laplacian).

    Examples
    --------
    >>> column, row = separate([[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    >>> column.round(6), row.round(6)
    (array([1., 2., 1.]), array([1., 2., 1.]))
    >>> separate([[0, 1, 0], [1, -4, 1], [0, 1, 0]]) is None
    True
    """
    weights = _kernel(kernel)
    atol = as_real(atol, "atol", minimum=0)
    u, s, vt = np.linalg.svd(weights)
    column = u[:, 0] * np.sqrt(s[0])
    row = vt[0] * np.sqrt(s[0])
    total = column.sum()
    if total < 0 or (total == 0 and column[np.flatnonzero(column)[:1]].sum() < 0):
        column, row = -column, -row
    if np.max(np.abs(np.outer(column, row) - weights)) > atol * max(1.0, np.abs(weights).max()):
        return None
    return column, row


def _separable_grey(pixels, column, row, pads, mode, out_shape):
    """Columns first (with c, as rows of the transpose), then rows (with r)."""
    padded = pad(pixels, pads, mode)
    down = np.empty((out_shape[0], padded.shape[1]))
    _correlate_rows(padded.T, column, 1, out_shape[0], down.T)
    del padded  # free it before the output is allocated: fewer large arrays alive means fewer page faults
    return _correlate_rows(down, row, 1, out_shape[1], np.empty(out_shape))


def separable_correlate(image, column, row, padding="same", mode="constant"):
    """Correlate with the rank-1 kernel w = column · rowᵀ as two 1-D passes.

    S[f](m, n) = Σⱼ r(j) Σᵢ c(i) f(m + i, n + j): first every column of the
    padded image is correlated with c, then every row of the result with r.
    The result equals ``correlate2d(image, np.outer(column, row), padding,
    mode)`` but costs K_h + K_w multiply-adds per pixel instead of K_h · K_w:
    the notes' O(N²) → O(2N).

    Parameters
    ----------
    image : array_like
        Grey (H, W) or RGB (H, W, 3).
    column, row : array_like
        1-D finite kernels c (length K_h) and r (length K_w).
    padding : {'same', 'valid'} or int
        As for :func:`correlate2d`; 'same' needs odd lengths.
    mode : str
        One of :data:`PAD_MODES`.

    Returns
    -------
    ndarray of float64

    Examples
    --------
    >>> f = np.arange(16.0).reshape(4, 4)
    >>> g = separable_correlate(f, [1, 2, 1], [1, 0, -1])
    >>> bool(np.allclose(g, correlate2d(f, np.outer([1, 2, 1], [1, 0, -1]))))
    True
    """
    pixels = as_float_image(image)
    c = _kernel(column, "column", ndim=1)
    r = _kernel(row, "row", ndim=1)
    pads = _padding(padding, (len(c), len(r)))
    mode = as_choice(mode, "mode", PAD_MODES)
    out_shape = _out_shape(pixels, (len(c), len(r)), pads, 1)
    return _per_channel(_separable_grey, pixels, c, r, pads, mode, out_shape)


def gaussian_blur(image, sigma, mode="symmetric"):
    """Gaussian smoothing by the separable path, radius ⌈3σ⌉.

    g = G_σ ⊗ f with G_σ(i, j) = g_σ(i) g_σ(j): two 1-D passes with
    :func:`gaussian_kernel1d` (``sigma``), the border extended by ``mode``.
    The default 'symmetric' is scipy.ndimage's 'reflect', so this equals
    ``scipy.ndimage.gaussian_filter(f, sigma, mode='reflect', radius=ceil(3σ))``.

    Parameters
    ----------
    image : array_like
        Grey (H, W) or RGB (H, W, 3), any finite real dtype.
    sigma : float
        σ > 0 in pixels.
    mode : str
        One of :data:`PAD_MODES`.

    Returns
    -------
    ndarray of float64, same shape as ``image``

    Examples
    --------
    >>> step = np.repeat([[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]], 2, axis=0)
    >>> gaussian_blur(step, 1.0)[0].round(3)
    array([0.004, 0.058, 0.3  , 0.7  , 0.942, 0.996])
    """
    pixels = as_float_image(image)
    g = gaussian_kernel1d(sigma)
    return separable_correlate(pixels, g, g, padding="same", mode=mode)


# ---------------------------------------------------------------- non-linear preview and noise


def median_filter(image, size, mode="symmetric"):
    """Median filter: g(m, n) = median{ f(m + i, n + j) : |i|, |j| ≤ k } over a size × size window.

    Not a weighted sum, so not a correlation: the median ignores a few
    extreme values, which is why it removes salt-and-pepper noise that a box
    or Gaussian only smears. Borders are extended by ``mode``.

    Parameters
    ----------
    image : array_like
        Grey (H, W) or RGB (H, W, 3), filtered per channel.
    size : int
        Odd window side N = 2k + 1 ≥ 1.
    mode : str
        One of :data:`PAD_MODES`; the default 'symmetric' is scipy.ndimage's 'reflect'.

    Returns
    -------
    ndarray of float64, same shape as ``image``

    Examples
    --------
    >>> f = np.full((5, 5), 10.0); f[2, 2] = 255      # one "salt" pixel
    >>> float(median_filter(f, 3)[2, 2])
    10.0
    """
    pixels = as_float_image(image)
    size = as_int(size, "size", minimum=1)
    if size % 2 == 0:
        raise ValueError(f"size must be odd so the window has a centre; got {size}")
    mode = as_choice(mode, "mode", PAD_MODES)
    k = size // 2
    padded = pad(pixels, k, mode)
    height, width = pixels.shape[:2]
    # One slice per window offset, stacked along a new last axis; the median is the middle order statistic.
    stack = np.empty(pixels.shape + (size * size,))
    for t, (i, j) in enumerate(np.ndindex(size, size)):
        stack[..., t] = padded[i:i + height, j:j + width]
    middle = size * size // 2
    return np.partition(stack, middle, axis=-1)[..., middle]


def add_noise(image, kind, amount, rng):
    """Corrupt an image with seeded noise.

    * ``'gaussian'``: g = clip(f + n, 0, white) with n ~ N(0, amount²) per pixel
      (and per channel); ``amount`` is the noise's standard deviation in the
      image's units (e.g. 20 for uint8, 0.08 for floats in [0, 1]).
    * ``'salt_pepper'``: a random fraction ``amount`` of the pixels becomes
      black (0) or white, half each; an RGB pixel changes in all channels.

    Parameters
    ----------
    image : array_like
        Grey or RGB levels: uint8 (white = 255) or floats in [0, 1] (white = 1).
    kind : {'gaussian', 'salt_pepper'}
    amount : float
        Standard deviation (≥ 0) for 'gaussian'; fraction in [0, 1] for 'salt_pepper'.
    rng : numpy.random.Generator or int
        The random generator, or a seed for ``np.random.default_rng``.

    Returns
    -------
    ndarray of float64, same shape as ``image``, values in [0, white]

    Examples
    --------
    >>> f = np.full((100, 100), 128, dtype=np.uint8)
    >>> g = add_noise(f, "salt_pepper", 0.1, rng=0)
    >>> round(float(np.mean(g != 128)), 2), sorted(np.unique(g).tolist())
    (0.1, [0.0, 128.0, 255.0])
    >>> round(float(np.std(add_noise(f, "gaussian", 20, rng=0))), 1)
    20.0
    """
    levels = as_levels(image)
    kind = as_choice(kind, "kind", NOISE_KINDS)
    white = 255.0 if levels.dtype == np.uint8 else 1.0
    if kind == "gaussian":
        amount = as_real(amount, "amount", minimum=0)
    else:
        amount = as_real(amount, "amount", minimum=0, maximum=1)
    rng = as_rng(rng)
    pixels = levels.astype(np.float64)
    if kind == "gaussian":
        return np.clip(pixels + rng.normal(0.0, amount, size=pixels.shape), 0.0, white)
    height, width = pixels.shape[:2]
    count = int(round(amount * height * width))
    chosen = rng.choice(height * width, size=count, replace=False)
    values = np.where(rng.random(count) < 0.5, 0.0, white)
    out = pixels.reshape(height * width, -1).copy()
    out[chosen] = values[:, None]
    return out.reshape(pixels.shape)



def psnr(a, b, peak=None):
    """Peak signal-to-noise ratio in decibels: PSNR = 10 log₁₀(peak² / MSE).

    MSE = mean((a − b)²) over all pixels and channels. Higher is closer;
    identical images give infinity.

    Parameters
    ----------
    a, b : array_like
        Images of the same shape (grey or RGB), e.g. a clean image and its
        noisy or filtered version.
    peak : float, optional
        The largest possible level. Default: 1.0 if both images are floats
        within [0, 1], else 255.0 (uint8 levels, or floats on the 0–255 scale).

    Returns
    -------
    float

    Examples
    --------
    >>> clean = np.full((4, 4), 100, dtype=np.uint8)
    >>> round(psnr(clean, clean + 10.0), 2)                  # MSE = 100
    28.13
    >>> psnr(clean, clean)
    inf
    """
    a, b = as_image(a, "a"), as_image(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a {a.shape}; got {b.shape}")
    x, y = a.astype(np.float64), b.astype(np.float64)
    if peak is None:
        integer = np.issubdtype(a.dtype, np.integer) or np.issubdtype(b.dtype, np.integer)
        in_unit = min(x.min(), y.min()) >= 0 and max(x.max(), y.max()) <= 1
        peak = 1.0 if in_unit and not integer else 255.0
    peak = as_real(peak, "peak", minimum=0, strict=True)
    mse = float(np.mean((x - y) ** 2))
    if mse == 0:
        return math.inf
    return 10.0 * math.log10(peak**2 / mse)
