"""PixelCNN and Gated PixelCNN over grey levels, p(x) = Π_i p(x_i | x_<i) in raster order.

The input image of integer levels (N, H, W) is one-hot encoded (N, H, W, levels);
the networks are fully convolutional, so any H×W works. Each pixel's
conditional p(x_i | x_<i) is either a softmax over the levels or a
discretized logistic mixture (PixelCNN++).

Ceilings, derived so that one call on the course's data stays within about
1 GB and 10 s (past them a ``ValueError`` names the parameter and the ceiling):

* constructors: ``MAX_LEVELS`` = 256, ``MAX_CHANNELS`` = 256,
  ``MAX_LAYERS`` = 32, ``MAX_KERNEL_SIZE`` = 15, ``MAX_COMPONENTS`` = 10, and
  together at most ``MAX_PARAMETERS`` = 10**6 numbers (weights, gradients and
  Adam's moments then take at most 32 MB in float64);
* images: ``MAX_SIDE`` = 64 rows and columns; one ``forward`` or ``nll`` call
  returns at most ``MAX_OUTPUTS`` = 2**25 numbers N·levels·H·W (256 MB);
* sampling: ``MAX_SAMPLES`` = 1024 images per call and at most
  ``MAX_SAMPLE_EVALUATIONS`` = 4·10**6 pixel positions evaluated in all (see
  ``sampling_cost``), about 10 s for the shipped models.

Forward passes are split into chunks of images whose cached activations fit
``cvlab.nn.MEMORY_BUDGET`` (256 MB).
"""

import numpy as np
from scipy.special import log_softmax, softmax

from .._checks import as_array, as_choice, as_int, as_int_pair, as_odd, as_rng
from ..nn import MEMORY_BUDGET, Model, _as_float_dtype
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
from .likelihood import _dlm_log_prob, _dlm_log_prob_and_grad, _log_softmax_nll
from .masks import MAX_KERNEL_SIZE

__all__ = ["PixelCNN", "GatedPixelCNN", "GatedBlock"]

MAX_LEVELS = 256
MAX_CHANNELS = 256
MAX_LAYERS = 32
MAX_COMPONENTS = 10
MAX_PARAMETERS = 10**6
MAX_SIDE = 64
MAX_OUTPUTS = 2**25
MAX_SAMPLES = 1024
MAX_SAMPLE_EVALUATIONS = 4 * 10**6

#: Smallest log-scale of a mixture component, before the shift to level units (as in PixelCNN++).
_MIN_LOG_SCALE = -7.0


def _as_side_pair(value, name):
    """(H, W) from a pair of ints, each in [1, MAX_SIDE]."""
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be a pair (H, W) of ints; got {type(value).__name__}")
    if len(value) != 2:
        raise ValueError(f"{name} must be a pair (H, W) of ints; got {value!r}")
    h, w = as_int_pair(tuple(value), name, minimum=1)
    if max(h, w) > MAX_SIDE:
        raise ValueError(f"{name} must be at most MAX_SIDE = {MAX_SIDE} rows and columns; got {(h, w)}")
    return h, w


