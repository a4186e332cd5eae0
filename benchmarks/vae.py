"""VAE chapter targets: live training time and bound, the shipped VAE's bounds, sampling next to the PixelCNN.

Targets (issue 16): the notebook's live VAE trains in ≤ 60 s of CPU time and reaches a negative
ELBO ≤ 2.25 bits/dim on the test split; the shipped VAE reaches ≤ 2.10, and its IWAE
bounds for k = 1, 8, 64, 256 decrease with k; 64 digits are sampled in ≤ 0.05 s, timed
side by side with the Gated PixelCNN (benchmarks/_paired.py). Exits non-zero if one is missed.
"""

import _one_thread  # noqa: F401  (first: one BLAS thread must be set before NumPy is imported)

# isort: split
import sys

import numpy as np
from _paired import paired_ratio

from cvlab import pixelcnn, vae
from cvlab.data import digits
from cvlab.timing import cpu_seconds

# The live model of notebooks/08_vae.ipynb (keep in sync with its training cell).
LIVE = dict(latent_dim=16, hidden=128, steps=800, batch_size=64, lr=3e-3, weight_decay=0.5, seed=0)
TARGETS = {"live seconds": 60.0, "live bits/dim": 2.25, "shipped bits/dim": 2.10, "sampling seconds": 0.05}


def main():
    train_set, test_set = digits()
    results = {}
    rng = np.random.default_rng(LIVE["seed"])
    live = vae.VAE(latent_dim=LIVE["latent_dim"], hidden=LIVE["hidden"], rng=rng, dtype=np.float32)
    results["live seconds"] = cpu_seconds(lambda: vae.train(live, train_set, LIVE["steps"], rng, LIVE["batch_size"],
                                                            LIVE["lr"], LIVE["weight_decay"], progress=False),
                                          repeat=1)
    results["live bits/dim"] = vae.elbo(live, test_set, rng=0, samples=8).mean()
    print(f"live VAE: {LIVE['steps']} steps in {results['live seconds']:.1f} s of CPU time, "
          f"negative ELBO {results['live bits/dim']:.3f} bits/dim")
    shipped = vae.load_pretrained("vae")
    results["shipped bits/dim"] = vae.elbo(shipped, test_set, rng=0, samples=8).mean()
    iwae = [vae.iwae_bound(shipped, test_set, k, rng=k).mean() for k in (1, 8, 64, 256)]
    print(f"shipped VAE: negative ELBO {results['shipped bits/dim']:.3f}; IWAE k = 1, 8, 64, 256: "
          + ", ".join(f"{value:.3f}" for value in iwae))
    gated = pixelcnn.load_pretrained("gated")
    ratio, pixelcnn_ms, vae_ms = paired_ratio(lambda: gated.sample(64, np.random.default_rng(0)),
                                              lambda: shipped.sample(64, np.random.default_rng(0)), rounds=5)
    results["sampling seconds"] = vae_ms / 1000
    print(f"64 digits: VAE {vae_ms:.2f} ms, Gated PixelCNN {pixelcnn_ms:.0f} ms side by side "
          f"(VAE / PixelCNN = {ratio:.4f})")
    missed = []
    for key, target in TARGETS.items():
        ok = results[key] <= target
        print(f"{key:18s} {results[key]:7.3f}  target <= {target:g}  {'ok' if ok else 'MISSED'}")
        if not ok:
            missed.append(key)
    if not all(a > b for a, b in zip(iwae, iwae[1:])):
        print("IWAE bounds do not decrease with k: MISSED")
        missed.append("iwae")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
