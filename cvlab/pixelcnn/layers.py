"""Layers with explicit forward and backward passes, on channels-last arrays (N, H, W, C).

Each layer follows :class:`cvlab.nn.Layer` (``Layer``, ``ReLU``, ``Sequential``
and ``Residual`` come from there): it caches what its backward pass needs during
``forward`` and, in ``backward(dout)``, returns ∂L/∂x and stores ∂L/∂θ in
``grads`` (same keys as ``params``). Masks multiply the weights in both passes, so a masked weight
never influences the output nor receives a gradient.

Convolution is im2col: the zero-padded input is viewed as sliding k×k
windows (``sliding_window_view``), only the taps a mask allows are copied
into a matrix, and one matrix product computes every output pixel:
    S(n, m, o) = Σ_{c, u, v} w(o, c, u, v) · f(n + u − P, m + v − P, c) + b(o).
The im2col matrix of one call may take at most ``cvlab.nn.MEMORY_BUDGET``
(256 MB); a larger input raises a ``ValueError`` naming ``x``.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._checks import as_array, as_choice, as_rng
from ..nn import MEMORY_BUDGET, Layer, ReLU, Residual, Sequential, _as_float_dtype
from .masks import _causal_mask, _check_shape, _horizontal_mask, _vertical_mask

__all__ = [
    "Layer", "Conv2d", "MaskedConv2d", "VerticalStackConv", "HorizontalStackConv", "Conv1x1",
    "ReLU", "Gate", "ShiftDown", "Residual", "Sequential",
]


def _check_input(x, channels):
    if isinstance(x, np.ndarray) and x.ndim == 4 and x.shape[-1] == channels and x.dtype.kind == "f":
        return x  # the fast path between layers (shapes are all that can go wrong there)
    x = as_array(x, "x", ndim=4)
    if x.shape[-1] != channels:
        raise ValueError(f"x must have {channels} channels in its last axis (N, H, W, C); got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


def _check_some_tap(k, mask_type):
    if k == 1 and mask_type == "A":
        raise ValueError("kernel_size must be >= 3 for a type-A mask: at k = 1 it would allow no tap at all")


class Conv2d(Layer):
    """k×k convolution with 'same' zero padding and an optional 0/1 weight mask.

    S(n, m, o) = b(o) + Σ_{c, u, v} m(o, c, u, v) w(o, c, u, v) f(n + u − P, m + v − P, c), P = k//2,
    on channels-last arrays (N, H, W, C): the same cross-correlation as
    :func:`cvlab.convolution.conv2d` with padding P and stride 1, which works
    on channels-first arrays.

    Parameters
    ----------
    in_channels, out_channels : int
        At most ``MAX_LAYER_CHANNELS`` = 1024 each.
    kernel_size : int
        Odd k ≤ ``MAX_KERNEL_SIZE`` = 15; padding is k//2 on every side, so H and W are kept.
    mask : array_like or None
        (out, in, k, k) of 0 and 1; None means every tap is used.
    rng : numpy.random.Generator, int or None
        Initial weights w ~ N(0, 1/fan_in) over the unmasked taps; biases 0.
        None draws fresh random weights.
    dtype : numpy.float32 or numpy.float64
        float32 trains faster; float64 for gradient checks.

    See Also
    --------
    MaskedConv2d, cvlab.convolution.conv2d

    Taught in: 07_pixelcnn, "Masked Convolution".

    Examples
    --------
    >>> conv = Conv2d(1, 1, 3, rng=0)
    >>> conv.params["w"][:] = 1.0
    >>> conv.forward(np.ones((1, 3, 3, 1)))[0, :, :, 0]
    array([[4., 6., 4.],
           [6., 9., 6.],
           [4., 6., 4.]])
    """

    def __init__(self, in_channels, out_channels, kernel_size=3, mask=None, rng=None, dtype=np.float64):
        super().__init__()
        k, n_in, n_out = _check_shape(kernel_size, in_channels, out_channels)
        shape = (n_out, n_in, k, k)
        if mask is None:
            mask = np.ones(shape)
        else:
            mask = as_array(mask, "mask")
            if mask.shape != shape:
                raise ValueError(f"mask must have shape {shape}; got {mask.shape}")
            if not np.isin(mask, (0, 1)).all():
                raise ValueError("mask must contain only 0 and 1")
            if not mask.any():
                raise ValueError("mask must allow at least one tap")
        self._build(n_in, n_out, k, mask, rng, dtype)

    def _build(self, n_in, n_out, k, mask, rng, dtype):
        """Set up weights and taps from checked sizes and a checked 0/1 mask."""
        dtype = _as_float_dtype(dtype)
        rng = np.random.default_rng() if rng is None else as_rng(rng)
        self.in_channels, self.out_channels, self.kernel_size = n_in, n_out, k
        self.mask = mask.astype(dtype)
        self.taps = np.nonzero(self.mask.any(axis=(0, 1)))  # (rows, cols) of the taps any weight uses
        fan_in = max(1.0, self.mask.sum(axis=(1, 2, 3)).mean())
        shape = (n_out, n_in, k, k)
        self.params["w"] = (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(dtype) * self.mask
        self.params["b"] = np.zeros(n_out, dtype=dtype)

    def _weight_matrix(self):
        rows, cols = self.taps
        w = self.params["w"] * self.mask
        return w[:, :, rows, cols].transpose(0, 2, 1).reshape(self.out_channels, -1)  # (O, T·C)

    def forward(self, x):
        x = _check_input(x, self.in_channels)
        n, h, w, c = x.shape
        p = self.kernel_size // 2
        rows, cols = self.taps
        if x.size * len(rows) * x.itemsize > MEMORY_BUDGET:
            raise ValueError(f"x of shape {x.shape} is too large for this layer: its im2col matrix would need more "
                             f"than MEMORY_BUDGET = {MEMORY_BUDGET // 2**20} MB; pass fewer or smaller images")
        if self.kernel_size == 1:
            patches = x.reshape(n * h * w, c)
        else:
            padded = np.zeros((n, h + 2 * p, w + 2 * p, c), dtype=x.dtype)
            padded[:, p:p + h, p:p + w] = x
            # windows[n, u, v, c, i, j] = padded[n, u + i, v + j, c]: every k×k shift of the image
            windows = sliding_window_view(padded, (h, w), axis=(1, 2))
            # im2col: one contiguous row of T·C values per output pixel (only the taps the mask allows)
            patches = np.empty((n, h, w, len(rows), c), dtype=x.dtype)
            for t, (u, v) in enumerate(zip(rows, cols)):
                patches[:, :, :, t, :] = np.moveaxis(windows[:, u, v], 1, -1)
            patches = patches.reshape(n * h * w, -1)
        self._cache = (x.shape, patches)
        out = patches @ self._weight_matrix().T + self.params["b"]
        return out.reshape(n, h, w, self.out_channels)

    def backward(self, dout):
        shape, patches = self._cache
        n, h, w, c = shape
        d2 = np.ascontiguousarray(dout).reshape(n * h * w, self.out_channels)
        rows, cols = self.taps
        dw = np.zeros_like(self.params["w"])
        dw[:, :, rows, cols] = (d2.T @ patches).reshape(self.out_channels, len(rows), c).transpose(0, 2, 1)
        self.grads["w"] = dw * self.mask
        self.grads["b"] = d2.sum(axis=0)
        dpatches = d2 @ self._weight_matrix()
        if self.kernel_size == 1:
            return dpatches.reshape(shape)
        dpatches = dpatches.reshape(n, h, w, len(rows), c)
        p = self.kernel_size // 2
        dpadded = np.zeros((n, h + 2 * p, w + 2 * p, c), dtype=dpatches.dtype)
        for t, (u, v) in enumerate(zip(rows, cols)):
            dpadded[:, u:u + h, v:v + w, :] += dpatches[:, :, :, t, :]
        return dpadded[:, p:p + h, p:p + w, :]


class MaskedConv2d(Conv2d):
    """PixelCNN's masked convolution: weights w ⊙ m with m = ``causal_mask(k, mask_type, ...)``.

    Parameters
    ----------
    in_channels, out_channels, kernel_size, rng, dtype
        As for :class:`Conv2d`.
    mask_type : {'A', 'B'}
        'A' for the first layer (the centre pixel is excluded), 'B' after it.
    color_groups : int
        1 (grey) or 3 (R → G → B channel groups).

    See Also
    --------
    causal_mask

    Taught in: 07_pixelcnn, "Masked Convolution".

    References
    ----------
    .. [1] A. van den Oord, N. Kalchbrenner and K. Kavukcuoglu, "Pixel recurrent neural networks," ICML, 2016.

    Examples
    --------
    >>> conv = MaskedConv2d(1, 1, 3, "A", rng=0)
    >>> conv.params["w"][0, 0]
    array([[ 0.06,  -0.07,   0.32],
           [ 0.05,   0.  ,   0.  ],
           [ 0.  ,   0.  ,   0.  ]])
    """

    def __init__(self, in_channels, out_channels, kernel_size, mask_type, color_groups=1, rng=None, dtype=np.float64):
        Layer.__init__(self)
        k, n_in, n_out = _check_shape(kernel_size, in_channels, out_channels)
        self.mask_type = as_choice(mask_type, "mask_type", ("A", "B"))
        if color_groups not in (1, 3) or isinstance(color_groups, bool):
            raise ValueError(f"color_groups must be 1 or 3; got {color_groups!r}")
        for name, count in (("in_channels", n_in), ("out_channels", n_out)):
            if count % color_groups:
                raise ValueError(f"{name} must be a multiple of color_groups={color_groups}; got {count}")
        if color_groups == 1:
            _check_some_tap(k, self.mask_type)
        self._build(n_in, n_out, k, _causal_mask(k, self.mask_type, n_in, n_out, color_groups), rng, dtype)


class VerticalStackConv(Conv2d):
    """Vertical stack: a (k//2 + 1) × k convolution over the rows up to the current one.

    Parameters
    ----------
    in_channels, out_channels, kernel_size, rng, dtype
        As for :class:`Conv2d`.

    See Also
    --------
    vertical_mask, ShiftDown, GatedBlock

    Taught in: 07_pixelcnn, "Receptive Field and Blind Spot".

    References
    ----------
    .. [1] A. van den Oord, N. Kalchbrenner, L. Espeholt, K. Kavukcuoglu, O. Vinyals and A. Graves,
       "Conditional image generation with PixelCNN decoders," NeurIPS, 2016.

    Examples
    --------
    >>> VerticalStackConv(1, 2, 3).taps[0]
    array([0, 0, 0, 1, 1, 1])
    """

    def __init__(self, in_channels, out_channels, kernel_size, rng=None, dtype=np.float64):
        Layer.__init__(self)
        k, n_in, n_out = _check_shape(kernel_size, in_channels, out_channels)
        self._build(n_in, n_out, k, _vertical_mask(k, n_in, n_out), rng, dtype)


class HorizontalStackConv(Conv2d):
    """Horizontal stack: the current row up to the pixel, k//2 taps to its left plus the pixel itself.

    Type 'A' leaves out the current pixel (first layer), type 'B' keeps it.

    Parameters
    ----------
    in_channels, out_channels, kernel_size, rng, dtype
        As for :class:`Conv2d`.
    mask_type : {'A', 'B'}

    See Also
    --------
    horizontal_mask, GatedBlock

    Taught in: 07_pixelcnn, "Receptive Field and Blind Spot".

    References
    ----------
    .. [1] A. van den Oord, N. Kalchbrenner, L. Espeholt, K. Kavukcuoglu, O. Vinyals and A. Graves,
       "Conditional image generation with PixelCNN decoders," NeurIPS, 2016.

    Examples
    --------
    >>> HorizontalStackConv(1, 2, 3, "B").taps[1]
    array([0, 1])
    """

    def __init__(self, in_channels, out_channels, kernel_size, mask_type, rng=None, dtype=np.float64):
        Layer.__init__(self)
        k, n_in, n_out = _check_shape(kernel_size, in_channels, out_channels)
        self.mask_type = as_choice(mask_type, "mask_type", ("A", "B"))
        _check_some_tap(k, self.mask_type)
        self._build(n_in, n_out, k, _horizontal_mask(k, self.mask_type, n_in, n_out), rng, dtype)


class Conv1x1(Conv2d):
    """1×1 convolution: a per-pixel linear map of the channels, y = W x + b.

    Parameters
    ----------
    in_channels, out_channels, rng, dtype
        As for :class:`Conv2d`.

    See Also
    --------
    cvlab.nn.Linear : the same map on the last axis of any array.

    Taught in: 07_pixelcnn, "Masked Convolution".

    Examples
    --------
    >>> conv = Conv1x1(2, 1)
    >>> conv.params["w"][:] = 1.0
    >>> conv.forward(np.ones((1, 1, 1, 2))).ravel()
    array([2.])
    """

    def __init__(self, in_channels, out_channels, rng=None, dtype=np.float64):
        super().__init__(in_channels, out_channels, 1, None, rng, dtype)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


class Gate(Layer):
    """Gated activation on channels split in two halves (a, b) along the last axis.

    * form='paper': h = tanh(a) ⊙ σ(b) (van den Oord et al., 2016b), so
      ∂h/∂a = σ(b) (1 − tanh² a) and ∂h/∂b = tanh(a) σ(b) (1 − σ(b)).
      The feature tanh(a) is bounded, and its derivative vanishes when |a| is large.
    * form='notes': h = σ(a) ⊙ b with (gate, feature) = (a, b), as in the notes, so
      ∂h/∂b = σ(a) and ∂h/∂a = σ(a) (1 − σ(a)) b. The feature path is linear:
      with the gate open (σ(a) → 1) the gradient passes unchanged, and h is unbounded.
    * form='relu': h = max(a, 0), b unused: no gate at all, the control that
      shows what the gate itself adds.

    Parameters
    ----------
    form : {'paper', 'notes', 'relu'}

    See Also
    --------
    GatedBlock, GatedPixelCNN

    Taught in: 07_pixelcnn, "Gated Activation Units".

    References
    ----------
    .. [1] A. van den Oord, N. Kalchbrenner, L. Espeholt, K. Kavukcuoglu, O. Vinyals and A. Graves,
       "Conditional image generation with PixelCNN decoders," NeurIPS, 2016.

    Examples
    --------
    >>> Gate("notes").forward(np.array([[0.0, 4.0]]))
    array([[2.]])
    >>> Gate("paper").forward(np.array([[20.0, 0.0]])).round(3)
    array([[0.5]])
    """

    def __init__(self, form="paper"):
        super().__init__()
        self.form = as_choice(form, "form", ("paper", "notes", "relu"))

    def forward(self, x):
        if x.shape[-1] % 2:
            raise ValueError(f"x must have an even number of channels; got {x.shape[-1]}")
        half = x.shape[-1] // 2
        a, b = x[..., :half], x[..., half:]
        if self.form == "relu":
            self._cache = a > 0
            return a * self._cache
        if self.form == "notes":
            s = _sigmoid(a)
            self._cache = (s, b)
            return s * b
        t, s = np.tanh(a), _sigmoid(b)
        self._cache = (t, s)
        return t * s

    def backward(self, dout):
        if self.form == "relu":
            return np.concatenate([dout * self._cache, np.zeros_like(dout)], axis=-1)
        if self.form == "notes":
            s, feature = self._cache
            return np.concatenate([dout * feature * s * (1 - s), dout * s], axis=-1)
        t, s = self._cache
        return np.concatenate([dout * s * (1 - t * t), dout * t * s * (1 - s)], axis=-1)


class ShiftDown(Layer):
    """Move every row down by one and fill row 0 with zeros: y(r, c) = x(r − 1, c).

    It turns the vertical stack's view of rows ≤ r into a view of rows < r,
    so the horizontal stack may add it without seeing the current row.

    See Also
    --------
    VerticalStackConv, GatedBlock

    Taught in: 07_pixelcnn, "Receptive Field and Blind Spot".

    Examples
    --------
    >>> ShiftDown().forward(np.arange(4.0).reshape(1, 2, 2, 1))[0, :, :, 0]
    array([[0., 0.],
           [0., 1.]])
    """

    def forward(self, x):
        out = np.zeros_like(x)
        out[:, 1:] = x[:, :-1]
        return out

    def backward(self, dout):
        dx = np.zeros_like(dout)
        dx[:, :-1] = dout[:, 1:]
        return dx
