"""Transformer layers with explicit forward and backward passes, on token arrays (N, T, d).

Each layer follows :class:`cvlab.nn.Layer`: ``forward`` caches what
``backward(dout)`` needs, and ``backward`` returns ∂L/∂x and stores ∂L/∂θ in
``grads`` under the keys of ``params``. Linear maps, ReLU, ``Sequential`` and
``Residual`` come from :mod:`cvlab.nn`; the convolution of the CNN baseline
is :class:`cvlab.pixelcnn.layers.Conv2d` without a mask.
"""

import math

import numpy as np

from .._checks import as_choice, as_int, as_rng
from ..nn import Layer, Linear, Residual, Sequential
from .functional import (
    MAX_DIM,
    MAX_TOKENS,
    _attention,
    _causal_mask,
    _merge_heads,
    _patchify,
    _sinusoidal_positions,
    _split_heads,
    _unpatchify,
)

__all__ = ["LayerNorm", "GELU", "MultiHeadAttention", "TransformerBlock", "PatchEmbedding", "ClassToken",
           "PositionEmbedding", "TokenPool", "AvgPool2d", "Flatten"]


class LayerNorm(Layer):
    """Normalize each token over its features, then scale and shift: y = γ ⊙ (x − μ) / √(σ² + ε) + β.

    μ and σ² are the mean and variance of the d features of one token, so
    the layer works the same for any batch size (unlike batch normalization).

    Parameters
    ----------
    dim : int
        d, the size of the last axis (≤ ``MAX_DIM``).
    eps : float
    dtype : numpy dtype

    References
    ----------
    .. [1] J. L. Ba, J. R. Kiros and G. E. Hinton, "Layer normalization," arXiv:1607.06450, 2016.

    Taught in: 06_attention, "Vision Transformer".

    Examples
    --------
    >>> LayerNorm(3).forward(np.array([[1.0, 2.0, 3.0]])).round(3)
    array([[-1.225,  0.   ,  1.225]])
    """

    def __init__(self, dim, eps=1e-5, dtype=np.float64):
        super().__init__()
        self.dim = as_int(dim, "dim", minimum=1, maximum=MAX_DIM)
        self.eps = eps
        self.params["g"] = np.ones(self.dim, dtype=dtype)
        self.params["b"] = np.zeros(self.dim, dtype=dtype)

    def forward(self, x):
        mean = x.mean(axis=-1, keepdims=True)
        centred = x - mean
        self._inv_std = 1.0 / np.sqrt((centred * centred).mean(axis=-1, keepdims=True) + self.eps)
        self._normalized = centred * self._inv_std
        return self._normalized * self.params["g"] + self.params["b"]

    def backward(self, dout):
        xhat = self._normalized
        axes = tuple(range(dout.ndim - 1))
        self.grads["g"] = (dout * xhat).sum(axis=axes)
        self.grads["b"] = dout.sum(axis=axes)
        dxhat = dout * self.params["g"]
        return (dxhat - dxhat.mean(axis=-1, keepdims=True)
                - xhat * (dxhat * xhat).mean(axis=-1, keepdims=True)) * self._inv_std


class GELU(Layer):
    """Gaussian error linear unit, tanh form: y = ½ x (1 + tanh u), u = √(2/π) (x + 0.044715 x³).

    A smooth ReLU: ≈ x for large x, ≈ 0 for very negative x. It approximates
    x Φ(x) (Φ: the standard normal cdf) to within 0.0005 and is several times
    cheaper to compute; BERT, GPT-2 and ViT use it in their MLPs. Backward:
    ∂y/∂x = ½ (1 + tanh u) + ½ x (1 − tanh² u) √(2/π) (1 + 3 · 0.044715 x²).

    References
    ----------
    .. [1] D. Hendrycks and K. Gimpel, "Gaussian error linear units (GELUs)," arXiv:1606.08415, 2016.

    Taught in: 06_attention, "Vision Transformer".

    Examples
    --------
    >>> GELU().forward(np.array([-3.0, 0.0, 3.0])).round(3)
    array([-0.004,  0.   ,  2.996])
    """

    def forward(self, x):
        self._x = x
        self._tanh = np.tanh(_GELU_SCALE * (x + _GELU_CUBIC * x * x * x))
        return 0.5 * x * (1.0 + self._tanh)

    def backward(self, dout):
        x, t = self._x, self._tanh
        du = _GELU_SCALE * (1.0 + 3.0 * _GELU_CUBIC * x * x)
        return dout * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du)


