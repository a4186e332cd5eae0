"""Generative against discriminative: per-class pixel marginals with Bayes' rule, and softmax regression.

The generative model learns p(x | y) and p(y) and classifies with Bayes' rule,
p(y | x) ∝ p(x | y) p(y); it can also score p(x) = Σ_y p(x | y) p(y) and draw
new images. The discriminative model learns p(y | x) directly and can do neither.
"""

import numpy as np
from scipy.special import log_softmax, logsumexp, softmax

from .._checks import as_array, as_int, as_real, as_rng
from ..nn import Linear, Model
from .models import MAX_DRAWS, _draw_levels

__all__ = ["PixelMarginals", "SoftmaxRegression"]


def _levels_input(x, levels, name="x"):
    x = as_array(x, name, ndim=3)
    if not np.issubdtype(x.dtype, np.integer):
        raise TypeError(f"{name} must hold integer grey levels (N, H, W); got {x.dtype}")
    if x.min() < 0 or x.max() >= levels:
        raise ValueError(f"{name} must lie in [0, {levels - 1}]; got [{x.min()}, {x.max()}]")
    return x


def _labels_input(y, n, classes=None, name="labels"):
    y = as_array(y, name, ndim=1)
    if not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"{name} must hold integer class labels; got {y.dtype}")
    if len(y) != n:
        raise ValueError(f"{name} must have one label per image ({n}); got {len(y)}")
    if y.min() < 0 or (classes is not None and y.max() >= classes):
        top = "" if classes is None else f", {classes - 1}"
        raise ValueError(f"{name} must lie in [0{top}]; got [{y.min()}, {y.max()}]")
    return y


class PixelMarginals:
    """Independent pixels given the class: p(x | y) = Π_i p(x_i | y), and p(y), counted with smoothing.

    p(x_i = v | y) = (n_{y,i,v} + α) / (n_y + α L), p(y) = n_y / N, where n_{y,i,v}
    counts the training images of class y whose pixel i has level v. Without labels
    there is one class and the model is the independent per-pixel marginals baseline.

    Parameters
    ----------
    images : array_like of int, shape (N, H, W)
    labels : array_like of int, shape (N,), optional
        Classes 0 … C − 1; None fits a single class.
    levels : int
        L, the number of grey levels.
    smoothing : float
        α > 0 (α = 1 is Laplace smoothing), so no level gets probability 0.

    Taught in: 08_vae, "生成式".

    Examples
    --------
    >>> from cvlab.data import digits
    >>> train, test = digits()
    >>> marginals = PixelMarginals(train)
    >>> round(float(-marginals.log_prob(test).mean() / (64 * np.log(2))), 2)
    2.37
    """

    def __init__(self, images, labels=None, levels=17, smoothing=1.0):
        self.levels = as_int(levels, "levels", minimum=2, maximum=256)
        images = _levels_input(images, self.levels, "images")
        smoothing = as_real(smoothing, "smoothing", minimum=0, strict=True)
        labels = np.zeros(len(images), np.int64) if labels is None else _labels_input(labels, len(images))
        self.classes = int(labels.max()) + 1
        self.shape = images.shape[1:]
        flat = images.reshape(len(images), -1)
        counts = np.zeros((self.classes, flat.shape[1], self.levels))
        for c in range(self.classes):
            rows = flat[labels == c]
            for v in range(self.levels):
                counts[c, :, v] = (rows == v).sum(axis=0)
        counts += smoothing
        #: log p(x_i = v | y), shape (C, H·W, L)
        self.log_p_pixel = np.log(counts / counts.sum(axis=-1, keepdims=True))
        #: log p(y), shape (C,)
        self.log_prior = np.log(np.bincount(labels, minlength=self.classes) / len(labels))

    def _check(self, x):
        x = _levels_input(x, self.levels)
        if x.shape[1:] != self.shape:
            raise ValueError(f"x must have shape (N, {self.shape[0]}, {self.shape[1]}); got {x.shape}")
        return x

    def _log_joint(self, x):
        """log p(x, y) for every class: shape (N, C)."""
        flat = x.reshape(len(x), -1)
        pixels = np.arange(flat.shape[1])
        log_px_y = self.log_p_pixel[:, pixels, flat].sum(axis=-1)   # (C, N)
        return log_px_y.T + self.log_prior

    def log_prob(self, x):
        """log p(x) = log Σ_y p(y) Π_i p(x_i | y) in nats, per image: shape (N,)."""
        return logsumexp(self._log_joint(self._check(x)), axis=1)

    def predict_proba(self, x):
        """Bayes' rule: p(y | x) = p(x | y) p(y) / Σ_y' p(x | y') p(y'), shape (N, C)."""
        return softmax(self._log_joint(self._check(x)), axis=1)

    def predict(self, x):
        """The most probable class argmax_y p(y | x) of each image: shape (N,)."""
        return self._log_joint(self._check(x)).argmax(axis=1)

    def sample(self, n, rng, label=None):
        """Draw n images: y ~ p(y) (or the given ``label``), then every pixel x_i ~ p(x_i | y).

        Returns
        -------
        ndarray of int64, shape (n, H, W)
        """
        n = as_int(n, "n", minimum=1, maximum=MAX_DRAWS)
        rng = as_rng(rng)
        if label is None:
            y = rng.choice(self.classes, size=n, p=np.exp(self.log_prior))
        else:
            y = np.full(n, as_int(label, "label", minimum=0, maximum=self.classes - 1))
        return _draw_levels(np.exp(self.log_p_pixel[y]), rng).reshape((n,) + self.shape)