class _AutoregressiveModel(Model):
    """Shared API: checks, forward, nll, loss, sample, and the per-pixel distribution (softmax or mixture).

    A subclass builds its layers in ``_build(rng)`` and provides
    ``_net_forward(onehot NHWC) -> outputs NHWO`` and ``_net_backward(dout) -> d onehot``,
    where O = levels (softmax) or 3·components (mixture).
    """

    def __init__(self, levels, channels, n_layers, kernel_size, output, components, rng, dtype):
        self.levels = as_int(levels, "levels", minimum=2, maximum=MAX_LEVELS)
        self.channels = as_int(channels, "channels", minimum=1, maximum=MAX_CHANNELS)
        self.n_layers = as_int(n_layers, "n_layers", minimum=1, maximum=MAX_LAYERS)
        self.kernel_size = as_odd(kernel_size, "kernel_size", minimum=3, maximum=MAX_KERNEL_SIZE)
        self.output = as_choice(output, "output", ("softmax", "mixture"))
        self.components = as_int(components, "components", minimum=1, maximum=MAX_COMPONENTS)
        self.dtype = _as_float_dtype(dtype)
        rng = np.random.default_rng() if rng is None else as_rng(rng)
        self.out_channels = self.levels if self.output == "softmax" else 3 * self.components
        count = self._parameter_count()
        if count > MAX_PARAMETERS:
            raise ValueError(f"levels, channels, n_layers and kernel_size must give at most MAX_PARAMETERS = "
                             f"{MAX_PARAMETERS} parameters; this configuration has {count}")
        self.forward_passes = 0
        self.pixels_evaluated = 0
        self._build(rng)

    def n_parameters(self):
        """Number of weights that can change the output: taps a mask zeroes are not counted."""
        return int(sum(np.count_nonzero(layer.mask) if key == "w" and hasattr(layer, "mask") else layer.params[key].size
                       for _, layer, key in self.named_parameters()))

    # -- checks and memory

    def _training_arrays(self, data):
        return (self._levels_input(data, "data"),)

    def _levels_input(self, x, name="x"):
        x = as_array(x, name, ndim=3)
        if not np.issubdtype(x.dtype, np.integer):
            raise TypeError(f"{name} must hold integer levels (N, H, W); got {x.dtype}")
        if x.min() < 0 or x.max() >= self.levels:
            raise ValueError(f"{name} must lie in [0, {self.levels - 1}]; got [{x.min()}, {x.max()}]")
        if max(x.shape[1:]) > MAX_SIDE:
            raise ValueError(f"{name} must have at most MAX_SIDE = {MAX_SIDE} rows and columns; got {x.shape}")
        return x

    def _bytes_per_pixel(self):
        """Bytes that one image pixel costs in a forward and backward pass (caches, activations, outputs)."""
        item = self.dtype.itemsize
        convs = [layer for _, layer, key in self.named_parameters() if key == "w"]
        features = sum((len(layer.taps[0]) * layer.in_channels + 3 * layer.out_channels) * item for layer in convs)
        per_level = 8 * self.levels * (4 + (6 * self.components if self.output == "mixture" else 0))
        return features + per_level

    def _images_per_chunk(self, h, w, name="x"):
        count = MEMORY_BUDGET // (h * w * self._bytes_per_pixel())
        if count < 1:
            raise ValueError(f"{name} images of {h}×{w} are too large for this model: one would need more than "
                             f"MEMORY_BUDGET = {MEMORY_BUDGET // 2**20} MB")
        return count

    def _batch_limit(self, arrays):
        _, h, w = arrays[0].shape
        return max(1, MEMORY_BUDGET // (h * w * self._bytes_per_pixel()))

    def _check_outputs(self, x, name="x"):
        n, h, w = x.shape
        if n * h * w * self.levels > MAX_OUTPUTS:
            raise ValueError(f"{name} must give at most MAX_OUTPUTS = {MAX_OUTPUTS} numbers N·levels·H·W per call; "
                             f"{x.shape} with {self.levels} levels gives {n * h * w * self.levels}: pass fewer images")
        return x

    # -- the per-pixel distribution

    def _one_hot(self, x):
        return np.eye(self.levels, dtype=self.dtype)[x]

    def _mixture_parameters(self, out):
        """(logit weights, means μ, log-scales log s, clamp mask) in level units from raw outputs (..., 3K)."""
        k, half = self.components, (self.levels - 1) / 2
        out = out.astype(np.float64)
        raw_scale = out[..., 2 * k:]
        unclamped = raw_scale > _MIN_LOG_SCALE
        log_scales = np.where(unclamped, raw_scale, _MIN_LOG_SCALE)
        return out[..., :k], half * (1.0 + out[..., k:2 * k]), log_scales, unclamped

    def _level_logits(self, out):
        """Outputs (..., O) to unnormalized log-probabilities of every level (..., levels)."""
        if self.output == "softmax":
            return out
        weights, means, log_scales, _ = self._mixture_parameters(out)
        levels = np.arange(self.levels, dtype=np.float64)[:, None]
        return _dlm_log_prob(levels, weights[..., None, :], means[..., None, :], log_scales[..., None, :],
                             self.levels)

    def _logits_chunks(self, x):
        """Per-level logits (N, H, W, levels) of checked x, computed in chunks that fit the memory budget."""
        n, h, w = x.shape
        step = self._images_per_chunk(h, w)
        return [self._level_logits(self._net_forward(self._one_hot(x[i:i + step]))) for i in range(0, n, step)]

    def forward(self, x):
        """Logits of p(x_i | x_<i) for every pixel: shape (N, levels, H, W).

        For the mixture output they are the normalized log-probabilities
        log p(x_i = v | x_<i) of every level v. One call is one forward pass
        (``forward_passes`` counts them), however many images it holds.

        Parameters
        ----------
        x : array_like of int, shape (N, H, W), levels in [0, levels)
            H, W ≤ ``MAX_SIDE``; N·levels·H·W ≤ ``MAX_OUTPUTS``.
        """
        x = self._check_outputs(self._levels_input(x))
        self._count_pass(x.shape[1] * x.shape[2])
        return np.moveaxis(np.concatenate(self._logits_chunks(x)), -1, 1)

    def nll(self, x):
        """Per-image negative log-likelihood in nats, −Σ_i log p(x_i | x_<i): shape (N,).

        Parameters
        ----------
        x : array_like of int, shape (N, H, W), as for ``forward``.
        """
        x = self._check_outputs(self._levels_input(x))
        self._count_pass(x.shape[1] * x.shape[2])
        step = self._images_per_chunk(*x.shape[1:])
        parts = [_log_softmax_nll(np.moveaxis(logits, -1, 1), x[i:i + step])
                 for i, logits in zip(range(0, len(x), step), self._logits_chunks(x))]
        return np.concatenate(parts)

    def _count_pass(self, positions):
        self.forward_passes += 1
        self.pixels_evaluated += positions

    def loss_and_gradients(self, x, rng=None):
        """Mean NLL per pixel in nats over a batch, and fill every layer's ``grads`` (``rng`` is unused).

        L = −(1/(N·H·W)) Σ log p(x_i | x_<i). For the softmax, ∂L/∂z_i = (softmax(z_i) − onehot(x_i))/(N·H·W);
        for the mixture, see ``likelihood._dlm_log_prob_and_grad``.
        """
        x = self._levels_input(x)
        if len(x) > self._batch_limit((x,)):
            raise ValueError(f"x holds {len(x)} images; at most {self._batch_limit((x,))} fit MEMORY_BUDGET")
        self._count_pass(x.shape[1] * x.shape[2])
        out = self._net_forward(self._one_hot(x))
        count = x.size
        if self.output == "softmax":
            logp = log_softmax(out.astype(np.float64), axis=-1)
            index = x[..., None].astype(np.intp)
            loss = -np.take_along_axis(logp, index, axis=-1).sum() / count
            dout = np.exp(logp)
            np.put_along_axis(dout, index, np.take_along_axis(dout, index, axis=-1) - 1.0, axis=-1)
        else:
            weights, means, log_scales, unclamped = self._mixture_parameters(out)
            logp, d_weights, d_means, d_log_scales = _dlm_log_prob_and_grad(x, weights, means, log_scales,
                                                                            self.levels)
            loss = -logp.sum() / count
            half = (self.levels - 1) / 2
            dout = -np.concatenate([d_weights, half * d_means, d_log_scales * unclamped], axis=-1)
        self._net_backward((dout / count).astype(self.dtype))
        return float(loss)

    # -- sampling

    def sampling_cost(self, shape):
        """Forward passes and pixel positions evaluated to sample one image of ``shape`` = (H, W).

        Every pixel needs its own pass, so there are H·W passes. The pass for
        a pixel in row r reads only rows max(0, r − m) … r, all W columns, with
        m = n_layers · (k//2) + 1 (nothing further up can reach row r), so it
        evaluates W · (min(r, m) + 1) positions: Σ_r W² (min(r, m) + 1) in all,
        which grows like H·W² once H > m.

        Parameters
        ----------
        shape : tuple of int
            (H, W), each at most ``MAX_SIDE``.

        Returns
        -------
        passes, positions : int

        Examples
        --------
        >>> PixelCNN(levels=3, channels=2, n_layers=1, rng=0).sampling_cost((4, 4))
        (16, 144)
        """
        h, w = _as_side_pair(shape, "shape")
        return self._sampling_cost(h, w)

    def _sampling_cost(self, h, w):
        margin = self._row_margin()
        return h * w, int(sum(w * w * (min(r, margin) + 1) for r in range(h)))

    def _row_margin(self):
        return self.n_layers * (self.kernel_size // 2) + 1

    def sample(self, n, rng, given=None, mask=None, shape=(8, 8)):
        """Draw images pixel by pixel in raster order: x_i ~ p(x_i | x_<i).

        Each pixel needs one forward pass of the whole batch, so an H×W image
        costs H·W passes (``forward_passes`` counts them; ``sampling_cost``
        gives the work of each). With ``given`` and ``mask`` (True = keep), the
        kept pixels are copied and only the others are sampled: completion of a
        partly known image.

        Parameters
        ----------
        n : int
            Number of images, 1 … ``MAX_SAMPLES`` = 1024 (ignored when ``given``
            is passed: one per given image).
        rng : numpy.random.Generator or int
        given : array_like of int, shape (N, H, W), optional
        mask : array_like of bool, shape (H, W) or (N, H, W), optional
        shape : tuple of int
            (H, W) of the sampled images when ``given`` is None, each ≤ ``MAX_SIDE``.
            n times the positions of ``sampling_cost(shape)`` must stay within
            ``MAX_SAMPLE_EVALUATIONS`` = 4·10**6.

        Returns
        -------
        ndarray of int64, shape (N, H, W)
        """
        rng = as_rng(rng)
        if given is None:
            n = as_int(n, "n", minimum=1, maximum=MAX_SAMPLES)
            h, w = _as_side_pair(shape, "shape")
            x = np.zeros((n, h, w), dtype=np.int64)
            keep = np.zeros((n, h, w), dtype=bool)
            names = "n and shape"
        else:
            x = self._levels_input(given, "given").astype(np.int64)
            if len(x) > MAX_SAMPLES:
                raise ValueError(f"given must hold at most MAX_SAMPLES = {MAX_SAMPLES} images; got {len(x)}")
            if mask is None:
                raise ValueError("mask must be given with given (True where a pixel is kept)")
            keep = np.asarray(mask)
            if keep.dtype != bool:
                raise TypeError(f"mask must be boolean; got {keep.dtype}")
            try:
                keep = np.broadcast_to(keep, x.shape).copy()
            except ValueError:
                raise ValueError(f"mask must have shape (H, W) or {x.shape}; got {keep.shape}") from None
            names = "given"
        evaluations = len(x) * self._sampling_cost(*x.shape[1:])[1]
        if evaluations > MAX_SAMPLE_EVALUATIONS:
            raise ValueError(f"{names} must need at most MAX_SAMPLE_EVALUATIONS = {MAX_SAMPLE_EVALUATIONS} pixel "
                             f"evaluations; {len(x)} images of {x.shape[1]}×{x.shape[2]} need {evaluations}")
        self._sample_into(x, keep, rng)
        return x

    def _sample_into(self, x, keep, rng):
        n, h, w = x.shape
        step = self._images_per_chunk(min(h, self._row_margin() + 1), w, "given")
        for r in range(h):
            for c in range(w):
                todo = ~keep[:, r, c]
                if not todo.any():
                    continue
                self._count_pass((r + 1 - max(0, r - self._row_margin())) * w)
                logits = np.concatenate([self._row_logits(x[i:i + step], r)[:, c, :] for i in range(0, n, step)])
                p = softmax(logits.astype(np.float64), axis=-1)
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
        top = max(0, r - self._row_margin())
        return self._level_logits(self._net_forward(self._one_hot(x[:, top:r + 1])))[:, r - top]

    def config(self):
        raise NotImplementedError


class PixelCNN(_AutoregressiveModel):
    """Plain PixelCNN: a type-A masked convolution, type-B residual blocks, per-pixel distributions.

    h_1 = ReLU(W_A * onehot(x)); h_{l+1} = h_l + ReLU(W_B,l * h_l) (without the
    ``+ h_l`` when ``residual=False``); outputs = W_2 ReLU(W_1 ReLU(h_L)) with
    1×1 convolutions W_1, W_2. Its receptive field has a blind spot above
    right of each pixel.

    Parameters
    ----------
    levels : int
        Number of grey levels, 2 … ``MAX_LEVELS`` = 256 (17 for the digits).
    channels : int
        Feature channels, ≤ ``MAX_CHANNELS`` = 256.
    n_layers : int
        Number of masked convolutions (1 type A + n_layers − 1 type B), ≤ ``MAX_LAYERS`` = 32.
    kernel_size : int
        Odd k, 3 … ``MAX_KERNEL_SIZE`` = 15, of every masked convolution.
    residual : bool
        Shortcut connections H(x) = F(x) + x around each type-B layer.
    output : {'softmax', 'mixture'}
        Per-pixel distribution: a softmax over the levels, or a discretized
        logistic mixture of ``components`` logistics (3 numbers each).
    components : int
        K, 1 … ``MAX_COMPONENTS`` = 10 (used by the mixture only).
    rng : numpy.random.Generator, int or None
    dtype : numpy.float32 or numpy.float64

    See Also
    --------
    GatedPixelCNN : two stacks without the blind spot.
    cvlab.pixelcnn.dependency_map : the exact receptive field.

    Notes
    -----
    Parameters together are at most ``MAX_PARAMETERS`` = 10**6; the
    constructor counts them before it allocates anything.

    Taught in: 07_pixelcnn, "Chain Rule".

    References
    ----------
    .. [1] A. van den Oord, N. Kalchbrenner and K. Kavukcuoglu, "Pixel recurrent neural networks," ICML, 2016.
    .. [2] K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for image recognition," CVPR, 2016.
    .. [3] T. Salimans, A. Karpathy, X. Chen and D. P. Kingma, "PixelCNN++: Improving the PixelCNN with
       discretized logistic mixture likelihood and other modifications," ICLR, 2017.

    Examples
    --------
    >>> model = PixelCNN(levels=4, channels=8, n_layers=2, rng=0)
    >>> model.forward(np.zeros((2, 5, 5), dtype=int)).shape
    (2, 4, 5, 5)
    >>> mixture = PixelCNN(levels=256, channels=8, n_layers=2, output="mixture", components=3, rng=0)
    >>> round(float(np.exp(mixture.forward(np.zeros((1, 2, 2), dtype=int))[0, :, 1, 1]).sum()), 9)
    1.0
    """

    kind = "plain"

    def __init__(self, levels=17, channels=32, n_layers=5, kernel_size=3, residual=True, output="softmax",
                 components=5, rng=None, dtype=np.float64):
        if not isinstance(residual, (bool, np.bool_)):
            raise TypeError(f"residual must be True or False; got {type(residual).__name__}")
        self.residual = bool(residual)
        super().__init__(levels, channels, n_layers, kernel_size, output, components, rng, dtype)

    def _parameter_count(self):
        c, k2, out = self.channels, self.kernel_size ** 2, self.out_channels
        return (self.levels * c * k2 + c) + (self.n_layers - 1) * (c * c * k2 + c) + (c * c + c) + (c * out + out)

    def _build(self, rng):
        c, k, dtype = self.channels, self.kernel_size, self.dtype
        body = [MaskedConv2d(self.levels, c, k, "A", rng=rng, dtype=dtype), ReLU()]
        for _ in range(self.n_layers - 1):
            inner = Sequential([MaskedConv2d(c, c, k, "B", rng=rng, dtype=dtype), ReLU()])
            body.append(Residual(inner) if self.residual else inner)
        self.body = Sequential(body)
        self.head = Sequential([Conv1x1(c, c, rng=rng, dtype=dtype), ReLU(),
                                Conv1x1(c, self.out_channels, rng=rng, dtype=dtype)])

    def layers(self):
        return [self.body, self.head]

    def config(self):
        return {"levels": self.levels, "channels": self.channels, "n_layers": self.n_layers,
                "kernel_size": self.kernel_size, "residual": self.residual, "output": self.output,
                "components": self.components}

    def _net_forward(self, onehot):
        return self.head.forward(self.body.forward(onehot))

    def _net_backward(self, dout):
        return self.body.backward(self.head.backward(dout))


class GatedBlock(Layer):
    """One Gated PixelCNN layer on a (vertical, horizontal) pair of feature maps.

    v' = gate(V * v);  h' = W_o gate(H * h + W_l shift↓(V * v)) + h (residual after the first layer).
    The vertical convolution sees rows r − k//2 … r; the shift down makes the
    horizontal stack at (r, c) receive only rows < r. The horizontal
    convolution spans the k//2 pixels to the left (and the pixel itself, except type A in the first block).

    Parameters
    ----------
    in_channels, channels : int
        Channels of the inputs and of the outputs.
    kernel_size : int
        Odd k.
    first : bool
        The first block: type-A horizontal mask and no residual.
    form : {'paper', 'notes', 'relu'}
        The gate, see :class:`Gate`.
    rng : numpy.random.Generator, int or None
    dtype : numpy.float32 or numpy.float64

    See Also
    --------
    GatedPixelCNN, Gate, VerticalStackConv, HorizontalStackConv, ShiftDown

    Taught in: 07_pixelcnn, "Receptive Field and Blind Spot".

    References
    ----------
    .. [1] A. van den Oord, N. Kalchbrenner, L. Espeholt, K. Kavukcuoglu, O. Vinyals and A. Graves,
       "Conditional image generation with PixelCNN decoders," NeurIPS, 2016.

    Examples
    --------
    >>> block = GatedBlock(3, 4, 3, first=True, rng=0)
    >>> v, h = block.forward(np.ones((1, 4, 4, 3)), np.ones((1, 4, 4, 3)))
    >>> v.shape, h.shape
    ((1, 4, 4, 4), (1, 4, 4, 4))
    """

    def __init__(self, in_channels, channels, kernel_size=3, first=False, form="paper", rng=None, dtype=np.float64):
        super().__init__()
        if not isinstance(first, (bool, np.bool_)):
            raise TypeError(f"first must be True or False; got {type(first).__name__}")
        self.first = bool(first)
        rng = np.random.default_rng() if rng is None else as_rng(rng)
        self.vconv = VerticalStackConv(in_channels, 2 * channels, kernel_size, rng=rng, dtype=dtype)
        self.in_channels = self.vconv.in_channels
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

    Each block computes v' = gate(V * v) and h' = h + W_o gate(H * h + W_l shift↓(V * v))
    (see :class:`GatedBlock`); the vertical stack covers every row above, the
    horizontal stack the current row to the left, so together they see every
    earlier pixel within reach.

    Parameters
    ----------
    levels, channels, n_layers, kernel_size, output, components, rng, dtype
        As for :class:`PixelCNN`; ``n_layers`` gated blocks.
    form : {'paper', 'notes', 'relu'}
        Gate: tanh(f) ⊙ σ(g), the notes' σ(gate) ⊙ feature, or no gate (ReLU).

    See Also
    --------
    PixelCNN, GatedBlock, Gate

    Notes
    -----
    The two stacks, not the gate, remove the blind spot: ``form='relu'`` has
    the same dependency map as ``form='paper'``.

    Taught in: 07_pixelcnn, "Receptive Field and Blind Spot".

    References
    ----------
    .. [1] A. van den Oord, N. Kalchbrenner, L. Espeholt, K. Kavukcuoglu, O. Vinyals and A. Graves,
       "Conditional image generation with PixelCNN decoders," NeurIPS, 2016.

    Examples
    --------
    >>> model = GatedPixelCNN(levels=4, channels=8, n_layers=2, rng=0)
    >>> model.nll(np.zeros((3, 4, 4), dtype=int)).shape
    (3,)
    """

    kind = "gated"

    def __init__(self, levels=17, channels=32, n_layers=5, kernel_size=3, form="paper", output="softmax",
                 components=5, rng=None, dtype=np.float64):
        self.form = as_choice(form, "form", ("paper", "notes", "relu"))
        super().__init__(levels, channels, n_layers, kernel_size, output, components, rng, dtype)

    def _parameter_count(self):
        c, k2, out = self.channels, self.kernel_size ** 2, self.out_channels

        def block(n_in):
            return 2 * (n_in * 2 * c * k2 + 2 * c) + (4 * c * c + 2 * c) + (c * c + c)

        return block(self.levels) + (self.n_layers - 1) * block(c) + (c * c + c) + (c * out + out)

    def _build(self, rng):
        c = self.channels
        self.blocks = [
            GatedBlock(self.levels if i == 0 else c, c, self.kernel_size, first=(i == 0), form=self.form,
                       rng=rng, dtype=self.dtype)
            for i in range(self.n_layers)
        ]
        self.head = Sequential([ReLU(), Conv1x1(c, c, rng=rng, dtype=self.dtype), ReLU(),
                                Conv1x1(c, self.out_channels, rng=rng, dtype=self.dtype)])

    def layers(self):
        return self.blocks + [self.head]

    def config(self):
        return {"levels": self.levels, "channels": self.channels, "n_layers": self.n_layers,
                "kernel_size": self.kernel_size, "form": self.form, "output": self.output,
                "components": self.components}

    def _net_forward(self, onehot):
        v = h = onehot
        for block in self.blocks:
            v, h = block.forward(v, h)
        return self.head.forward(h)

    def _net_backward(self, dout):
        dh = self.head.backward(dout)
        dv = None
        for block in reversed(self.blocks):
            dv, dh = block.backward(dv, dh)
        return dv + dh
