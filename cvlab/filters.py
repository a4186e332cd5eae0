"""Linear filtering: S[f](m, n) = Σᵢ Σⱼ w(i, j) f(m + i, n + j), kernels, separability and template matching.

Every filter accepts a finite real grey (H, W) or RGB (H, W, 3) image of any
numeric dtype, filters each channel on its own and returns float64.

Notation: I, K, P, S are the notes' input size, kernel size, padding and
stride. :func:`output_size` and :func:`coverage` take them as numbers under
those names; functions that take arrays spell them ``padding`` and ``stride``,
and ``kernel.shape`` gives K.

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

Ceilings (see ``cvlab._checks``): σ ≤ :data:`MAX_SIGMA`, a Gaussian radius ≤
:data:`MAX_RADIUS`, padding ≤ :data:`MAX_PADDING`, a kernel or window side ≤
:data:`MAX_KERNEL_SIZE`, an axis of :func:`coverage` ≤ :data:`MAX_LENGTH` (a
side of :func:`coverage2d` ≤ :data:`MAX_GRID_SIDE`), a stride ≤
:data:`MAX_STRIDE`, and one filter call ≤ :data:`MAX_MULTIPLY_ADDS`: on the
course's images no call needs more than about 1 GB or 10 s.
"""

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from ._checks import (
    as_array,
    as_choice,
    as_float_image,
    as_image,
    as_int,
    as_int_pair,
    as_levels,
    as_odd,
    as_real,
    as_rng,
)

__all__ = [
    "PAD_MODES",
    "SCIPY_MODES",
    "MAX_SIGMA",
    "MIN_DENSITY_SIGMA",
    "MAX_RADIUS",
    "MAX_PADDING",
    "MAX_KERNEL_SIZE",
    "MAX_LENGTH",
    "MAX_GRID_SIDE",
    "MAX_STRIDE",
    "MAX_MULTIPLY_ADDS",
    "MAX_MEDIAN_WORK",
    "output_size",
    "coverage",
    "coverage2d",
    "kernel_positions",
    "unread",
    "pad",
    "correlate2d",
    "convolve2d",
    "box_kernel",
    "gaussian_density",
    "gaussian_mass",
    "gaussian_kernel1d",
    "gaussian_kernel2d",
    "separate",
    "separable_correlate",
    "gaussian_blur",
    "median_filter",
    "add_noise",
    "psnr",
    "match_template",
]

#: Padding modes accepted by :func:`pad` and every filter (NumPy's names).
PAD_MODES = ("constant", "edge", "symmetric", "reflect", "wrap")

#: The same borders under scipy.ndimage's names (see the module docstring).
SCIPY_MODES = {"constant": "constant", "edge": "nearest", "symmetric": "reflect", "reflect": "mirror", "wrap": "wrap"}

#: Largest σ in pixels: its 3σ kernel has 601 taps, wider than any course image is useful for,
#: and blurring the 1411 × 1411 RGB retina with it takes a few seconds.
MAX_SIGMA = 100.0

#: Smallest σ of :func:`gaussian_density`, in pixels: its peak 1/(√(2π) σ) is then about 400 per pixel,
#: and a narrower density is an impulse that no grid of pixel offsets can draw.
MIN_DENSITY_SIGMA = 1e-3

#: Largest Gaussian radius r (2r + 1 taps), the 3σ radius of :data:`MAX_SIGMA`.
MAX_RADIUS = 300

#: Largest padding P per side: the 1411 × 1411 retina padded by it is under 100 MB per channel.
MAX_PADDING = 1000

#: Largest kernel, window or template side in pixels (a 1001 × 1001 float kernel is 8 MB).
MAX_KERNEL_SIZE = 1001

#: Largest padded axis I + 2P that :func:`coverage` counts (an 8 MB array).
MAX_LENGTH = 10**6

#: Largest side I + 2P of the grid that :func:`coverage2d` counts (a 32 MB array).
MAX_GRID_SIDE = 2048

#: Largest stride S: a longer step leaves one kernel position per axis on any course image, even padded.
MAX_STRIDE = 4096

#: Most multiply-adds one filter call may do, O_h · O_w · K_h · K_w per channel summed:
#: about a second at the matrix-product speed of a laptop core, at most ten on a busy one.
MAX_MULTIPLY_ADDS = 10**10

NOISE_KINDS = ("gaussian", "salt_pepper")
TEMPLATE_METHODS = ("correlation", "zero_mean", "ncc")


def _check_work(multiply_adds, name):
    """Refuse a call that would exceed :data:`MAX_MULTIPLY_ADDS`, naming the parameter that sets it."""
    if multiply_adds > MAX_MULTIPLY_ADDS:
        raise ValueError(
            f"{name} is too large for this image: {multiply_adds:.3g} multiply-adds exceed the ceiling "
            f"MAX_MULTIPLY_ADDS = {MAX_MULTIPLY_ADDS:.0e}; use a smaller {name} or a smaller image"
        )


