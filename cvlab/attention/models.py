"""Two digit classifiers of similar size: a tiny Vision Transformer and a small CNN.

Both take images of grey levels (N, H, W) in [0, ``max_level``] (the digits
as :func:`cvlab.data.digits` returns them), divide by ``max_level``, and
return one logit per class. Training minimises the mean cross-entropy
L = −(1/B) Σ_b log softmax(z_b)_{y_b} (see :mod:`cvlab.attention.training`).
"""

import numpy as np
from scipy.special import log_softmax

from .._checks import as_array, as_choice, as_int, as_real, as_rng
from ..nn import Linear, Model, ReLU, Sequential
from ..pixelcnn.layers import Conv2d
from .functional import MAX_DIM
from .layers import (
    AvgPool2d,
    ClassToken,
    Flatten,
    LayerNorm,
    PatchEmbedding,
    PositionEmbedding,
    TokenPool,
    TransformerBlock,
)

__all__ = ["VisionTransformer", "SmallCNN", "MAX_DEPTH", "MAX_IMAGE_SIZE", "MAX_CLASSES"]

#: Ceilings on model sizes: a forward pass over the 297 test digits stays well under 1 GB and 10 s.
MAX_DEPTH = 12
MAX_IMAGE_SIZE = 64
MAX_CLASSES = 1000
_CHUNK = 256  # images per forward chunk when predicting: bounds the cached activations


class _Classifier(Model):
    """Shared API: checked inputs, logits, predict, cross-entropy loss and gradients."""

    def __init__(self, image_size, classes, max_level, dtype):
        self.image_size = as_int(image_size, "image_size", minimum=1, maximum=MAX_IMAGE_SIZE)
        self.classes = as_int(classes, "classes", minimum=2, maximum=MAX_CLASSES)
        self.max_level = as_real(max_level, "max_level", minimum=0, strict=True)
        self.dtype = np.dtype(dtype)

    def layers(self):
        return [self.net]

    def _images(self, images, name="images"):
        images = as_array(images, name, ndim=3)
        size = self.image_size
        if images.shape[1:] != (size, size):
            raise ValueError(f"{name} must have shape (N, {size}, {size}); got {images.shape}")
        if images.min() < 0 or images.max() > self.max_level:
            raise ValueError(f"{name} must lie in [0, {self.max_level:g}]; got [{images.min()}, {images.max()}]")
        return images

    def _labels(self, labels, count, name="labels"):
        labels = as_array(labels, name, ndim=1)
        if not np.issubdtype(labels.dtype, np.integer):
            raise TypeError(f"{name} must hold integer class indices; got {labels.dtype}")
        if len(labels) != count:
            raise ValueError(f"{name} must have one label per image ({count}); got {len(labels)}")
        if labels.min() < 0 or labels.max() >= self.classes:
            raise ValueError(f"{name} must lie in [0, {self.classes - 1}]; got [{labels.min()}, {labels.max()}]")
        return labels

    def _training_arrays(self, data):
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise TypeError("data must be a pair (images, labels)")
        images = self._images(data[0])
        return images, self._labels(data[1], len(images))

    def _net_forward(self, images):
        return self.net.forward(self._input(images))

    def _input(self, images):
        return (np.asarray(images) / self.max_level).astype(self.dtype)

    def _logits(self, images):
        return np.concatenate([self._net_forward(images[i:i + _CHUNK]) for i in range(0, len(images), _CHUNK)])

    def logits(self, images):
        """One logit per class for every image: shape (N, classes).

        Parameters
        ----------
        images : array_like, shape (N, image_size, image_size), levels in [0, max_level]
        """
        return self._logits(self._images(images))

    def predict(self, images):
        """The most likely class of every image, argmax_c z_c: int64 array of shape (N,)."""
        return self._logits(self._images(images)).argmax(axis=1)

    def loss_and_gradients(self, images, labels, rng=None):
        """Mean cross-entropy of a minibatch, −(1/B) Σ_b log p(y_b | x_b), and every layer's ``grads``.

        The minibatch comes from the arrays :func:`cvlab.nn.fit` drew from
        ``_training_arrays`` (already checked). ∂L/∂z = (softmax(z) − onehot(y)) / B.
        ``rng`` is unused.
        """
        logits = self._net_forward(images)
        logp = log_softmax(logits.astype(np.float64), axis=1)
        rows = np.arange(len(labels))
        loss = -logp[rows, labels].mean()
        d_logits = np.exp(logp)
        d_logits[rows, labels] -= 1.0
        self.net.backward((d_logits / len(labels)).astype(self.dtype))
        return float(loss)


