"""cvlab.vae.classifiers: the generative model against loop counts and Bayes' rule; softmax regression's gradients."""

import numpy as np
import pytest
from gradcheck import assert_parameter_gradients
from scipy.special import logsumexp

from cvlab.data import digits
from cvlab.nn import fit
from cvlab.vae import PixelMarginals, SoftmaxRegression


def _toy(rng, n=30, levels=4, classes=3):
    return rng.integers(0, levels, (n, 3, 2)), rng.integers(0, classes, n)


def test_marginals_are_smoothed_counts_by_the_loop_formula():
    rng = np.random.default_rng(0)
    x, y = _toy(rng)
    model = PixelMarginals(x, y, levels=4, smoothing=0.5)
    for c in range(3):
        rows = x[y == c].reshape(-1, 6)
        for i in range(6):
            for v in range(4):
                expected = (np.sum(rows[:, i] == v) + 0.5) / (len(rows) + 0.5 * 4)
                assert np.exp(model.log_p_pixel[c, i, v]) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(np.exp(model.log_prior), np.bincount(y, minlength=3) / len(y))


def test_log_prob_and_bayes_rule_by_the_loop_formula():
    rng = np.random.default_rng(1)
    x, y = _toy(rng)
    model = PixelMarginals(x, y, levels=4)
    image = x[:1]
    joint = [model.log_prior[c] + sum(model.log_p_pixel[c, i, v] for i, v in enumerate(image.ravel()))
             for c in range(3)]
    assert model.log_prob(image)[0] == pytest.approx(logsumexp(joint), rel=1e-12)
    np.testing.assert_allclose(model.predict_proba(image)[0], np.exp(joint - logsumexp(joint)), rtol=1e-12)
    assert model.predict(image)[0] == int(np.argmax(joint))


def test_probabilities_of_all_images_sum_to_one():
    # Two binary pixels: the 4 possible images carry all the probability.
    x = np.array([[[0, 1]], [[1, 1]], [[0, 0]]])
    model = PixelMarginals(x, np.array([0, 1, 1]), levels=2)
    every = np.array([[[a, b]] for a in (0, 1) for b in (0, 1)])
    assert np.exp(model.log_prob(every)).sum() == pytest.approx(1.0, rel=1e-12)


def test_samples_follow_the_class_marginals():
    rng = np.random.default_rng(2)
    x, y = _toy(rng, n=60)
    model = PixelMarginals(x, y, levels=4)
    draws = model.sample(20000, rng=3, label=1).reshape(20000, -1)
    frequencies = np.stack([(draws == v).mean(axis=0) for v in range(4)], axis=-1)
    assert np.abs(frequencies - np.exp(model.log_p_pixel[1])).max() < 0.02


def test_on_the_digits_without_labels_it_is_the_chapter_7_baseline():
    train, test = digits()
    bits = -PixelMarginals(train).log_prob(test).mean() / (64 * np.log(2))
    assert bits == pytest.approx(2.37, abs=0.005)


def test_softmax_regression_gradients_match_finite_differences():
    rng = np.random.default_rng(4)
    x, y = _toy(rng, n=7, levels=5, classes=3)
    model = SoftmaxRegression(pixels=6, classes=3, levels=5, rng=rng)
    model.net.params["b"] = rng.standard_normal(3)

    def loss():
        return model.loss_and_gradients(x, y)

    loss()
    assert_parameter_gradients(list(model.named_parameters()), loss, rng)


def test_softmax_regression_learns_the_digits():
    (train, y_train), (test, y_test) = digits(labels=True)
    model = SoftmaxRegression(rng=0)
    fit(model, (train, y_train), 400, 64, 0.05, rng=0, progress=False)
    assert (model.predict(test) == y_test).mean() > 0.85
    np.testing.assert_allclose(model.predict_proba(test).sum(axis=1), 1.0, rtol=1e-12)


def test_bad_input_is_named():
    x, y = _toy(np.random.default_rng(5))
    with pytest.raises(ValueError, match="labels must have one label per image"):
        PixelMarginals(x, y[:-1], levels=4)
    with pytest.raises(ValueError, match="smoothing must be > 0"):
        PixelMarginals(x, y, levels=4, smoothing=0.0)
    with pytest.raises(ValueError, match=r"images must lie in \[0, 2\]"):
        PixelMarginals(x, y, levels=3)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 3, 2\)"):
        PixelMarginals(x, y, levels=4).log_prob(np.zeros((2, 2, 3), dtype=int))
    with pytest.raises(TypeError, match="data must be a tuple"):
        fit(SoftmaxRegression(pixels=6, classes=3, levels=4), x, 2, progress=False)
