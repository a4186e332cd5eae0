"""cvlab.gan: hand gradients against finite differences, the data, the judges (shares, W1), a fixed-seed run."""

import numpy as np
import pytest
from gradcheck import assert_parameter_gradients, numeric_gradient, randomize_biases, relative_error
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import wasserstein_distance

from cvlab.gan import GAN, mode_shares, train_gan, two_mode_mixture, wasserstein1

#: The chapter's run (notebooks/08_vae.ipynb, section 7): its seed, recipe and the distance it reaches (0.207).
RUN = dict(seed=0, steps=600, lr=4e-3, batch_size=64)
W1_REACHED = 0.25


def _gan(rng):
    gan = GAN(noise_dim=2, hidden=5, rng=rng)
    for network in (gan.generator, gan.discriminator):
        randomize_biases(network, rng, scale=0.5)
    return gan


def test_discriminator_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    gan = _gan(rng)
    real, noise = rng.standard_normal(7), rng.standard_normal((6, 2))

    def loss():
        return gan.discriminator_loss_and_gradients(real, noise)

    loss()
    assert_parameter_gradients(list(gan.discriminator.named_parameters()), loss, rng)


@pytest.mark.parametrize("objective", ["non-saturating", "minimax"])
def test_generator_gradients_match_finite_differences(objective):
    rng = np.random.default_rng(1)
    gan = _gan(rng)
    noise = rng.standard_normal((6, 2))

    def loss():
        return gan.generator_loss_and_gradients(noise, objective)

    loss()
    assert_parameter_gradients(list(gan.generator.named_parameters()), loss, rng)


def test_discriminator_loss_is_the_binary_cross_entropy():
    rng = np.random.default_rng(2)
    gan = _gan(rng)
    real, noise = rng.standard_normal(5), rng.standard_normal((4, 2))
    fake = gan.generate(noise)
    expected = -np.mean(np.log(gan.discriminate(real))) - np.mean(np.log(1 - gan.discriminate(fake)))
    assert gan.discriminator_loss_and_gradients(real, noise) == pytest.approx(expected, rel=1e-12)


def test_the_generator_gradient_reaches_the_noise_through_both_networks():
    # d loss / d G(u) by finite differences on the generated values, through D only.
    rng = np.random.default_rng(3)
    gan = _gan(rng)
    noise = rng.standard_normal((4, 2))
    fake = gan.generate(noise)
    numeric = numeric_gradient(lambda: float(-np.log(gan.discriminate(fake)).mean()), fake)
    gan.generator_loss_and_gradients(noise)
    a = gan.discriminator.forward(fake[:, None])
    analytic = gan.discriminator.backward((1 / (1 + np.exp(-a)) - 1) / 4)[:, 0]
    assert relative_error(analytic, numeric) < 1e-7


@given(st.lists(st.floats(-50, 50), min_size=1, max_size=30), st.lists(st.floats(-50, 50), min_size=1, max_size=30))
def test_wasserstein1_matches_scipy(a, b):
    assert wasserstein1(a, b) == pytest.approx(wasserstein_distance(a, b), rel=1e-9, abs=1e-9)


def test_mode_shares_count_the_nearer_centre():
    np.testing.assert_array_equal(mode_shares([-3.0, -0.1, 0.1, 5.0, 2.0]), [0.4, 0.6])
    np.testing.assert_array_equal(mode_shares([1.0, 1.5], centers=(1.0, 3.0)), [1.0, 0.0])
    with pytest.raises(ValueError, match="centers must hold two different numbers"):
        mode_shares([0.0], centers=(1.0, 1.0))


def test_mixture_has_the_stated_modes():
    x = two_mode_mixture(200_000, rng=0, centers=(-2.0, 2.0), std=0.5)
    assert abs(mode_shares(x)[0] - 0.5) < 0.005
    assert abs(x[x < 0].mean() + 2) < 0.01 and abs(x[x > 0].std() - 0.5) < 0.01


def test_fixed_seed_run_reaches_the_stated_wasserstein_distance():
    rng = np.random.default_rng(RUN["seed"])
    data = two_mode_mixture(4000, rng)
    gan = GAN(rng=rng)
    _, samples = train_gan(gan, data, RUN["steps"], rng, batch_size=RUN["batch_size"], lr=RUN["lr"],
                           snapshots=1, snapshot_size=4000)
    assert wasserstein1(samples[-1], two_mode_mixture(4000, rng=123)) <= W1_REACHED
    assert np.all(np.abs(mode_shares(samples[-1]) - 0.5) < 0.05)


def test_a_generator_rushing_ahead_of_the_discriminator_collapses_onto_one_mode():
    # The chapter's collapse run: 20 generator steps per discriminator step.
    rng = np.random.default_rng(0)
    data = two_mode_mixture(4000, rng)
    _, samples = train_gan(GAN(rng=rng), data, 60, rng, batch_size=64, lr=1e-2, g_steps=20, snapshots=6,
                           snapshot_size=4000)
    shares = np.array([mode_shares(s) for s in samples[2:]])
    assert np.all(shares.max(axis=1) > 0.99) and len(set(shares.argmax(axis=1))) == 2


def test_training_is_reproducible_and_leaves_the_data_unchanged():
    data = two_mode_mixture(500, rng=0)
    before = data.copy()
    runs = [train_gan(GAN(hidden=6, rng=1), data, 30, rng=2, snapshots=3, snapshot_size=50) for _ in range(2)]
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    np.testing.assert_array_equal(data, before)


def test_bad_input_is_named():
    gan = GAN(hidden=4, rng=0)
    with pytest.raises(TypeError, match="gan must be a cvlab.gan.GAN"):
        train_gan("gan", np.zeros(4), 3, rng=0)
    with pytest.raises(ValueError, match="loss must be one of"):
        train_gan(gan, np.zeros(4), 3, rng=0, loss="wasserstein")
    with pytest.raises(ValueError, match="steps must be <= 20000"):
        train_gan(gan, np.zeros(4), 10 ** 6, rng=0)
    with pytest.raises(ValueError, match=r"noise must have shape \(N, 1\)"):
        gan.generate(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="hidden must be <= 256"):
        GAN(hidden=1000)
