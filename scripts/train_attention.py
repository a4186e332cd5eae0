"""Reproduce the shipped classifiers (cvlab/attention/weights/*.npz) from a seed.

Usage:  .venv/bin/python scripts/train_attention.py [vit cnn vit_10 ...] [--dry-run] [--steps N]

Each recipe trains on the digits' fixed training split (all 1500 images, or
the first 10 % or 30 % of them) with Adam, cosine learning-rate decay,
decoupled weight decay and random shifts of ±1 pixel, then reports test
accuracy on the 297 test digits and the time it took, writes the .npz and
updates cvlab/attention/checksums.py. The 10 % and 30 % recipes take the
same number of steps as the full one: only the data differ.
"""

import os

# One BLAS thread: the matrix products are small, and on the shared 2-core machine a
# multi-threaded BLAS is several times slower. The BLAS kernel and NumPy's SIMD paths are
# pinned as in scripts/train_pixelcnn.py, so that float32 rounding (which thousands of Adam
# steps amplify) is the same on every x86-64 CPU. Must be set before NumPy is imported.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")
os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4 AVX512_ICL AVX512_SPR")

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

from cvlab import nn
from cvlab.attention import SmallCNN, VisionTransformer, accuracy, train
from cvlab.attention.training import WEIGHTS_DIR
from cvlab.data import digits

VIT = dict(model=VisionTransformer, config=dict(patch=2, dim=32, depth=3, heads=4, mlp_dim=64),
           steps=6000, batch_size=64, lr=3e-3, weight_decay=0.05, max_shift=1, seed=0)
CNN = dict(model=SmallCNN, config=dict(channels=24), steps=3000, batch_size=64, lr=3e-3, weight_decay=0.05,
           max_shift=1, seed=0)
RECIPES = {
    "vit": dict(VIT, fraction=1.0),
    "cnn": dict(CNN, fraction=1.0),
    "vit_10": dict(VIT, fraction=0.1),
    "cnn_10": dict(CNN, fraction=0.1),
    "vit_30": dict(VIT, fraction=0.3),
    "cnn_30": dict(CNN, fraction=0.3),
    "vit_no_positions": dict(VIT, config=dict(VIT["config"], positions="none"), fraction=1.0),
}
CHECKSUM_FILE = Path(__file__).resolve().parents[1] / "cvlab" / "attention" / "checksums.py"


def fit(name, steps=None, progress=True):
    recipe = RECIPES[name]
    rng = np.random.default_rng(recipe["seed"])
    model = recipe["model"](rng=rng, dtype=np.float32, **recipe["config"])
    (images, labels), (test, test_labels) = digits(labels=True)
    count = round(recipe["fraction"] * len(images))
    start = time.perf_counter()
    history = train(model, images[:count], labels[:count], steps or recipe["steps"], recipe["batch_size"],
                    recipe["lr"], rng, progress=progress, weight_decay=recipe["weight_decay"],
                    max_shift=recipe["max_shift"])
    seconds = time.perf_counter() - start
    test_accuracy = accuracy(model, test, test_labels)
    print(f"{name}: {count} training images, {len(history)} steps in {seconds:.1f} s "
          f"({len(history) / seconds:.1f} steps/s), train {accuracy(model, images, labels):.3f} / "
          f"test {test_accuracy:.3f} accuracy, {model.n_parameters()} parameters", flush=True)
    return model, test_accuracy


def write_checksums():
    """Record the sha256 of every weight file on disk (so runs for different names may go in parallel)."""
    checksums = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(WEIGHTS_DIR.glob("*.npz"))}
    CHECKSUM_FILE.write_text(
        '"""sha256 of the shipped weight files, written by scripts/train_attention.py."""\n\n'
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
    start = time.perf_counter()
    for name in args.names or list(RECIPES):
        model, _ = fit(name, args.steps, progress=sys.stderr.isatty())
        if not args.dry_run:
            path = WEIGHTS_DIR / f"{name}.npz"
            WEIGHTS_DIR.mkdir(exist_ok=True)
            nn.save_model(model, path)
            write_checksums()  # after each file, so the package stays loadable
            print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)")
    print(f"total time: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