class VisionTransformer(_Classifier):
    """A tiny ViT: patches → tokens (+ class token, + positions) → Transformer blocks → pooled token → classes.

    z⁰ = [x_cls; x_1 E; …; x_T E] + P,  z^l = Block(z^{l−1}) for l = 1 … L,
    y = LN(z^L) pooled (the class token, or the mean of the tokens), logits = y W + b.

    Parameters
    ----------
    image_size : int
        H = W of the input images (≤ ``MAX_IMAGE_SIZE``).
    patch : int
        p, dividing ``image_size``: T = (H/p)² patch tokens.
    dim : int
        d, the token size (even, ≤ ``MAX_DIM``).
    depth : int
        Number L of Transformer blocks (≤ ``MAX_DEPTH``).
    heads : int
        Heads per block, dividing d.
    mlp_dim : int
        Hidden size of each block's MLP.
    pooling : {'cls', 'mean'}
        Read the class token, or average the patch tokens.
    positions : {'learned', 'fixed', 'none'}
        Position table initialised to :func:`sinusoidal_positions` and
        trained ('learned'), kept ('fixed'), or no positions at all.
    classes : int
    max_level : float
        Grey level that maps to 1 (16 for the digits).
    rng : numpy.random.Generator or int
    dtype : numpy dtype
        float32 trains faster; float64 for gradient checks.

    References
    ----------
    .. [1] A. Dosovitskiy et al., "An image is worth 16x16 words: Transformers for image recognition at scale,"
       ICLR, 2021.
    .. [2] A. Vaswani et al., "Attention is all you need," NeurIPS, 2017.

    Taught in: 06_attention, "Vision Transformer".

    Examples
    --------
    >>> model = VisionTransformer(dim=16, depth=1, heads=2, mlp_dim=32, rng=0)
    >>> model.logits(np.zeros((3, 8, 8))).shape, model.attention_maps(np.zeros((3, 8, 8))).shape
    ((3, 10), (1, 3, 2, 17, 17))
    """

    kind = "vit"

    def __init__(self, image_size=8, patch=2, dim=32, depth=2, heads=4, mlp_dim=64, pooling="cls",
                 positions="learned", classes=10, max_level=16.0, rng=None, dtype=np.float64):
        super().__init__(image_size, classes, max_level, dtype)
        self.patch = as_int(patch, "patch", minimum=1, maximum=self.image_size)
        if self.image_size % self.patch:
            raise ValueError(f"patch must divide image_size = {self.image_size}; got {self.patch}")
        self.dim = as_int(dim, "dim", minimum=2, maximum=MAX_DIM)
        if self.dim % 2:
            raise ValueError(f"dim must be even (sine and cosine position pairs); got {self.dim}")
        self.depth = as_int(depth, "depth", minimum=1, maximum=MAX_DEPTH)
        self.heads = as_int(heads, "heads", minimum=1, maximum=self.dim)
        self.mlp_dim = as_int(mlp_dim, "mlp_dim", minimum=1, maximum=MAX_DIM)
        self.pooling = as_choice(pooling, "pooling", ("cls", "mean"))
        self.positions = as_choice(positions, "positions", ("learned", "fixed", "none"))
        rng = as_rng(0 if rng is None else rng)
        self.tokens = (self.image_size // self.patch) ** 2
        stack = [PatchEmbedding(self.patch, self.dim, rng, dtype)]
        if self.pooling == "cls":
            stack.append(ClassToken(self.dim, rng, dtype))
        if self.positions != "none":
            stack.append(PositionEmbedding(self.tokens + (self.pooling == "cls"), self.dim,
                                           learned=self.positions == "learned", dtype=dtype))
        self.blocks = [TransformerBlock(self.dim, self.heads, self.mlp_dim, rng=rng, dtype=dtype)
                       for _ in range(self.depth)]
        stack += self.blocks
        stack += [LayerNorm(self.dim, dtype=dtype), TokenPool(self.pooling), Linear(self.dim, self.classes, rng, dtype)]
        self.net = Sequential(stack)

    def config(self):
        return dict(image_size=self.image_size, patch=self.patch, dim=self.dim, depth=self.depth, heads=self.heads,
                    mlp_dim=self.mlp_dim, pooling=self.pooling, positions=self.positions, classes=self.classes,
                    max_level=self.max_level)

    def attention_maps(self, images):
        """Attention weights of every block and head: shape (depth, N, heads, T', T').

        T' counts the class token first when ``pooling='cls'``. Entry
        [l, n, m, i, j] is how much token i attends to token j in head m of
        block l, for image n; rows sum to 1.

        Parameters
        ----------
        images : array_like, shape (N, image_size, image_size)
        """
        return self._attention_maps(self._images(images))

    def _attention_maps(self, images):
        maps = []
        for start in range(0, len(images), _CHUNK):
            self._net_forward(images[start:start + _CHUNK])
            maps.append(np.stack([block.attention for block in self.blocks]))
        return np.concatenate(maps, axis=1)

    def patch_attention(self, images, query):
        """Where one query patch looks: its attention weights on every patch, laid out on the patch grid.

        Entry [l, n, m, r, c] is a_ij of block l, image n and head m, for
        the query i = the patch ``query`` = (row, column) and the key j = the
        patch (r, c). Each map sums to 1 minus the weight the query gives
        the class token (if ``pooling='cls'``).

        Parameters
        ----------
        images : array_like, shape (N, image_size, image_size)
        query : tuple of int
            (row, column) of the query patch on the (H/p) × (W/p) grid.

        Returns
        -------
        ndarray, shape (depth, N, heads, H/p, W/p)

        Examples
        --------
        >>> model = VisionTransformer(patch=4, dim=8, depth=1, heads=2, mlp_dim=8, rng=0)
        >>> model.patch_attention(np.zeros((1, 8, 8)), (0, 1)).shape
        (1, 1, 2, 2, 2)
        """
        images = self._images(images)
        side = self.image_size // self.patch
        if not isinstance(query, (tuple, list)) or len(query) != 2:
            raise ValueError(f"query must be a (row, column) pair; got {query!r}")
        row, col = (as_int(q, "query", minimum=0, maximum=side - 1) for q in query)
        offset = int(self.pooling == "cls")
        weights = self._attention_maps(images)[..., offset + row * side + col, offset:]
        return weights.reshape(*weights.shape[:-1], side, side)


class SmallCNN(_Classifier):
    """The convolutional baseline: three 3×3 convolutions with ReLU, two 2×2 average pools, one linear layer.

    conv(1 → c) → conv(c → 2c) → pool → conv(2c → 2c) → pool → flatten → classes.
    Each convolution is local and shares its weights over positions, so the
    features are translation-equivariant until the final linear layer.

    Parameters
    ----------
    image_size : int
        H = W, divisible by 4 (≤ ``MAX_IMAGE_SIZE``).
    channels : int
        c, the width of the first convolution (≤ 256); the default 24 is the shipped
        ``load_pretrained("cnn")`` model.
    classes : int
    max_level : float
    rng : numpy.random.Generator or int
    dtype : numpy dtype

    References
    ----------
    .. [1] Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning applied to document
       recognition," Proceedings of the IEEE, 1998.

    Taught in: 06_attention, "Inductive Bias".

    Examples
    --------
    >>> SmallCNN(channels=4, rng=0).logits(np.zeros((2, 8, 8))).shape
    (2, 10)
    """

    kind = "cnn"

    def __init__(self, image_size=8, channels=24, classes=10, max_level=16.0, rng=None, dtype=np.float64):
        super().__init__(image_size, classes, max_level, dtype)
        if self.image_size % 4:
            raise ValueError(f"image_size must be divisible by 4 (two 2×2 pools); got {self.image_size}")
        self.channels = as_int(channels, "channels", minimum=1, maximum=256)
        rng = as_rng(0 if rng is None else rng)
        c = self.channels
        side = self.image_size // 4
        self.net = Sequential([
            Conv2d(1, c, 3, rng=rng, dtype=dtype), ReLU(),
            Conv2d(c, 2 * c, 3, rng=rng, dtype=dtype), ReLU(), AvgPool2d(2),
            Conv2d(2 * c, 2 * c, 3, rng=rng, dtype=dtype), ReLU(), AvgPool2d(2),
            Flatten(), Linear(2 * c * side * side, self.classes, rng=rng, dtype=dtype),
        ])

    def config(self):
        return dict(image_size=self.image_size, channels=self.channels, classes=self.classes,
                    max_level=self.max_level)

    def _input(self, images):
        return super()._input(images)[..., None]  # channels last: (N, H, W, 1)
