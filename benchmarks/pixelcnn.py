"""PixelCNN chapter targets: live training time and quality, sampling time, shipped models' test bits/dim.

Targets (issue 6): the notebook's live model trains in ≤ 60 s and reaches
≤ 1.95 test bits/dim; 64 digits of 8×8 are sampled in ≤ 1 s; the shipped
gated model reaches ≤ 1.80 test bits/dim. Exits non-zero if one is missed.
Times are CPU seconds (``cvlab.timing.cpu_seconds``), so other programs on a
shared machine change them little.
"""

import _one_thread  # noqa: F401  (first: one BLAS thread must be set before NumPy is imported)

# isort: split
import sys
from functools import partial

import numpy as np

from cvlab.data import digits
from cvlab.pixelcnn import PixelCNN, bits_per_dim, load_pretrained, train
from cvlab.timing import cpu_seconds

# The live model of notebooks/07_pixelcnn.ipynb (keep in sync with its training cell).
LIVE = dict(channels=24, n_layers=5, steps=500, batch_size=48, lr=6e-3, weight_decay=0.5, seed=0)
TARGETS = {"live seconds": 60.0, "live bits/dim": 1.95, "sampling seconds": 1.0, "gated bits/dim": 1.80}


def main():
    train_set, test_set = digits()
    results = {}
    rng = np.random.default_rng(LIVE["seed"])
    model = PixelCNN(channels=LIVE["channels"], n_layers=LIVE["n_layers"], rng=rng, dtype=np.float32)
    results["live seconds"] = cpu_seconds(partial(train, model, train_set, LIVE["steps"], LIVE["batch_size"],
                                                  LIVE["lr"], rng, progress=False,
                                                  weight_decay=LIVE["weight_decay"]), repeat=1)
    results["live bits/dim"] = bits_per_dim(model.nll(test_set), 64).mean()
    print(f"live model: {LIVE['steps'] / results['live seconds']:.1f} training steps/s "
          f"(batch {LIVE['batch_size']}), {results['live seconds']:.1f} CPU s, "
          f"test {results['live bits/dim']:.3f} bits/dim")
    for name in ("plain", "gated"):
        pretrained = load_pretrained(name)
        results[f"{name} bits/dim"] = bits_per_dim(pretrained.nll(test_set), 64).mean()
        seconds = cpu_seconds(partial(pretrained.sample, 64, np.random.default_rng(0)), repeat=3)
        results[f"{name} sampling seconds"] = seconds
        print(f"{name}: test {results[f'{name} bits/dim']:.3f} bits/dim, 64 samples of 8x8 in {seconds:.2f} CPU s")
    results["sampling seconds"] = max(results["plain sampling seconds"], results["gated sampling seconds"])
    missed = []
    for key, target in TARGETS.items():
        ok = results[key] <= target
        print(f"{key:18s} {results[key]:7.3f}  target <= {target:g}  {'ok' if ok else 'MISSED'}")
        if not ok:
            missed.append(key)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