# ---------------------------------------------------------------- the output size and what the kernel reads


def _size_arguments(I, K, P, S):
    """Check the notes' I, K, P, S and that the kernel fits: I − K + 2P ≥ 0."""
    I = as_int(I, "I", minimum=1)
    K = as_int(K, "K", minimum=1)
    P = as_int(P, "P", minimum=0)
    S = as_int(S, "S", minimum=1)
    if I - K + 2 * P < 0:
        raise ValueError(f"K = {K} does not fit in I + 2P = {I + 2 * P}: I − K + 2P must be >= 0")
    return I, K, P, S


def _output_size(I, K, P, S):
    return (I - K + 2 * P) // S + 1


def output_size(I, K, P=0, S=1):
    """Output length of a filter along one axis: O = ⌊(I − K + 2P) / S⌋ + 1.

    The notes write O = (I − K + 2P)/S + 1. When S does not divide
    I − K + 2P the kernel's last steps would run past the padded input, so
    the remainder is dropped: this uses floor division, as PyTorch,
    TensorFlow and NumPy-based code do. Pure integer arithmetic, so any size
    is accepted.

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

    See Also
    --------
    coverage : how many kernel positions read each cell.
    correlate2d : the filter whose output has this size.

    Taught in: 02_filtering, "输出尺寸".

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
    return _output_size(*_size_arguments(I, K, P, S))


def _checked_length(I, K, P, S, limit=MAX_LENGTH, limit_name="MAX_LENGTH"):
    """The notes' I, K, P, S for the functions that count cells: I + 2P ≤ ``limit`` and S ≤ MAX_STRIDE."""
    I, K, P, S = _size_arguments(I, K, P, S)
    if I > limit:
        raise ValueError(f"I must be <= {limit_name} = {limit} (I + 2P must be <= {limit_name}); got {I}")
    if I + 2 * P > limit:
        raise ValueError(f"P must be <= ({limit_name} − I) / 2 = {(limit - I) // 2} for I = {I}, since "
                         f"I + 2P must be <= {limit_name} = {limit}; got {P}")
    if S > MAX_STRIDE:
        raise ValueError(f"S must be <= MAX_STRIDE = {MAX_STRIDE}; got {S}")
    return I, K, P, S


def _kernel_positions(I, K, P, S):
    return S * np.arange(_output_size(I, K, P, S))


def _coverage(I, K, P, S):
    # +1 where a position starts reading, −1 one past its last cell; the running sum counts readers.
    steps = np.zeros(I + 2 * P + 1, dtype=np.int64)
    starts = _kernel_positions(I, K, P, S)
    np.add.at(steps, starts, 1)
    np.add.at(steps, starts + K, -1)
    return np.cumsum(steps[:-1])


def coverage(I, K, P=0, S=1):
    """How many kernel positions read each cell of the padded axis, of length I + 2P.

    The t-th position (t = 0 … O − 1, O from :func:`output_size`) reads the
    cells t·S … t·S + K − 1. A cell read by none is lost: the floor drops
    the last cells when S does not divide I − K + 2P, and a stride larger
    than the kernel (S > K) skips cells between positions too.

    Parameters
    ----------
    I, K, P, S : int
        As for :func:`output_size`; I + 2P ≤ :data:`MAX_LENGTH` and S ≤ :data:`MAX_STRIDE`.

    Returns
    -------
    ndarray of int64, shape (I + 2P,)

    See Also
    --------
    kernel_positions : where each position starts.
    unread : how many of the I input cells are never read.

    Taught in: 02_filtering, "输出尺寸".

    Examples
    --------
    >>> coverage(5, 3, P=1)          # 'same': every input cell is read
    array([1, 2, 3, 3, 3, 2, 1])
    >>> coverage(6, 1, S=2)          # S > K: every other cell is skipped
    array([1, 0, 1, 0, 1, 0])
    """
    return _coverage(*_checked_length(I, K, P, S))


def coverage2d(I, K, P=0, S=1):
    """How many kernel positions read each cell of the padded (I + 2P) × (I + 2P) grid.

    Position (t, u) reads cell (y, x) exactly when position t reads row y
    and position u reads column x, so with c = :func:`coverage` (I, K, P, S)
    the count is the outer product C(y, x) = c(y) · c(x). A zero marks a
    cell no position reads.

    Parameters
    ----------
    I, K, P, S : int
        As for :func:`output_size`, the same along both axes;
        I + 2P ≤ :data:`MAX_GRID_SIDE` and S ≤ :data:`MAX_STRIDE`.

    Returns
    -------
    ndarray of int64, shape (I + 2P, I + 2P)

    See Also
    --------
    coverage : the count along one axis.

    Taught in: 02_filtering, "输出尺寸".

    Examples
    --------
    >>> coverage2d(3, 1, P=0, S=2)   # S > K: the middle row and column are never read
    array([[1, 0, 1],
           [0, 0, 0],
           [1, 0, 1]])
    """
    count = _coverage(*_checked_length(I, K, P, S, MAX_GRID_SIDE, "MAX_GRID_SIDE"))
    return np.outer(count, count)


