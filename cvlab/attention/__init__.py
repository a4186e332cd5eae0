"""Attention and Transformers from scratch in NumPy: functions, layers, a tiny ViT and a CNN baseline (chapter 6).

Attention(Q, K, V) = softmax(Q Kᵀ / √d) V: every query takes a weighted mean
of the values, weighted by how well its key matches. Layers have hand-written
backward passes, in the :class:`cvlab.nn.Layer` style.

>>> from cvlab.attention import causal_mask
>>> int(causal_mask(4).sum())
10
"""

from .functional import (
    MAX_DIM,
    MAX_TOKENS,
    MAX_WEIGHTS,
    causal_mask,
    merge_heads,
    padding_mask,
    patchify,
    row_entropy,
    scaled_dot_product_attention,
    sinusoidal_positions,
    softmax,
    split_heads,
    token_dependency,
    unpatchify,
)
from .layers import (
    GELU,
    AvgPool2d,
    ClassToken,
    Flatten,
    LayerNorm,
    MultiHeadAttention,
    PatchEmbedding,
    PositionEmbedding,
    TokenPool,
    TransformerBlock,
)
from .models import SmallCNN, VisionTransformer
from .training import PRETRAINED, accuracy, load_pretrained, random_shift, train

__all__ = [
    "softmax", "scaled_dot_product_attention", "causal_mask", "padding_mask", "row_entropy",
    "split_heads", "merge_heads", "patchify", "unpatchify", "sinusoidal_positions", "token_dependency",
    "LayerNorm", "GELU", "MultiHeadAttention", "TransformerBlock", "PatchEmbedding", "ClassToken",
    "PositionEmbedding", "TokenPool", "AvgPool2d", "Flatten",
    "VisionTransformer", "SmallCNN",
    "train", "random_shift", "accuracy", "load_pretrained", "PRETRAINED",
    "MAX_TOKENS", "MAX_DIM", "MAX_WEIGHTS",
]
