"""Static figures for the notebooks: small helpers on top of pyplot.

Labels are English on purpose: no CJK glyphs are needed in any figure.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

__all__ = ["DEPENDENCY_CMAP", "dependency_legend", "lecture_style", "notebook_style", "show_gallery", "show_images",
           "stairs"]

#: Colours of ``cvlab.pixelcnn.dependency_category``: future, earlier but unseen, seen, the output pixel.
DEPENDENCY_CMAP = ListedColormap(["#f2f2f2", "#d62728", "#1f77b4", "#ffbf00"])
_DEPENDENCY_LABELS = ["future pixel", "earlier, not seen", "earlier, seen", "output pixel"]


def dependency_legend(where, extra=(), **kwargs):
    """Add the legend of ``DEPENDENCY_CMAP``'s four categories to an axes or a figure; return it.

    ``extra`` handles (for example a marker drawn on the maps) follow the four
    categories; keyword arguments go to ``legend`` (for example ``loc`` and ``ncols``).

    >>> fig, ax = plt.subplots()
    >>> [text.get_text() for text in dependency_legend(ax).get_texts()]
    ['future pixel', 'earlier, not seen', 'earlier, seen', 'output pixel']
    >>> plt.close(fig)
    """
    handles = [Patch(facecolor=DEPENDENCY_CMAP(index), edgecolor="0.4", label=label)
               for index, label in enumerate(_DEPENDENCY_LABELS)]
    return where.legend(handles=handles + list(extra), **kwargs)


def notebook_style():
    """Set the rcParams every chapter notebook starts with (readable, compact PNGs).

    When the environment variable ``CVLAB_LECTURE`` is set to a non-empty value
    other than ``0`` (``make present`` does this), ``lecture_style()`` follows.

    >>> notebook_style()
    >>> plt.rcParams["figure.dpi"] in (80.0, LECTURE_RC["figure.dpi"])
    True
    """
    plt.rcParams.update({
        "figure.dpi": 80,
        "figure.figsize": (9.0, 3.6),
        "font.size": 11,
        "axes.titlesize": 11,
        "image.interpolation": "nearest",
    })
    if os.environ.get("CVLAB_LECTURE", "") not in ("", "0"):
        lecture_style()


#: rcParams of the projector style: larger text, thicker lines, larger PNGs.
LECTURE_RC = {
    "figure.dpi": 100,
    "font.size": 14,
    "axes.titlesize": 14,
    "axes.labelsize": 14,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "lines.linewidth": 2.5,
    "lines.markersize": 8,
    "axes.linewidth": 1.5,
    "patch.linewidth": 1.5,
}


class _RestoreStyle:
    """Context manager returned by ``lecture_style``: restores the replaced rcParams on exit."""

    def __init__(self, previous):
        self._previous = previous

    def __repr__(self):  # a notebook cell ending in lecture_style() shows this, not an address
        return "<cvlab lecture style>"

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        plt.rcParams.update(self._previous)
        return False


def lecture_style():
    """Switch figures and explorers to projector style: larger fonts, thicker lines.

    Call it once (after ``notebook_style()``) to keep the style for the rest
    of the session, or use it as a context manager to apply it only to the
    figures and explorers created inside the ``with`` block; the previous
    settings come back on exit. Explorers keep the style they were built with.

    >>> import matplotlib.pyplot as plt
    >>> before = plt.rcParams["font.size"]
    >>> with lecture_style():
    ...     print(plt.rcParams["font.size"])
    14.0
    >>> plt.rcParams["font.size"] == before
    True
    """
    previous = {key: plt.rcParams[key] for key in LECTURE_RC}
    plt.rcParams.update(LECTURE_RC)
    return _RestoreStyle(previous)


def show_images(images, titles=None, ncols=None, cmap="gray", vmin=None, vmax=None, size=2.6):
    """Show images side by side without ticks; return the figure and its axes.

    Grey uint8 images are shown on the fixed range [0, 255] unless
    ``vmin``/``vmax`` are given, so brightness changes stay visible.

    >>> fig, axes = show_images([np.zeros((4, 4), np.uint8)] * 3, ["a", "b", "c"], ncols=2)
    >>> axes.shape, axes[0, 0].get_title()
    ((2, 2), 'a')
    >>> plt.close(fig)
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


def show_gallery(ax, rows, row_labels, cmap="gray_r", vmin=None, vmax=None):
    """Draw rows of equally many small images as one framed mosaic on ``ax``; return its image.

    One ``imshow`` for the whole grid, each image in a one-pixel frame of the lowest
    shown value: far faster to draw than one axes per image (see :func:`show_images`).
    Each row is labelled on the y axis.

    >>> fig, ax = plt.subplots()
    >>> image = show_gallery(ax, [np.ones((3, 8, 8)), np.zeros((3, 8, 8))], ["a", "b"], vmin=0, vmax=1)
    >>> image.get_array().shape, [label.get_text() for label in ax.get_yticklabels()]
    ((20, 30), ['a', 'b'])
    >>> plt.close(fig)
    """
    rows = [np.asarray(row, dtype=float) for row in rows]
    if not rows or rows[0].ndim != 3 or any(row.shape != rows[0].shape for row in rows):
        raise ValueError(f"rows must be images of one shape (n, h, w), as many in each row; "
                         f"got shapes {[row.shape for row in rows]}")
    if len(row_labels) != len(rows):
        raise ValueError(f"row_labels must have one label per row ({len(rows)}); got {len(row_labels)}")
    blank = min(row.min() for row in rows) if vmin is None else vmin
    framed = [np.pad(row, ((0, 0), (1, 1), (1, 1)), constant_values=blank) for row in rows]
    mosaic = np.concatenate([np.concatenate(list(row), axis=1) for row in framed])
    image = ax.imshow(mosaic, cmap=cmap, vmin=vmin, vmax=vmax)
    tile_height = rows[0].shape[1] + 2
    ax.set_yticks(tile_height * np.arange(len(rows)) + tile_height / 2 - 0.5, row_labels)
    ax.set_xticks([])
    return image


def stairs(ax, hist, label=None, **kwargs):
    """Draw a histogram of counts as a step outline (one artist, not 256 bars).

    >>> fig, ax = plt.subplots()
    >>> stairs(ax, [3, 1, 2]).get_data().edges.tolist()
    [0, 1, 2, 3]
    >>> plt.close(fig)
    """
    hist = np.asarray(hist)
    return ax.stairs(hist, np.arange(hist.shape[-1] + 1), label=label, **kwargs)