def kernel_positions(I, K, P=0, S=1):
    """The first padded cell t·S that each kernel position t = 0 … O − 1 reads.

    Position t covers the cells t·S … t·S + K − 1 of the padded axis (cell 0
    is the first padding cell); its centre is at t·S + (K − 1)/2.

    Parameters
    ----------
    I, K, P, S : int
        As for :func:`output_size`; I + 2P ≤ :data:`MAX_LENGTH` and S ≤ :data:`MAX_STRIDE`.

    Returns
    -------
    ndarray of int64, shape (O,)

    See Also
    --------
    coverage, output_size

    Taught in: 02_filtering, "输出尺寸".

    Examples
    --------
    >>> kernel_positions(7, 3, P=1, S=2)
    array([0, 2, 4, 6])
    """
    return _kernel_positions(*_checked_length(I, K, P, S))


def unread(I, K, P=0, S=1):
    """How many of the I input cells no kernel position reads (the padding is not counted).

    Zero when S ≤ K and S divides I − K + 2P; otherwise the floor in
    O = ⌊(I − K + 2P) / S⌋ + 1 drops the last cells, and S > K skips cells
    between positions.

    Parameters
    ----------
    I, K, P, S : int
        As for :func:`output_size`; I + 2P ≤ :data:`MAX_LENGTH` and S ≤ :data:`MAX_STRIDE`.

    Returns
    -------
    int

    See Also
    --------
    coverage

    Taught in: 02_filtering, "输出尺寸".

    Examples
    --------
    >>> unread(8, 3, S=2), unread(6, 1, S=2), unread(5, 3, P=1)
    (1, 3, 0)
    """
    I, K, P, S = _checked_length(I, K, P, S)
    return int(np.count_nonzero(_coverage(I, K, P, S)[P:P + I] == 0))


# ---------------------------------------------------------------- padding and correlation


def _padding_pair(padding, name="padding"):
    """(P_rows, P_cols) from an int or a pair, each in [0, MAX_PADDING]."""
    rows, cols = as_int_pair(padding, name, minimum=0)
    if max(rows, cols) > MAX_PADDING:
        raise ValueError(f"{name} must be <= MAX_PADDING = {MAX_PADDING}; got {padding!r}")
    return rows, cols


def _pad(pixels, pads, mode):
    widths = [(pads[0], pads[0]), (pads[1], pads[1])] + [(0, 0)] * (pixels.ndim - 2)
    return np.pad(pixels, widths, mode=mode)


def pad(image, padding, mode="constant"):
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
    padding : int or tuple of two ints
        P on each side (0 ≤ P ≤ :data:`MAX_PADDING`), or (P_rows, P_cols).
    mode : str
        One of :data:`PAD_MODES`.

    Returns
    -------
    ndarray, same dtype as ``image``, shape (H + 2P, W + 2P[, 3])

    See Also
    --------
    correlate2d : pads with this rule before filtering.

    Taught in: 02_filtering, "填充方式".

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
    pads = _padding_pair(padding)
    return _pad(pixels, pads, as_choice(mode, "mode", PAD_MODES))


def _kernel(kernel, name="kernel", ndim=2):
    """A finite kernel as float64 of the given number of dimensions, each side ≤ MAX_KERNEL_SIZE."""
    weights = as_array(kernel, name, ndim=ndim)
    if max(weights.shape) > MAX_KERNEL_SIZE:
        raise ValueError(f"{name} sides must be <= MAX_KERNEL_SIZE = {MAX_KERNEL_SIZE}; got shape {weights.shape}")
    return weights.astype(np.float64)


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
        return _padding_pair(padding)
    except TypeError:
        raise TypeError(f"padding must be 'same', 'valid' or an int; got {type(padding).__name__}") from None


