"""Properties of convolution (linearity, shift invariance) and convolution layers.

The notes write the filter as

    (w ⊗ f)(m, n) = Σ_{i=-k..k} Σ_{j=-k..k} w(i, j) f(m + i, n + j)

with m the row and n the column. Two properties make it special:

* linearity: w ⊗ (a·f + b·g) = a·(w ⊗ f) + b·(w ⊗ g);
* shift invariance: if f'(m, n) = f(m − m₀, n − n₀) then
  (w ⊗ f')(m, n) = (w ⊗ f)(m − m₀, n − n₀).

:func:`linearity_gap` and :func:`shift_equivariance_gap` measure how far
*any* image → image function is from each property, so the same two numbers
separate a blur from the counter-examples here (:func:`threshold`,
:func:`varying_blur`) and in :mod:`cvlab.filters` (``median_filter``).

:func:`conv2d`, :func:`conv_params` and :func:`receptive_field` are the
convolution layer of a CNN: many kernels, many channels, one shared weight
per kernel position. Their P and S are spelled ``padding`` and ``stride``, as
in :mod:`cvlab.filters`.

Ceilings: the weights of :func:`linearity_gap` are at most :data:`MAX_WEIGHT`
in size; a stack has at most :data:`MAX_LAYERS` layers, each K ≤
``filters.MAX_KERNEL_SIZE``; :func:`receptive_field_weights` draws fields up
to :data:`MAX_FIELD` pixels; one :func:`conv2d` call gathers at most
:data:`MAX_IM2COL` window values; σ and padding follow ``cvlab.filters``.
"""


import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import filters, pointops
from ._checks import as_array, as_callable, as_choice, as_float_image, as_image, as_int, as_int_pair, as_real

__all__ = [
    "MAX_WEIGHT",
    "MAX_LAYERS",
    "MAX_FIELD",
    "MAX_IM2COL",
    "linearity_gap",
    "shift_paths",
    "shift_equivariance_gap",
    "shift_interior",
    "threshold",
    "varying_blur",
    "conv2d",
    "conv_params",
    "receptive_field",
    "receptive_field_weights",
]

#: Largest |a| and |b| of :func:`linearity_gap`: a·f stays within 10⁹ for images of 0–255 levels,
#: so even a squaring op stays far from overflow, and the rounding in the gap (~10⁻¹⁶ · |a| · scale) stays small.
MAX_WEIGHT = 1e6

#: Most (K, S) layers in a stack.
MAX_LAYERS = 1000

#: Largest receptive field r that :func:`receptive_field_weights` returns as an r × r array (32 MB).
MAX_FIELD = 2001

#: Most window values (N · O_h · O_w · C_in · K_h · K_w) one :func:`conv2d` call gathers: 512 MB of float64.
MAX_IM2COL = 2**26


def _apply(op, image, name="op"):
    """Call ``op`` on a private copy of ``image`` and return its result as float64."""
    result = op(image.copy())
    try:
        result = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must return a real array; got {type(result).__name__}") from None
    return result


def _same_grid(result, image, name="op"):
    """Check that ``op`` kept the pixel grid (H, W); channels may change, e.g. RGB -> grey."""
    if result.ndim not in (2, 3) or result.shape[:2] != image.shape[:2]:
        raise ValueError(f"{name} must return an image on the input's grid (H, W) = {image.shape[:2]};"
                         f" got shape {result.shape}")
    return result


