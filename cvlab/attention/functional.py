"""Attention as functions: softmax, scaled dot-product attention, masks, heads, patches and positions.

Notation (Vaswani et al., 2017): queries Q (n_q × d), keys K (n_k × d) and
values V (n_k × d_v); one row per token. Leading axes (batch, heads) are
carried along unchanged. A boolean mask M (n_q × n_k) says which key each
query may attend to: True means "may attend".
"""

import math

import numpy as np

from .._checks import as_array, as_int, as_rng

__all__ = ["softmax", "scaled_dot_product_attention", "causal_mask", "padding_mask", "row_entropy",
           "split_heads", "merge_heads", "patchify", "unpatchify", "sinusoidal_positions", "token_dependency",
           "MAX_TOKENS", "MAX_DIM", "MAX_WEIGHTS"]

#: Ceiling on a sequence length n (masks, positions, probes): an n × n float64 array stays ≤ 128 MiB.
MAX_TOKENS = 4096
#: Ceiling on a feature size d (positions, heads).
MAX_DIM = 4096
#: Ceiling on the entries of one attention-weight array (batch · heads · n_q · n_k): 1 GiB of float64.
MAX_WEIGHTS = 2 ** 27


def softmax(x, axis=-1):
    """Numerically stable softmax along ``axis``: σ(x)_j = exp(x_j − max x) / Σ_k exp(x_k − max x).

    Subtracting the maximum changes nothing mathematically (the factor
    exp(−max x) cancels) but keeps every exponent ≤ 0, so no exp overflows.
    Entries equal to −∞ get a weight of exactly 0.

    Parameters
    ----------
    x : array_like of float
        Finite values, or −∞ for entries to exclude (at least one finite per slice).
    axis : int

    Returns
    -------
    ndarray of float64, same shape as ``x``; every slice along ``axis`` sums to 1.

    Raises
    ------
    ValueError
        If ``x`` holds NaN or +∞, or a slice is all −∞.

    Taught in: 06_attention, "Soft Dictionary Lookup".

    Examples
    --------
    >>> softmax([1000.0, 1000.0, -np.inf])
    array([0.5, 0.5, 0. ])
    """
    x = as_array(x, "x", finite=False).astype(np.float64, copy=False)
    if np.isnan(x).any() or np.isposinf(x).any():
        raise ValueError("x must not contain NaN or +infinity (−infinity marks excluded entries)")
    axis = as_int(axis, "axis", minimum=-x.ndim, maximum=x.ndim - 1)
    if np.isneginf(x).all(axis=axis).any():
        raise ValueError("x must have at least one finite entry in every slice along axis")
    return _softmax(x, axis)


