"""The small neural-network core that the course's models share (PixelCNN, ViT, VAE, GAN).

Everything is NumPy with hand-written backward passes, so a student can read
every gradient. A :class:`Layer` caches what its backward pass needs during
``forward(x)``; ``backward(dout)`` returns ∂L/∂x and stores ∂L/∂θ in
``grads`` under the same keys as ``params``. A :class:`Model` lists its
layers, computes a loss with its gradients, and can be trained by
:func:`fit` (Adam) and saved or loaded as a pickle-free ``.npz``.

>>> net = Sequential([Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1)])
>>> net.forward(np.ones((5, 3))).shape
(5, 2)
"""

import hashlib
from pathlib import Path

import numpy as np

from ._checks import as_int, as_real, as_rng

__all__ = ["Layer", "Sequential", "Residual", "ReLU", "Tanh", "Linear", "Model", "Adam", "fit",
           "save_model", "load_model"]


class Layer:
    """Base class: no parameters, identity.

    ``forward(x)`` maps the input to the layer's output and caches what
    ``backward(dout)`` needs; ``backward`` returns ∂L/∂x and fills ``grads``.

    Examples
    --------
    >>> x = np.ones((1, 2, 2, 3))
    >>> layer = Layer()
    >>> bool((layer.forward(x) == x).all()), layer.backward(x).shape
    (True, (1, 2, 2, 3))
    """

    def __init__(self):
        self.params = {}
        self.grads = {}

    def forward(self, x):
        return x

    def backward(self, dout):
        return dout

    def named_parameters(self, prefix=""):
        """Yield (name, layer, key) for every parameter array, sub-layers included."""
        for key in self.params:
            yield f"{prefix}{key}", self, key
        for index, child in enumerate(self.children()):
            yield from child.named_parameters(f"{prefix}{index}.")

    def children(self):
        return []

    def __call__(self, x):
        return self.forward(x)


class Sequential(Layer):
    """Layers applied in order: y = f_L(… f_2(f_1(x))).

    Examples
    --------
    >>> net = Sequential([Linear(1, 1, rng=0), ReLU()])
    >>> net.forward(np.ones((2, 1))).shape
    (2, 1)
    """

    def __init__(self, layers):
        super().__init__()
        self.layers = list(layers)
        if not all(isinstance(layer, Layer) for layer in self.layers):
            raise TypeError("layers must be a list of Layer objects")

    @property
    def in_channels(self):
        return next(layer.in_channels for layer in self.layers if hasattr(layer, "in_channels"))

    def children(self):
        return self.layers

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, dout):
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout


class Residual(Layer):
    """Shortcut connection (He et al., 2016): y = x + F(x), so ∂y/∂x = I + ∂F/∂x.

    Examples
    --------
    >>> Residual(ReLU()).forward(np.array([-1.0, 2.0]))
    array([-1., 4.])
    """

    def __init__(self, inner):
        super().__init__()
        if not isinstance(inner, Layer):
            raise TypeError("inner must be a Layer")
        self.inner = inner

    @property
    def in_channels(self):
        return self.inner.in_channels

    def children(self):
        return [self.inner]

    def forward(self, x):
        return x + self.inner.forward(x)

    def backward(self, dout):
        return dout + self.inner.backward(dout)


class ReLU(Layer):
    """y = max(x, 0).

    Examples
    --------
    >>> ReLU().forward(np.array([-1.0, 2.0]))
    array([0., 2.])
    """

    def forward(self, x):
        self._positive = x > 0
        return x * self._positive

    def backward(self, dout):
        return dout * self._positive


class Tanh(Layer):
    """y = tanh(x), with ∂y/∂x = 1 − y².

    Examples
    --------
    >>> layer = Tanh()
    >>> layer.forward(np.array([0.0, 1.0])).round(3), layer.backward(np.ones(2)).round(3)
    (array([0.   , 0.762]), array([1.  , 0.42]))
    """

    def forward(self, x):
        self._y = np.tanh(x)
        return self._y

    def backward(self, dout):
        return dout * (1.0 - self._y * self._y)