_GELU_SCALE = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715


class MultiHeadAttention(Layer):
    """Multi-head self-attention: y = concat_m(head_m) W_O + b_O, head_m = Attention(X W_Q^m, X W_K^m, X W_V^m).

    One linear map gives the queries, keys and values of every token; they
    are split into h heads of d/h features (:func:`split_heads`), each head
    attends on its own (with the causal mask if ``causal``), and the heads
    are merged and mixed by W_O. The last forward pass's weights are kept in
    ``attention`` (N, h, T, T) for plotting.

    Backward, per head, with A = softmax(S), S = Q Kᵀ / √d_h, O = A V:
    ∂V = Aᵀ ∂O, ∂A = ∂O Vᵀ, ∂S = A ⊙ (∂A − rowsum(∂A ⊙ A)), ∂Q = ∂S K / √d_h,
    ∂K = ∂Sᵀ Q / √d_h. Masked entries have A = 0, so they get no gradient.

    Parameters
    ----------
    dim : int
        d, the token size (≤ ``MAX_DIM``).
    heads : int
        h, a divisor of d.
    causal : bool
        Apply :func:`causal_mask` (decoder, GPT-style).
    rng : numpy.random.Generator or int
    dtype : numpy dtype

    References
    ----------
    .. [1] A. Vaswani et al., "Attention is all you need," NeurIPS, 2017.

    Taught in: 06_attention, "Self-Attention".

    Examples
    --------
    >>> layer = MultiHeadAttention(8, heads=2, rng=0)
    >>> layer.forward(np.ones((1, 5, 8))).shape, layer.attention.shape
    ((1, 5, 8), (1, 2, 5, 5))
    """

    def __init__(self, dim, heads, causal=False, rng=None, dtype=np.float64):
        super().__init__()
        self.dim = as_int(dim, "dim", minimum=1, maximum=MAX_DIM)
        self.heads = as_int(heads, "heads", minimum=1, maximum=self.dim)
        if self.dim % self.heads:
            raise ValueError(f"heads must divide dim = {self.dim}; got {self.heads}")
        if not isinstance(causal, (bool, np.bool_)):
            raise TypeError(f"causal must be True or False; got {type(causal).__name__}")
        self.causal = bool(causal)
        rng = as_rng(0 if rng is None else rng)
        self.qkv = Linear(self.dim, 3 * self.dim, rng=rng, dtype=dtype)
        self.out = Linear(self.dim, self.dim, rng=rng, dtype=dtype)
        self.attention = None

    def children(self):
        return [self.qkv, self.out]

    def forward(self, x):
        tokens = x.shape[-2]
        if tokens > MAX_TOKENS:
            raise ValueError(f"x must have at most MAX_TOKENS = {MAX_TOKENS} tokens; got {tokens}")
        q, k, v = (_split_heads(part, self.heads) for part in np.split(self.qkv.forward(x), 3, axis=-1))
        output, weights = _attention(q, k, v, _causal_mask(tokens) if self.causal else None)
        self._cache = (q, k, v)
        self.attention = weights
        return self.out.forward(_merge_heads(output))

    def backward(self, dout):
        q, k, v = self._cache
        weights = self.attention
        d_output = _split_heads(self.out.backward(dout), self.heads)
        d_v = np.swapaxes(weights, -1, -2) @ d_output
        d_weights = d_output @ np.swapaxes(v, -1, -2)
        d_scores = weights * (d_weights - (d_weights * weights).sum(axis=-1, keepdims=True))
        scale = 1.0 / math.sqrt(q.shape[-1])
        d_q = d_scores @ k * scale
        d_k = np.swapaxes(d_scores, -1, -2) @ q * scale
        d_qkv = np.concatenate([_merge_heads(d_q), _merge_heads(d_k), _merge_heads(d_v)], axis=-1)
        return self.qkv.backward(d_qkv)