def _softmax(x, axis=-1):
    with np.errstate(over="ignore"):  # a gap beyond the float range becomes −inf, whose weight is 0 anyway
        shifted = np.exp(x - x.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def scaled_dot_product_attention(q, k, v, mask=None):
    """Attention(Q, K, V) = softmax(Q Kᵀ / √d + log M) V, a soft lookup of values by key similarity.

    Each query row scores every key by a dot product, the scores are divided
    by √d so their spread does not grow with d, and a softmax turns each row
    into weights that are ≥ 0 and sum to 1. Masked pairs (M = False) get a
    score of −∞, hence a weight of exactly 0. The output row i is the
    weighted mean of the value rows: o_i = Σ_j a_ij v_j.

    Parameters
    ----------
    q : array_like, shape (..., n_q, d)
    k : array_like, shape (..., n_k, d)
    v : array_like, shape (..., n_k, d_v)
        Leading axes must broadcast together.
    mask : array_like of bool, optional
        Broadcastable to (..., n_q, n_k); True where query i may attend to
        key j. Every query needs at least one allowed key.

    Returns
    -------
    output : ndarray of float64, shape (..., n_q, d_v)
    weights : ndarray of float64, shape (..., n_q, n_k)
        The attention weights a_ij; rows sum to 1.

    Raises
    ------
    ValueError
        On mismatched shapes, a mask row with no allowed key, or more than
        ``MAX_WEIGHTS`` attention weights.

    See Also
    --------
    causal_mask, padding_mask

    References
    ----------
    .. [1] A. Vaswani et al., "Attention is all you need," NeurIPS, 2017.

    Taught in: 06_attention, "Soft Dictionary Lookup".

    Examples
    --------
    >>> q = np.array([[1.0, 0.0]])
    >>> k = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> v = np.array([[10.0], [20.0]])
    >>> output, weights = scaled_dot_product_attention(q, k, v)
    >>> weights.round(3), output.round(2)
    (array([[0.67, 0.33]]), array([[13.3]]))
    >>> scaled_dot_product_attention(q, k, v, mask=[[False, True]])[0]
    array([[20.]])
    """
    q = as_array(q, "q", ndim=range(2, 6)).astype(np.float64, copy=False)
    k = as_array(k, "k", ndim=range(2, 6)).astype(np.float64, copy=False)
    v = as_array(v, "v", ndim=range(2, 6)).astype(np.float64, copy=False)
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must have the same feature size d; got {q.shape[-1]} and {k.shape[-1]}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must have the same number of tokens n_k; got {k.shape[-2]} and {v.shape[-2]}")
    try:
        lead = np.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except ValueError:
        raise ValueError(f"q, k and v must have broadcastable leading axes; got {q.shape}, {k.shape}, {v.shape}") \
            from None
    scores_shape = (*lead, q.shape[-2], k.shape[-2])
    if int(np.prod(scores_shape)) > MAX_WEIGHTS:
        raise ValueError(f"q and k must give at most MAX_WEIGHTS = {MAX_WEIGHTS} attention weights; "
                         f"got shape {scores_shape}")
    if mask is not None:
        mask = _as_mask(mask, "mask", scores_shape)
    return _attention(q, k, v, mask)


def _as_mask(mask, name, shape):
    """A boolean mask broadcastable to ``shape`` with at least one True per row."""
    if mask is None:
        raise TypeError(f"{name} must be a boolean array, not None")
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError(f"{name} must be boolean (True = may attend); got {mask.dtype}")
    if mask.ndim < 2 or mask.ndim > len(shape):
        raise ValueError(f"{name} must be broadcastable to {shape}; got shape {mask.shape}")
    try:
        mask = np.broadcast_to(mask, shape)
    except ValueError:
        raise ValueError(f"{name} must be broadcastable to {shape}; got shape {mask.shape}") from None
    if not mask.any(axis=-1).all():
        raise ValueError(f"{name} must allow at least one key in every row")
    return mask


def _attention(q, k, v, mask=None):
    scores = q @ np.swapaxes(k, -1, -2) / math.sqrt(q.shape[-1])  # a Python float keeps float32 scores float32
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = _softmax(scores)
    return weights @ v, weights


def causal_mask(n):
    """The decoder's (GPT's) mask: token i may attend to tokens j ≤ i, M_ij = [j ≤ i].

    It is the 1-D relative of PixelCNN's masked convolution: with it, the
    output at i depends on tokens 1 … i only, so a model predicting token
    i + 1 from output i factorizes p(x) = Π_i p(x_i | x_<i) by the chain rule.

    Parameters
    ----------
    n : int
        Sequence length, 1 ≤ n ≤ ``MAX_TOKENS``.

    Returns
    -------
    ndarray of bool, shape (n, n), lower triangular

    See Also
    --------
    cvlab.pixelcnn.causal_mask : the 2-D, raster-order version for convolutions.

    References
    ----------
    .. [1] A. Radford, K. Narasimhan, T. Salimans and I. Sutskever, "Improving language understanding by
       generative pre-training," OpenAI, 2018.

    Taught in: 06_attention, "GPT".

    Examples
    --------
    >>> causal_mask(3).astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])
    """
    n = as_int(n, "n", minimum=1, maximum=MAX_TOKENS)
    return _causal_mask(n)


def _causal_mask(n):
    return np.tril(np.ones((n, n), dtype=bool))


def padding_mask(lengths, n):
    """Masks for a batch of sequences padded to length n: M_bij = [j < ℓ_b].

    Padding tokens are never attended to (their columns are False); the
    padded query rows still attend to the real tokens, so every row is valid.

    Parameters
    ----------
    lengths : array_like of int, shape (B,)
        True length ℓ_b of each sequence, 1 ≤ ℓ_b ≤ n.
    n : int
        Padded length, 1 ≤ n ≤ ``MAX_TOKENS``.

    Returns
    -------
    ndarray of bool, shape (B, n, n)

    Taught in: 06_attention, "BERT".

    Examples
    --------
    >>> padding_mask([2, 3], 3)[0].astype(int)
    array([[1, 1, 0],
           [1, 1, 0],
           [1, 1, 0]])
    """
    n = as_int(n, "n", minimum=1, maximum=MAX_TOKENS)
    lengths = as_array(lengths, "lengths", ndim=1)
    if not np.issubdtype(lengths.dtype, np.integer):
        raise TypeError(f"lengths must hold integers; got {lengths.dtype}")
    if lengths.min() < 1 or lengths.max() > n:
        raise ValueError(f"lengths must lie in [1, n={n}]; got [{lengths.min()}, {lengths.max()}]")
    if len(lengths) * n * n > MAX_WEIGHTS:
        raise ValueError(f"lengths and n must give at most MAX_WEIGHTS = {MAX_WEIGHTS} entries; "
                         f"got {len(lengths)} × {n} × {n}")
    keys = np.arange(n)[None, None, :] < lengths[:, None, None]
    return np.broadcast_to(keys, (len(lengths), n, n)).copy()


def row_entropy(weights):
    """Entropy of each row of attention weights, H_i = −Σ_j a_ij ln a_ij (nats; 0 ln 0 = 0).

    H_i = ln n_k for uniform weights over n_k keys, and 0 for a one-hot row
    (a hard lookup): low entropy means a saturated softmax.

    Parameters
    ----------
    weights : array_like, shape (..., n_k)
        Rows of non-negative weights summing to 1.

    Returns
    -------
    ndarray of float64, shape (...,)

    Taught in: 06_attention, "Scaling".

    Examples
    --------
    >>> row_entropy([[0.25, 0.25, 0.25, 0.25], [1.0, 0.0, 0.0, 0.0]]).round(4)
    array([1.3863, 0.    ])
    """
    weights = as_array(weights, "weights").astype(np.float64, copy=False)
    if weights.min() < 0:
        raise ValueError(f"weights must be non-negative; got a minimum of {weights.min():.3g}")
    if not np.allclose(weights.sum(axis=-1), 1.0, rtol=0, atol=1e-9):
        raise ValueError("weights must sum to 1 along the last axis")
    return _row_entropy(weights)


def _row_entropy(weights):
    logs = np.log(np.where(weights > 0, weights, 1.0))
    return 0.0 - (weights * logs).sum(axis=-1)  # not −sum: a one-hot row gives 0.0, not −0.0


def split_heads(x, heads):
    """Split the features of every token into h heads: (..., n, d) → (..., h, n, d/h).

    Head m gets the feature slice [m·d/h, (m+1)·d/h), so each head attends
    with its own d/h-dimensional queries, keys and values.

    Parameters
    ----------
    x : array_like, shape (..., n, d)
    heads : int
        h ≥ 1, a divisor of d.

    Returns
    -------
    ndarray, shape (..., h, n, d/h)

    See Also
    --------
    merge_heads : the inverse.

    Taught in: 06_attention, "Vision Transformer".

    Examples
    --------
    >>> split_heads(np.arange(8).reshape(2, 4), 2)
    array([[[0, 1],
            [4, 5]],
    <BLANKLINE>
           [[2, 3],
            [6, 7]]])
    """
    x = as_array(x, "x", ndim=range(2, 6))
    heads = as_int(heads, "heads", minimum=1, maximum=MAX_DIM)
    if x.shape[-1] % heads:
        raise ValueError(f"heads must divide the feature size d = {x.shape[-1]}; got {heads}")
    return _split_heads(x, heads).copy()


def _split_heads(x, heads):
    *lead, n, d = x.shape
    return np.swapaxes(x.reshape(*lead, n, heads, d // heads), -2, -3)


def merge_heads(x):
    """Concatenate the heads' features again: (..., h, n, d/h) → (..., n, d), the inverse of :func:`split_heads`.

    Parameters
    ----------
    x : array_like, shape (..., h, n, d/h)

    Returns
    -------
    ndarray, shape (..., n, d)

    Taught in: 06_attention, "Vision Transformer".

    Examples
    --------
    >>> x = np.arange(24).reshape(2, 3, 4)
    >>> bool((merge_heads(split_heads(x, 2)) == x).all())
    True
    """
    x = as_array(x, "x", ndim=range(3, 7))
    return _merge_heads(x).copy()


def _merge_heads(x):
    *lead, h, n, dh = x.shape
    return np.swapaxes(x, -2, -3).reshape(*lead, n, h * dh)


def patchify(images, patch):
    """Cut each image into non-overlapping p × p patches, one flattened row per patch.

    Patch t = r·(W/p) + c (raster order over the patch grid) holds pixels
    f(r·p + u, c·p + w) for u, w = 0 … p − 1, row-major: the tokens of a
    Vision Transformer.

    Parameters
    ----------
    images : array_like, shape (N, H, W)
    patch : int
        p ≥ 1, dividing H and W.

    Returns
    -------
    ndarray, shape (N, (H/p)·(W/p), p²)

    See Also
    --------
    unpatchify : the inverse.

    References
    ----------
    .. [1] A. Dosovitskiy et al., "An image is worth 16x16 words: Transformers for image recognition at scale,"
       ICLR, 2021.

    Taught in: 06_attention, "Vision Transformer".

    Examples
    --------
    >>> patchify(np.arange(16).reshape(1, 4, 4), 2)[0]
    array([[ 0,  1,  4,  5],
           [ 2,  3,  6,  7],
           [ 8,  9, 12, 13],
           [10, 11, 14, 15]])
    """
    images = as_array(images, "images", ndim=3)
    patch = as_int(patch, "patch", minimum=1)
    n, h, w = images.shape
    if h % patch or w % patch:
        raise ValueError(f"patch must divide the image size {h}×{w}; got {patch}")
    return _patchify(images, patch)


def _patchify(images, patch):
    n, h, w = images.shape
    grid = images.reshape(n, h // patch, patch, w // patch, patch)
    return grid.transpose(0, 1, 3, 2, 4).reshape(n, (h // patch) * (w // patch), patch * patch)


def unpatchify(patches, patch, grid=None):
    """Put flattened p × p patches back into images, the inverse of :func:`patchify`.

    Parameters
    ----------
    patches : array_like, shape (N, T, p²)
    patch : int
        p ≥ 1, with p² = the last axis of ``patches``.
    grid : tuple of int, optional
        (rows, columns) of the patch grid, rows · columns = T; default square.

    Returns
    -------
    ndarray, shape (N, rows·p, columns·p)

    Taught in: 06_attention, "Vision Transformer".

    Examples
    --------
    >>> images = np.arange(32).reshape(2, 4, 4)
    >>> bool((unpatchify(patchify(images, 2), 2) == images).all())
    True
    """
    patches = as_array(patches, "patches", ndim=3)
    patch = as_int(patch, "patch", minimum=1)
    if patches.shape[2] != patch * patch:
        raise ValueError(f"patch must satisfy p² = {patches.shape[2]} (the last axis of patches); got p = {patch}")
    count = patches.shape[1]
    if grid is None:
        side = int(round(np.sqrt(count)))
        if side * side != count:
            raise ValueError(f"grid must be given: {count} patches do not form a square")
        grid = (side, side)
    if not isinstance(grid, (tuple, list)) or len(grid) != 2:
        raise ValueError(f"grid must be a pair (rows, columns); got {grid!r}")
    rows, cols = (as_int(g, "grid", minimum=1) for g in grid)
    if rows * cols != count:
        raise ValueError(f"grid must hold all {count} patches; got {rows}×{cols}")
    return _unpatchify(patches, patch, rows, cols)


def _unpatchify(patches, patch, rows, cols):
    n = patches.shape[0]
    grid = patches.reshape(n, rows, cols, patch, patch).transpose(0, 1, 3, 2, 4)
    return grid.reshape(n, rows * patch, cols * patch)


def sinusoidal_positions(n, d):
    """Fixed positional encodings: PE(t, 2i) = sin(t / 10000^(2i/d)), PE(t, 2i+1) = cos(t / 10000^(2i/d)).

    Each pair of features is a sine and cosine of the position t at one
    frequency; frequencies fall geometrically from 1 to about 1/10000, so
    near positions differ in the fast pairs and far ones in the slow pairs.

    Parameters
    ----------
    n : int
        Number of positions, 1 ≤ n ≤ ``MAX_TOKENS``.
    d : int
        Even feature size, 2 ≤ d ≤ ``MAX_DIM``.

    Returns
    -------
    ndarray of float64, shape (n, d), values in [−1, 1]

    References
    ----------
    .. [1] A. Vaswani et al., "Attention is all you need," NeurIPS, 2017.

    Taught in: 06_attention, "Positional Encodings".

    Examples
    --------
    >>> sinusoidal_positions(2, 4).round(3)
    array([[0.   , 1.   , 0.   , 1.   ],
           [0.841, 0.54 , 0.01 , 1.   ]])
    """
    n = as_int(n, "n", minimum=1, maximum=MAX_TOKENS)
    d = as_int(d, "d", minimum=2, maximum=MAX_DIM)
    if d % 2:
        raise ValueError(f"d must be even (sine and cosine pairs); got {d}")
    return _sinusoidal_positions(n, d)


def _sinusoidal_positions(n, d):
    angles = np.arange(n)[:, None] / 10000.0 ** (np.arange(0, d, 2) / d)[None, :]
    table = np.empty((n, d))
    table[:, 0::2] = np.sin(angles)
    table[:, 1::2] = np.cos(angles)
    return table


def token_dependency(function, x, rng=0):
    """Which input tokens each output token depends on, found by perturbing one input token at a time.

    D_ij = [y_i(x) ≠ y_i(x + δ e_j)], compared bit for bit, where
    y = ``function``(x) and δ e_j changes token j only (random δ). A False
    entry is exact: output i did not move at all. A True entry shows a
    dependency on these inputs (with random weights, one always exists where
    the architecture allows it).

    Parameters
    ----------
    function : callable
        Maps x of shape (n, d) to an array of shape (n_out, d_out).
    x : array_like, shape (n, d)
        One sequence of n ≤ ``MAX_TOKENS`` tokens.
    rng : numpy.random.Generator or int

    Returns
    -------
    ndarray of bool, shape (n_out, n)

    Taught in: 06_attention, "GPT".

    Examples
    --------
    >>> running_sum = lambda x: np.cumsum(x, axis=0)     # y_i = x_1 + … + x_i
    >>> token_dependency(running_sum, np.ones((3, 2))).astype(int)
    array([[1, 0, 0],
           [1, 1, 0],
           [1, 1, 1]])
    """
    if not callable(function):
        raise TypeError(f"function must be callable; got {type(function).__name__}")
    x = as_array(x, "x", ndim=2).astype(np.float64)
    if len(x) > MAX_TOKENS:
        raise ValueError(f"x must have at most MAX_TOKENS = {MAX_TOKENS} tokens; got {len(x)}")
    rng = as_rng(rng)
    return _token_dependency(function, x, rng)


def _token_dependency(function, x, rng):
    base = np.asarray(function(x.copy()))
    if base.ndim < 1:
        raise ValueError("function must return one row per output token")
    base = base.reshape(len(base), -1)
    depends = np.zeros((len(base), len(x)), dtype=bool)
    for j in range(len(x)):
        moved = x.copy()
        moved[j] += rng.normal(size=x.shape[1])
        out = np.asarray(function(moved)).reshape(base.shape)
        depends[:, j] = (out != base).any(axis=1)
    return depends
