"""Run a student's function against cvlab's on seeded random inputs and explain the first miss."""

import copy

import numpy as np


def check(student, reference, cases, name, hint):
    """Compare ``student(*args)`` with ``reference(*args)`` for each args tuple in ``cases``.

    Prints one line: a pass, or the first failing input with ``hint``.
    Returns True when every case matches.
    """
    for args in cases:
        expected = reference(*copy.deepcopy(args))
        given = copy.deepcopy(args)  # the student's own copy: modifying it cannot change the reference
        try:
            got = student(*given)
        except NotImplementedError:
            print(f"{name}: not implemented yet. Hint: {hint}")
            return False
        except Exception as error:  # a student's bug, reported rather than raised
            print(f"{name}: raised {type(error).__name__}: {error}. Hint: {hint}")
            return False
        if got is None or np.shape(got) != np.shape(expected):
            print(f"{name}: expected shape {np.shape(expected)}, got {np.shape(got)}. Hint: {hint}")
            return False
        if not np.allclose(np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64), atol=1e-9):
            print(f"{name}: wrong values for an input of shape {np.shape(args[0])}. Hint: {hint}")
            return False
        if not all(_same(a, b) for a, b in zip(args, given)):
            print(f"{name}: right values, but your function modified its input; work on a copy.")
            return False
    print(f"{name}: all {len(cases)} checks passed.")
    return True


def _same(original, after):
    if isinstance(original, np.ndarray):
        return isinstance(after, np.ndarray) and np.array_equal(original, after)
    return True
