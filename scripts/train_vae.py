"""Reproduce the shipped VAE and autoencoder weights (cvlab/vae/weights/*.npz) from a seed.

Usage:  .venv/bin/python scripts/train_vae.py [vae vae2d ae vae2d_beta8 ...] [--dry-run] [--steps N]

Trains each model on the 1500 training digits with Adam (cosine learning-rate
decay, decoupled weight decay), reports the test negative ELBO (VAEs) or the
reconstruction NLL (autoencoder) on the 297 test digits in bits/dim and the
time it took, writes the .npz and updates cvlab/vae/checksums.py.
"""

import _weights  # first: it pins BLAS threads and CPU kernels, which must happen before NumPy is imported

# isort: split
import numpy as np

from cvlab.data import digits
from cvlab.vae import BETAS, VAE, Autoencoder, elbo
from cvlab.vae import train as train_vae
from cvlab.vae.training import WEIGHTS_DIR

_VAE = dict(model=VAE, config=dict(latent_dim=32, hidden=256, dropout=0.2), steps=6000, batch_size=64, lr=2e-3,
            weight_decay=1.0, beta=1.0, warmup=500, seed=0)
_VAE2D = dict(model=VAE, config=dict(latent_dim=2, hidden=64), steps=3000, batch_size=64, lr=3e-3,
              weight_decay=0.5, beta=1.0, warmup=0, seed=0)
RECIPES = {
    "vae": _VAE,
    "vae2d": _VAE2D,
    "ae": dict(_VAE, model=Autoencoder, beta=0.0, warmup=0),
    **{f"vae2d_beta{beta:g}": dict(_VAE2D, beta=beta) for beta in BETAS if beta != 1.0},
}


def train(model, recipe, steps, rng, progress):
    return train_vae(model, digits()[0], steps, rng, recipe["batch_size"], recipe["lr"], recipe["weight_decay"],
                     recipe["beta"], recipe["warmup"], progress=progress)


def evaluate(model, recipe):
    splits = dict(zip(("train", "test"), digits()))
    if isinstance(model, VAE):
        bits = {split: elbo(model, images, np.random.default_rng(1), samples=8).mean()
                for split, images in splits.items()}
        what = "negative ELBO"
    else:
        bits = {split: -model.log_likelihood(images, model.encode(images)).mean() / (64 * np.log(2))
                for split, images in splits.items()}
        what = "reconstruction NLL"
    return f"{what} train {bits['train']:.3f} / test {bits['test']:.3f} bits/dim"


if __name__ == "__main__":
    _weights.main(__file__, __doc__, RECIPES, train, evaluate, WEIGHTS_DIR)