class Linear(Layer):
    """Affine map of the last axis: y = x W + b, for x of shape (..., in_features).

    Parameters
    ----------
    in_features, out_features : int
    rng : numpy.random.Generator or int
        Initial weights W ~ N(0, 1/in_features); biases 0.
    dtype : numpy dtype
        float32 trains faster; float64 for gradient checks.

    Examples
    --------
    >>> layer = Linear(2, 1, rng=0)
    >>> layer.params["w"][:] = 1.0
    >>> layer.forward(np.array([[1.0, 2.0]]))
    array([[3.]])
    """

    def __init__(self, in_features, out_features, rng=None, dtype=np.float64):
        super().__init__()
        self.in_features = as_int(in_features, "in_features", minimum=1)
        self.out_features = as_int(out_features, "out_features", minimum=1)
        rng = as_rng(0 if rng is None else rng)
        weights = rng.standard_normal((self.in_features, self.out_features)) / np.sqrt(self.in_features)
        self.params["w"] = weights.astype(dtype)
        self.params["b"] = np.zeros(self.out_features, dtype=dtype)

    def forward(self, x):
        if x.shape[-1] != self.in_features:
            raise ValueError(f"x must have {self.in_features} features in its last axis; got shape {x.shape}")
        self._x = x
        return x @ self.params["w"] + self.params["b"]

    def backward(self, dout):
        x2 = self._x.reshape(-1, self.in_features)
        d2 = dout.reshape(-1, self.out_features)
        self.grads["w"] = x2.T @ d2
        self.grads["b"] = d2.sum(axis=0)
        return dout @ self.params["w"].T


class Model:
    """Base class of a whole model: its layers, a loss with gradients, and its saved state.

    A subclass sets ``kind`` (the name stored in its weight file) and provides
    ``layers()``, ``config()`` (the constructor's keyword arguments),
    ``loss_and_gradients(*batch, rng)`` (mean loss of a minibatch; fills every
    layer's ``grads``) and ``_training_arrays(data)`` (the checked arrays that
    :func:`fit` draws minibatches from, as a tuple).

    Examples
    --------
    >>> class Mean(Model):
    ...     kind = "mean"
    ...     def __init__(self):
    ...         self.net = Linear(1, 1, rng=0)
    ...     def layers(self):
    ...         return [self.net]
    >>> Mean().n_parameters()
    2
    """

    kind = None

    def layers(self):
        raise NotImplementedError

    def config(self):
        return {}

    def named_parameters(self):
        for index, layer in enumerate(self.layers()):
            yield from layer.named_parameters(f"{index}.")

    def state(self):
        """Parameters as a flat dict name → array (what the .npz files hold)."""
        return {name: layer.params[key] for name, layer, key in self.named_parameters()}

    def load_state(self, state):
        """Copy arrays from ``state`` into the parameters, checking names and shapes."""
        for name, layer, key in self.named_parameters():
            if name not in state:
                raise ValueError(f"state is missing parameter {name!r}")
            value = np.asarray(state[name])
            if value.shape != layer.params[key].shape:
                raise ValueError(f"state[{name!r}] must have shape {layer.params[key].shape}; got {value.shape}")
            layer.params[key] = value.astype(layer.params[key].dtype)
        return self

    def n_parameters(self):
        """Number of trainable numbers."""
        return int(sum(layer.params[key].size for _, layer, key in self.named_parameters()))

    def _training_arrays(self, data):
        raise NotImplementedError

    def loss_and_gradients(self, *batch, rng=None):
        raise NotImplementedError