class TransformerBlock(Sequential):
    """A pre-norm Transformer block: x ← x + MHA(LN(x)), then x ← x + MLP(LN(x)).

    MLP(x) = GELU(x W_1 + b_1) W_2 + b_2 with a hidden size ``mlp_dim``.
    Normalizing before each sub-layer (rather than after the sum) keeps the
    residual path an identity, which trains more easily (the ViT layout).

    Parameters
    ----------
    dim : int
    heads : int
    mlp_dim : int
        Hidden size of the MLP (≤ ``MAX_DIM``).
    causal : bool
    rng : numpy.random.Generator or int
    dtype : numpy dtype

    Taught in: 06_attention, "Vision Transformer".

    Examples
    --------
    >>> block = TransformerBlock(8, heads=2, mlp_dim=16, rng=0)
    >>> block.forward(np.ones((2, 3, 8))).shape
    (2, 3, 8)
    """

    def __init__(self, dim, heads, mlp_dim, causal=False, rng=None, dtype=np.float64):
        rng = as_rng(0 if rng is None else rng)
        mlp_dim = as_int(mlp_dim, "mlp_dim", minimum=1, maximum=MAX_DIM)
        self.mha = MultiHeadAttention(dim, heads, causal, rng, dtype)
        dim = self.mha.dim
        mlp = Sequential([LayerNorm(dim, dtype=dtype), Linear(dim, mlp_dim, rng=rng, dtype=dtype), GELU(),
                          Linear(mlp_dim, dim, rng=rng, dtype=dtype)])
        super().__init__([Residual(Sequential([LayerNorm(dim, dtype=dtype), self.mha])), Residual(mlp)])

    @property
    def attention(self):
        """Attention weights of the last forward pass, (N, h, T, T)."""
        return self.mha.attention


