"""Likelihoods: softmax over levels, bits per dimension, the discretized logistic mixture, ROC AUC."""

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax, logsumexp
from scipy.stats import rankdata

from .._checks import as_array, as_int, as_real

__all__ = ["log_softmax_nll", "bits_per_dim", "discretized_logistic_mixture_log_prob", "smoothed_frequencies",
           "fit_logistic_mixture", "roc_auc"]

#: Most samples ``smoothed_frequencies`` and ``fit_logistic_mixture`` take (80 MB of float64 per array).
MAX_FIT_SAMPLES = 10**7
#: Most components of a fitted mixture.
MAX_FIT_COMPONENTS = 10
#: Most dimensions ``bits_per_dim`` takes: the largest count a float holds exactly.
MAX_DIMS = 2**53


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

    See Also
    --------
    bits_per_dim

    Taught in: 07_pixelcnn, "Training and Baselines".

    Examples
    --------
    >>> log_softmax_nll(np.zeros((1, 4, 2, 2)), np.zeros((1, 2, 2), dtype=int)).round(4)
    array([5.5452])
    """
    logits = as_array(logits, "logits", ndim=4)
    x = as_array(x, "x", ndim=3)
    if not np.issubdtype(x.dtype, np.integer):
        raise TypeError(f"x must hold integer levels; got {x.dtype}")
    n, levels, h, w = logits.shape
    if x.shape != (n, h, w):
        raise ValueError(f"x must have shape {(n, h, w)} to match logits; got {x.shape}")
    if x.min() < 0 or x.max() >= levels:
        raise ValueError(f"x must lie in [0, {levels - 1}]")
    return _log_softmax_nll(logits, x)


def _log_softmax_nll(logits, x):
    logp = log_softmax(logits.astype(np.float64), axis=1)
    picked = np.take_along_axis(logp, x[:, None].astype(np.intp), axis=1)[:, 0]
    return -picked.sum(axis=(1, 2))


def bits_per_dim(nll_nats, dims):
    """Convert a negative log-likelihood in nats to bits per dimension: NLL / (D · ln 2).

    Parameters
    ----------
    nll_nats : float or array_like
        NLL of one image (or an array of them) in nats.
    dims : int
        Number of dimensions D of one image (H·W·channels), 1 … ``MAX_DIMS`` = 2**53
        (the largest count a float holds exactly).

    Returns
    -------
    float or ndarray of float64

    See Also
    --------
    log_softmax_nll

    Taught in: 07_pixelcnn, "Training and Baselines".

    Examples
    --------
    >>> round(bits_per_dim(64 * np.log(17), 64), 4)
    4.0875
    """
    values = as_array(nll_nats, "nll_nats")
    dims = as_int(dims, "dims", minimum=1, maximum=MAX_DIMS)
    result = values.astype(np.float64) / (dims * np.log(2.0))
    return float(result) if result.ndim == 0 else result


def _log_sigmoid(z):
    return -np.logaddexp(0.0, -z)


def _log_bins(xk, means, log_scales, levels):
    """log P_k(x) of every component's bin, the standardized bin edges u, l, and the edge-bin masks.

    log(σ(u) − σ(l)) is computed on the side of 0 where it does not cancel.
    """
    inv_s = np.exp(-log_scales)
    upper = (xk + 0.5 - means) * inv_s
    lower = (xk - 0.5 - means) * inv_s
    flip = (upper + lower) > 0
    a = np.where(flip, -lower, upper)
    b = np.where(flip, -upper, lower)
    log_a, log_b = _log_sigmoid(a), _log_sigmoid(b)
    with np.errstate(divide="ignore"):
        middle = log_a + np.log(-np.expm1(np.minimum(log_b - log_a, -1e-300)))
    is_first, is_last = xk == 0, xk == levels - 1
    log_bin = np.where(is_first, _log_sigmoid(upper), np.where(is_last, _log_sigmoid(-lower), middle))
    return log_bin, upper, lower, is_first, is_last


def _dlm_log_prob(xk, logit_weights, means, log_scales, levels):
    """log p(x) for levels ``xk`` that already carry the trailing component axis."""
    log_bin = _log_bins(xk, means, log_scales, levels)[0]
    log_pi = logit_weights - logsumexp(logit_weights, axis=-1, keepdims=True)
    return logsumexp(log_pi + log_bin, axis=-1)


def _dlm_log_prob_and_grad(x, logit_weights, means, log_scales, levels):
    """log p(x) and its derivatives with respect to the logit weights, means and log-scales (each (..., K)).

    With responsibilities r_k = π_k P_k / p and σ'(z) = σ(z) σ(−z):
    ∂ log p/∂w_k = r_k − π_k, ∂ log p/∂μ_k = −r_k (σ'(u_k) − σ'(l_k)) / (s_k P_k),
    ∂ log p/∂log s_k = −r_k (σ'(u_k) u_k − σ'(l_k) l_k) / P_k, where σ'(l) = 0 in
    the first bin and σ'(u) = 0 in the last (their edges are at ∓∞).
    """
    xk = x.astype(np.float64)[..., None]
    log_bin, upper, lower, is_first, is_last = _log_bins(xk, means, log_scales, levels)
    log_pi = logit_weights - logsumexp(logit_weights, axis=-1, keepdims=True)
    joint = log_pi + log_bin
    log_p = logsumexp(joint, axis=-1)
    resp = np.exp(joint - log_p[..., None])
    # σ'(edge) / P_k in log space, capped so that a vanishing bin (r_k = 0) cannot give 0 · ∞
    du = np.where(is_last, 0.0, np.exp(np.minimum(_log_sigmoid(upper) + _log_sigmoid(-upper) - log_bin, 700.0)))
    dl = np.where(is_first, 0.0, np.exp(np.minimum(_log_sigmoid(lower) + _log_sigmoid(-lower) - log_bin, 700.0)))
    d_means = -resp * (du - dl) * np.exp(-log_scales)
    d_log_scales = -resp * (du * upper - dl * lower)
    return log_p, resp - np.exp(log_pi), d_means, d_log_scales


def discretized_logistic_mixture_log_prob(x, logit_weights, means, log_scales, levels):
    """log p(x) of integer levels under a mixture of K discretized logistics (PixelCNN++).

    p(x) = Σ_k π_k [σ((x + ½ − μ_k)/s_k) − σ((x − ½ − μ_k)/s_k)], π = softmax(logit_weights),
    s_k = exp(log_scales_k), levels and means on the same scale 0 … levels − 1.

    Parameters
    ----------
    x : array_like of int
        Levels in [0, levels), any shape S.
    logit_weights, means, log_scales : array_like, shape S + (K,) (broadcastable)
    levels : int
        Number of levels, 2 … 65 536 (as ``fit_logistic_mixture``).

    Returns
    -------
    ndarray of float64, shape S

    See Also
    --------
    cvlab.pixelcnn.PixelCNN : ``output='mixture'`` predicts π, μ, s for every pixel.

    Notes
    -----
    The edge bins take the whole tails: x = 0 uses (−∞, ½] and
    x = levels − 1 uses [levels − 3/2, ∞), so the probabilities of all levels
    sum to 1. Each component needs 3 numbers whatever the number of levels,
    where a softmax needs one per level, and neighbouring levels share
    probability: a level never seen in training still gets about the
    probability of its neighbours.

    Taught in: 07_pixelcnn, "Discretized Logistic Mixture".

    References
    ----------
    .. [1] T. Salimans, A. Karpathy, X. Chen and D. P. Kingma, "PixelCNN++: Improving the PixelCNN with
       discretized logistic mixture likelihood and other modifications," ICLR, 2017.

    Examples
    --------
    >>> p = np.exp(discretized_logistic_mixture_log_prob(np.arange(17), [0.0], [8.0], [0.0], 17))
    >>> round(float(p.sum()), 12), round(float(p[8]), 4)
    (1.0, 0.2449)
    """
    levels = as_int(levels, "levels", minimum=2, maximum=2**16)
    x = as_array(x, "x")
    if not np.issubdtype(x.dtype, np.integer):
        raise TypeError(f"x must hold integer levels; got {x.dtype}")
    if x.min() < 0 or x.max() >= levels:
        raise ValueError(f"x must lie in [0, {levels - 1}]")
    weights = as_array(logit_weights, "logit_weights").astype(np.float64)
    means = as_array(means, "means").astype(np.float64)
    log_scales = as_array(log_scales, "log_scales").astype(np.float64)
    try:
        np.broadcast_shapes(x.shape + (1,), weights.shape, means.shape, log_scales.shape)
    except ValueError:
        raise ValueError(f"logit_weights, means and log_scales must broadcast against x.shape + (K,) = "
                         f"{x.shape + ('K',)}; got {weights.shape}, {means.shape}, {log_scales.shape}") from None
    return _dlm_log_prob(x.astype(np.float64)[..., None], weights, means, log_scales, levels)


def _as_level_samples(values, levels, name="values"):
    values = as_array(values, name)
    if not np.issubdtype(values.dtype, np.integer):
        raise TypeError(f"{name} must hold integer levels; got {values.dtype}")
    if values.size > MAX_FIT_SAMPLES:
        raise ValueError(f"{name} must hold at most MAX_FIT_SAMPLES = {MAX_FIT_SAMPLES} levels; got {values.size}")
    if values.min() < 0 or values.max() >= levels:
        raise ValueError(f"{name} must lie in [0, {levels - 1}]; got [{values.min()}, {values.max()}]")
    return values


def smoothed_frequencies(values, levels, pseudo_count=1.0):
    """The maximum-likelihood softmax over levels with a pseudo-count: p(v) = (n_v + α) / (n + α·levels).

    A softmax with one free logit per level, trained to maximum likelihood on
    n samples, ends at the frequencies n_v / n; the pseudo-count α (α = 1 is
    Laplace's add-one rule) keeps levels never seen in training above 0.

    Parameters
    ----------
    values : array_like of int, shape (n,) + S
        Samples along the first axis, levels in [0, levels); at most
        ``MAX_FIT_SAMPLES`` = 10**7 in all.
    levels : int
    pseudo_count : float
        α ≥ 0 (α = 0 gives unseen levels probability 0).

    Returns
    -------
    ndarray of float64, shape S + (levels,)
        One distribution per position in S.

    See Also
    --------
    fit_logistic_mixture : the smooth alternative with 3 numbers per component.

    Taught in: 07_pixelcnn, "Discretized Logistic Mixture".

    Examples
    --------
    >>> smoothed_frequencies([0, 0, 2], 4, pseudo_count=1.0)
    array([0.42857143, 0.14285714, 0.28571429, 0.14285714])
    """
    levels = as_int(levels, "levels", minimum=2, maximum=2**16)
    values = _as_level_samples(values, levels)
    alpha = as_real(pseudo_count, "pseudo_count", minimum=0)
    flat = values.reshape(len(values), -1)
    counts = np.stack([np.bincount(column, minlength=levels) for column in flat.T]).astype(np.float64)
    probabilities = (counts + alpha) / (len(values) + alpha * levels)
    return probabilities.reshape(values.shape[1:] + (levels,))


def fit_logistic_mixture(values, levels, components=2):
    """Fit a discretized logistic mixture to samples by maximum likelihood; return (logit_weights, means, log_scales).

    Maximizes Σ_n log p(x_n) with p from :func:`discretized_logistic_mixture_log_prob`
    by L-BFGS with the exact gradient, starting from equal weights, means at
    the (k + ½)/K quantiles of the samples and scales from their spread.

    Parameters
    ----------
    values : array_like of int, 1-D
        Samples in [0, levels), at least 2 and at most ``MAX_FIT_SAMPLES`` = 10**7.
    levels : int
    components : int
        K, 1 … ``MAX_FIT_COMPONENTS`` = 10.

    Returns
    -------
    logit_weights, means, log_scales : ndarray of float64, shape (K,)

    Raises
    ------
    ValueError
        If the optimizer does not converge.

    See Also
    --------
    discretized_logistic_mixture_log_prob, smoothed_frequencies

    Taught in: 07_pixelcnn, "Discretized Logistic Mixture".

    References
    ----------
    .. [1] T. Salimans, A. Karpathy, X. Chen and D. P. Kingma, "PixelCNN++: Improving the PixelCNN with
       discretized logistic mixture likelihood and other modifications," ICLR, 2017.

    Examples
    --------
    >>> values = np.random.default_rng(0).logistic(100.0, 3.0, 2000).round().astype(int)
    >>> weights, means, log_scales = fit_logistic_mixture(values, 256, components=1)
    >>> round(float(means[0])), round(float(np.exp(log_scales[0])), 1)
    (100, 3.0)
    """
    levels = as_int(levels, "levels", minimum=2, maximum=2**16)
    values = _as_level_samples(values, levels)
    if values.ndim != 1 or values.size < 2:
        raise ValueError(f"values must be 1-D with at least 2 samples; got shape {values.shape}")
    k = as_int(components, "components", minimum=1, maximum=MAX_FIT_COMPONENTS)
    return _fit_logistic_mixture(values, levels, k)


def _fit_logistic_mixture(values, levels, k):
    spread = max(float(values.std()), 1.0)
    start = np.concatenate([np.zeros(k), np.quantile(values, (np.arange(k) + 0.5) / k), np.full(k, np.log(spread / k))])

    def negative_log_likelihood(theta):
        shaped = [np.broadcast_to(part, (len(values), k)) for part in np.split(theta, 3)]
        log_p, *grads = _dlm_log_prob_and_grad(values, *shaped, levels)
        return -log_p.sum(), -np.concatenate([grad.sum(axis=0) for grad in grads])

    result = minimize(negative_log_likelihood, start, jac=True, method="L-BFGS-B")
    if not result.success:
        raise ValueError(f"values: the mixture fit did not converge ({result.message})")
    return tuple(np.split(result.x, 3))


def roc_auc(scores_negative, scores_positive):
    """Area under the ROC curve from ranks (Mann–Whitney U): P(s_pos > s_neg) + ½ P(tie).

    AUC = (R_pos − n_pos (n_pos + 1)/2) / (n_neg n_pos), where R_pos is the sum
    of the positive examples' ranks among all scores (ties get their mean rank).

    Parameters
    ----------
    scores_negative, scores_positive : array_like, 1-D
        Anomaly scores (e.g. NLL) of normal and of anomalous examples.

    Returns
    -------
    float in [0, 1]; 1 means every anomaly scores above every normal example.

    Taught in: 07_pixelcnn, "Anomaly Detection".

    References
    ----------
    .. [1] J. A. Hanley and B. J. McNeil, "The meaning and use of the area under a receiver operating
       characteristic (ROC) curve," Radiology, 1982.

    Examples
    --------
    >>> roc_auc([1, 2, 3], [2.5, 4, 5])
    0.8888888888888888
    """
    neg = as_array(scores_negative, "scores_negative", ndim=1).astype(np.float64)
    pos = as_array(scores_positive, "scores_positive", ndim=1).astype(np.float64)
    ranks = rankdata(np.concatenate([neg, pos]))
    u = ranks[neg.size:].sum() - pos.size * (pos.size + 1) / 2
    return float(u / (neg.size * pos.size))
