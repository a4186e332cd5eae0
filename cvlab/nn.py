"""The small neural-network core that the course's models share (PixelCNN, ViT, VAE, GAN).

Everything is NumPy with hand-written backward passes, so a student can read
every gradient. A :class:`Layer` caches what its backward pass needs during
``forward(x)``; ``backward(dout)`` returns ∂L/∂x and stores ∂L/∂θ in
``grads`` under the same keys as ``params``. A :class:`Model` lists its
layers, computes a loss with its gradients, and can be trained by
:func:`fit` (Adam) and saved or loaded as a pickle-free ``.npz``.

Ceilings (past them a ``ValueError`` names the parameter and the ceiling),
derived so that no call needs much more than 1 GB:

* ``MAX_LINEAR_WEIGHTS`` = 2**24 weights in one :class:`Linear` (128 MB in
  float64; with its gradient and Adam's two moments, 512 MB);
* ``MAX_STEPS`` = 100 000 steps and ``MAX_BATCH_SIZE`` = 4096 examples in
  :func:`fit` (a model may lower the batch ceiling to what its forward and
  backward pass can hold in ``MEMORY_BUDGET`` = 256 MB);
* ``MAX_FILE_BYTES`` = 64 MB and ``MAX_ENTRIES`` = 4096 arrays in a weight
  file read by :func:`load_model`.

>>> net = Sequential([Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1)])
>>> net.forward(np.ones((5, 3))).shape
(5, 2)
"""

import hashlib
import inspect
import io
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ._checks import as_callable, as_int, as_real, as_rng

__all__ = ["Layer", "Sequential", "Residual", "ReLU", "Tanh", "Linear", "Model", "Adam", "fit",
           "save_model", "load_model"]

MEMORY_BUDGET = 256 * 2**20
MAX_LINEAR_WEIGHTS = 2**24
MAX_STEPS = 100_000
#: Adam moves every parameter by about the learning rate per step: past 1 a step outgrows the weights' scale.
MAX_LR = 1.0
MAX_BATCH_SIZE = 4096
MAX_FILE_BYTES = 64 * 2**20
MAX_ENTRIES = 4096


def _as_float_dtype(dtype, name="dtype"):
    """numpy.float32 or numpy.float64 (the dtypes a model computes in), as a numpy dtype."""
    try:
        resolved = None if dtype is None else np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise TypeError(f"{name} must be numpy.float32 or numpy.float64; got {dtype!r}")
    return resolved


def _as_path(value, name):
    """A str or path-like as a Path."""
    if not (isinstance(value, str) or hasattr(value, "__fspath__")) or isinstance(value, bytes):
        raise TypeError(f"{name} must be a str or pathlib.Path; got {type(value).__name__}")
    if str(value) == "":
        raise ValueError(f"{name} must not be empty")
    return Path(value)


