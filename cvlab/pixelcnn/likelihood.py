"""Likelihoods: softmax over levels, bits per dimension, the discretized logistic mixture, ROC AUC."""

import numpy as np
from scipy.special import log_softmax, logsumexp

from .._checks import as_array, as_int

__all__ = ["log_softmax_nll", "bits_per_dim", "discretized_logistic_mixture_log_prob", "roc_auc"]


def log_softmax_nll(logits, x):
    """Per-image negative log-likelihood in nats under per-pixel softmax distributions.

    NLL(x) = −Σ_i log softmax(z_i)[x_i] = −Σ_i (z_i[x_i] − log Σ_k exp z_i[k]).

    Parameters
    ----------
    logits : array_like, shape (N, levels, H, W)
    x : array_like of int, shape (N, H, W), values in [0, levels)

    Returns
    -------
    ndarray of float64, shape (N,)

    Examples
    --------
    >>> log_softmax_nll(np.zeros((1, 4, 2, 2)), np.zeros((1, 2, 2), dtype=int)).round(4)
    array([5.5452])
    """
    logits = as_array(logits, "logits", ndim=4).astype(np.float64)
    x = as_array(x, "x", ndim=3)
    if not np.issubdtype(x.dtype, np.integer):
        raise TypeError(f"x must hold integer levels; got {x.dtype}")
    n, levels, h, w = logits.shape
    if x.shape != (n, h, w):
        raise ValueError(f"x must have shape {(n, h, w)} to match logits; got {x.shape}")
    if x.min() < 0 or x.max() >= levels:
        raise ValueError(f"x must lie in [0, {levels - 1}]")
    logp = log_softmax(logits, axis=1)
    picked = np.take_along_axis(logp, x[:, None].astype(np.intp), axis=1)[:, 0]
    return -picked.sum(axis=(1, 2))


def bits_per_dim(nll_nats, dims):
    """Convert a negative log-likelihood in nats to bits per dimension: NLL / (D · ln 2).

    Parameters
    ----------
    nll_nats : float or array_like
        NLL of one image (or an array of them) in nats.
    dims : int
        Number of dimensions D of one image (H·W·channels).

    Returns
    -------
    float or ndarray of float64

    Examples
    --------
    >>> round(bits_per_dim(64 * np.log(17), 64), 4)
    4.0875
    """
    values = as_array(nll_nats, "nll_nats")
    dims = as_int(dims, "dims", minimum=1)
    result = values.astype(np.float64) / (dims * np.log(2.0))
    return float(result) if result.ndim == 0 else result


def _log_sigmoid(z):
    return -np.logaddexp(0.0, -z)


def discretized_logistic_mixture_log_prob(x, logit_weights, means, log_scales, levels):
    """log p(x) of integer levels under a mixture of K discretized logistics (PixelCNN++).

    p(x) = Σ_k π_k [σ((x + ½ − μ_k)/s_k) − σ((x − ½ − μ_k)/s_k)], π = softmax(logit_weights),
    s_k = exp(log_scales_k), levels and means on the same scale 0 … levels − 1.
    The edge bins take the whole tails: x = 0 uses (−∞, ½] and x = levels − 1
    uses [levels − 3/2, ∞), so the probabilities of all levels sum to 1.

    Parameters
    ----------
    x : array_like of int
        Levels in [0, levels), any shape S.
    logit_weights, means, log_scales : array_like, shape S + (K,) (broadcastable)
    levels : int
        Number of levels, ≥ 2.

    Returns
    -------
    ndarray of float64, shape S

    Examples
    --------
    >>> p = np.exp(discretized_logistic_mixture_log_prob(np.arange(17), [0.0], [8.0], [0.0], 17))
    >>> round(float(p.sum()), 12), round(float(p[8]), 4)
    (1.0, 0.2449)
    """
    levels = as_int(levels, "levels", minimum=2)
    x = as_array(x, "x")
    if not np.issubdtype(x.dtype, np.integer):
        raise TypeError(f"x must hold integer levels; got {x.dtype}")
    if x.min() < 0 or x.max() >= levels:
        raise ValueError(f"x must lie in [0, {levels - 1}]")
    weights = as_array(logit_weights, "logit_weights").astype(np.float64)
    means = as_array(means, "means").astype(np.float64)
    log_scales = as_array(log_scales, "log_scales").astype(np.float64)
    xk = x.astype(np.float64)[..., None]
    inv_s = np.exp(-log_scales)
    upper = (xk + 0.5 - means) * inv_s
    lower = (xk - 0.5 - means) * inv_s
    # log(σ(upper) − σ(lower)), computed on the side of 0 where it does not cancel
    flip = (upper + lower) > 0
    a = np.where(flip, -lower, upper)
    b = np.where(flip, -upper, lower)
    log_a, log_b = _log_sigmoid(a), _log_sigmoid(b)
    with np.errstate(divide="ignore"):
        middle = log_a + np.log(-np.expm1(np.minimum(log_b - log_a, -1e-300)))
    first = _log_sigmoid(upper)            # P(X ≤ ½)
    last = _log_sigmoid(-lower)            # P(X ≥ levels − 3/2)
    log_bin = np.where(xk == 0, first, np.where(xk == levels - 1, last, middle))
    log_pi = weights - logsumexp(weights, axis=-1, keepdims=True)
    return logsumexp(log_pi + log_bin, axis=-1)


def roc_auc(scores_negative, scores_positive):
    """Area under the ROC curve from ranks (Mann–Whitney U): P(s_pos > s_neg) + ½ P(tie).

    Parameters
    ----------
    scores_negative, scores_positive : array_like, 1-D
        Anomaly scores (e.g. NLL) of normal and of anomalous examples.

    Returns
    -------
    float in [0, 1]; 1 means every anomaly scores above every normal example.

    Examples
    --------
    >>> roc_auc([1, 2, 3], [2.5, 4, 5])
    0.8888888888888888
    """
    neg = as_array(scores_negative, "scores_negative", ndim=1).astype(np.float64)
    pos = as_array(scores_positive, "scores_positive", ndim=1).astype(np.float64)
    from scipy.stats import rankdata

    ranks = rankdata(np.concatenate([neg, pos]))
    u = ranks[neg.size:].sum() - pos.size * (pos.size + 1) / 2
    return float(u / (neg.size * pos.size))
