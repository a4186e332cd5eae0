"""Reproduce the shipped PixelCNN weights (cvlab/pixelcnn/weights/*.npz) from a seed.

Usage:  .venv/bin/python scripts/train_pixelcnn.py [NAME ...] [--dry-run] [--steps N]

Trains each model on the 1500 training digits with Adam (cosine learning-rate
decay), reports train and test bits/dim on the 297 test digits and the time it
took, writes the .npz and updates cvlab/pixelcnn/checksums.py. The names are
'plain' and 'gated' (chapter 7's shipped models), 'plain_no_decay' (section
"Training and Baselines") and the depth ablation 'depth<L>_residual' /
'depth<L>_no_residual' of section "Residual Connections".
"""

import _weights  # first: it pins BLAS threads and CPU kernels, which must happen before NumPy is imported

# isort: split
from cvlab.data import digits
from cvlab.pixelcnn import GatedPixelCNN, PixelCNN, bits_per_dim
from cvlab.pixelcnn import train as train_pixelcnn
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


def train(model, recipe, steps, rng, progress):
    return train_pixelcnn(model, digits()[0], steps, recipe["batch_size"], recipe["lr"], rng, progress=progress,
                          weight_decay=recipe["weight_decay"])


def evaluate(model, recipe):
    train_set, test_set = digits()
    return (f"train {float(bits_per_dim(model.nll(train_set), 64).mean()):.3f} / "
            f"test {float(bits_per_dim(model.nll(test_set), 64).mean()):.3f} bits/dim")


if __name__ == "__main__":
    _weights.main(__file__, __doc__, RECIPES, train, evaluate, WEIGHTS_DIR)