class SoftmaxRegression(Model):
    """Discriminative: p(y | x) = softmax(W^T x̃ + b)_y on the scaled pixels x̃ = x / (L − 1).

    Trained with :func:`cvlab.nn.fit` on (images, labels) by minimising the mean
    cross-entropy −log p(y | x). It never models x, so it can neither score p(x) nor draw images.

    Parameters
    ----------
    pixels : int
        H·W (64).
    classes : int
        C (10).
    levels : int
        L, used to scale the grey levels to [0, 1].
    rng : numpy.random.Generator or int
    dtype : numpy dtype

    Taught in: 08_vae, "判别式".

    Examples
    --------
    >>> from cvlab.data import digits
    >>> from cvlab.nn import fit
    >>> (train, y_train), (test, y_test) = digits(labels=True)
    >>> model = SoftmaxRegression(rng=0)
    >>> _ = fit(model, (train, y_train), 300, 64, 0.05, rng=0, progress=False)
    >>> bool((model.predict(test) == y_test).mean() > 0.85)
    True
    """

    kind = "softmax-regression"

    def __init__(self, pixels=64, classes=10, levels=17, rng=None, dtype=np.float64):
        self.pixels = as_int(pixels, "pixels", minimum=1, maximum=4096)
        self.classes = as_int(classes, "classes", minimum=2, maximum=1000)
        self.levels = as_int(levels, "levels", minimum=2, maximum=256)
        self.dtype = np.dtype(dtype)
        self.net = Linear(self.pixels, self.classes, rng=0 if rng is None else rng, dtype=self.dtype)

    def layers(self):
        return [self.net]

    def config(self):
        return {"pixels": self.pixels, "classes": self.classes, "levels": self.levels}

    def _check(self, x):
        x = _levels_input(x, self.levels)
        if x[0].size != self.pixels:
            raise ValueError(f"x must have {self.pixels} pixels per image; got shape {x.shape}")
        return x

    def _training_arrays(self, data):
        if not isinstance(data, tuple) or len(data) != 2:
            raise TypeError("data must be a tuple (images, labels)")
        x = _levels_input(data[0], self.levels, "images")
        return x, _labels_input(data[1], len(x), self.classes)

    def _logits(self, x):
        return self.net.forward((x.reshape(len(x), -1) / (self.levels - 1)).astype(self.dtype))

    def loss_and_gradients(self, x, y, rng=None):
        """Mean cross-entropy −log p(y | x) in nats; fills ``grads`` with ∂/∂logits = softmax − onehot."""
        logp = log_softmax(self._logits(x).astype(np.float64), axis=1)
        dlogits = np.exp(logp)
        dlogits[np.arange(len(y)), y] -= 1.0
        self.net.backward((dlogits / len(y)).astype(self.dtype))
        return float(-logp[np.arange(len(y)), y].mean())

    def predict_proba(self, x):
        """p(y | x) for every class: shape (N, C)."""
        return softmax(self._logits(self._check(x)).astype(np.float64), axis=1)

    def predict(self, x):
        """argmax_y p(y | x) of each image: shape (N,)."""
        return self._logits(self._check(x)).argmax(axis=1)