class Adam:
    """Adam (Kingma & Ba, 2015): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − α m̂ / (√v̂ + ε).

    Examples
    --------
    >>> params = {"w": np.array([1.0])}
    >>> opt = Adam(lr=0.1)
    >>> opt.step([(params, "w", np.array([2.0]))])
    >>> params["w"].round(3)
    array([0.9])
    """

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = as_real(lr, "lr", minimum=0, strict=True)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.moments = {}

    def step(self, updates, lr=None):
        """Apply one update; ``updates`` is a list of (dict, key, gradient)."""
        lr = self.lr if lr is None else lr
        self.t += 1
        correction1 = 1 - self.beta1 ** self.t
        correction2 = 1 - self.beta2 ** self.t
        for index, (store, key, grad) in enumerate(updates):
            m, v = self.moments.get(index, (np.zeros_like(grad), np.zeros_like(grad)))
            m = self.beta1 * m + (1 - self.beta1) * grad
            v = self.beta2 * v + (1 - self.beta2) * grad * grad
            self.moments[index] = (m, v)
            step = lr * (m / correction1) / (np.sqrt(v / correction2) + self.eps)
            store[key] = (store[key] - step).astype(store[key].dtype)


def fit(model, data, steps, batch_size=64, lr=3e-3, rng=None, progress=True, weight_decay=0.0, augment=None):
    """Fit ``model`` by Adam on random minibatches of ``data``; return the loss per step.

    The learning rate follows a cosine decay from ``lr`` to 0,
    α_t = lr · ½ (1 + cos(π t / steps)), and decoupled weight decay (AdamW)
    shrinks every weight matrix, w ← w − α_t λ w, after each step (biases and
    gains are not decayed). Given the same ``rng`` seed, model and data, the
    run (batches, updates, losses) is reproducible.

    Parameters
    ----------
    model : Model
    data : array_like or tuple of array_like
        What ``model._training_arrays`` accepts (images, or images and labels).
    steps : int
    batch_size : int
    lr : float
        Peak learning rate.
    rng : numpy.random.Generator or int
    progress : bool
        Show a ``tqdm.auto`` bar with the running loss (a widget in notebooks).
    weight_decay : float
        λ ≥ 0.
    augment : callable, optional
        ``augment(batch, rng)`` returns a changed copy of a minibatch (a tuple
        of arrays), for example small random shifts of the images.

    Returns
    -------
    ndarray of float64, shape (steps,)
        The loss of each minibatch, before its update.

    References
    ----------
    .. [1] D. P. Kingma and J. Ba, "Adam: A method for stochastic optimization," ICLR, 2015.
    .. [2] I. Loshchilov and F. Hutter, "Decoupled weight decay regularization," ICLR, 2019.

    Examples
    --------
    >>> class Square(Model):
    ...     def __init__(self):
    ...         self.net = Linear(1, 1, rng=0)
    ...     def layers(self):
    ...         return [self.net]
    ...     def _training_arrays(self, data):
    ...         return (np.asarray(data, dtype=float).reshape(-1, 1),)
    ...     def loss_and_gradients(self, x, rng=None):
    ...         error = self.net.forward(x) - 2 * x
    ...         self.net.backward(2 * error / len(x))
    ...         return float((error ** 2).mean())
    >>> history = fit(Square(), np.linspace(-1, 1, 50), 200, 10, 0.05, rng=0, progress=False)
    >>> bool(history[-1] < 1e-3 < history[0])
    True
    """
    if not isinstance(model, Model):
        raise TypeError(f"model must be a cvlab.nn.Model; got {type(model).__name__}")
    arrays = model._training_arrays(data)
    steps = as_int(steps, "steps", minimum=1)
    batch_size = as_int(batch_size, "batch_size", minimum=1)
    lr = as_real(lr, "lr", minimum=0, strict=True)
    weight_decay = as_real(weight_decay, "weight_decay", minimum=0)
    rng = as_rng(rng)
    if augment is not None and not callable(augment):
        raise TypeError(f"augment must be callable; got {type(augment).__name__}")
    return _fit(model, arrays, steps, batch_size, lr, rng, progress, weight_decay, augment)