def linearity_gap(op, f, g, a=2.0, b=-0.5):
    """How far ``op`` is from linear: max |op(a·f + b·g) − (a·op(f) + b·op(g))|.

    A linear filter w ⊗ · satisfies w ⊗ (a·f + b·g) = a·(w ⊗ f) + b·(w ⊗ g)
    for every a, b, so its gap is 0 up to floating-point rounding (~1e-15
    times the image's scale). Thresholds, medians and saturating point
    operations give a clearly positive gap.

    Parameters
    ----------
    op : callable
        Any image → image function, e.g. ``lambda f: gaussian_blur(f, 2)``.
        It receives float64 copies, so it cannot modify ``f`` or ``g``.
    f, g : array_like
        Two images of the same shape (grey or RGB), converted to float64.
    a, b : float
        The weights of the combination, |a|, |b| ≤ :data:`MAX_WEIGHT`; a = 2, b = 0 tests scaling alone.

    Returns
    -------
    float
        The largest absolute difference over all pixels.

    See Also
    --------
    shift_equivariance_gap : the other property, measured the same way.

    Taught in: 03_convolution_properties, "叠加".

    Examples
    --------
    >>> f = np.array([[0.0, 1.0, 2.0, 3.0]])
    >>> g = np.array([[4.0, 0.0, 1.0, 0.0]])
    >>> linearity_gap(lambda image: 3 * image[:, ::-1], f, g, 2, -1)
    0.0
    >>> linearity_gap(np.square, f, g, 2, -1)
    32.0
    """
    op = as_callable(op, "op")
    f = as_float_image(f, "f")
    g = as_float_image(g, "g")
    if f.shape != g.shape:
        raise ValueError(f"f and g must have the same shape; got {f.shape} and {g.shape}")
    a = as_real(a, "a", minimum=-MAX_WEIGHT, maximum=MAX_WEIGHT)
    b = as_real(b, "b", minimum=-MAX_WEIGHT, maximum=MAX_WEIGHT)
    together = _apply(op, a * f + b * g)
    apart = a * _apply(op, f) + b * _apply(op, g)
    if together.shape != apart.shape:
        raise ValueError(f"op must return arrays of one shape; got {together.shape} and {apart.shape}")
    return float(np.max(np.abs(together - apart)))


def shift_interior(shape, dy, dx, radius):
    """The region where a zero-filled shift and a zero-padded filter cannot disagree.

    With f'(m, n) = f(m − m₀, n − n₀) (zeros shifted in) and a filter that
    reads k = ``radius`` pixels around each output, the paths *shift then
    filter* and *filter then shift* read the same pixels of f exactly at

        max(k, k + m₀) ≤ m < min(H − k, H − k + m₀)

    and likewise for the columns n with n₀. Outside it, one path sees the
    zeros of the shift or of the padding where the other sees real pixels.

    Parameters
    ----------
    shape : tuple of int
        The image's shape (H, W, ...); only H and W are used.
    dy, dx : int
        The shift m₀ (rows, down) and n₀ (columns, right).
    radius : int
        The filter's reach k ≥ 0 (a (2k+1) x (2k+1) kernel).

    Returns
    -------
    rows, cols : slice
        Index the image with ``image[rows, cols]``; empty slices if nothing is left.

    See Also
    --------
    shift_paths, shift_equivariance_gap

    Taught in: 03_convolution_properties, "零填充时".

    Examples
    --------
    >>> shift_interior((10, 12), 3, -2, 1)
    (slice(4, 9, None), slice(1, 9, None))
    """
    if not isinstance(shape, (tuple, list)) or len(shape) < 2:
        raise ValueError(f"shape must be a tuple (H, W, ...); got {shape!r}")
    height = as_int(shape[0], "shape[0]", minimum=1)
    width = as_int(shape[1], "shape[1]", minimum=1)
    return _shift_interior(height, width, as_int(dy, "dy"), as_int(dx, "dx"), as_int(radius, "radius", minimum=0))


def _shift_interior(height, width, dy, dx, radius):
    spans = []
    for size, offset in ((height, dy), (width, dx)):
        start = max(radius, radius + offset)
        stop = min(size - radius, size - radius + offset)
        spans.append(slice(start, max(start, stop)))
    return tuple(spans)


def _mover(boundary, dy, dx):
    """The shift f'(m, n) = f(m − m₀, n − n₀): circular for "wrap", zero-filled for "zero"."""
    if boundary == "wrap":
        return lambda image: np.roll(image, (dy, dx), axis=(0, 1))
    return lambda image: pointops._shift(image, dy, dx)