class Layer:
    """Base class: no parameters, identity.

    ``forward(x)`` maps the input to the layer's output and caches what
    ``backward(dout)`` needs; ``backward`` returns ∂L/∂x and fills ``grads``.

    Taught in: 07_pixelcnn, "Masked Convolution".

    See Also
    --------
    Sequential, Residual : layers built from layers.

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

    The backward pass applies the chain rule in reverse order,
    ∂L/∂x = J_1ᵀ J_2ᵀ … J_Lᵀ ∂L/∂y.

    Taught in: 07_pixelcnn, "Residual Connections".

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
    """Shortcut connection: H(x) = F(x) + x, so ∂H/∂x = I + ∂F/∂x.

    The inner layers learn only the residual F(x) = H(x) − x; where the
    wanted map is close to the identity, F stays close to 0. In the backward
    pass the identity term carries ∂L/∂H to x unchanged, however small ∂F/∂x
    becomes, so gradients reach the first layers of a deep stack.

    Taught in: 07_pixelcnn, "Residual Connections".

    See Also
    --------
    cvlab.pixelcnn.PixelCNN : ``residual=False`` removes these shortcuts.

    References
    ----------
    .. [1] K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for image recognition," CVPR, 2016.

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
    """y = max(x, 0), with ∂y/∂x = 1 where x > 0 and 0 elsewhere.

    Taught in: 07_pixelcnn, "Masked Convolution".

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

    The derivative vanishes as |x| grows (saturation): a deep stack of them
    shrinks gradients unless shortcuts bypass it.

    Taught in: 07_pixelcnn, "Residual Connections".

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

    Backward: ∂L/∂W = xᵀ ∂L/∂y, ∂L/∂b = Σ ∂L/∂y, ∂L/∂x = ∂L/∂y Wᵀ.

    Parameters
    ----------
    in_features, out_features : int
        in_features · out_features ≤ ``MAX_LINEAR_WEIGHTS`` = 2**24.
    rng : numpy.random.Generator or int
        Initial weights W ~ N(0, 1/in_features); biases 0. None means seed 0.
    dtype : numpy.float32 or numpy.float64
        float32 trains faster; float64 for gradient checks.

    Taught in: 07_pixelcnn, "Residual Connections".

    Examples
    --------
    >>> layer = Linear(2, 1, rng=0)
    >>> layer.params["w"][:] = 1.0
    >>> layer.forward(np.array([[1.0, 2.0]]))
    array([[3.]])
    """

    def __init__(self, in_features, out_features, rng=None, dtype=np.float64):
        super().__init__()
        self.in_features = as_int(in_features, "in_features", minimum=1, maximum=MAX_LINEAR_WEIGHTS)
        self.out_features = as_int(out_features, "out_features", minimum=1, maximum=MAX_LINEAR_WEIGHTS)
        if self.in_features * self.out_features > MAX_LINEAR_WEIGHTS:
            raise ValueError(f"in_features and out_features must give at most MAX_LINEAR_WEIGHTS = "
                             f"{MAX_LINEAR_WEIGHTS} weights; got {self.in_features} × {self.out_features}")
        dtype = _as_float_dtype(dtype)
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
    :func:`fit` draws minibatches from, as a tuple). It may override
    ``_batch_limit(arrays)``: the largest minibatch its forward and backward
    pass can hold in ``MEMORY_BUDGET``.

    Taught in: 07_pixelcnn, "Training and Baselines".

    See Also
    --------
    fit, save_model, load_model

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
        """Copy arrays from ``state`` into the parameters, checking names, shapes, dtypes and finiteness."""
        if not isinstance(state, dict):
            raise TypeError(f"state must be a dict of name -> array; got {type(state).__name__}")
        for name, layer, key in self.named_parameters():
            if name not in state:
                raise ValueError(f"state is missing parameter {name!r}")
            value = np.asarray(state[name])
            if value.shape != layer.params[key].shape:
                raise ValueError(f"state[{name!r}] must have shape {layer.params[key].shape}; got {value.shape}")
            if value.dtype.kind not in "fiu":
                raise TypeError(f"state[{name!r}] must hold real numbers; got {value.dtype}")
            if not np.isfinite(value).all():
                raise ValueError(f"state[{name!r}] must not contain NaN or infinity")
            layer.params[key] = value.astype(layer.params[key].dtype)
        return self

    def n_parameters(self):
        """Number of trainable numbers."""
        return int(sum(layer.params[key].size for _, layer, key in self.named_parameters()))

    def _training_arrays(self, data):
        raise NotImplementedError

    def _batch_limit(self, arrays):
        """Largest minibatch of ``arrays`` that fits ``MEMORY_BUDGET``; None if the model does not know."""
        return None

    def loss_and_gradients(self, *batch, rng=None):
        raise NotImplementedError


