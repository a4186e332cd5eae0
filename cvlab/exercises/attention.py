"""Self-checks for chapter 6's exercises (attention and Transformers)."""

import numpy as np

from ..attention import causal_mask, merge_heads, patchify, scaled_dot_product_attention, split_heads
from ._runner import check

__all__ = ["check_attention", "check_split_heads", "check_merge_heads", "check_patchify"]


def _attention_cases():
    generator = np.random.default_rng(0)
    cases = []
    for n_q, n_k, d, masked in [(1, 1, 1, False), (4, 4, 3, False), (5, 5, 4, True), (3, 6, 2, False),
                                (6, 6, 8, True)]:
        q, k, v = (generator.normal(size=shape) * 3 for shape in [(n_q, d), (n_k, d), (n_k, 2)])
        cases.append((q, k, v, causal_mask(n_k)[-n_q:] if masked else None))
    return cases


def check_attention(student):
    """Check ``student(q, k, v, mask)`` → the output softmax(q kᵀ / √d + log mask) v.

    ``mask`` is None or boolean (True = may attend); masked pairs must get
    a weight of exactly 0 before the weights multiply v.

    Examples
    --------
    >>> check_attention(lambda q, k, v, mask: scaled_dot_product_attention(q, k, v)[0])
    attention: wrong values for an input of shape (5, 4). Hint: scores q kᵀ / √d; where mask is False set the score
    to −inf; softmax over the last axis (subtract the row maximum first); then multiply by v.
    False
    >>> check_attention(lambda q, k, v, mask: scaled_dot_product_attention(q, k, v, mask)[0])
    attention: all 5 checks passed.
    True
    """
    return check(student, lambda q, k, v, mask: scaled_dot_product_attention(q, k, v, mask)[0], _attention_cases(),
                 "attention", "scores q kᵀ / √d; where mask is False set the score to −inf; softmax over the last "
                 "axis (subtract the row maximum first); then multiply by v.")


def check_split_heads(student):
    """Check ``student(x, heads)``: (B, n, d) → (B, heads, n, d/heads), head m holding features m·d/h … (m+1)·d/h − 1.

    Examples
    --------
    >>> check_split_heads(lambda x, heads: x.reshape(x.shape[0], heads, x.shape[1], -1))
    split heads: wrong values for an input of shape (2, 3, 4). Hint: reshape to (B, n, heads, d/heads), then swap
    the n and heads axes.
    False
    >>> check_split_heads(split_heads)
    split heads: all 3 checks passed.
    True
    """
    generator = np.random.default_rng(1)
    cases = [(generator.normal(size=(2, 3, 4)), 2), (generator.normal(size=(1, 5, 6)), 3),
             (generator.normal(size=(3, 2, 4)), 1)]
    return check(student, split_heads, cases, "split heads",
                 "reshape to (B, n, heads, d/heads), then swap the n and heads axes.")


def check_merge_heads(student):
    """Check ``student(x)``: (B, heads, n, d/heads) → (B, n, d), the inverse of splitting.

    Examples
    --------
    >>> check_merge_heads(merge_heads)
    merge heads: all 3 checks passed.
    True
    """
    generator = np.random.default_rng(2)
    cases = [(generator.normal(size=(2, 2, 3, 2)),), (generator.normal(size=(1, 3, 5, 2)),),
             (generator.normal(size=(3, 1, 2, 4)),)]
    return check(student, merge_heads, cases, "merge heads",
                 "swap the heads and n axes back, then reshape to (B, n, heads · d/heads).")


def check_patchify(student):
    """Check ``student(images, patch)``: (N, H, W) → (N, (H/p)(W/p), p²), patches in raster order, each row-major.

    Examples
    --------
    >>> check_patchify(lambda images, p: images.reshape(len(images), -1, p * p))
    patchify: wrong values for an input of shape (2, 4, 4). Hint: reshape to (N, H/p, p, W/p, p), move the two
    patch-grid axes first, then flatten each p × p patch.
    False
    >>> check_patchify(patchify)
    patchify: all 4 checks passed.
    True
    """
    generator = np.random.default_rng(3)
    cases = [(generator.integers(0, 17, (2, 4, 4)), 2), (generator.integers(0, 17, (1, 8, 8)), 4),
             (generator.integers(0, 17, (3, 6, 9)), 3), (generator.integers(0, 17, (1, 8, 8)), 1)]
    return check(student, patchify, cases, "patchify",
                 "reshape to (N, H/p, p, W/p, p), move the two patch-grid axes first, then flatten each p × p patch.")
