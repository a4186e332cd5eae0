"""cvlab.vae.training: reproducible training, the KL warm-up, and the shipped weights."""

import shutil

import numpy as np
import pytest

from cvlab import nn
from cvlab.vae import BETAS, VAE, Autoencoder, load_pretrained, train
from cvlab.vae.checksums import CHECKSUMS
from cvlab.vae.training import _KINDS, WEIGHTS_DIR


def _data(n=24):
    return np.random.default_rng(0).integers(0, 17, (n, 8, 8))


def test_training_is_reproducible_and_records_both_terms():
    runs = []
    for _ in range(2):
        model = VAE(latent_dim=2, hidden=8, rng=np.random.default_rng(5))
        runs.append(train(model, _data(), 12, np.random.default_rng(6), batch_size=4, progress=False))
    np.testing.assert_array_equal(runs[0], runs[1])
    assert runs[0].shape == (12, 2) and (runs[0] > 0).all()


def test_history_is_the_loss_that_fit_minimised_split_in_two():
    # With β = 1 and no warm-up, train's two columns add up to cvlab.nn.fit's loss on the same model and seed.
    a = VAE(latent_dim=2, hidden=8, rng=np.random.default_rng(1))
    b = VAE(latent_dim=2, hidden=8, rng=np.random.default_rng(1))
    terms = train(a, _data(), 10, rng=3, batch_size=4, progress=False)
    losses = nn.fit(b, _data(), 10, 4, 3e-3, rng=3, progress=False)
    np.testing.assert_allclose(terms.sum(axis=1), losses / np.log(2), rtol=1e-12)


def test_warmup_weights_the_kl_linearly():
    model = VAE(latent_dim=2, hidden=8, rng=0)
    x = _data(4)
    # The KL weight of step t (from 1) is min(1, t / warmup): a zero-β step and a full step differ.
    from cvlab.vae.training import _Weighted

    weighted = _Weighted(model, beta=2.0, warmup=4)
    losses = [weighted.loss_and_gradients(x, rng=np.random.default_rng(0)) for _ in range(5)]
    for t, (loss, (reconstruction, kl)) in enumerate(zip(losses, weighted.terms), start=1):
        assert loss == pytest.approx(reconstruction + 2.0 * min(1.0, t / 4) * kl, rel=1e-12)


def test_autoencoder_trains_without_a_kl():
    model = Autoencoder(latent_dim=2, hidden=8, rng=0)
    history = train(model, _data(), 40, rng=0, batch_size=8, lr=1e-2, progress=False)
    assert (history[:, 1] == 0).all()
    assert history[-5:, 0].mean() < history[:5, 0].mean()


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="model must be a cvlab.vae.VAE or Autoencoder"):
        train(object(), _data(), 2, rng=0)
    with pytest.raises(ValueError, match="steps must be <= 20000"):
        train(VAE(latent_dim=2, hidden=4), _data(), 10 ** 6, rng=0)
    with pytest.raises(ValueError, match="beta must be >= 0"):
        train(VAE(latent_dim=2, hidden=4), _data(), 2, rng=0, beta=-1.0)
    with pytest.raises(ValueError, match="beta must be <= 1000"):
        train(VAE(latent_dim=2, hidden=4), _data(), 2, rng=0, beta=1e300)
    with pytest.raises(ValueError, match="lr must be <= 1"):
        train(VAE(latent_dim=2, hidden=4), _data(), 2, rng=0, lr=1e300)
    with pytest.raises(ValueError, match="weight_decay must be <= 1 / lr = 100"):
        train(VAE(latent_dim=2, hidden=4), _data(), 2, rng=0, lr=0.01, weight_decay=101.0)
    with pytest.raises(ValueError, match="beta must be one of"):
        load_pretrained("vae", beta=2.0)
    with pytest.raises(ValueError, match="name must be one of"):
        load_pretrained("gan")


@pytest.mark.parametrize("filename", sorted(CHECKSUMS))
def test_every_shipped_file_loads_with_its_checksum(filename):
    model = nn.load_model(WEIGHTS_DIR / filename, _KINDS, CHECKSUMS[filename])
    assert model.kind in _KINDS


def test_every_listed_model_is_shipped():
    expected = {"vae.npz", "vae2d.npz", "ae.npz"} | {f"vae2d_beta{b:g}.npz" for b in BETAS if b != 1.0}
    assert set(CHECKSUMS) == expected
    assert {path.name for path in WEIGHTS_DIR.glob("*.npz")} == expected


def test_a_corrupt_file_is_refused_by_name(tmp_path):
    broken = tmp_path / "vae.npz"
    shutil.copy(WEIGHTS_DIR / "vae.npz", broken)
    broken.write_bytes(broken.read_bytes()[:-50])
    with pytest.raises(ValueError, match=r"vae\.npz.*sha256"):
        nn.load_model(broken, _KINDS, CHECKSUMS["vae.npz"])