class Adam:
    """Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − α m̂ / (√v̂ + ε).

    m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ) correct the moments' start at 0.

    Taught in: 07_pixelcnn, "Training and Baselines".

    References
    ----------
    .. [1] D. P. Kingma and J. Ba, "Adam: A method for stochastic optimization," ICLR, 2015.

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
        self.beta1 = as_real(beta1, "beta1", minimum=0, maximum=1 - 1e-12)
        self.beta2 = as_real(beta2, "beta2", minimum=0, maximum=1 - 1e-12)
        self.eps = as_real(eps, "eps", minimum=0, strict=True)
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
        1 … ``MAX_STEPS`` = 100 000.
    batch_size : int
        1 … ``MAX_BATCH_SIZE`` = 4096, or less if the model's forward and
        backward pass cannot hold that many examples in 256 MB.
    lr : float
        Peak learning rate, 0 < lr ≤ ``MAX_LR`` = 1.
    rng : numpy.random.Generator or int
    progress : bool
        Show a ``tqdm.auto`` bar with the running loss (a widget in notebooks).
    weight_decay : float
        0 ≤ λ ≤ 1 / lr, so that the decay factor 1 − α_t λ stays in [0, 1].
    augment : callable, optional
        ``augment(batch, rng)`` returns a changed copy of a minibatch (a tuple
        of arrays), for example small random shifts of the images.

    Returns
    -------
    ndarray of float64, shape (steps,)
        The loss of each minibatch, before its update.

    See Also
    --------
    Adam, cvlab.pixelcnn.train

    Notes
    -----
    The minibatch indices are drawn with replacement from ``rng`` before
    each step, so two runs with the same seed see the same batches.

    Taught in: 07_pixelcnn, "Training and Baselines".

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
    steps, batch_size, lr, weight_decay, rng = _check_fit_arguments(model, arrays, steps, batch_size, lr,
                                                                   weight_decay, rng)
    if augment is not None:
        augment = as_callable(augment, "augment")
    return _fit(model, arrays, steps, batch_size, lr, rng, progress, weight_decay, augment)


def _check_fit_arguments(model, arrays, steps, batch_size, lr, weight_decay, rng):
    """The checked numbers of a training run, shared by ``fit`` and the model families' ``train``."""
    steps = as_int(steps, "steps", minimum=1, maximum=MAX_STEPS)
    batch_size = as_int(batch_size, "batch_size", minimum=1, maximum=MAX_BATCH_SIZE)
    limit = model._batch_limit(arrays)
    if limit is not None and batch_size > limit:
        raise ValueError(f"batch_size must be <= {limit} for this model and data (its forward and backward pass "
                         f"would need more than MEMORY_BUDGET = {MEMORY_BUDGET // 2**20} MB); got {batch_size}")
    lr = as_real(lr, "lr", minimum=0, strict=True, maximum=MAX_LR)
    weight_decay = as_real(weight_decay, "weight_decay", minimum=0, maximum=1 / lr)
    return steps, batch_size, lr, weight_decay, as_rng(rng)


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


def save_model(model, path):
    """Write ``model`` to the .npz file ``path`` and return the file's sha256.

    The file holds the model's kind and config as 0-d arrays and its weights
    as float32; nothing in it needs pickle, so :func:`load_model` reads it with
    ``allow_pickle=False``. It is written at exactly ``path`` (NumPy's own
    ``savez`` would append ``.npz`` to a name without it), first to
    ``path.partial`` and then renamed, so an interrupted save never leaves a
    truncated file under the real name.

    Parameters
    ----------
    model : Model
        Every parameter finite.
    path : str or pathlib.Path
        In an existing folder.

    Returns
    -------
    str
        The sha256 of the written file, 64 hexadecimal digits.

    Raises
    ------
    ValueError
        If a parameter holds NaN or infinity, or the folder does not exist.

    See Also
    --------
    load_model

    Taught in: 07_pixelcnn, "Training and Baselines".

    Examples
    --------
    >>> import tempfile
    >>> from cvlab.pixelcnn import PixelCNN
    >>> model = PixelCNN(levels=3, channels=4, n_layers=1, rng=0)
    >>> path = Path(tempfile.mkdtemp()) / "tiny"
    >>> checksum = save_model(model, path)
    >>> len(checksum), path.exists(), load_model(path, {"plain": PixelCNN}, checksum).channels
    (64, True, 4)
    """
    if not isinstance(model, Model):
        raise TypeError(f"model must be a cvlab.nn.Model; got {type(model).__name__}")
    return _save_model(model, _check_save_path(model, path))


