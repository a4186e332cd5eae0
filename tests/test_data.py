import numpy as np
import pytest

from cvlab import data


@pytest.mark.parametrize("name", sorted(data.IMAGES))
def test_every_named_image_loads_offline_as_uint8(name):
    image = data.load_image(name)
    assert image.dtype == np.uint8 and image.ndim in (2, 3) and image.size > 0


def test_loaders_return_fresh_copies():
    first = data.load_image("camera")
    first[:] = 0
    assert data.load_image("camera").max() > 0
    train, _ = data.digits()
    train[:] = -1
    assert data.digits()[0].min() == 0


def test_faces_and_digits_shapes_and_ranges():
    face_windows, others = data.faces()
    assert face_windows.shape == others.shape == (100, 25, 25)
    assert 0 <= face_windows.min() and face_windows.max() <= 1
    train, test = data.digits()
    assert train.shape == (1500, 8, 8) and test.shape == (297, 8, 8)
    assert train.dtype == np.int64 and set(np.unique(train)) <= set(range(17))


def test_unknown_image_name_lists_the_choices():
    with pytest.raises(ValueError, match="name must be one of"):
        data.load_image("lena")


def test_clutter_windows_are_fixed_busy_and_fresh():
    windows = data.clutter_windows()
    assert windows.shape == (100, 25, 25) and windows.dtype == np.float64
    assert 0 <= windows.min() and windows.max() <= 1
    assert windows.std(axis=(1, 2)).min() >= 0.05            # none nearly flat, unlike many LFW non-faces
    windows[:] = 0
    again = data.clutter_windows()
    assert again.max() > 0 and np.array_equal(again, data.clutter_windows())
