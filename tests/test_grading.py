"""cvlab.grading: the guard holds however a shortcut is reached, and always puts everything back."""

import enum
import functools
import importlib
import sys
import types

import numpy as np
import pytest

import cvlab.filters
import cvlab.histogram
import cvlab.pixelcnn
from cvlab.filters import pad  # bound before any guard, as a student's import would be
from cvlab.grading import ShortcutError, check, forbid


def _cvlab_functions():
    """Every function defined in a loaded cvlab module other than the guard's own, with its module."""
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith("cvlab") or name == "cvlab.grading":
            continue
        for member in vars(module).values():
            if isinstance(member, types.FunctionType) and member.__module__ == name:
                yield member
            elif isinstance(member, type) and member.__module__ == name:
                yield from (f for f in vars(member).values()
                            if isinstance(f, types.FunctionType) and f.__module__ == name)


def test_names_bound_before_the_guard_refuse_and_work_again_after():
    image = np.arange(4.0).reshape(2, 2)
    expected = pad(image, 1)
    with forbid("cvlab"):
        with pytest.raises(ShortcutError, match=r"cvlab\.filters\.pad is switched off"):
            pad(image, 1)
        with pytest.raises(ShortcutError):
            cvlab.filters.pad(image, 1)
        with pytest.raises(ShortcutError):
            functools.partial(pad, mode="edge")(image, 1)
    np.testing.assert_array_equal(pad(image, 1), expected)


def test_private_helpers_and_methods_refuse_too():
    model = cvlab.pixelcnn.PixelCNN(levels=3, channels=2, n_layers=1, rng=np.random.default_rng(0))
    bound = model.sample  # a bound method taken before the guard
    levels = np.zeros((2, 2), dtype=np.uint8)
    with forbid("cvlab"):
        with pytest.raises(ShortcutError, match="_bin_index"):
            cvlab.histogram._bin_index(levels, 4)
        with pytest.raises(ShortcutError):
            cvlab.filters._correlate_rows(np.ones((2, 4)), np.ones(2), 1, 3, np.empty((2, 3)))
        with pytest.raises(ShortcutError, match="sample"):
            bound(1, 0, shape=(2, 2))
        with pytest.raises(ShortcutError):  # __init__ calls super(): a closure over __class__
            cvlab.pixelcnn.MaskedConv2d(1, 1, 3, "A", rng=np.random.default_rng(0))
    assert bound(1, 0, shape=(2, 2)).shape == (1, 2, 2)


def test_every_function_of_every_loaded_cvlab_module_is_switched_off_then_restored():
    for name in ("cvlab.convolution", "cvlab.features", "cvlab.pointops"):  # loaded, so the sweep covers them
        importlib.import_module(name)

    functions = list(_cvlab_functions())
    codes = [function.__code__ for function in functions]
    assert len(functions) > 100
    with forbid("cvlab"):
        still_on = [f.__qualname__ for f in functions if f.__code__.co_filename != "<cvlab.grading>"]
        assert not still_on
    assert all(function.__code__ is code for function, code in zip(functions, codes))
    assert check.__code__.co_filename != "<cvlab.grading>"  # the guard never switches itself off


def test_a_class_target_covers_its_methods_only():
    model = cvlab.pixelcnn.PixelCNN(levels=3, channels=2, n_layers=1, rng=np.random.default_rng(0))
    with forbid([cvlab.pixelcnn.PixelCNN.sample]):
        with pytest.raises(ShortcutError):
            model.sample(1, 0, shape=(1, 1))
        assert model.forward(np.zeros((1, 2, 2), dtype=np.int64)).shape == (1, 3, 2, 2)
    with forbid(cvlab.pixelcnn.MaskedConv2d):
        with pytest.raises(ShortcutError):
            cvlab.pixelcnn.MaskedConv2d(1, 1, 3, "A", rng=np.random.default_rng(0))
        assert cvlab.pixelcnn.causal_mask(3, "A").shape == (1, 1, 3, 3)


def test_a_cached_function_is_switched_off_behind_its_cache():
    import cvlab.data

    cvlab.data._cached_image.cache_clear()
    with forbid("cvlab"), pytest.raises(ShortcutError, match="_cached_image"):
        cvlab.data._cached_image("camera")
    assert cvlab.data.load_image("camera").shape == (512, 512)


def test_numpy_dispatchers_are_switched_off_through_their_implementation():
    with forbid([np.pad]):
        with pytest.raises(ShortcutError, match=r"numpy\.pad is switched off"):
            np.pad(np.ones(2), 1)
    assert np.pad(np.ones(2), 1).tolist() == [0.0, 1.0, 1.0, 0.0]


