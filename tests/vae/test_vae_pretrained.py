"""The shipped models reproduce the figures that notebooks/08_vae.ipynb and the README state."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from cvlab.data import digits
from cvlab.vae import BETAS, PixelMarginals, elbo, elbo_terms, iwae_bound, kl_standard_normal, load_pretrained

TRAIN, TEST = digits()


@pytest.fixture(scope="module")
def shipped_vae():
    return load_pretrained("vae")


def test_shipped_vae_bound_is_at_most_2_10_bits_per_dim(shipped_vae):
    assert elbo(shipped_vae, TEST, rng=0, samples=8).mean() <= 2.10


def test_iwae_bounds_of_the_shipped_vae_decrease_with_k(shipped_vae):
    bounds = [iwae_bound(shipped_vae, TEST, k, rng=k).mean() for k in (1, 8, 64, 256)]
    assert all(a > b for a, b in zip(bounds, bounds[1:]))
    assert bounds[-1] > 1.78        # still above the Gated PixelCNN's exact 1.78 bits/dim


def test_beta_sweep_collapses_one_dimension_at_beta_2_and_both_from_beta_4():
    collapsed = {}
    for beta in BETAS:
        model = load_pretrained("vae2d", beta=beta)
        mu, logvar = model.encode(TEST)
        collapsed[beta] = int(np.sum(kl_standard_normal(mu[..., None], logvar[..., None]).mean(axis=0) < 0.01))
    assert collapsed == {0.5: 0, 1.0: 0, 2.0: 1, 4.0: 2, 8.0: 2}


@pytest.mark.parametrize("beta", [4.0, 8.0])
def test_fully_collapsed_model_is_the_independent_marginals(beta):
    reconstruction, kl = elbo_terms(load_pretrained("vae2d", beta=beta), TEST, rng=0, samples=8)
    baseline = -PixelMarginals(TRAIN).log_prob(TEST).mean() / (64 * np.log(2))
    assert abs(reconstruction.mean() - baseline) < 0.02 and kl.mean() < 0.001


def test_autoencoder_codes_leave_holes_that_random_points_fall_into():
    model = load_pretrained("ae")
    train_codes, test_codes = model.encode(TRAIN), model.encode(TEST)
    random_codes = np.random.default_rng(3).uniform(train_codes.min(axis=0), train_codes.max(axis=0),
                                                    size=(len(TEST), model.latent_dim))
    nearest_test = cdist(test_codes, train_codes).min(axis=1)
    nearest_random = cdist(random_codes, train_codes).min(axis=1)
    assert np.median(nearest_random) > 2 * np.median(nearest_test)
    assert np.mean(nearest_random > nearest_test.max()) > 0.9


def test_vae2d_codes_of_the_test_digits_stay_within_the_explorers_range():
    mu, _ = load_pretrained("vae2d").encode(TEST)
    assert np.abs(mu).max() < 3.0
