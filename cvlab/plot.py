"""Static figures for the notebooks: small helpers on top of pyplot.

Labels are English on purpose: no CJK glyphs are needed in any figure.
"""

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["notebook_style", "show_images", "stairs"]


def notebook_style():
    """Set the rcParams every chapter notebook starts with (readable, compact PNGs)."""
    plt.rcParams.update({
        "figure.dpi": 80,
        "figure.figsize": (9.0, 3.6),
        "font.size": 11,
        "axes.titlesize": 11,
        "image.interpolation": "nearest",
    })


def show_images(images, titles=None, ncols=None, cmap="gray", vmin=None, vmax=None, size=2.6):
    """Show images side by side without ticks; return the figure and its axes.

    Grey uint8 images are shown on the fixed range [0, 255] unless
    ``vmin``/``vmax`` are given, so brightness changes stay visible.
    """
    images = list(images)
    titles = list(titles) if titles is not None else [""] * len(images)
    ncols = ncols or len(images)
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for ax in axes.flat[len(images):]:
        ax.axis("off")
    for ax, image, title in zip(axes.flat, images, titles):
        image = np.asarray(image)
        low, high = vmin, vmax
        if image.dtype == np.uint8 and vmin is None and vmax is None:
            low, high = 0, 255
        ax.imshow(image, cmap=cmap if image.ndim == 2 else None, vmin=low, vmax=high)
        ax.set_title(title)
        ax.set_xticks([]), ax.set_yticks([])
    fig.tight_layout()
    return fig, axes


def stairs(ax, hist, label=None, **kwargs):
    """Draw a histogram of counts as a step outline (one artist, not 256 bars)."""
    hist = np.asarray(hist)
    return ax.stairs(hist, np.arange(hist.shape[-1] + 1), label=label, **kwargs)
