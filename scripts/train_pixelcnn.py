"""Reproduce the shipped PixelCNN weights (cvlab/pixelcnn/weights/*.npz) from a seed.

Usage:  .venv/bin/python scripts/train_pixelcnn.py [NAME ...] [--dry-run]

Trains each model on the 1500 training digits with Adam (cosine learning-rate
decay), reports train and test bits/dim on the 297 test digits and the time it
took, writes the .npz and updates cvlab/pixelcnn/checksums.py. The names are
'plain' and 'gated' (chapter 7's shipped models), 'plain_no_decay' (section
"Training and Baselines") and the depth ablation 'depth<L>_residual' /
'depth<L>_no_residual' of section "Residual Connections".
"""

import os

# One BLAS thread: the matrix products are small, and on the shared 2-core machine a
# multi-threaded BLAS is several times slower (measured: gated model 73 s vs 324 s).
# The BLAS kernel and NumPy's SIMD code paths are pinned as well: float32 rounding differs between
# CPU kernels, and 1500 Adam steps amplify it, so without the pins the weights are only reproducible
# bit for bit on the same kind of CPU. Haswell (AVX2) kernels run on every x86-64 CPU since 2013.
# All of this must be set before NumPy is imported.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")
os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4 AVX512_ICL AVX512_SPR")

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from cvlab.data import digits
from cvlab.pixelcnn import GatedPixelCNN, PixelCNN, bits_per_dim, save_model, train
from cvlab.pixelcnn.training import ABLATION, WEIGHTS_DIR

RECIPES = {
    "plain": dict(model=PixelCNN, config=dict(channels=32, n_layers=5, kernel_size=3),
                  steps=1500, batch_size=64, lr=5e-3, weight_decay=0.5, seed=0),
    "gated": dict(model=GatedPixelCNN, config=dict(channels=16, n_layers=5, kernel_size=3),
                  steps=3000, batch_size=64, lr=6e-3, weight_decay=0.5, seed=0),
    # 'plain' without its regularization, to show what weight decay prevents.
    "plain_no_decay": dict(model=PixelCNN, config=dict(channels=32, n_layers=5, kernel_size=3),
                           steps=1500, batch_size=64, lr=5e-3, weight_decay=0.0, seed=0),
    # The depth ablation: the same plain PixelCNN with and without shortcuts, small enough to train in minutes.
    **{name: dict(model=PixelCNN, config=dict(channels=16, n_layers=depth, kernel_size=3, residual=residual),
                  steps=600, batch_size=64, lr=5e-3, weight_decay=0.5, seed=0)
       for name, (depth, residual) in ABLATION.items()},
}
CHECKSUM_FILE = Path(__file__).resolve().parents[1] / "cvlab" / "pixelcnn" / "checksums.py"


def fit(name, steps=None, progress=True):
    recipe = RECIPES[name]
    rng = np.random.default_rng(recipe["seed"])
    model = recipe["model"](rng=rng, dtype=np.float32, **recipe["config"])
    train_set, test_set = digits()
    start = time.perf_counter()
    history = train(model, train_set, steps or recipe["steps"], recipe["batch_size"], recipe["lr"], rng,
                    progress=progress, weight_decay=recipe["weight_decay"])
    seconds = time.perf_counter() - start
    bpd = float(bits_per_dim(model.nll(test_set), 64).mean())
    train_bpd = float(bits_per_dim(model.nll(train_set), 64).mean())
    print(f"{name}: {len(history)} steps in {seconds:.1f} s ({len(history) / seconds:.1f} steps/s), "
          f"train {train_bpd:.3f} / test {bpd:.3f} bits/dim, {model.n_parameters()} parameters", flush=True)
    return model, bpd


def write_checksums(checksums):
    CHECKSUM_FILE.write_text(
        '"""sha256 of the shipped weight files, written by scripts/train_pixelcnn.py."""\n\n'
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
    from cvlab.pixelcnn.checksums import CHECKSUMS

    checksums = dict(CHECKSUMS)
    start = time.perf_counter()
    for name in args.names or list(RECIPES):
        model, _ = fit(name, args.steps, progress=sys.stderr.isatty())
        if not args.dry_run:
            path = WEIGHTS_DIR / f"{name}.npz"
            WEIGHTS_DIR.mkdir(exist_ok=True)
            checksums[f"{name}.npz"] = save_model(model, path)
            write_checksums(checksums)  # after each file, so the package stays loadable
            print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)")
    print(f"total time: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