def _out_shape(pixels, kernel_shape, pads, stride):
    """Output (rows, cols) by the notes' formula, naming the image when the kernel does not fit."""
    sizes = []
    for axis in (0, 1):
        span = pixels.shape[axis] - kernel_shape[axis] + 2 * pads[axis]
        if span < 0:
            raise ValueError(
                f"kernel of shape {kernel_shape} does not fit in image of shape {pixels.shape[:2]} with padding {pads}"
            )
        sizes.append(span // stride + 1)
    return tuple(sizes)


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
    padded = _pad(pixels, pads, mode)
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


def _correlate_arguments(image, kernel, padding, mode, stride):
    """Check correlate2d's or convolve2d's arguments once; return what the computation needs."""
    pixels = as_float_image(image)
    weights = _kernel(kernel)
    pads = _padding(padding, weights.shape)
    mode = as_choice(mode, "mode", PAD_MODES)
    stride = as_int(stride, "stride", minimum=1)
    if stride > MAX_STRIDE:
        raise ValueError(f"stride must be <= MAX_STRIDE = {MAX_STRIDE}; got {stride}")
    out_shape = _out_shape(pixels, weights.shape, pads, stride)
    channels = 1 if pixels.ndim == 2 else 3
    _check_work(out_shape[0] * out_shape[1] * weights.size * channels, "kernel")
    return pixels, weights, pads, mode, stride, out_shape


def _correlate(pixels, weights, pads, mode, stride, out_shape):
    return _per_channel(_correlate_grey, pixels, weights, pads, mode, stride, out_shape)


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
        2-D finite weights w, shape (K_h, K_w), each side ≤ :data:`MAX_KERNEL_SIZE`.
    padding : {'same', 'valid'} or int or (int, int)
        'same' pads k = K // 2 on each side so the output keeps the image's
        size (needs an odd kernel); 'valid' pads nothing; an int P pads P
        (≤ :data:`MAX_PADDING`).
    mode : str
        Border rule for the padding, one of :data:`PAD_MODES` (NumPy's names).
    stride : int
        Step S between kernel positions, 1 ≤ S ≤ :data:`MAX_STRIDE`.

    Returns
    -------
    ndarray of float64
        Shape (O_h, O_w[, 3]) with O = ⌊(I − K + 2P)/S⌋ + 1 per axis (:func:`output_size`).

    Raises
    ------
    ValueError
        Also when O_h · O_w · K_h · K_w (per channel) exceeds :data:`MAX_MULTIPLY_ADDS`.

    See Also
    --------
    convolve2d : the same with the kernel flipped.
    separable_correlate : two 1-D passes for a rank-1 kernel.

    Notes
    -----
    Each row pass is one matrix product with a banded (Toeplitz) matrix, so
    there is no loop over pixels; the result equals
    ``scipy.ndimage.correlate`` with the matching mode (see
    :data:`SCIPY_MODES`) to rounding.

    Taught in: 02_filtering, "什么是滤波".

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
    return _correlate(*_correlate_arguments(image, kernel, padding, mode, stride))


def convolve2d(image, kernel, padding="same", mode="constant", stride=1):
    """Convolution: correlation with the kernel flipped in both axes.

    (w ∗ f)(m, n) = Σᵢ Σⱼ w(i, j) f(m − i, n − j) = correlate2d(f, w[::-1, ::-1]).
    For a symmetric kernel (box, Gaussian) the two are the same; for an
    asymmetric one (a Sobel, a shifted impulse) they differ by the flip.
    Parameters, result and ceilings as for :func:`correlate2d`.

    See Also
    --------
    correlate2d

    Taught in: 02_filtering, "卷积与相关".

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
    pixels, weights, pads, mode, stride, out_shape = _correlate_arguments(image, kernel, padding, mode, stride)
    return _correlate(pixels, weights[::-1, ::-1], pads, mode, stride, out_shape)


# ---------------------------------------------------------------- kernels


def box_kernel(size):
    """The box (mean) filter: w(i, j) = 1 / N² on an N × N grid.

    Parameters
    ----------
    size : int
        N, from 1 to :data:`MAX_KERNEL_SIZE`.

    Returns
    -------
    ndarray of float64, shape (N, N)

    See Also
    --------
    gaussian_kernel2d : weights that fall off with distance instead.

    Taught in: 02_filtering, "盒式滤波器".

    Examples
    --------
    >>> box_kernel(3) * 9
    array([[1., 1., 1.],
           [1., 1., 1.],
           [1., 1., 1.]])
    """
    size = as_int(size, "size", minimum=1, maximum=MAX_KERNEL_SIZE)
    return np.full((size, size), 1.0 / size**2)


def _sigma(sigma):
    return as_real(sigma, "sigma", minimum=0, strict=True, maximum=MAX_SIGMA)


def _radius(sigma, radius):
    """The checked radius: ⌈3σ⌉ by default (rounded so 3 · (1/3) is 1, not 1.0000000000000002)."""
    if radius is None:
        return math.ceil(round(3 * sigma, 9))
    return as_int(radius, "radius", minimum=0, maximum=MAX_RADIUS)


def _standard_normal(x, sigma):
    """exp(−x²/2σ²). Past |x| = 40σ it is 0 in float64, so |x| is capped there before dividing by σ:
    no overflow even for a subnormal σ, whose taps are then exactly the impulse."""
    z = np.minimum(np.abs(x), 40.0 * sigma) / sigma
    return np.exp(-0.5 * z * z)


def _gaussian_taps(sigma, radius):
    g = _standard_normal(np.arange(-radius, radius + 1, dtype=np.float64), sigma)
    return g / g.sum()


def gaussian_density(x, sigma):
    """The continuous Gaussian g_σ(x) = exp(−x² / 2σ²) / (√(2π) σ), the curve a kernel samples.

    Parameters
    ----------
    x : array_like
        Offsets in pixels, any shape.
    sigma : float
        :data:`MIN_DENSITY_SIGMA` ≤ σ ≤ :data:`MAX_SIGMA`. The kernels accept any σ > 0 (they tend
        to the impulse), but the density's peak 1/(√(2π) σ) grows without bound as σ → 0.

    Returns
    -------
    ndarray of float64, shape of ``x``

    See Also
    --------
    gaussian_kernel1d : the sampled, normalized version.
    gaussian_mass : the area under it within ±r.

    Taught in: 02_filtering, "高斯滤波器".

    Examples
    --------
    >>> gaussian_density([0.0, 1.0], 1.0).round(4)
    array([0.3989, 0.242 ])
    """
    x = as_array(x, "x").astype(np.float64)
    sigma = as_real(sigma, "sigma", minimum=MIN_DENSITY_SIGMA, maximum=MAX_SIGMA)
    return _standard_normal(x, sigma) / (math.sqrt(2 * math.pi) * sigma)


def gaussian_mass(sigma, radius, ndim=1):
    """Fraction of the continuous Gaussian's mass that a kernel of radius r keeps.

    In 1-D, ∫_{−r}^{r} g_σ(x) dx = erf(r / (σ√2)); the square (2r + 1)² kernel
    of a 2-D Gaussian keeps its square, erf(r / (σ√2))², because the 2-D
    Gaussian is the product of two 1-D ones. The 3σ rule keeps 99.73 % in 1-D.

    Parameters
    ----------
    sigma : float
        0 < σ ≤ :data:`MAX_SIGMA`.
    radius : float
        r ≥ 0, in pixels (need not be an integer).
    ndim : {1, 2}
        The kernel's number of dimensions.

    Returns
    -------
    float, in [0, 1]

    See Also
    --------
    gaussian_kernel1d : the kernel truncated at that radius.

    Taught in: 02_filtering, "3σ 原则".

    Examples
    --------
    >>> round(gaussian_mass(2.0, 6), 4), round(gaussian_mass(2.0, 6, ndim=2), 4)
    (0.9973, 0.9946)
    """
    sigma = _sigma(sigma)
    radius = as_real(radius, "radius", minimum=0)
    ndim = as_int(ndim, "ndim", minimum=1, maximum=2)
    return math.erf(radius / (sigma * math.sqrt(2))) ** ndim


def gaussian_kernel1d(sigma, radius=None):
    """A sampled, normalized 1-D Gaussian: g(i) ∝ exp(−i² / 2σ²) for i = −r … r.

    The continuous factor 1/(√(2π) σ) is replaced by dividing by the sum, so
    the truncated kernel sums to exactly 1 (a constant image stays constant).
    As σ → 0 the kernel tends to the impulse [0, …, 1, …, 0].

    Parameters
    ----------
    sigma : float
        Standard deviation 0 < σ ≤ :data:`MAX_SIGMA`, in pixels.
    radius : int, optional
        Half-width 0 ≤ r ≤ :data:`MAX_RADIUS`; the kernel has 2r + 1 taps.
        Default ⌈3σ⌉, the notes' 3σ rule (99.7 % of the continuous mass lies
        within ±3σ, see :func:`gaussian_mass`).

    Returns
    -------
    ndarray of float64, shape (2r + 1,)

    See Also
    --------
    gaussian_kernel2d : its outer product with itself.
    gaussian_density : the continuous curve it samples.

    References
    ----------
    .. [1] R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 3.5.

    Taught in: 02_filtering, "高斯滤波器".

    Examples
    --------
    >>> gaussian_kernel1d(1.0).round(4)
    array([0.0044, 0.054 , 0.242 , 0.3991, 0.242 , 0.054 , 0.0044])
    >>> float(gaussian_kernel1d(2.5, radius=4).sum())
    1.0
    >>> gaussian_kernel1d(1e-200, radius=1)             # σ → 0: the impulse
    array([0., 1., 0.])
    """
    sigma = _sigma(sigma)
    return _gaussian_taps(sigma, _radius(sigma, radius))


def gaussian_kernel2d(sigma, radius=None):
    """The 2-D Gaussian kernel, w(i, j) = (1 / 2πσ²) exp(−(i² + j²) / 2σ²), normalized to sum 1.

    Because exp(−(i² + j²)/2σ²) = exp(−i²/2σ²) · exp(−j²/2σ²), it is the
    outer product of two 1-D kernels (:func:`gaussian_kernel1d`): the
    Gaussian is separable.

    Parameters
    ----------
    sigma : float
        Standard deviation 0 < σ ≤ :data:`MAX_SIGMA`.
    radius : int, optional
        Half-width r ≤ :data:`MAX_RADIUS`; default ⌈3σ⌉. The kernel is (2r + 1) × (2r + 1).

    Returns
    -------
    ndarray of float64

    See Also
    --------
    gaussian_kernel1d, separate, gaussian_blur

    Taught in: 02_filtering, "高斯滤波器".

    Examples
    --------
    >>> (gaussian_kernel2d(0.85, radius=1) * 16).round(1)   # ≈ the notes' 1/16 [[1, 2, 1], ...]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    sigma = _sigma(sigma)
    g = _gaussian_taps(sigma, _radius(sigma, radius))
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
        2-D finite weights, each side ≤ :data:`MAX_KERNEL_SIZE`.
    atol : float
        Largest allowed |w − c rᵀ| entry (≥ 0), relative to max |w| when
        that exceeds 1, so scaling a kernel up does not change the verdict.

    Returns
    -------
    (column, row) : tuple of float64 ndarrays, or None
        ``np.outer(column, row)`` equals ``kernel`` within ``atol``; None if
        the kernel is not rank 1 (e.g. the Laplacian).

    See Also
    --------
    separable_correlate : filter with the two pieces.

    Taught in: 02_filtering, "奇异值".

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
    padded = _pad(pixels, pads, mode)
    down = np.empty((out_shape[0], padded.shape[1]))
    _correlate_rows(padded.T, column, 1, out_shape[0], down.T)
    del padded  # free it before the output is allocated: fewer large arrays alive means fewer page faults
    return _correlate_rows(down, row, 1, out_shape[1], np.empty(out_shape))


def _separable(pixels, column, row, pads, mode):
    """Check the work of the two passes, then filter every channel."""
    out_shape = _out_shape(pixels, (len(column), len(row)), pads, 1)
    channels = 1 if pixels.ndim == 2 else 3
    padded_width = pixels.shape[1] + 2 * pads[1]
    _check_work(channels * out_shape[0] * (padded_width * len(column) + out_shape[1] * len(row)), "kernel")
    return _per_channel(_separable_grey, pixels, column, row, pads, mode, out_shape)


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
        1-D finite kernels c (length K_h) and r (length K_w), each ≤ :data:`MAX_KERNEL_SIZE`.
    padding : {'same', 'valid'} or int or (int, int)
        As for :func:`correlate2d`; 'same' needs odd lengths.
    mode : str
        One of :data:`PAD_MODES`.

    Returns
    -------
    ndarray of float64

    See Also
    --------
    separate : find c and r for a rank-1 kernel.
    gaussian_blur : this with two Gaussian kernels.

    Taught in: 02_filtering, "可分离滤波器".

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
    return _separable(pixels, c, r, pads, mode)


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
        0 < σ ≤ :data:`MAX_SIGMA`, in pixels.
    mode : str
        One of :data:`PAD_MODES`.

    Returns
    -------
    ndarray of float64, same shape as ``image``

    See Also
    --------
    gaussian_kernel1d, separable_correlate

    Taught in: 02_filtering, "高斯滤波器".

    Examples
    --------
    >>> step = np.repeat([[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]], 2, axis=0)
    >>> gaussian_blur(step, 1.0)[0].round(3)
    array([0.004, 0.058, 0.3  , 0.7  , 0.942, 0.996])
    """
    pixels = as_float_image(image)
    sigma = _sigma(sigma)
    mode = as_choice(mode, "mode", PAD_MODES)
    radius = _radius(sigma, None)
    g = _gaussian_taps(sigma, radius)
    return _separable(pixels, g, g, (radius, radius), mode)


# ---------------------------------------------------------------- non-linear preview and noise

#: Elements one block of median windows may hold (32 MB of float64).
_MEDIAN_BLOCK = 2**22

#: Most element visits one median call may make, H · W · min(N², 3 · levels) per channel:
#: camera (256 levels) at N = 31 needs 2·10⁸, about two seconds.
MAX_MEDIAN_WORK = 3 * 10**8


def _box_sums(values, shape, dtype):
    """Σ of ``values`` over every window of ``shape`` (valid positions), read off an integral image."""
    h, w = shape
    total = np.zeros((values.shape[0] + 1, values.shape[1] + 1), dtype=dtype)
    np.cumsum(values, axis=0, dtype=dtype, out=total[1:, 1:])
    np.cumsum(total[1:, 1:], axis=1, out=total[1:, 1:])
    return total[h:, w:] - total[:-h, w:] - total[h:, :-w] + total[:-h, :-w]


def _median_by_counting(ranks, levels, size):
    """Median rank per window: the number of levels v whose count #{rank ≤ v} is below half the window."""
    half = size * size // 2 + 1
    at_or_below = np.zeros((ranks.shape[0] - size + 1, ranks.shape[1] - size + 1), dtype=np.int32)
    median = np.zeros(at_or_below.shape, dtype=np.int64)
    for v in range(levels - 1):
        at_or_below += _box_sums(ranks == v, (size, size), np.int32)
        median += at_or_below < half
    return median


def _median_by_partition(padded, size):
    """The middle order statistic of every window, a block of rows at a time so memory stays bounded."""
    windows = sliding_window_view(padded, (size, size))
    height, width = windows.shape[:2]
    middle = size * size // 2
    out = np.empty((height, width))
    rows = max(1, _MEDIAN_BLOCK // (width * size * size))
    for top in range(0, height, rows):
        block = windows[top:top + rows].reshape(-1, width, size * size)
        out[top:top + rows] = np.partition(block, middle, axis=-1)[..., middle]
    return out


def _median_grey(pixels, size, mode):
    padded = _pad(pixels, (size // 2, size // 2), mode)
    values, ranks = np.unique(padded, return_inverse=True)
    # Counting costs about three partition steps per distinct level and pixel; partitioning N² per pixel.
    if 3 * len(values) < size * size:
        return values[_median_by_counting(ranks.reshape(padded.shape), len(values), size)]
    return _median_by_partition(padded, size)


def median_filter(image, size, mode="symmetric"):
    """Median filter: g(m, n) = median{ f(m + i, n + j) : |i|, |j| ≤ k } over a size × size window.

    Not a weighted sum, so not a correlation: the median ignores a few
    extreme values, which is why it removes salt-and-pepper noise that a box
    or Gaussian only smears. Borders are extended by ``mode``. Equal to
    ``scipy.ndimage.median_filter`` with the matching mode, exactly.

    Parameters
    ----------
    image : array_like
        Grey (H, W) or RGB (H, W, 3), filtered per channel.
    size : int
        Odd window side N = 2k + 1, from 1 to :data:`MAX_KERNEL_SIZE`.
    mode : str
        One of :data:`PAD_MODES`; the default 'symmetric' is scipy.ndimage's 'reflect'.

    Returns
    -------
    ndarray of float64, same shape as ``image``

    Raises
    ------
    ValueError
        Also when H · W · min(N², 3 · levels) exceeds :data:`MAX_MEDIAN_WORK`
        (levels: the number of distinct values).

    See Also
    --------
    correlate2d : the linear filters it is contrasted with.

    Notes
    -----
    Two exact algorithms, chosen by cost. With few distinct values (a uint8
    image has at most 256), the median rank of a window is the number of
    levels v with #{pixels ≤ v in the window} < (N² + 1)/2, and each count is
    a box sum over an integral image: O(levels · H · W) time and O(H · W)
    memory, independent of N. Otherwise every window is partitioned around
    its middle element, a block of rows at a time: O(N² · H · W) time in
    bounded memory.

    References
    ----------
    .. [1] J. W. Tukey, *Exploratory Data Analysis*, Addison-Wesley, 1977.
    .. [2] T. S. Huang, G. J. Yang and G. Y. Tang, "A fast two-dimensional median filtering algorithm,"
       IEEE Trans. Acoustics, Speech, and Signal Processing 27(1), 1979.

    Taught in: 02_filtering, "中值滤波".

    Examples
    --------
    >>> f = np.full((5, 5), 10.0); f[2, 2] = 255      # one "salt" pixel
    >>> float(median_filter(f, 3)[2, 2])
    10.0
    """
    pixels = as_float_image(image)
    size = as_odd(size, "size", maximum=MAX_KERNEL_SIZE)
    mode = as_choice(mode, "mode", PAD_MODES)
    height, width = pixels.shape[:2]
    channels = 1 if pixels.ndim == 2 else 3
    levels = len(np.unique(pixels))
    work = channels * height * width * min(size * size, 3 * levels)
    if work > MAX_MEDIAN_WORK:
        raise ValueError(f"size = {size} is too large for this image: {work:.3g} element visits exceed "
                         f"MAX_MEDIAN_WORK = {MAX_MEDIAN_WORK:.0e}; use a smaller size")
    return _per_channel(_median_grey, pixels, size, mode)


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

    See Also
    --------
    median_filter, gaussian_blur, psnr

    Taught in: 02_filtering, "去噪".

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
        The largest possible level. By default it follows the dtypes: 255.0
        if either image has an integer dtype (uint8 levels; the other may be
        a float result on the 0–255 scale), else 1.0 (floats in [0, 1]).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If a value of ``a`` or ``b`` lies outside [0, peak]: the ratio would
        then compare against the wrong peak. Clip the images first (for
        example a cubic interpolation's overshoot), or pass ``peak``.

    See Also
    --------
    add_noise, median_filter

    Taught in: 02_filtering, "去噪".

    Examples
    --------
    >>> clean = np.full((4, 4), 100, dtype=np.uint8)
    >>> round(psnr(clean, clean + 10.0), 2)                  # MSE = 100, peak 255
    28.13
    >>> round(psnr(clean / 255, (clean + 10.0) / 255), 2)    # the same on [0, 1], peak 1
    28.13
    >>> psnr(clean, clean)
    inf
    """
    a, b = as_image(a, "a"), as_image(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"b must have the shape of a {a.shape}; got {b.shape}")
    if peak is None:
        integer = np.issubdtype(a.dtype, np.integer) or np.issubdtype(b.dtype, np.integer)
        peak = 255.0 if integer else 1.0
    else:
        peak = as_real(peak, "peak", minimum=0, strict=True)
    for name, image in (("a", a), ("b", b)):
        low, high = image.min(), image.max()
        if low < 0 or high > peak:
            raise ValueError(f"{name} must lie in [0, peak] = [0, {peak:g}]; got [{low:.6g}, {high:.6g}]"
                             " (clip it, or pass peak for another range)")
    difference = a.astype(np.float64) - b.astype(np.float64)
    largest = float(np.abs(difference).max())
    if largest == 0:
        return math.inf
    # MSE = largest² · mean((d / largest)²), taken in logarithms: neither peak² nor d² can overflow.
    mse_over_largest = float(np.mean((difference / largest) ** 2))
    return 20.0 * (math.log10(peak) - math.log10(largest)) - 10.0 * math.log10(mse_over_largest)


# ---------------------------------------------------------------- template matching


def _match(pixels, template, method):
    valid = (0, 0)
    out_shape = _out_shape(pixels, template.shape, valid, 1)
    if method == "correlation":
        return _correlate_grey(pixels, template, valid, "constant", 1, out_shape)
    centred = template - template.mean()
    scores = _correlate_grey(pixels, centred, valid, "constant", 1, out_shape)
    if method == "zero_mean":
        return scores
    # Lewis (1995): Σ(f − f̄)² over a window is Σf² − (Σf)²/n, both read off integral images.
    window_sum = _box_sums(pixels, template.shape, np.float64)
    window_square = _box_sums(pixels * pixels, template.shape, np.float64)
    variance_sum = window_square - window_sum**2 / template.size
    # The running sums carry rounding of about eps times the whole image's Σf²: below that a window is flat.
    flat = variance_sum <= 1e-13 * pixels.size * np.abs(pixels).max() ** 2
    denominator = np.sqrt(np.where(flat, 1.0, variance_sum) * np.sum(centred**2))
    return np.where(flat, 0.0, scores / denominator)


def match_template(image, template, method="ncc"):
    """Score every placement of a template on an image, the general filter's classic use.

    With the template t (h × w, mean t̄) placed with its corner at (m, n):

    * ``'correlation'``: C(m, n) = Σᵢ Σⱼ t(i, j) f(m + i, n + j), plain correlation;
    * ``'zero_mean'``: Z(m, n) = Σᵢ Σⱼ (t(i, j) − t̄) f(m + i, n + j), which
      equals Σ (t − t̄)(f − f̄_mn) with f̄_mn the window's mean;
    * ``'ncc'``: normalized cross-correlation
      N(m, n) = Σ (t − t̄)(f − f̄_mn) / √(Σ (t − t̄)² · Σ (f − f̄_mn)²), in [−1, 1];
      0 where the window is flat.

    Adding a constant b to the image adds b·Σt to C but leaves Z unchanged
    (Σ(t − t̄) = 0); scaling a window by a > 0 scales C and Z by a but leaves
    N unchanged. The best match is the argmax.

    Parameters
    ----------
    image : array_like
        Grey (H, W) image, any finite real dtype.
    template : array_like
        Grey (h, w) patch with h ≤ H, w ≤ W, each side ≤ :data:`MAX_KERNEL_SIZE`;
        it must not be constant for 'zero_mean' and 'ncc'.
    method : {'correlation', 'zero_mean', 'ncc'}

    Returns
    -------
    ndarray of float64, shape (H − h + 1, W − w + 1)
        The score for each corner (m, n) ('valid' positions only).

    See Also
    --------
    correlate2d : the plain correlation is this with padding='valid'.

    Notes
    -----
    The window sums Σf and Σf² come from integral images (running sums), so
    the normalization costs O(1) per position; this is Lewis's fast NCC.
    ``'ncc'`` equals ``skimage.feature.match_template`` to rounding.

    References
    ----------
    .. [1] J. P. Lewis, "Fast normalized cross-correlation," Vision Interface, 1995.
    .. [2] R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, 4th ed., Pearson, 2018, sec. 12.4.

    Taught in: 02_filtering, "模板匹配".

    Examples
    --------
    >>> f = np.zeros((5, 6)); f[2:4, 3:5] = [[1, 2], [3, 4]]
    >>> scores = match_template(f + 10, [[1, 2], [3, 4]], "ncc")
    >>> tuple(int(i) for i in np.unravel_index(scores.argmax(), scores.shape)), round(float(scores.max()), 6)
    ((2, 3), 1.0)
    """
    pixels = as_float_image(image, color=False)
    patch = _kernel(template, "template")
    method = as_choice(method, "method", TEMPLATE_METHODS)
    if patch.shape[0] > pixels.shape[0] or patch.shape[1] > pixels.shape[1]:
        raise ValueError(f"template of shape {patch.shape} must fit in image of shape {pixels.shape}")
    if method != "correlation" and np.ptp(patch) == 0:
        raise ValueError(f"template must not be constant for method={method!r}: t − t̄ would be 0 everywhere")
    out_size = (pixels.shape[0] - patch.shape[0] + 1) * (pixels.shape[1] - patch.shape[1] + 1)
    _check_work(out_size * patch.size, "template")
    return _match(pixels, patch, method)