def _shift_paths(op, f, dy, dx, boundary):
    move = _mover(boundary, dy, dx)
    shift_first = _same_grid(_apply(op, move(f)), f)
    filter_first = move(_same_grid(_apply(op, f), f))
    return shift_first, filter_first


def _shift_arguments(op, f, dy, dx, boundary):
    return (as_callable(op, "op"), as_float_image(f, "f"), as_int(dy, "dy"), as_int(dx, "dx"),
            as_choice(boundary, "boundary", {"wrap", "zero"}))


def shift_paths(op, f, dy, dx, boundary="wrap"):
    """The two sides of shift invariance: shift then apply ``op``, and apply ``op`` then shift.

    With the notes' shift f'(m, n) = f(m − m₀, n − n₀), m₀ = ``dy`` (rows,
    down) and n₀ = ``dx`` (columns, right), this returns op(f') and the
    shifted op(f). A shift-invariant filter w ⊗ · makes them equal:
    (w ⊗ f')(m, n) = (w ⊗ f)(m − m₀, n − n₀).

    Parameters
    ----------
    op : callable
        Any image → image function that keeps the grid (H, W); it receives
        float64 copies, so it cannot modify ``f``.
    f : array_like
        Grey or RGB image, converted to float64.
    dy, dx : int
        The shift m₀, n₀ in pixels.
    boundary : {"wrap", "zero"}
        Circular shift (``np.roll``), or zero-filled shift (``cvlab.pointops.shift``).

    Returns
    -------
    shift_then_op, op_then_shift : ndarray of float64
        Both on f's grid.

    See Also
    --------
    shift_equivariance_gap : the largest difference of the two.
    shift_interior : where they must agree under "zero".

    Taught in: 03_convolution_properties, "平移不变性".

    Examples
    --------
    >>> f = np.arange(6.0).reshape(1, 6)
    >>> first, second = shift_paths(lambda image: image[:, ::-1], f, 0, 1)   # a flip is not shift-invariant
    >>> first, second
    (array([[4., 3., 2., 1., 0., 5.]]), array([[0., 5., 4., 3., 2., 1.]]))
    """
    return _shift_paths(*_shift_arguments(op, f, dy, dx, boundary))


def shift_equivariance_gap(op, f, dy, dx, boundary="wrap", radius=0, return_interior=False):
    """How far ``op`` is from shift invariance: max |op(shift(f)) − shift(op(f))|.

    The shift is the notes' f'(m, n) = f(m − m₀, n − n₀) with m₀ = ``dy``
    (rows, down) and n₀ = ``dx`` (columns, right). A shift-invariant filter
    satisfies (w ⊗ f')(m, n) = (w ⊗ f)(m − m₀, n − n₀), i.e. the two paths
    of :func:`shift_paths`, *shift then filter* and *filter then shift*, agree.

    Parameters
    ----------
    op : callable
        Any image → image function that keeps the grid (H, W); it may change
        the channels (e.g. an RGB → grey layer).
    f : array_like
        Grey or RGB image, converted to float64.
    dy, dx : int
        The shift m₀, n₀ in pixels.
    boundary : {"wrap", "zero"}
        Circular shift over the whole image, or zero-filled shift over the interior.
    radius : int
        How far ``op`` reaches (k for a (2k+1) x (2k+1) kernel); used by "zero" only.
    return_interior : bool
        Also return the compared region as a (row slice, column slice) pair.

    Returns
    -------
    gap : float
        The largest absolute difference over the compared region (0.0 if it is empty).
    interior : tuple of slice
        Only if ``return_interior``: the whole image for "wrap".

    See Also
    --------
    shift_paths, shift_interior, linearity_gap

    Notes
    -----
    ``boundary="wrap"`` shifts circularly (``np.roll``). For a filter that
    pads with ``mode="wrap"`` the image is a torus with no border at all,
    and the gap is exactly 0 up to rounding.

    ``boundary="zero"`` shifts with zero fill (``cvlab.pointops.shift``).
    Near the image border and next to the filled strip the two paths see
    different pixels, so the comparison is restricted to the interior that
    a filter of radius ``radius`` cannot reach from there:

        rows m with  max(r, r + m₀) ≤ m < min(H − r, H − r + m₀),

    and likewise for the columns with n₀ (see :func:`shift_interior`).

    Taught in: 03_convolution_properties, "平移不变性".

    Examples
    --------
    >>> f = np.arange(25.0).reshape(5, 5)
    >>> shift_equivariance_gap(lambda image: 2 * image, f, 1, 2)
    0.0
    >>> shift_equivariance_gap(lambda image: image + np.arange(5), f, 0, 1)
    4.0
    >>> blur = lambda image: (np.pad(image, 1)[:-2, 1:-1] + image + np.pad(image, 1)[2:, 1:-1]) / 3
    >>> shift_equivariance_gap(blur, f, 1, 0, boundary="zero", radius=1, return_interior=True)
    (0.0, (slice(2, 4, None), slice(1, 4, None)))
    """
    op, f, dy, dx, boundary = _shift_arguments(op, f, dy, dx, boundary)
    radius = as_int(radius, "radius", minimum=0)
    if boundary == "wrap":
        region = (slice(0, f.shape[0]), slice(0, f.shape[1]))
    else:
        region = _shift_interior(f.shape[0], f.shape[1], dy, dx, radius)
    shift_first, filter_first = _shift_paths(op, f, dy, dx, boundary)
    difference = np.abs(shift_first - filter_first)[region]
    gap = float(difference.max()) if difference.size else 0.0
    return (gap, region) if return_interior else gap