def _check_save_path(model, path):
    """The checked path a model with a kind can be saved to."""
    if not isinstance(model.kind, str) or not model.kind:
        raise ValueError(f"model must have a kind (the name its file stores); {type(model).__name__}.kind is "
                         f"{model.kind!r}")
    path = _as_path(path, "path")
    if not path.parent.is_dir():
        raise ValueError(f"path must be in an existing folder; {path.parent} does not exist")
    if path.is_dir():
        raise ValueError(f"path must name a file, not the folder {path}")
    return path


def _save_model(model, path):
    arrays = {}
    for name, value in model.state().items():
        if not np.isfinite(value).all():
            raise ValueError(f"model parameter {name!r} holds NaN or infinity, so the model cannot be saved")
        arrays[f"param/{name}"] = value.astype(np.float32)
    arrays["kind"] = np.array(model.kind)
    arrays.update({f"config/{key}": np.array(value) for key, value in model.config().items()})
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    content = buffer.getvalue()
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(content)
    partial.replace(path)
    return hashlib.sha256(content).hexdigest()


def load_model(path, kinds, sha256=None, dtype=np.float32):
    """Read a model written by :func:`save_model`, checking its sha256 first if given.

    The file is read once; its checksum, its zip directory and the declared
    shape and dtype of every array are checked before any array is read, so a
    damaged or crafted file cannot make the loader allocate more than the
    model it describes. The config may only hold the constructor's keyword
    arguments, which the constructor checks against its own ceilings.

    Parameters
    ----------
    path : str or pathlib.Path
        At most ``MAX_FILE_BYTES`` = 64 MB and ``MAX_ENTRIES`` = 4096 arrays.
    kinds : dict
        Model kind (the name stored in the file) → Model subclass to build.
    sha256 : str, optional
        The expected checksum, 64 hexadecimal digits.
    dtype : numpy.float32 or numpy.float64

    Returns
    -------
    Model

    Raises
    ------
    ValueError
        If the checksum differs, or the file is not a weight file of one of
        ``kinds`` (truncated, empty, a bare .npy, unknown config keys, arrays
        of the wrong shape or dtype, NaN or infinite weights): the message
        names the file.

    See Also
    --------
    save_model

    Taught in: 07_pixelcnn, "Training and Baselines".

    Examples
    --------
    >>> from cvlab.pixelcnn import PixelCNN
    >>> from cvlab.pixelcnn.training import WEIGHTS_DIR
    >>> load_model(WEIGHTS_DIR / "plain.npz", {"plain": PixelCNN}).kind
    'plain'
    """
    path = _as_path(path, "path")
    if not isinstance(kinds, dict) or not kinds:
        raise TypeError(f"kinds must be a non-empty dict of kind name -> Model subclass; got {type(kinds).__name__}")
    for name, cls in kinds.items():
        if not isinstance(name, str) or not (isinstance(cls, type) and issubclass(cls, Model)):
            raise TypeError(f"kinds must map kind names (str) to Model subclasses; got {name!r}: {cls!r}")
    if sha256 is not None:
        if not isinstance(sha256, str):
            raise TypeError(f"sha256 must be a str of 64 hexadecimal digits; got {type(sha256).__name__}")
        if len(sha256) != 64 or not all(ch in "0123456789abcdef" for ch in sha256.lower()):
            raise ValueError(f"sha256 must be 64 hexadecimal digits; got {sha256!r}")
        sha256 = sha256.lower()
    dtype = _as_float_dtype(dtype)
    return _load_model(path, kinds, sha256, dtype)


