"""Reproduce the shipped classifiers (cvlab/attention/weights/*.npz) from a seed.

Usage:  .venv/bin/python scripts/train_attention.py [vit cnn vit_10 ...] [--dry-run] [--steps N]

Each recipe trains on the digits' fixed training split (all 1500 images, or
the first 10 % or 30 % of them) with Adam, cosine learning-rate decay,
decoupled weight decay and random shifts of ±1 pixel, then reports test
accuracy on the 297 test digits and the time it took, writes the .npz and
updates cvlab/attention/checksums.py. The 10 % and 30 % recipes take the
same number of steps as the full one: only the data differ.
"""

import _weights  # first: it pins BLAS threads and CPU kernels, which must happen before NumPy is imported

# isort: split
from cvlab.attention import SmallCNN, VisionTransformer, accuracy
from cvlab.attention import train as train_classifier
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


def _training_images(recipe):
    """The first ``fraction`` of the fixed training split, and its labels."""
    images, labels = digits(labels=True)[0]
    count = round(recipe["fraction"] * len(images))
    return images[:count], labels[:count]


def train(model, recipe, steps, rng, progress):
    images, labels = _training_images(recipe)
    return train_classifier(model, images, labels, steps, recipe["batch_size"], recipe["lr"], rng, progress=progress,
                            weight_decay=recipe["weight_decay"], max_shift=recipe["max_shift"])


def evaluate(model, recipe):
    (images, labels), (test, test_labels) = digits(labels=True)
    return (f"{len(_training_images(recipe)[0])} training images, train {accuracy(model, images, labels):.3f} / "
            f"test {accuracy(model, test, test_labels):.3f} accuracy")


if __name__ == "__main__":
    _weights.main(__file__, __doc__, RECIPES, train, evaluate, WEIGHTS_DIR)
