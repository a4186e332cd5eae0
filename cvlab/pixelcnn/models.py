"""PixelCNN and Gated PixelCNN over grey levels, p(x) = Π_i p(x_i | x_<i) in raster order.

The input image of integer levels (N, H, W) is one-hot encoded (N, H, W, levels);
the networks are fully convolutional, so any H×W works, and return one
softmax over the levels per pixel.
"""

import numpy as np
from scipy.special import log_softmax, softmax

from .._checks import as_array, as_int, as_rng
from ..nn import Model
from .layers import (
    Conv1x1,
    Gate,
    HorizontalStackConv,
    Layer,
    MaskedConv2d,
    ReLU,
    Residual,
    Sequential,
    ShiftDown,
    VerticalStackConv,
)
from .likelihood import log_softmax_nll

__all__ = ["PixelCNN", "GatedPixelCNN", "GatedBlock"]

_CHUNK = 128  # images per forward chunk: bounds the memory of the cached im2col matrices


class _AutoregressiveModel(Model):
    """Shared API: forward, nll, sample, parameters and (de)serialization."""

    def __init__(self, levels, dtype):
        self.levels = as_int(levels, "levels", minimum=2)
        self.dtype = np.dtype(dtype)
        self.forward_passes = 0

    # -- to be provided: _net_forward(onehot NHWC) -> logits NHWL, _net_backward(dlogits) -> d onehot
    def n_parameters(self):
        """Number of weights that can change the output: taps a mask zeroes are not counted."""
        return int(sum(np.count_nonzero(layer.mask) if key == "w" and hasattr(layer, "mask") else layer.params[key].size
                       for _, layer, key in self.named_parameters()))

    def _training_arrays(self, data):
        return (self._levels_input(data, "data"),)

    def _levels_input(self, x, name="x"):
        x = as_array(x, name, ndim=3)
        if not np.issubdtype(x.dtype, np.integer):
            raise TypeError(f"{name} must hold integer levels (N, H, W); got {x.dtype}")
        if x.min() < 0 or x.max() >= self.levels:
            raise ValueError(f"{name} must lie in [0, {self.levels - 1}]; got [{x.min()}, {x.max()}]")
        return x

    def _one_hot(self, x):
        return np.eye(self.levels, dtype=self.dtype)[x]

    def _logits_nhwl(self, x):
        self.forward_passes += 1
        return self._net_forward(self._one_hot(x))

    def forward(self, x):
        """Logits of p(x_i | x_<i) for every pixel: shape (N, levels, H, W).

        Parameters
        ----------
        x : array_like of int, shape (N, H, W), levels in [0, levels)
        """
        x = self._levels_input(x)
        chunks = [self._logits_nhwl(x[i:i + _CHUNK]) for i in range(0, len(x), _CHUNK)]
        self.forward_passes -= len(chunks) - 1  # one pass over the batch, however it is chunked
        return np.moveaxis(np.concatenate(chunks), -1, 1)

    def nll(self, x):
        """Per-image negative log-likelihood in nats, −Σ_i log p(x_i | x_<i): shape (N,)."""
        return log_softmax_nll(self.forward(x), x)

    def loss_and_gradients(self, x, rng=None):
        """Mean NLL per pixel in nats over a batch, and fill every layer's ``grads`` (``rng`` is unused)."""
        x = self._levels_input(x)
        logits = self._logits_nhwl(x)
        logp = log_softmax(logits.astype(np.float64), axis=-1)
        count = x.size
        picked = np.take_along_axis(logp, x[..., None].astype(np.intp), axis=-1)
        loss = -picked.sum() / count
        dlogits = np.exp(logp)
        index = x[..., None].astype(np.intp)
        np.put_along_axis(dlogits, index, np.take_along_axis(dlogits, index, axis=-1) - 1.0, axis=-1)
        self._net_backward((dlogits / count).astype(self.dtype))
        return float(loss)

    def sample(self, n, rng, given=None, mask=None, shape=(8, 8)):
        """Draw images pixel by pixel in raster order: x_i ~ p(x_i | x_<i).

        Each pixel needs one forward pass of the whole batch, so an H×W image
        costs H·W passes (``forward_passes`` counts them). With ``given`` and
        ``mask`` (True = keep), the kept pixels are copied and only the others
        are sampled: completion of a partly known image.

        Parameters
        ----------
        n : int
            Number of images (ignored when ``given`` is passed: one per given image).
        rng : numpy.random.Generator or int
        given : array_like of int, shape (N, H, W), optional
        mask : array_like of bool, shape (H, W) or (N, H, W), optional
        shape : tuple of int
            (H, W) of the sampled images when ``given`` is None.

        Returns
        -------
        ndarray of int64, shape (N, H, W)
        """
        rng = as_rng(rng)
        if given is None:
            n = as_int(n, "n", minimum=1)
            h, w = (as_int(s, "shape", minimum=1) for s in shape)
            x = np.zeros((n, h, w), dtype=np.int64)
            keep = np.zeros((n, h, w), dtype=bool)
        else:
            x = self._levels_input(given, "given").astype(np.int64)
            if mask is None:
                raise ValueError("mask must be given with given (True where a pixel is kept)")
            keep = np.asarray(mask)
            if keep.dtype != bool:
                raise TypeError(f"mask must be boolean; got {keep.dtype}")
            try:
                keep = np.broadcast_to(keep, x.shape).copy()
            except ValueError:
                raise ValueError(f"mask must have shape (H, W) or {x.shape}; got {keep.shape}") from None
        self._sample_into(x, keep, rng)
        return x

    def _sample_into(self, x, keep, rng):
        n, h, w = x.shape
        for r in range(h):
            for c in range(w):
                todo = ~keep[:, r, c]
                if not todo.any():
                    continue
                logits = self._row_logits(x, r)[:, c, :].astype(np.float64)
                p = softmax(logits, axis=-1)
                u = rng.random(n)
                drawn = np.minimum((p.cumsum(axis=-1) < u[:, None]).sum(axis=-1), self.levels - 1)
                x[todo, r, c] = drawn[todo]

    def _row_logits(self, x, r):
        """Logits of row r from one forward pass over rows r − m … r only (same values as the full pass).

        No layer looks below the current row, so rows after r can be dropped.
        Each layer reaches k//2 rows up (plus the one-row shift of the gated
        stacks), so after cropping the top, wrong values from the missing rows
        spread at most m − 1 = n_layers · (k//2) rows down and never reach row r.
        """
        margin = self.n_layers * (self.kernel_size // 2) + 1
        top = max(0, r - margin)
        return self._logits_nhwl(x[:, top:r + 1])[:, r - top]

    def config(self):
        raise NotImplementedError


class PixelCNN(_AutoregressiveModel):
    """Plain PixelCNN: a type-A masked convolution, type-B residual blocks, per-pixel logits.

    h_1 = ReLU(W_A * onehot(x)); h_{l+1} = h_l + ReLU(W_B,l * h_l);
    logits = W_2 ReLU(W_1 ReLU(h_L)) with 1×1 convolutions W_1, W_2.
    Its receptive field has a blind spot above right of each pixel.

    Parameters
    ----------
    levels : int
        Number of grey levels (17 for the digits).
    channels : int
        Feature channels.
    n_layers : int
        Number of masked convolutions (1 type A + n_layers − 1 type B).
    kernel_size : int
        Odd k of every masked convolution.
    rng : numpy.random.Generator or None
    dtype : numpy dtype

    Examples
    --------
    >>> model = PixelCNN(levels=4, channels=8, n_layers=2, rng=np.random.default_rng(0))
    >>> model.forward(np.zeros((2, 5, 5), dtype=int)).shape
    (2, 4, 5, 5)
    """

    kind = "plain"

    def __init__(self, levels=17, channels=32, n_layers=5, kernel_size=3, rng=None, dtype=np.float64):
        super().__init__(levels, dtype)
        self.channels = as_int(channels, "channels", minimum=1)
        self.n_layers = as_int(n_layers, "n_layers", minimum=1)
        self.kernel_size = as_int(kernel_size, "kernel_size", minimum=1)
        rng = np.random.default_rng() if rng is None else rng
        c, k = self.channels, self.kernel_size
        body = [MaskedConv2d(self.levels, c, k, "A", rng=rng, dtype=dtype), ReLU()]
        for _ in range(self.n_layers - 1):
            body.append(Residual(Sequential([MaskedConv2d(c, c, k, "B", rng=rng, dtype=dtype), ReLU()])))
        self.body = Sequential(body)
        self.head = Sequential([Conv1x1(c, c, rng=rng, dtype=dtype), ReLU(),
                                Conv1x1(c, self.levels, rng=rng, dtype=dtype)])

    def layers(self):
        return [self.body, self.head]

    def config(self):
        return {"levels": self.levels, "channels": self.channels, "n_layers": self.n_layers,
                "kernel_size": self.kernel_size}

    def _net_forward(self, onehot):
        return self.head.forward(self.body.forward(onehot))

    def _net_backward(self, dlogits):
        return self.body.backward(self.head.backward(dlogits))


class GatedBlock(Layer):
    """One Gated PixelCNN layer on a (vertical, horizontal) pair of feature maps.

    v' = gate(V * v);  h' = W_o gate(H * h + W_l shift↓(V * v)) + h (residual after the first layer).
    The vertical convolution sees rows r − k//2 … r; the shift down makes the
    horizontal stack at (r, c) receive only rows < r. The horizontal
    convolution spans the k//2 pixels to the left (and the pixel itself, except type A in the first block).

    Examples
    --------
    >>> block = GatedBlock(3, 4, 3, first=True, rng=np.random.default_rng(0))
    >>> v, h = block.forward(np.ones((1, 4, 4, 3)), np.ones((1, 4, 4, 3)))
    >>> v.shape, h.shape
    ((1, 4, 4, 4), (1, 4, 4, 4))
    """

    def __init__(self, in_channels, channels, kernel_size=3, first=False, form="paper", rng=None, dtype=np.float64):
        super().__init__()
        self.first = bool(first)
        self.in_channels = in_channels
        self.vconv = VerticalStackConv(in_channels, 2 * channels, kernel_size, rng=rng, dtype=dtype)
        self.hconv = HorizontalStackConv(in_channels, 2 * channels, kernel_size, "A" if first else "B",
                                         rng=rng, dtype=dtype)
        self.shift = ShiftDown()
        self.link = Conv1x1(2 * channels, 2 * channels, rng=rng, dtype=dtype)
        self.vgate, self.hgate = Gate(form), Gate(form)
        self.out = Conv1x1(channels, channels, rng=rng, dtype=dtype)

    def children(self):
        return [self.vconv, self.hconv, self.link, self.out]

    def forward(self, v, h):
        v_pre = self.vconv.forward(v)
        v_out = self.vgate.forward(v_pre)
        h_pre = self.hconv.forward(h) + self.link.forward(self.shift.forward(v_pre))
        h_out = self.out.forward(self.hgate.forward(h_pre))
        if not self.first:
            h_out = h_out + h
        return v_out, h_out

    def backward(self, dv_out, dh_out):
        dh_pre = self.hgate.backward(self.out.backward(dh_out))
        dh = self.hconv.backward(dh_pre)
        if not self.first:
            dh = dh + dh_out
        dv_pre = self.shift.backward(self.link.backward(dh_pre))
        if dv_out is not None:
            dv_pre = dv_pre + self.vgate.backward(dv_out)
        return self.vconv.backward(dv_pre), dh


class GatedPixelCNN(_AutoregressiveModel):
    """Gated PixelCNN: vertical and horizontal stacks with gated units and no blind spot.

    Parameters
    ----------
    levels, channels, n_layers, kernel_size, rng, dtype
        As for :class:`PixelCNN`; ``n_layers`` gated blocks.
    form : {'paper', 'notes'}
        Gate: tanh(f) ⊙ σ(g), or the notes' σ(gate) ⊙ feature.

    Examples
    --------
    >>> model = GatedPixelCNN(levels=4, channels=8, n_layers=2, rng=np.random.default_rng(0))
    >>> model.nll(np.zeros((3, 4, 4), dtype=int)).shape
    (3,)
    """

    kind = "gated"

    def __init__(self, levels=17, channels=32, n_layers=5, kernel_size=3, form="paper", rng=None, dtype=np.float64):
        super().__init__(levels, dtype)
        self.channels = as_int(channels, "channels", minimum=1)
        self.n_layers = as_int(n_layers, "n_layers", minimum=1)
        self.kernel_size = as_int(kernel_size, "kernel_size", minimum=1)
        self.form = form
        rng = np.random.default_rng() if rng is None else rng
        c = self.channels
        self.blocks = [
            GatedBlock(self.levels if i == 0 else c, c, self.kernel_size, first=(i == 0), form=form,
                       rng=rng, dtype=dtype)
            for i in range(self.n_layers)
        ]
        self.head = Sequential([ReLU(), Conv1x1(c, c, rng=rng, dtype=dtype), ReLU(),
                                Conv1x1(c, self.levels, rng=rng, dtype=dtype)])

    def layers(self):
        return self.blocks + [self.head]

    def config(self):
        return {"levels": self.levels, "channels": self.channels, "n_layers": self.n_layers,
                "kernel_size": self.kernel_size, "form": self.form}

    def _net_forward(self, onehot):
        v = h = onehot
        for block in self.blocks:
            v, h = block.forward(v, h)
        return self.head.forward(h)

    def _net_backward(self, dlogits):
        dh = self.head.backward(dlogits)
        dv = None
        for block in reversed(self.blocks):
            dv, dh = block.backward(dv, dh)
        return dv + dh
