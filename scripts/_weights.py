"""What the weight-training scripts (scripts/train_<model>.py) share: pinned arithmetic, the command line, checksums.

Import it before NumPy: importing it pins BLAS to one thread and pins the CPU kernels, which
only takes effect if NumPy is not loaded yet. Each script keeps its recipes and two functions,
``train(model, recipe, steps, rng, progress)`` (returns the per-step history) and
``evaluate(model, recipe)`` (returns the scores to print), and calls ``main``.
"""

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

# One BLAS thread: the matrix products are small, and on the shared 2-core machine a
# multi-threaded BLAS is several times slower (measured: gated PixelCNN 73 s vs 324 s).
# The BLAS kernel and NumPy's SIMD code paths are pinned as well: float32 rounding differs between
# CPU kernels, and thousands of Adam steps amplify it, so without the pins the weights are only
# reproducible bit for bit on the same kind of CPU. Haswell (AVX2) kernels run on every x86-64 CPU since 2013.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")
os.environ.setdefault("NPY_DISABLE_CPU_FEATURES", "X86_V4 AVX512_ICL AVX512_SPR")


def write_checksums(weights_dir, script):
    """Record the sha256 of every weight file on disk in the package's checksums.py (next to ``weights_dir``).

    Reading the files rather than remembering what this run wrote lets runs for different names go in parallel.
    """
    checksums = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(weights_dir.glob("*.npz"))}
    (weights_dir.parent / "checksums.py").write_text(
        f'"""sha256 of the shipped weight files, written by scripts/{Path(script).name}."""\n\n'
        f"CHECKSUMS = {json.dumps(checksums, indent=4, sort_keys=True)}\n"
    )


def fit(name, recipe, train, evaluate, steps=None, progress=True):
    """The recipe's float32 model, seeded by ``recipe["seed"]``, trained by ``train``; prints time and scores."""
    import numpy as np  # here, not at the top: the pins above must come first

    rng = np.random.default_rng(recipe["seed"])
    model = recipe["model"](rng=rng, dtype=np.float32, **recipe["config"])
    start = time.perf_counter()
    history = train(model, recipe, steps or recipe["steps"], rng, progress)
    seconds = time.perf_counter() - start
    print(f"{name}: {len(history)} steps in {seconds:.1f} s ({len(history) / seconds:.1f} steps/s), "
          f"{evaluate(model, recipe)}, {model.n_parameters()} parameters", flush=True)
    return model


def main(script, description, recipes, train, evaluate, weights_dir):
    """Train the named recipes (default: all), write each .npz and the checksums; ``--dry-run`` only reports."""
    from cvlab.nn import save_model

    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[*recipes, []], help="models to train (default: all)")
    parser.add_argument("--dry-run", action="store_true", help="train and report, but do not write weights")
    parser.add_argument("--steps", type=int, default=None, help="override the recipe's number of steps")
    args = parser.parse_args()
    if args.steps is not None and not args.dry_run:
        parser.error("--steps changes the recipe, so it needs --dry-run: the shipped weights follow the recipe")
    start = time.perf_counter()
    for name in args.names or list(recipes):
        model = fit(name, recipes[name], train, evaluate, args.steps, progress=sys.stderr.isatty())
        if not args.dry_run:
            path = weights_dir / f"{name}.npz"
            weights_dir.mkdir(exist_ok=True)
            save_model(model, path)
            write_checksums(weights_dir, script)  # after each file, so the package stays loadable
            print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)")
    print(f"total time: {time.perf_counter() - start:.1f} s")