def _fit(model, arrays, steps, batch_size, lr, rng, progress, weight_decay, augment):
    optimizer = Adam(lr)
    parameters = list(model.named_parameters())
    history = np.empty(steps)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, desc="train", unit="step")
    try:
        for t in range(steps):
            index = rng.integers(0, len(arrays[0]), batch_size)
            batch = tuple(array[index] for array in arrays)
            if augment is not None:
                batch = augment(batch, rng)
            history[t] = model.loss_and_gradients(*batch, rng=rng)
            rate = lr * 0.5 * (1 + np.cos(np.pi * t / steps))
            optimizer.step([(layer.params, key, layer.grads[key]) for _, layer, key in parameters], lr=rate)
            if weight_decay:
                for _, layer, key in parameters:
                    if key == "w":
                        layer.params[key] *= layer.params[key].dtype.type(1 - rate * weight_decay)
            if bar is not None:
                bar.update(1)
                if t % 20 == 0 or t == steps - 1:
                    bar.set_postfix(loss=f"{history[max(0, t - 19):t + 1].mean():.3f}")
    finally:
        if bar is not None:
            bar.close()
    return history


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def save_model(model, path):
    """Write ``model`` to an .npz (kind and config as 0-d arrays, float32 weights); return its sha256.

    Nothing in the file needs pickle, so :func:`load_model` reads it with ``allow_pickle=False``.

    Examples
    --------
    >>> import tempfile
    >>> from cvlab.pixelcnn import PixelCNN
    >>> model = PixelCNN(levels=3, channels=4, n_layers=1, rng=np.random.default_rng(0))
    >>> path = Path(tempfile.mkdtemp()) / "tiny.npz"
    >>> len(save_model(model, path))
    64
    """
    if not isinstance(model, Model):
        raise TypeError(f"model must be a cvlab.nn.Model; got {type(model).__name__}")
    arrays = {f"param/{name}": value.astype(np.float32) for name, value in model.state().items()}
    arrays["kind"] = np.array(model.kind)
    arrays.update({f"config/{key}": np.array(value) for key, value in model.config().items()})
    np.savez_compressed(path, **arrays)
    return _sha256(path)


def load_model(path, kinds, sha256=None, dtype=np.float32):
    """Read a model written by :func:`save_model`, checking its sha256 first if given.

    Parameters
    ----------
    path : str or Path
    kinds : dict
        Model kind (the name stored in the file) → class to build.
    sha256 : str, optional
    dtype : numpy dtype

    Raises
    ------
    ValueError
        If the checksum differs or the file cannot be read: the message names
        the file and both checksums.

    Examples
    --------
    >>> from cvlab.pixelcnn import PixelCNN
    >>> from cvlab.pixelcnn.training import WEIGHTS_DIR
    >>> load_model(WEIGHTS_DIR / "plain.npz", {"plain": PixelCNN}).kind
    'plain'
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"path {path} does not exist")
    if sha256 is not None:
        actual = _sha256(path)
        if actual != sha256:
            raise ValueError(
                f"weights file {path} is corrupt or truncated: sha256 {actual} != expected {sha256}; "
                "reinstall cvlab or re-run its training script in scripts/"
            )
    try:
        with np.load(path, allow_pickle=False) as archive:
            kind = str(archive["kind"])
            config = {key[len("config/"):]: archive[key].item() for key in archive.files if key.startswith("config/")}
            state = {key[len("param/"):]: archive[key] for key in archive.files if key.startswith("param/")}
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(f"weights file {path} cannot be read ({error})") from None
    if kind not in kinds:
        raise ValueError(f"weights file {path} holds an unknown model kind {kind!r}; expected one of {sorted(kinds)}")
    model = kinds[kind](**config, rng=np.random.default_rng(0), dtype=dtype)
    return model.load_state(state)
