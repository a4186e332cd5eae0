"""Training with Adam and random shifts, accuracy, and the pretrained classifiers shipped with the package."""

from pathlib import Path

import numpy as np

from .. import nn
from .._checks import as_array, as_choice, as_int, as_real, as_rng
from .checksums import CHECKSUMS
from .models import SmallCNN, VisionTransformer, _Classifier

__all__ = ["train", "random_shift", "accuracy", "load_pretrained", "PRETRAINED", "WEIGHTS_DIR", "MAX_SHIFT", "MAX_LR"]

WEIGHTS_DIR = Path(__file__).parent / "weights"
#: The shipped models: ViT and CNN on 100 % of the training digits, on the first 10 % and on the first 30 %,
#: and the ViT without positions.
PRETRAINED = ("vit", "cnn", "vit_10", "cnn_10", "vit_30", "cnn_30", "vit_no_positions")
_MODELS = {"vit": VisionTransformer, "cnn": SmallCNN}
#: Ceiling on the shift augmentation, in pixels.
MAX_SHIFT = 4
#: Ceiling on the peak learning rate.
MAX_LR = 1.0


def train(model, images, labels, steps, batch_size=64, lr=3e-3, rng=None, progress=True, weight_decay=0.0,
          max_shift=1):
    """Fit a classifier by Adam on random minibatches, each image shifted at random; return the loss per step.

    Minimises the mean cross-entropy L = −(1/B) Σ_b log p(y_b | x_b) with
    :func:`cvlab.nn.fit` (cosine learning-rate decay, decoupled weight decay).
    Every minibatch image is moved by (Δr, Δc) drawn uniformly from
    {−s, …, s}² (:func:`random_shift`), a cheap way to show the model more
    digits than the 1500 it has. Given the same ``rng`` seed, the run is
    reproducible.

    Parameters
    ----------
    model : VisionTransformer or SmallCNN
    images : array_like, shape (N, H, W)
        Grey levels in [0, model.max_level].
    labels : array_like of int, shape (N,)
    steps : int
        ≥ 1.
    batch_size : int
    lr : float
        Peak learning rate, 0 < lr ≤ ``MAX_LR`` = 1 (Adam moves each parameter by up to about lr
        per step; larger rates only make training diverge).
    rng : numpy.random.Generator or int
    progress : bool
        Show a progress bar with the running loss.
    weight_decay : float
        λ, 0 ≤ λ ≤ 1 / lr (AdamW: each step multiplies the weights by 1 − α_t λ ∈ [0, 1]).
    max_shift : int
        s, from 0 (no augmentation) to ``MAX_SHIFT``.

    Returns
    -------
    ndarray of float64, shape (steps,)
        The cross-entropy (nats) of each minibatch, before its update.

    References
    ----------
    .. [1] D. P. Kingma and J. Ba, "Adam: A method for stochastic optimization," ICLR, 2015.

    Taught in: 06_attention, "Vision Transformer".

    Examples
    --------
    >>> from cvlab.data import digits
    >>> (images, labels), _ = digits(labels=True)
    >>> model = VisionTransformer(dim=16, depth=1, heads=2, mlp_dim=16, rng=0)
    >>> history = train(model, images, labels, steps=30, rng=0, progress=False)
    >>> history.shape, bool(history[-5:].mean() < history[:5].mean())
    ((30,), True)
    """
    if not isinstance(model, _Classifier):
        raise TypeError(f"model must be a VisionTransformer or SmallCNN; got {type(model).__name__}")
    max_shift = as_int(max_shift, "max_shift", minimum=0, maximum=MAX_SHIFT)
    lr = as_real(lr, "lr", minimum=0, maximum=MAX_LR, strict=True)
    weight_decay = as_real(weight_decay, "weight_decay", minimum=0, maximum=1 / lr)
    augment = None
    if max_shift:
        def augment(batch, generator):
            return _random_shift(batch[0], max_shift, generator), batch[1]
    return nn.fit(model, (images, labels), steps, batch_size, lr, rng, progress, weight_decay, augment)


def random_shift(images, max_shift, rng):
    """Move each image by its own random (Δr, Δc) ∈ {−s, …, s}², filling the uncovered border with 0.

    g(r, c) = f(r − Δr, c − Δc) where that pixel exists, else 0.

    Parameters
    ----------
    images : array_like, shape (N, H, W)
    max_shift : int
        s, 0 ≤ s ≤ ``MAX_SHIFT``.
    rng : numpy.random.Generator or int

    Returns
    -------
    ndarray, shape (N, H, W), the dtype of ``images``

    Taught in: 06_attention, "Vision Transformer".

    Examples
    --------
    >>> image = np.arange(1, 10).reshape(1, 3, 3)
    >>> random_shift(image, 1, rng=4)[0]     # this draw moves it one row down and one column right
    array([[0, 0, 0],
           [0, 1, 2],
           [0, 4, 5]])
    """
    images = as_array(images, "images", ndim=3)
    max_shift = as_int(max_shift, "max_shift", minimum=0, maximum=MAX_SHIFT)
    return _random_shift(images, max_shift, as_rng(rng))


def _random_shift(images, s, rng):
    n, h, w = images.shape
    padded = np.zeros((n, h + 2 * s, w + 2 * s), dtype=images.dtype)
    padded[:, s:s + h, s:s + w] = images
    dr, dc = rng.integers(-s, s + 1, size=(2, n))
    rows = (s - dr)[:, None] + np.arange(h)[None, :]   # g(r, c) = f(r − Δr, c − Δc)
    cols = (s - dc)[:, None] + np.arange(w)[None, :]
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def accuracy(model, images, labels):
    """Fraction of images whose predicted class is the label: (1/N) Σ_n [argmax_c z_nc = y_n].

    Parameters
    ----------
    model : VisionTransformer or SmallCNN
    images : array_like, shape (N, H, W)
    labels : array_like of int, shape (N,)

    Returns
    -------
    float in [0, 1]

    Taught in: 06_attention, "Vision Transformer".

    Examples
    --------
    >>> from cvlab.data import digits
    >>> _, (test, test_labels) = digits(labels=True)
    >>> round(accuracy(load_pretrained("cnn"), test, test_labels), 3)
    0.973
    """
    if not isinstance(model, _Classifier):
        raise TypeError(f"model must be a VisionTransformer or SmallCNN; got {type(model).__name__}")
    images, labels = model._training_arrays((images, labels))
    return float((model._logits(images).argmax(axis=1) == labels).mean())


def load_pretrained(name, dtype=np.float32):
    """A shipped classifier trained on the digits' fixed training split; see ``scripts/train_attention.py``.

    'vit' (test accuracy 0.960) and 'cnn' (0.973) saw all 1500 training
    digits, 'vit_10' (0.731) and 'cnn_10' (0.852) the first 10 % of them,
    'vit_30' (0.879) and 'cnn_30' (0.929) the first 30 %, with the same recipes; 'vit_no_positions'
    (0.515) is the 'vit' recipe without positional encodings.
    The file ``weights/<name>.npz`` is verified against its stored sha256
    and loaded with ``allow_pickle=False``.

    Parameters
    ----------
    name : str
        One of ``PRETRAINED``.
    dtype : numpy dtype

    Taught in: 06_attention, "Inductive Bias".

    Examples
    --------
    >>> model = load_pretrained("vit")
    >>> type(model).__name__, model.depth
    ('VisionTransformer', 3)
    """
    name = as_choice(name, "name", PRETRAINED)
    return nn.load_model(WEIGHTS_DIR / f"{name}.npz", _MODELS, CHECKSUMS[f"{name}.npz"], dtype=dtype)