def threshold(image, t):
    """Binary threshold, a counter-example to linearity: g(m, n) = 1 if f(m, n) ≥ t else 0.

    It is shift-invariant (each pixel is treated alike) but not linear:
    doubling f does not double g.

    Parameters
    ----------
    image : array_like
        Grey or RGB image of any real dtype.
    t : float
        The threshold, in the image's own units.

    Returns
    -------
    ndarray of float64, values 0.0 and 1.0, same shape as ``image``

    See Also
    --------
    linearity_gap

    Taught in: 03_convolution_properties, "反例".

    Examples
    --------
    >>> threshold(np.array([[10, 128, 200]], dtype=np.uint8), 128)
    array([[0., 1., 1.]])
    """
    pixels = as_image(image)
    t = as_real(t, "t")
    return (pixels >= t).astype(np.float64)


def varying_blur(image, sigma_min=0.5, sigma_max=4.0, mode="symmetric"):
    """Gaussian blur whose σ grows with the column: linear, but not shift-invariant.

    Column n gets its own σ(n) = σ_min + (σ_max − σ_min) · n / (W − 1) and
    its own normalised 2-D Gaussian w_n(i, j) = g_n(i) g_n(j):

        g(m, n) = Σ_i Σ_j w_n(i, j) f(m + i, n + j),

    all truncated at the same radius k = ⌈3 σ_max⌉. Every output is a
    weighted sum of inputs, so the operator is linear; but the weights
    depend on where you are, so shifting f does not simply shift g.

    Parameters
    ----------
    image : array_like
        Grey or RGB image, converted to float64.
    sigma_min, sigma_max : float
        σ at the left and right edges, 0 < sigma_min ≤ sigma_max ≤ ``filters.MAX_SIGMA``.
    mode : str
        Border handling, one of ``cvlab.filters.PAD_MODES`` (NumPy's names).

    Returns
    -------
    ndarray of float64, same shape as ``image``

    See Also
    --------
    cvlab.filters.gaussian_blur : one σ everywhere.
    shift_equivariance_gap

    Taught in: 03_convolution_properties, "反例".

    Examples
    --------
    Two identical vertical lines: the left one stays sharp, the right one spreads.

    >>> lines = np.zeros((5, 12))
    >>> lines[:, [2, 9]] = 1.0
    >>> np.round(varying_blur(lines, 0.4, 2.0)[2], 2)
    array([0.  , 0.14, 0.58, 0.23, 0.05, 0.01, 0.02, 0.1 , 0.21, 0.24, 0.21, 0.19])
    """
    pixels = as_float_image(image)
    sigma_min = as_real(sigma_min, "sigma_min", minimum=0, strict=True, maximum=filters.MAX_SIGMA)
    sigma_max = as_real(sigma_max, "sigma_max", minimum=0, strict=True, maximum=filters.MAX_SIGMA)
    if sigma_max < sigma_min:
        raise ValueError(f"sigma_max must be >= sigma_min; got {sigma_max:g} < {sigma_min:g}")
    mode = as_choice(mode, "mode", filters.PAD_MODES)
    width = pixels.shape[1]
    radius = int(np.ceil(3 * sigma_max))
    sigmas = np.linspace(sigma_min, sigma_max, width) if width > 1 else np.array([sigma_min])
    weights = np.stack([filters._gaussian_taps(sigma, radius) for sigma in sigmas])
    channels = [pixels] if pixels.ndim == 2 else [pixels[..., c] for c in range(pixels.shape[2])]
    out = []
    for channel in channels:
        padded = filters._pad(channel, (radius, radius), mode)
        rows = np.einsum("mnj,nj->mn", sliding_window_view(padded, 2 * radius + 1, axis=1), weights)
        out.append(np.einsum("mni,ni->mn", sliding_window_view(rows, 2 * radius + 1, axis=0), weights))
    return out[0] if pixels.ndim == 2 else np.stack(out, axis=-1)


