"""cvlab.pixelcnn.likelihood: the discretized logistic mixture and its gradient, bits/dim, ROC AUC."""

import numpy as np
import pytest
from gradcheck import numeric_gradient, relative_error
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import logistic
from sklearn.metrics import roc_auc_score

from cvlab.pixelcnn import bits_per_dim, discretized_logistic_mixture_log_prob, log_softmax_nll, roc_auc
from cvlab.pixelcnn.likelihood import _dlm_log_prob_and_grad


def test_bits_per_dim():
    assert bits_per_dim(64 * np.log(17), 64) == pytest.approx(np.log2(17))
    np.testing.assert_allclose(bits_per_dim([np.log(2), 2 * np.log(2)], 1), [1, 2])
    with pytest.raises(ValueError, match="dims"):
        bits_per_dim(1.0, 0)
    with pytest.raises(ValueError, match=r"dims must be <= 9007199254740992"):     # 10**400 would overflow a float
        bits_per_dim(1.0, 10**400)


def test_log_softmax_nll_against_a_loop():
    g = np.random.default_rng(0)
    logits, x = g.standard_normal((2, 5, 3, 4)), g.integers(0, 5, (2, 3, 4))
    expected = [-sum(logits[n, x[n, i, j], i, j] - np.log(np.exp(logits[n, :, i, j]).sum())
                     for i in range(3) for j in range(4)) for n in range(2)]
    np.testing.assert_allclose(log_softmax_nll(logits, x), expected, rtol=1e-12)
    with pytest.raises(ValueError, match="x must have shape"):
        log_softmax_nll(logits, x[:, :2])


@given(st.integers(1, 4), st.integers(2, 20), st.integers(0, 2**32 - 1))
def test_logistic_mixture_sums_to_one(k, levels, seed):
    g = np.random.default_rng(seed)
    weights, means = g.standard_normal(k), g.uniform(-3, levels + 3, k)
    log_scales = g.uniform(-3, 2, k)
    p = np.exp(discretized_logistic_mixture_log_prob(np.arange(levels), weights, means, log_scales, levels))
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    assert (p >= 0).all()


def test_logistic_mixture_matches_scipy_bins():
    levels, mu, s = 17, 4.3, 1.7
    p = np.exp(discretized_logistic_mixture_log_prob(np.arange(levels), [0.0], [mu], [np.log(s)], levels))
    edges = np.concatenate([[-np.inf], np.arange(levels - 1) + 0.5, [np.inf]])
    expected = np.diff(logistic.cdf(edges, loc=mu, scale=s))
    np.testing.assert_allclose(p, expected, rtol=1e-10)
    # a very sharp component far in a tail: edge bins take the whole tail, no NaN
    sharp = discretized_logistic_mixture_log_prob(np.array([0, 8, 16]), [0.0], [40.0], [-4.0], levels)
    assert sharp[2] == pytest.approx(0.0, abs=1e-12) and np.isfinite(sharp).all()


@given(st.integers(1, 3), st.integers(2, 30), st.integers(0, 2**32 - 1))
def test_logistic_mixture_gradient_matches_central_differences(k, levels, seed):
    g = np.random.default_rng(seed)
    x = g.integers(0, levels, 6)
    x[:2] = 0, levels - 1  # both edge bins
    weights, means = g.standard_normal((6, k)), g.uniform(-3, levels + 3, (6, k))
    log_scales = g.uniform(-1.5, 1.5, (6, k))
    log_p, d_weights, d_means, d_log_scales = _dlm_log_prob_and_grad(x, weights, means, log_scales, levels)
    np.testing.assert_allclose(log_p, discretized_logistic_mixture_log_prob(x, weights, means, log_scales, levels))

    def total():
        return float(discretized_logistic_mixture_log_prob(x, weights, means, log_scales, levels).sum())

    for analytic, array in ((d_weights, weights), (d_means, means), (d_log_scales, log_scales)):
        assert relative_error(analytic, numeric_gradient(total, array)) < 1e-6


def test_logistic_mixture_gradient_stays_finite_far_in_the_tails():
    x = np.array([0, 100, 255])
    log_p, *grads = _dlm_log_prob_and_grad(x, np.zeros((3, 2)), np.array([[250.0, -40.0]] * 3),
                                           np.full((3, 2), -6.0), 256)
    assert np.isfinite(log_p).all() and all(np.isfinite(grad).all() for grad in grads)


def test_logistic_mixture_bad_inputs():
    with pytest.raises(ValueError, match="x"):
        discretized_logistic_mixture_log_prob(np.array([17]), [0.0], [1.0], [0.0], 17)
    with pytest.raises(ValueError, match="levels"):
        discretized_logistic_mixture_log_prob(np.array([0]), [0.0], [1.0], [0.0], 1)
    with pytest.raises(ValueError, match=r"levels must be <= 65536"):
        discretized_logistic_mixture_log_prob(np.array([0]), [0.0], [1.0], [0.0], 10**400)
    with pytest.raises(ValueError, match="logit_weights, means and log_scales must broadcast"):
        discretized_logistic_mixture_log_prob(np.arange(4), np.zeros((3, 2)), [1.0], [0.0], 17)


def test_roc_auc_matches_sklearn():
    g = np.random.default_rng(0)
    neg, pos = g.normal(0, 1, 50).round(1), g.normal(1, 1, 40).round(1)
    labels = np.r_[np.zeros(50), np.ones(40)]
    assert roc_auc(neg, pos) == pytest.approx(roc_auc_score(labels, np.r_[neg, pos]))
    with pytest.raises(ValueError, match="scores_positive"):
        roc_auc([1.0], [])
