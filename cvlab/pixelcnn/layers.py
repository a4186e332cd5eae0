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
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._checks import as_array, as_choice, as_int
from ..nn import Layer, ReLU, Residual, Sequential
from .masks import causal_mask, horizontal_mask, vertical_mask

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


class Conv2d(Layer):
    """k×k convolution with 'same' zero padding and an optional 0/1 weight mask.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int
        Odd k; padding is k//2 on every side, so H and W are kept.
    mask : array_like or None
        (out, in, k, k) of 0 and 1; None means every tap is used.
    rng : numpy.random.Generator or None
        Initial weights w ~ N(0, 1/fan_in) over the unmasked taps; biases 0.
    dtype : numpy dtype
        float32 trains faster; float64 for gradient checks.

    Examples
    --------
    >>> conv = Conv2d(1, 1, 3, rng=np.random.default_rng(0))
    >>> conv.params["w"][:] = 1.0
    >>> conv.forward(np.ones((1, 3, 3, 1)))[0, :, :, 0]
    array([[4., 6., 4.],
           [6., 9., 6.],
           [4., 6., 4.]])
    """

    def __init__(self, in_channels, out_channels, kernel_size=3, mask=None, rng=None, dtype=np.float64):
        super().__init__()
        self.in_channels = as_int(in_channels, "in_channels", minimum=1)
        self.out_channels = as_int(out_channels, "out_channels", minimum=1)
        k = as_int(kernel_size, "kernel_size", minimum=1)
        if k % 2 == 0:
            raise ValueError(f"kernel_size must be odd; got {k}")
        self.kernel_size = k
        shape = (self.out_channels, self.in_channels, k, k)
        if mask is None:
            mask = np.ones(shape)
        mask = as_array(mask, "mask")
        if mask.shape != shape:
            raise ValueError(f"mask must have shape {shape}; got {mask.shape}")
        if not np.isin(mask, (0, 1)).all():
            raise ValueError("mask must contain only 0 and 1")
        self.mask = mask.astype(dtype)
        used = self.mask.any(axis=(0, 1))
        if not used.any():
            raise ValueError("mask must allow at least one tap")
        self.taps = np.nonzero(used)  # (rows, cols) of the taps any weight uses
        rng = np.random.default_rng() if rng is None else rng
        fan_in = max(1.0, self.mask.sum(axis=(1, 2, 3)).mean())
        self.params["w"] = (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(dtype) * self.mask
        self.params["b"] = np.zeros(self.out_channels, dtype=dtype)

    def _weight_matrix(self):
        rows, cols = self.taps
        w = self.params["w"] * self.mask
        return w[:, :, rows, cols].transpose(0, 2, 1).reshape(self.out_channels, -1)  # (O, T·C)

    def forward(self, x):
        x = _check_input(x, self.in_channels)
        n, h, w, c = x.shape
        p = self.kernel_size // 2
        rows, cols = self.taps
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
    """PixelCNN's masked convolution: w ⊙ m with m = ``causal_mask(k, mask_type, ...)``.

    Examples
    --------
    >>> conv = MaskedConv2d(1, 1, 3, "A", rng=np.random.default_rng(0))
    >>> conv.params["w"][0, 0]
    array([[ 0.06,  -0.07,   0.32],
           [ 0.05,   0.  ,   0.  ],
           [ 0.  ,   0.  ,   0.  ]])
    """

    def __init__(self, in_channels, out_channels, kernel_size, mask_type, color_groups=1, rng=None, dtype=np.float64):
        mask = causal_mask(kernel_size, mask_type, in_channels, out_channels, color_groups)
        super().__init__(in_channels, out_channels, kernel_size, mask, rng, dtype)
        self.mask_type = mask_type


class VerticalStackConv(Conv2d):
    """Vertical stack: a (k//2 + 1) × k convolution over the rows up to the current one.

    Examples
    --------
    >>> VerticalStackConv(1, 2, 3).taps[0]
    array([0, 0, 0, 1, 1, 1])
    """

    def __init__(self, in_channels, out_channels, kernel_size, rng=None, dtype=np.float64):
        mask = vertical_mask(kernel_size, in_channels, out_channels)
        super().__init__(in_channels, out_channels, kernel_size, mask, rng, dtype)


class HorizontalStackConv(Conv2d):
    """Horizontal stack: the current row up to the pixel, k//2 taps to its left plus the pixel itself.

    Type 'A' leaves out the current pixel (first layer), type 'B' keeps it.

    Examples
    --------
    >>> HorizontalStackConv(1, 2, 3, "B").taps[1]
    array([0, 1])
    """

    def __init__(self, in_channels, out_channels, kernel_size, mask_type, rng=None, dtype=np.float64):
        mask = horizontal_mask(kernel_size, mask_type, in_channels, out_channels)
        super().__init__(in_channels, out_channels, kernel_size, mask, rng, dtype)
        self.mask_type = mask_type


class Conv1x1(Conv2d):
    """1×1 convolution: a per-pixel linear map of the channels, y = W x + b.

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

    form='notes':  h = σ(gate) ⊙ feature, with (gate, feature) = chunk(x, 2);
    form='paper':  h = tanh(f) ⊙ σ(g), with (f, g) = chunk(x, 2) (van den Oord et al., 2016).
    Its derivative has two paths: ∂h/∂feature = σ(gate) and ∂h/∂gate = σ'(gate) ⊙ feature.

    Examples
    --------
    >>> Gate("notes").forward(np.array([[0.0, 4.0]]))
    array([[2.]])
    """

    def __init__(self, form="paper"):
        super().__init__()
        self.form = as_choice(form, "form", ("paper", "notes"))

    def forward(self, x):
        if x.shape[-1] % 2:
            raise ValueError(f"x must have an even number of channels; got {x.shape[-1]}")
        half = x.shape[-1] // 2
        a, b = x[..., :half], x[..., half:]
        if self.form == "notes":
            s = _sigmoid(a)
            self._cache = (s, b)
            return s * b
        t, s = np.tanh(a), _sigmoid(b)
        self._cache = (t, s)
        return t * s

    def backward(self, dout):
        if self.form == "notes":
            s, feature = self._cache
            return np.concatenate([dout * feature * s * (1 - s), dout * s], axis=-1)
        t, s = self._cache
        return np.concatenate([dout * s * (1 - t * t), dout * t * s * (1 - s)], axis=-1)


class ShiftDown(Layer):
    """Move every row down by one and fill row 0 with zeros: y(r, c) = x(r − 1, c).

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