def test_functions_a_package_did_not_define_stay_on():
    # scipy.special holds Enum classes, whose namespace includes enum.Enum.__new__.
    with forbid("scipy.special"):
        assert enum.Enum("Colour", "RED").RED.value == 1
        assert np.pad(np.ones(1), 1).size == 3


def test_a_forbidden_package_cannot_import_a_module_it_has_not_loaded(tmp_path, monkeypatch):
    package = tmp_path / "cvlab_guard_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "late.py").write_text("def answer():\n    return 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    try:
        import cvlab_guard_probe

        with forbid("cvlab_guard_probe"), pytest.raises(ImportError, match="cannot be imported while"):
            import cvlab_guard_probe.late
        import cvlab_guard_probe.late

        assert cvlab_guard_probe.late.answer() == 42
    finally:
        for name in ("cvlab_guard_probe.late", "cvlab_guard_probe"):
            sys.modules.pop(name, None)


def test_guards_nest_and_an_error_inside_still_restores():
    image = np.ones((2, 2))
    with pytest.raises(RuntimeError, match="the task's own error"):
        with forbid("cvlab"):
            with forbid("cvlab.filters"):
                pass
            with pytest.raises(ShortcutError):  # the outer guard still holds after the inner one ends
                pad(image, 1)
            raise RuntimeError("the task's own error")
    assert pad(image, 1).shape == (4, 4)


def test_bad_targets_are_named():
    with pytest.raises(ValueError, match="targets must name importable modules"):
        forbid("no_such_module_for_cvlab")
    with pytest.raises(ValueError, match="written in C"):
        forbid([np.bincount])
    with pytest.raises(TypeError, match="targets must hold"):
        forbid([3])


def test_check_computes_references_first_and_passes_a_right_answer():
    image = np.array([[0, 10], [128, 255]], dtype=np.uint8)

    def counts(image, bins):
        return np.bincount(((image.astype(np.int64) * bins) >> 8).ravel(), minlength=bins)

    check(counts, cvlab.histogram.histogram, [(image, 4), dict(image=image, bins=256)])


@pytest.mark.parametrize("student, message", [
    (lambda x: None, "returned None"),
    (lambda x: x[:2], r"expected shape \(3,\), got \(2,\)"),
    (lambda x: x + 1e-6, r"3 of 3 values differ; first at index \(0,\)"),
    (lambda x: (x, x), r"expected shape \(3,\), got \(2, 3\)"),
    (lambda x: "three", "expected an array"),
])
def test_check_says_what_is_wrong(student, message):
    with pytest.raises(AssertionError, match=message):
        check(student, lambda x: x * 1.0, [(np.array([1.5, 2.5, 3.5]),)])


def test_check_compares_tuples_exactly_for_integers_and_within_tolerance_for_floats():
    case = [(np.array([1.0, 2.0]),)]
    check(lambda x: (x + 1e-13, 2), lambda x: (x, 2), case)
    with pytest.raises(AssertionError, match="result 1"):
        check(lambda x: (x, 3), lambda x: (x, 2), case)
    with pytest.raises(AssertionError, match="result 0"):
        check(lambda x: (x + 1e-3, 2), lambda x: (x, 2), case, rtol=1e-6, atol=0.0)


def test_check_reports_a_modified_input_without_printing_hidden_values():
    secret = np.array([123456.0, 654321.0])

    def in_place(x):
        x *= 2
        return x

    with pytest.raises(AssertionError, match="modified its argument 0") as error:
        check(in_place, lambda x: 2 * x, [(secret,)])
    assert "123456" not in str(error.value)
    assert secret.tolist() == [123456.0, 654321.0]  # the student worked on a copy


def test_check_runs_the_student_under_the_guard():
    with pytest.raises(ShortcutError):
        check(cvlab.filters.pad, cvlab.filters.pad, [(np.ones((2, 2)), 1)])
    check(cvlab.filters.pad, cvlab.filters.pad, [(np.ones((2, 2)), 1)], forbidden=["scipy.signal"])


def test_check_validates_its_own_arguments():
    with pytest.raises(TypeError, match="student must be callable"):
        check(3, np.negative, [(1.0,)])
    with pytest.raises(ValueError, match="cases must hold at least one case"):
        check(np.negative, np.negative, [])
    with pytest.raises(TypeError, match=r"cases\[0\] must be a tuple"):
        check(np.negative, np.negative, [1.0])
    with pytest.raises(ValueError, match="rtol must be finite"):
        check(np.negative, np.negative, [(1.0,)], rtol=-1.0)


@pytest.mark.parametrize("name", ["rtol", "atol"])
def test_check_refuses_a_tolerance_past_the_float_range_by_name(name):
    with pytest.raises(ValueError, match=f"^{name} must be finite"):
        check(np.negative, np.negative, [(np.arange(3.0),)], **{name: 10**400})