def conv2d(x, weight, bias=None, stride=1, padding=0):
    """A CNN convolution layer (cross-correlation, as in deep-learning frameworks).

    For a batch x of shape (N, C_in, H, W) and weights of shape
    (C_out, C_in, K, K):

        y[b, o, m, n] = bias[o] + Σ_c Σ_i Σ_j weight[o, c, i, j] · x_p[b, c, m·S + i, n·S + j],

    where x_p is x zero-padded by P on each side. Each output map o sums
    one kernel per input channel; the output size is O = ⌊(I − K + 2P) / S⌋ + 1
    per axis, as ``cvlab.filters.output_size``.

    Parameters
    ----------
    x : array_like, shape (N, C_in, H, W)
        Input feature maps.
    weight : array_like, shape (C_out, C_in, K_h, K_w)
        One K_h x K_w kernel per (output, input) channel pair.
    bias : array_like, shape (C_out,), optional
        Added to every pixel of each output map.
    stride : int or (int, int)
        S ≥ 1, the step between kernel positions.
    padding : int or (int, int)
        0 ≤ P ≤ ``filters.MAX_PADDING`` rows/columns of zeros on each side.

    Returns
    -------
    ndarray of float64, shape (N, C_out, O_h, O_w)

    Raises
    ------
    ValueError
        Also when the gathered windows, N · O_h · O_w · C_in · K_h · K_w values,
        exceed :data:`MAX_IM2COL`.

    See Also
    --------
    conv_params : its number of learnable parameters.
    cvlab.filters.correlate2d : one channel pair of it.

    References
    ----------
    .. [1] Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning applied to document
       recognition," Proceedings of the IEEE 86(11), 1998.

    Taught in: 03_convolution_properties, "卷积层".

    Examples
    --------
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> w = np.ones((2, 1, 3, 3))
    >>> w[1] *= -1
    >>> conv2d(x, w, bias=[0.0, 100.0])
    array([[[[45., 54.],
             [81., 90.]],
    <BLANKLINE>
            [[55., 46.],
             [19., 10.]]]])
    >>> conv2d(x, w, stride=2, padding=1).shape
    (1, 2, 2, 2)
    """
    x = as_array(x, "x", ndim=4).astype(np.float64, copy=False)
    weight = as_array(weight, "weight", ndim=4).astype(np.float64, copy=False)
    c_out, c_in, k_h, k_w = weight.shape
    if x.shape[1] != c_in:
        raise ValueError(
            f"weight expects C_in = {c_in} input channels (shape (C_out, C_in, K, K) = {weight.shape}),"
            f" but x has {x.shape[1]} (shape (N, C_in, H, W) = {x.shape})"
        )
    if bias is not None:
        bias = as_array(bias, "bias", ndim=1).astype(np.float64, copy=False)
        if bias.shape != (c_out,):
            raise ValueError(f"bias must have shape (C_out,) = ({c_out},); got {bias.shape}")
    s_h, s_w = as_int_pair(stride, "stride", minimum=1)
    p_h, p_w = filters._padding_pair(padding)
    height, width = x.shape[2] + 2 * p_h, x.shape[3] + 2 * p_w
    if k_h > height or k_w > width:
        raise ValueError(
            f"weight's kernel {k_h}x{k_w} is larger than the padded input {height}x{width};"
            " use a smaller kernel or more padding"
        )
    gathered = x.shape[0] * ((height - k_h) // s_h + 1) * ((width - k_w) // s_w + 1) * c_in * k_h * k_w
    if gathered > MAX_IM2COL:
        raise ValueError(f"weight is too large for x: its windows hold {gathered:.3g} values, more than "
                         f"MAX_IM2COL = {MAX_IM2COL}; use a smaller kernel, a larger stride or a smaller x")
    padded = np.pad(x, ((0, 0), (0, 0), (p_h, p_h), (p_w, p_w)))
    # im2col without copies: every K_h x K_w window, then keep every S-th position.
    windows = sliding_window_view(padded, (k_h, k_w), axis=(2, 3))[:, :, ::s_h, ::s_w]
    y = np.tensordot(windows, weight, axes=([1, 4, 5], [1, 2, 3]))  # (N, O_h, O_w, C_out)
    y = np.ascontiguousarray(y.transpose(0, 3, 1, 2))
    if bias is not None:
        y += bias[:, None, None]
    return y


def conv_params(c_in, c_out, k, bias=True):
    """Learnable parameters of a convolution layer: K·K·C_in·C_out (+ C_out biases).

    The count does not depend on the image size: the same weights are used
    at every position (weight sharing).

    Parameters
    ----------
    c_in, c_out : int
        Input and output channels (≥ 1).
    k : int
        Kernel side K (≥ 1).
    bias : bool
        Whether each output channel has a bias.

    Returns
    -------
    int

    See Also
    --------
    conv2d

    Taught in: 03_convolution_properties, "参数计数".

    Examples
    --------
    >>> conv_params(3, 64, 3)
    1792
    >>> conv_params(64, 128, 3, bias=False)
    73728
    """
    c_in = as_int(c_in, "c_in", minimum=1)
    c_out = as_int(c_out, "c_out", minimum=1)
    k = as_int(k, "k", minimum=1)
    if not isinstance(bias, (bool, np.bool_)):
        raise TypeError(f"bias must be True or False; got {type(bias).__name__}")
    return k * k * c_in * c_out + (c_out if bias else 0)


def receptive_field(layers):
    """Receptive field of a stack of (K, S) convolution layers, in input pixels.

    With r₀ = 1 and jump j₀ = 1 (distance between neighbouring outputs in
    input pixels), each layer adds (K − 1) steps of the current jump:

        r_l = r_{l−1} + (K_l − 1) · j_{l−1},    j_l = j_{l−1} · S_l.

    Parameters
    ----------
    layers : sequence of (int, int)
        (K, S) per layer, first layer first; at most :data:`MAX_LAYERS`,
        each K ≤ ``filters.MAX_KERNEL_SIZE`` and S ≤ ``filters.MAX_KERNEL_SIZE``.

    Returns
    -------
    int

    See Also
    --------
    receptive_field_weights : how strongly each pixel of the field counts.

    References
    ----------
    .. [1] A. Araujo, W. Norris and J. Sim, "Computing receptive fields of convolutional neural networks,"
       Distill, 2019.

    Taught in: 03_convolution_properties, "感受野".

    Examples
    --------
    >>> receptive_field([(3, 1), (3, 1), (3, 1)])
    7
    >>> receptive_field([(7, 2), (3, 2), (3, 1)])
    19
    >>> receptive_field([])
    1
    """
    return _receptive_field(_layer_list(layers))


def _receptive_field(layers):
    field, jump = 1, 1
    for k, s in layers:
        field += (k - 1) * jump
        jump *= s
    return field


def _path_counts_1d(layers):
    """Paths from each input position to one output along an axis: the all-ones kernels scattered back."""
    counts = np.ones(1)
    for k, s in reversed(layers):
        spread = np.zeros((len(counts) - 1) * s + 1)
        spread[::s] = counts
        counts = np.convolve(spread, np.ones(k))
    return counts


def _centred(weights, size):
    """``weights`` centred on a size × size canvas of zeros, cropped symmetrically if larger."""
    canvas = np.zeros((size, size))
    shown = min(weights.shape[0], size)
    into = size // 2 - shown // 2
    start = weights.shape[0] // 2 - shown // 2
    canvas[into:into + shown, into:into + shown] = weights[start:start + shown, start:start + shown]
    return canvas


def receptive_field_weights(layers, size=None):
    """How many paths join each input pixel of the receptive field to one output of the stack.

    With all-ones K × K kernels, one output impulse is scattered back
    through the layers, last first (the adjoint of :func:`conv2d`): a layer
    of stride S spreads each weight over a K × K block, S pixels apart.
    The result is r × r with r = :func:`receptive_field` (layers); its
    centre counts most, its border once.

    Parameters
    ----------
    layers : sequence of (int, int)
        (K, S) per layer, as for :func:`receptive_field`; r ≤ :data:`MAX_FIELD`.
    size : int, optional
        If given (1 ≤ size ≤ :data:`MAX_FIELD`), return the weights centred on a
        size × size canvas instead, cropped symmetrically when r > size.

    Returns
    -------
    ndarray of float64, shape (r, r) or (size, size)

    See Also
    --------
    receptive_field

    Notes
    -----
    An all-ones K × K kernel is the outer product of two all-ones vectors,
    so the path counts are the outer product of the 1-D counts along one
    axis: O(r · K) work per layer instead of O(r² · K²).

    References
    ----------
    .. [1] W. Luo, Y. Li, R. Urtasun and R. Zemel, "Understanding the effective receptive field in deep
       convolutional neural networks," NeurIPS, 2016.

    Taught in: 03_convolution_properties, "感受野".

    Examples
    --------
    >>> receptive_field_weights([(3, 1), (3, 1)]).astype(int)
    array([[1, 2, 3, 2, 1],
           [2, 4, 6, 4, 2],
           [3, 6, 9, 6, 3],
           [2, 4, 6, 4, 2],
           [1, 2, 3, 2, 1]])
    """
    layers = _layer_list(layers)
    if size is not None:
        size = as_int(size, "size", minimum=1, maximum=MAX_FIELD)
    field = _receptive_field(layers)
    if field > MAX_FIELD:
        raise ValueError(f"layers give a receptive field of {field} pixels; it must be <= MAX_FIELD = {MAX_FIELD}")
    counts = _path_counts_1d(layers)
    weights = np.outer(counts, counts)
    return weights if size is None else _centred(weights, size)


def _layer_list(layers):
    """Validate a sequence of (K, S) layers and return it as a list of int pairs."""
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"layers must be a sequence of (K, S) pairs; got {type(layers).__name__}")
    if isinstance(layers, np.ndarray) and (layers.ndim != 2 or layers.shape[1] != 2):
        raise ValueError(f"layers must have shape (L, 2), one (K, S) row per layer; got {layers.shape}")
    checked = []
    for index, layer in enumerate(layers):
        if index >= MAX_LAYERS:
            raise ValueError(f"layers must hold at most MAX_LAYERS = {MAX_LAYERS} layers")
        if isinstance(layer, numbers.Number) or not hasattr(layer, "__len__") or len(layer) != 2:
            raise ValueError(f"layers[{index}] must be a (K, S) pair; got {layer!r}")
        checked.append((as_int(layer[0], f"layers[{index}] K", minimum=1, maximum=filters.MAX_KERNEL_SIZE),
                        as_int(layer[1], f"layers[{index}] S", minimum=1, maximum=filters.MAX_KERNEL_SIZE)))
    return checked