class PatchEmbedding(Layer):
    """Cut images into p × p patches and map each to a d-dimensional token: z_t = patch_t W + b.

    Input (N, H, W), output (N, (H/p)(W/p), d). The backward pass returns the
    gradient with respect to the images (patches put back in place).

    Parameters
    ----------
    patch : int
        p, dividing the image size.
    dim : int
        d (≤ ``MAX_DIM``).
    rng : numpy.random.Generator or int
    dtype : numpy dtype

    Taught in: 06_attention, "Vision Transformer".

    Examples
    --------
    >>> PatchEmbedding(2, dim=6, rng=0).forward(np.zeros((3, 8, 8))).shape
    (3, 16, 6)
    """

    def __init__(self, patch, dim, rng=None, dtype=np.float64):
        super().__init__()
        self.patch = as_int(patch, "patch", minimum=1, maximum=64)
        self.linear = Linear(self.patch ** 2, as_int(dim, "dim", minimum=1, maximum=MAX_DIM), rng=rng, dtype=dtype)

    def children(self):
        return [self.linear]

    def forward(self, x):
        n, h, w = x.shape
        if h % self.patch or w % self.patch:
            raise ValueError(f"x must have a size divisible by the patch {self.patch}; got {h}×{w}")
        self._grid = (h // self.patch, w // self.patch)
        return self.linear.forward(_patchify(x, self.patch))

    def backward(self, dout):
        return _unpatchify(self.linear.backward(dout), self.patch, *self._grid)


class ClassToken(Layer):
    """Prepend one learned token [CLS] to every sequence: (N, T, d) → (N, T + 1, d).

    After the blocks, the classifier reads this token only; through
    attention it has gathered what it needs from every patch (BERT's and
    ViT's pooling).

    Taught in: 06_attention, "Vision Transformer".

    Examples
    --------
    >>> ClassToken(4, rng=0).forward(np.zeros((2, 3, 4))).shape
    (2, 4, 4)
    """

    def __init__(self, dim, rng=None, dtype=np.float64):
        super().__init__()
        dim = as_int(dim, "dim", minimum=1, maximum=MAX_DIM)
        self.params["token"] = (0.02 * as_rng(0 if rng is None else rng).standard_normal((1, 1, dim))).astype(dtype)

    def forward(self, x):
        token = np.broadcast_to(self.params["token"], (x.shape[0], 1, x.shape[2]))
        return np.concatenate([token, x], axis=1)

    def backward(self, dout):
        self.grads["token"] = dout[:, :1].sum(axis=0, keepdims=True)
        return dout[:, 1:]


class PositionEmbedding(Layer):
    """Add a position code to every token: z_t ← z_t + p_t, for t = 0 … T − 1.

    The table p starts as :func:`sinusoidal_positions` (T, d); it is a
    trainable parameter if ``learned`` (as in ViT), fixed otherwise. Without
    this layer a Transformer cannot tell the order of its tokens.

    Parameters
    ----------
    tokens : int
        T (≤ ``MAX_TOKENS``).
    dim : int
        Even d.
    learned : bool
    dtype : numpy dtype

    Taught in: 06_attention, "Positional Encodings".

    Examples
    --------
    >>> layer = PositionEmbedding(3, 4)
    >>> layer.forward(np.zeros((1, 3, 4)))[0, 1].round(3)
    array([0.841, 0.54 , 0.01 , 1.   ])
    """

    def __init__(self, tokens, dim, learned=True, dtype=np.float64):
        super().__init__()
        tokens = as_int(tokens, "tokens", minimum=1, maximum=MAX_TOKENS)
        dim = as_int(dim, "dim", minimum=2, maximum=MAX_DIM)
        if dim % 2:
            raise ValueError(f"dim must be even for sinusoidal positions; got {dim}")
        table = _sinusoidal_positions(tokens, dim).astype(dtype)
        self.learned = bool(learned)
        if self.learned:
            self.params["table"] = table
        else:
            self.table = table

    def forward(self, x):
        table = self.params["table"] if self.learned else self.table
        if x.shape[-2:] != table.shape:
            raise ValueError(f"x must have {table.shape[0]} tokens of size {table.shape[1]}; got shape {x.shape}")
        return x + table

    def backward(self, dout):
        if self.learned:
            self.grads["table"] = dout.sum(axis=0)
        return dout


class TokenPool(Layer):
    """One vector per sequence: the class token, y = z_0 ('cls'), or the mean y = (1/T) Σ_t z_t ('mean').

    Mean pooling is symmetric in the tokens, so without positions the
    classifier does not change when the patches are shuffled.

    Taught in: 06_attention, "Self-Attention".

    Examples
    --------
    >>> TokenPool("mean").forward(np.arange(6.0).reshape(1, 3, 2))
    array([[2., 3.]])
    """

    def __init__(self, mode="cls"):
        super().__init__()
        self.mode = as_choice(mode, "mode", ("cls", "mean"))

    def forward(self, x):
        self._shape = x.shape
        return x[:, 0] if self.mode == "cls" else x.mean(axis=1)

    def backward(self, dout):
        n, tokens, dim = self._shape
        if self.mode == "mean":
            return np.broadcast_to(dout[:, None] / tokens, self._shape).copy()
        dx = np.zeros(self._shape, dtype=dout.dtype)
        dx[:, 0] = dout
        return dx


class AvgPool2d(Layer):
    """Average of each non-overlapping s × s block of a channels-last map: (N, H, W, C) → (N, H/s, W/s, C).

    Taught in: 06_attention, "Inductive Bias".

    Examples
    --------
    >>> AvgPool2d(2).forward(np.arange(16.0).reshape(1, 4, 4, 1))[0, :, :, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """

    def __init__(self, size=2):
        super().__init__()
        self.size = as_int(size, "size", minimum=1, maximum=64)

    def forward(self, x):
        n, h, w, c = x.shape
        s = self.size
        if h % s or w % s:
            raise ValueError(f"x must have a size divisible by {s}; got {h}×{w}")
        self._shape = x.shape
        return x.reshape(n, h // s, s, w // s, s, c).mean(axis=(2, 4))

    def backward(self, dout):
        s = self.size
        spread = np.repeat(np.repeat(dout, s, axis=1), s, axis=2)
        return spread / (s * s)


class Flatten(Layer):
    """Flatten every axis after the first: (N, …) → (N, ∏ …).

    Taught in: 06_attention, "Inductive Bias".

    Examples
    --------
    >>> Flatten().forward(np.zeros((2, 3, 4))).shape
    (2, 12)
    """

    def forward(self, x):
        self._shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, dout):
        return dout.reshape(self._shape)
