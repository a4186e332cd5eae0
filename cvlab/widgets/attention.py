"""Chapter 6 explorer: where a query patch of a test digit looks, head by head, in the shipped ViT."""

import numpy as np
from matplotlib.patches import Rectangle

from ..attention import load_pretrained
from ..data import digits
from ._live import LiveFigure, explorer, slider

__all__ = ["attention_explorer"]


def attention_explorer():
    """Sliders for the test digit, the block and the query patch; one attention map per head over the digit.

    Each head's panel shows the digit in grey and, in colour, the weight
    a_ij the query patch i (white square) gives every patch j
    (``VisionTransformer.patch_attention`` of the shipped 'vit' model);
    what a map lacks to sum to 1 went to the class token.

    Examples
    --------
    >>> from cvlab.widgets.testing import controls_of
    >>> [control.description for control in controls_of(attention_explorer())]
    ['test digit', 'block', 'query row', 'query column']
    """
    model = load_pretrained("vit")
    _, (images, labels) = digits(labels=True)
    size, patch = model.image_size, model.patch
    side = size // patch
    live = LiveFigure(1, model.heads + 2, size=(10.0, 2.6),
                      gridspec_kw={"width_ratios": [1.0] * (model.heads + 1) + [0.07]})
    axes, colorbar_axes = live.axes[0, :-1], live.axes[0, -1]
    extent = (-0.5, size - 0.5, size - 0.5, -0.5)
    digit = axes[0].imshow(images[0], cmap="gray_r", vmin=0, vmax=model.max_level)
    outlines, bases, overlays = [], [], []
    for ax in axes[1:]:
        bases.append(ax.imshow(images[0], cmap="gray_r", vmin=0, vmax=model.max_level))
        overlays.append(ax.imshow(np.zeros((side, side)), cmap="viridis", vmin=0, vmax=1, alpha=0.7, extent=extent))
    for ax in axes:
        outlines.append(ax.add_patch(Rectangle((0, 0), patch, patch, fill=False, edgecolor="white", linewidth=2)))
        ax.set_xticks([]), ax.set_yticks([])
    live.figure.colorbar(overlays[-1], cax=colorbar_axes).set_label("attention weight $a_{ij}$")
    for m, ax in enumerate(axes[1:]):
        ax.set_title(f"head {m + 1}", fontsize=10)
    index = slider("test digit", 0, 0, len(images) - 1)
    block = slider("block", model.depth, 1, model.depth)
    row = slider("query row", 1, 0, side - 1)
    col = slider("query column", 1, 0, side - 1)

    def update():
        image = images[index.value]
        maps = model.patch_attention(image[None], (row.value, col.value))[block.value - 1, 0]
        predicted = model.predict(image[None])[0]
        digit.set_data(image)
        axes[0].set_title(f"label {labels[index.value]}, predicted {predicted}\nblock {block.value}", fontsize=10)
        for outline in outlines:
            outline.set_xy((col.value * patch - 0.5, row.value * patch - 0.5))
        for base, overlay, weights in zip(bases, overlays, maps):
            base.set_data(image)
            overlay.set_data(weights)

    return explorer([index, block, row, col], live, update)