def _load_model(path, kinds, sha256, dtype):
    if not path.is_file():
        raise ValueError(f"path {path} is not an existing file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(f"weights file {path} has {size} bytes; the ceiling is MAX_FILE_BYTES = {MAX_FILE_BYTES}")
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ValueError(f"weights file {path} cannot be read ({error})") from None
    if sha256 is not None:
        actual = hashlib.sha256(content).hexdigest()
        if actual != sha256:
            raise ValueError(
                f"weights file {path} is corrupt or truncated: sha256 {actual} != expected {sha256}; "
                "reinstall cvlab or re-run its training script in scripts/"
            )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return _model_from_archive(archive, kinds, dtype)
    except _WeightFileError as error:
        raise ValueError(f"weights file {path} {error}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, KeyError) as error:
        raise ValueError(f"weights file {path} is not a readable .npz written by save_model "
                         f"({type(error).__name__}: {error})") from None


class _WeightFileError(Exception):
    """What is wrong inside a readable weight file (the caller adds the file name)."""


def _model_from_archive(archive, kinds, dtype):
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise _WeightFileError(f"holds {len(entries)} arrays; the ceiling is MAX_ENTRIES = {MAX_ENTRIES}")
    headers = {}
    for entry in entries:
        if not entry.filename.endswith(".npy"):
            raise _WeightFileError(f"holds an unexpected entry {entry.filename!r}")
        with archive.open(entry) as stream:
            headers[entry.filename[:-4]] = _declared_array(stream, entry.filename)
    if "kind" not in headers:
        raise _WeightFileError("has no 'kind' entry: it was not written by save_model")
    scalars = ["kind"] + [key for key in headers if key.startswith("config/")]
    for key in scalars:
        shape, dtype_declared = headers[key]
        if shape != () or dtype_declared.kind not in "biufU" or dtype_declared.itemsize > 256:
            raise _WeightFileError(f"entry {key!r} must be a scalar number or short string; it declares "
                                   f"shape {shape} and dtype {dtype_declared}")
    kind = str(_read_array(archive, "kind"))
    if kind not in kinds:
        raise _WeightFileError(f"holds an unknown model kind {kind!r}; expected one of {sorted(kinds)}")
    cls = kinds[kind]
    config = {key[len("config/"):]: _read_array(archive, key).item() for key in scalars[1:]}
    accepted = sorted(set(inspect.signature(cls).parameters) - {"rng", "dtype"})
    unknown = sorted(set(config) - set(accepted))
    if unknown:
        raise _WeightFileError(f"has config keys {unknown} that a {cls.__name__} does not take; it takes {accepted}")
    try:
        model = cls(**config, rng=np.random.default_rng(0), dtype=dtype)
    except (TypeError, ValueError) as error:
        raise _WeightFileError(f"has a config that does not build a {cls.__name__}: {error}") from None
    expected = {name: layer.params[key].shape for name, layer, key in model.named_parameters()}
    declared = {key[len("param/"):]: header for key, header in headers.items() if key.startswith("param/")}
    stray = sorted(set(headers) - set(scalars) - {f"param/{name}" for name in declared})
    missing, extra = sorted(set(expected) - set(declared)), sorted(set(declared) - set(expected))
    if stray or missing or extra:
        raise _WeightFileError(f"does not match a {cls.__name__} with this config: missing parameters {missing}, "
                               f"unexpected parameters {extra}, unexpected entries {stray}")
    for name, (shape, dtype_declared) in declared.items():
        if shape != expected[name]:
            raise _WeightFileError(f"declares parameter {name!r} of shape {shape}; the model needs {expected[name]}")
        if dtype_declared.kind != "f" or dtype_declared.itemsize not in (4, 8):
            raise _WeightFileError(f"declares parameter {name!r} as {dtype_declared}; it must be float32 or float64")
    state = {name: _read_array(archive, f"param/{name}") for name in declared}
    for name, value in state.items():
        if not np.isfinite(value).all():
            raise _WeightFileError(f"holds NaN or infinity in parameter {name!r}")
    return model.load_state(state)


def _declared_array(stream, name):
    """(shape, dtype) from an .npy header, read without reading the array."""
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise _WeightFileError(f"entry {name!r} uses .npy format version {version}, which save_model never writes")
    return shape, dtype


def _read_array(archive, key):
    with archive.open(f"{key}.npy") as stream:
        return np.lib.format.read_array(stream, allow_pickle=False)
