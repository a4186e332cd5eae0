"""PixelCNN from scratch in NumPy: masks, layers, models, training and likelihoods (chapter 7).

p(x) = Π_i p(x_i | x_<i) over the pixels in raster order; every conditional is
a softmax over the grey levels (or a discretized logistic mixture), computed
for all pixels in one forward pass by masked convolutions.

>>> from cvlab.pixelcnn import causal_mask
>>> int(causal_mask(5, "A").sum())
12
"""

from .layers import (
    Conv1x1,
    Conv2d,
    Gate,
    HorizontalStackConv,
    Layer,
    MaskedConv2d,
    ReLU,
    Residual,
    Sequential,
    ShiftDown,
    VerticalStackConv,
)
from .likelihood import (
    bits_per_dim,
    discretized_logistic_mixture_log_prob,
    fit_logistic_mixture,
    log_softmax_nll,
    roc_auc,
    smoothed_frequencies,
)
from .masks import causal_mask, horizontal_mask, vertical_mask
from .models import GatedBlock, GatedPixelCNN, PixelCNN
from .receptive import computation_order, dependency_category, dependency_map, raster_causal
from .training import ABLATION, PRETRAINED, Adam, load_model, load_pretrained, save_model, train

__all__ = [
    "causal_mask", "vertical_mask", "horizontal_mask",
    "Layer", "Conv2d", "MaskedConv2d", "VerticalStackConv", "HorizontalStackConv", "Conv1x1",
    "ReLU", "Gate", "ShiftDown", "Residual", "Sequential",
    "PixelCNN", "GatedPixelCNN", "GatedBlock",
    "bits_per_dim", "log_softmax_nll", "discretized_logistic_mixture_log_prob", "smoothed_frequencies",
    "fit_logistic_mixture", "roc_auc",
    "dependency_map", "dependency_category", "raster_causal", "computation_order",
    "Adam", "train", "save_model", "load_model", "load_pretrained", "PRETRAINED", "ABLATION",
]
