"""Real images and digits, bundled with scikit-image and scikit-learn: nothing is downloaded.

Every loader returns a fresh copy, so a caller may modify what it gets.
This module is the one place that touches scikit-image and scikit-learn;
the algorithm modules see only NumPy arrays.
"""

from functools import cache

import numpy as np

from ._checks import as_choice

__all__ = ["IMAGES", "CLUTTER", "load_image", "motorcycle_disparity", "faces", "clutter_windows", "digits"]

#: Image names accepted by :func:`load_image`, with what they show.
IMAGES = {
    "camera": "cameraman, grey 512x512",
    "chelsea": "Chelsea the cat (the notes' 哈基米), RGB 300x451",
    "coins": "Greek coins on a dark background, grey 303x384",
    "moon": "lunar surface, low contrast, grey 512x512",
    "retina": "fundus photograph of a human retina, RGB 1411x1411",
    "microaneurysms": "retinal microaneurysms, grey 102x102",
    "checkerboard": "synthetic checkerboard, grey 200x200",
    "motorcycle_left": "left view of a stereo pair, RGB 500x741",
    "motorcycle_right": "right view of a stereo pair, RGB 500x741",
}


@cache
def _cached_image(name):
    from skimage import data

    if name.startswith("motorcycle_"):
        left, right, _disparity = data.stereo_motorcycle()
        return left if name == "motorcycle_left" else right
    return getattr(data, name)()


def load_image(name):
    """Load one of scikit-image's bundled sample images as uint8.

    Parameters
    ----------
    name : str
        One of the keys of :data:`IMAGES`.

    Returns
    -------
    ndarray of uint8
        Shape (H, W) for grey images, (H, W, 3) for RGB: f(x, y) or
        [r(x, y), g(x, y), b(x, y)] in the notes' notation.

    Examples
    --------
    >>> image = load_image("camera")
    >>> image.shape, image.dtype
    ((512, 512), dtype('uint8'))
    """
    as_choice(name, "name", IMAGES)
    return _cached_image(name).copy()


@cache
def _cached_disparity():
    from skimage import data

    _left, _right, disparity = data.stereo_motorcycle()
    return np.where(np.isfinite(disparity), disparity, np.nan).astype(np.float64)


def motorcycle_disparity():
    """Ground-truth disparity d(r, c) of the motorcycle stereo pair (Middlebury 2014), in pixels.

    The pair is rectified: the scene point at (r, c) in ``motorcycle_left``
    appears at (r, c − d(r, c)) in ``motorcycle_right``. A larger d means a
    nearer point (d = f·B / Z for focal length f, baseline B, depth Z).

    Returns
    -------
    ndarray of float64, (500, 741)
        NaN where the truth is unknown (occluded in the right view).

    Examples
    --------
    >>> d = motorcycle_disparity()
    >>> d.shape, bool(np.nanmin(d) > 0), round(float(np.isnan(d).mean()), 3)
    ((500, 741), True, 0.073)
    """
    return _cached_disparity().copy()


@cache
def _cached_faces():
    from skimage import data

    windows = data.lfw_subset()
    return windows[:100], windows[100:]


def faces():
    """Return 25x25 face and non-face windows from Labeled Faces in the Wild.

    Returns
    -------
    faces, non_faces : ndarray of float64, each (100, 25, 25), values in [0, 1]

    Examples
    --------
    >>> face_windows, other_windows = faces()
    >>> face_windows.shape, other_windows.shape
    ((100, 25, 25), (100, 25, 25))
    """
    face_windows, other_windows = _cached_faces()
    return face_windows.copy(), other_windows.copy()


#: Textured scenes (bundled with scikit-image) whose windows stand for the clutter a face detector fires on.
CLUTTER = ("brick", "grass", "gravel", "text")


@cache
def _cached_clutter():
    from skimage import data

    rng = np.random.default_rng(0)
    windows = []
    for name in CLUTTER:
        image = getattr(data, name)() / 255.0
        kept = 0
        while kept < 25:  # seeded positions; a nearly flat window (blank paper, say) is not clutter
            y, x = rng.integers(0, image.shape[0] - 25), rng.integers(0, image.shape[1] - 25)
            window = image[y:y + 25, x:x + 25]
            if window.std() >= 0.05:
                windows.append(window)
                kept += 1
    return np.stack(windows)


def clutter_windows():
    """Return 100 cluttered 25x25 non-face windows: 25 each from brick, grass, gravel and text.

    The windows sit at fixed, seeded positions in scikit-image's bundled
    texture images (:data:`CLUTTER`), the kind of busy region where a face
    detector raises false alarms. Unlike many of ``faces()``'s non-face
    windows, none is nearly flat: each has a standard deviation of at least 0.05.

    Returns
    -------
    ndarray of float64, shape (100, 25, 25), values in [0, 1]

    Examples
    --------
    >>> windows = clutter_windows()
    >>> windows.shape, bool(windows.std(axis=(1, 2)).min() >= 0.05)
    ((100, 25, 25), True)
    """
    return _cached_clutter().copy()


@cache
def _cached_digits():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return bunch.images.astype(np.int64), bunch.target.astype(np.int64)


def digits(labels=False):
    """Return scikit-learn's 8x8 handwritten digits with the course's fixed split.

    The first 1500 images (in scikit-learn's order) train, the last 297 test.
    Each pixel is one of 17 grey levels, 0 to 16.

    Parameters
    ----------
    labels : bool
        Also return the class of each image, the digit 0 to 9 it shows.

    Returns
    -------
    train : ndarray of int64, shape (1500, 8, 8)
    test : ndarray of int64, shape (297, 8, 8)
        Without ``labels``.
    (train, train_labels), (test, test_labels) : tuples of ndarray of int64
        With ``labels``: the same images, and labels of shape (1500,) and (297,).

    Examples
    --------
    >>> train, test = digits()
    >>> train.shape, test.shape, int(train.max())
    ((1500, 8, 8), (297, 8, 8), 16)
    >>> (train, train_labels), (test, test_labels) = digits(labels=True)
    >>> train_labels.shape, test_labels.shape, train_labels[:5]
    ((1500,), (297,), array([0, 1, 2, 3, 4]))
    """
    if not isinstance(labels, (bool, np.bool_)):
        raise TypeError(f"labels must be True or False; got {type(labels).__name__}")
    images, classes = _cached_digits()
    if not labels:
        return images[:1500].copy(), images[1500:].copy()
    return (images[:1500].copy(), classes[:1500].copy()), (images[1500:].copy(), classes[1500:].copy())

