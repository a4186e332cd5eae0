"""cvlab.pixelcnn.masks: type A/B and RGB causal masks, the two stacks' masks, ceilings."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cvlab.pixelcnn import causal_mask, horizontal_mask, vertical_mask
from cvlab.pixelcnn.masks import MAX_KERNEL_SIZE, MAX_LAYER_CHANNELS


def test_causal_mask_types():
    a, b = causal_mask(5, "A")[0, 0], causal_mask(5, "B")[0, 0]
    assert a.shape == (5, 5) and a.sum() == 12 and b.sum() == 13
    assert a[2, 2] == 0 and b[2, 2] == 1
    assert not a[3:].any() and not a[2, 3:].any()
    assert (a[:2] == 1).all()


def test_causal_mask_rgb_groups():
    a = causal_mask(3, "A", 6, 6, color_groups=3)[:, :, 1, 1]
    b = causal_mask(3, "B", 6, 6, color_groups=3)[:, :, 1, 1]
    groups = np.arange(6) // 2
    np.testing.assert_array_equal(a, groups[None, :] < groups[:, None])
    np.testing.assert_array_equal(b, groups[None, :] <= groups[:, None])
    # off-centre taps ignore groups
    assert causal_mask(3, "A", 6, 6, color_groups=3)[:, :, 0].all()


@given(st.integers(0, 4), st.sampled_from("AB"))
def test_causal_mask_counts(half, kind):
    k = 2 * half + 1
    mask = causal_mask(k, kind)
    assert mask.sum() == k * k // 2 + (kind == "B")
    assert set(np.unique(mask)) <= {0.0, 1.0}


@given(st.integers(0, 4), st.integers(0, 8), st.integers(0, 8))
def test_causal_mask_follows_raster_order(half, row, col):
    # a tap is allowed exactly when the pixel it reads comes earlier in raster order
    k = 2 * half + 1
    row, col = row % k, col % k
    earlier = (row - half) * 1000 + (col - half) < 0
    assert causal_mask(k, "A")[0, 0, row, col] == earlier


def test_stack_masks():
    np.testing.assert_array_equal(vertical_mask(5)[0, 0], np.r_[np.ones((3, 5)), np.zeros((2, 5))])
    np.testing.assert_array_equal(horizontal_mask(5, "A")[0, 0, 2], [1, 1, 0, 0, 0])
    np.testing.assert_array_equal(horizontal_mask(5, "B")[0, 0, 2], [1, 1, 1, 0, 0])
    assert horizontal_mask(5, "B")[0, 0].sum() == 3


@pytest.mark.parametrize("function, kwargs, match", [
    (causal_mask, dict(kernel_size=4, mask_type="A"), "kernel_size"),
    (causal_mask, dict(kernel_size=3, mask_type="C"), "mask_type"),
    (causal_mask, dict(kernel_size=3, mask_type="A", color_groups=2), "color_groups"),
    (causal_mask, dict(kernel_size=3, mask_type="A", in_channels=4, color_groups=3), "in_channels"),
    (causal_mask, dict(kernel_size=3, mask_type="A", in_channels=3, out_channels=5, color_groups=3), "out_channels"),
    (causal_mask, dict(kernel_size=3.0, mask_type="A"), "kernel_size"),
    (causal_mask, dict(kernel_size=MAX_KERNEL_SIZE + 2, mask_type="A"), "kernel_size must be <= 15"),
    (causal_mask, dict(kernel_size=3, mask_type="A", in_channels=MAX_LAYER_CHANNELS + 1), "in_channels must be <= 1"),
    (causal_mask, dict(kernel_size=15, mask_type="B", in_channels=1024, out_channels=1024), "MAX_MASK_WEIGHTS"),
    (vertical_mask, dict(kernel_size=2), "kernel_size"),
    (vertical_mask, dict(kernel_size=3, out_channels=0), "out_channels"),
    (horizontal_mask, dict(kernel_size=3, mask_type="a"), "mask_type"),
    (horizontal_mask, dict(kernel_size=3, mask_type="A", in_channels=10**9), "in_channels"),
])
def test_mask_bad_inputs(function, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        function(**kwargs)
