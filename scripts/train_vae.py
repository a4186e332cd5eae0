"""Reproduce the shipped VAE and autoencoder weights (cvlab/vae/weights/*.npz) from a seed.

Usage:  .venv/bin/python scripts/train_vae.py [vae vae2d ae vae2d_beta8 ...] [--dry-run] [--steps N]

Trains each model on the 1500 training digits with Adam (cosine learning-rate
decay, decoupled weight decay), reports the test negative ELBO (VAEs) or the
reconstruction NLL (autoencoder) on the 297 test digits in bits/dim and the
time it took, writes the .npz and updates cvlab/vae/checksums.py.
"""

import os

# One BLAS thread: the matrix products are small, and on the shared 2-core machine a
# multi-threaded BLAS is slower. Must be set before NumPy is imported; results are identical.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from cvlab.data import digits
from cvlab.nn import save_model
from cvlab.vae import BETAS, VAE, Autoencoder, elbo, train
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
CHECKSUM_FILE = Path(__file__).resolve().parents[1] / "cvlab" / "vae" / "checksums.py"


def fit(name, steps=None, progress=True):
    recipe = RECIPES[name]
    rng = np.random.default_rng(recipe["seed"])
    model = recipe["model"](rng=rng, dtype=np.float32, **recipe["config"])
    train_set, test_set = digits()
    start = time.perf_counter()
    history = train(model, train_set, steps or recipe["steps"], rng, recipe["batch_size"], recipe["lr"],
                    recipe["weight_decay"], recipe["beta"], recipe["warmup"], progress=progress)
    seconds = time.perf_counter() - start
    if isinstance(model, VAE):
        bits = {split: elbo(model, images, np.random.default_rng(1), samples=8).mean()
                for split, images in (("train", train_set), ("test", test_set))}
        what = "negative ELBO"
    else:
        bits = {split: -model.log_likelihood(images, model.encode(images)).mean() / (64 * np.log(2))
                for split, images in (("train", train_set), ("test", test_set))}
        what = "reconstruction NLL"
    print(f"{name}: {len(history)} steps in {seconds:.1f} s ({len(history) / seconds:.1f} steps/s), {what} "
          f"train {bits['train']:.3f} / test {bits['test']:.3f} bits/dim, {model.n_parameters()} parameters",
          flush=True)
    return model


def write_checksums(checksums):
    CHECKSUM_FILE.write_text(
        '"""sha256 of the shipped weight files, written by scripts/train_vae.py."""\n\n'
        f"CHECKSUMS = {json.dumps(checksums, indent=4, sort_keys=True)}\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[*RECIPES, []], help="models to train (default: all)")
    parser.add_argument("--dry-run", action="store_true", help="train and report, but do not write weights")
    parser.add_argument("--steps", type=int, default=None, help="override the recipe's number of steps")
    args = parser.parse_args()
    if args.steps is not None and not args.dry_run:
        parser.error("--steps changes the recipe, so it needs --dry-run: the shipped weights follow the recipe")
    from cvlab.vae.checksums import CHECKSUMS

    checksums = dict(CHECKSUMS)
    start = time.perf_counter()
    for name in args.names or list(RECIPES):
        model = fit(name, args.steps, progress=sys.stderr.isatty())
        if not args.dry_run:
            path = WEIGHTS_DIR / f"{name}.npz"
            WEIGHTS_DIR.mkdir(exist_ok=True)
            checksums[f"{name}.npz"] = save_model(model, path)
            write_checksums(checksums)  # after each file, so the package stays loadable
            print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)")
    print(f"total time: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
