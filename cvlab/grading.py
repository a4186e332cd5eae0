"""No shortcuts while an assignment is graded: cvlab's own answers refuse to be called.

The course's nbgrader assignments (``assignments/``) ask students to write in
NumPy functions that cvlab already has. Their test cells compute the expected
values with cvlab first, then run the student's function inside
:func:`forbid`, where cvlab refuses to run: a submission whose ``pad`` returns
``cvlab.filters.pad(...)`` fails those tests with :class:`ShortcutError`.

How the refusal holds
---------------------
* A function is switched off in place: its code is swapped for code that
  raises :class:`ShortcutError`, and put back on exit. A name bound before the
  test ran (``from cvlab.filters import pad``), an alias, a ``functools.partial``,
  a model's method and a private helper (``cvlab.filters._correlate_rows``) all
  run that same function object, so all of them refuse.
* A module target covers every function and method defined in it and in its
  submodules, public or private. Its submodules that are not imported yet
  cannot be imported while the guard is on (they could not be switched off).
* NumPy's dispatching wrappers (``np.pad``) are switched off through the
  Python function behind them.

What it cannot stop: functions written in C (``np.bincount``, ufuncs), a result
a ``functools.cache`` already holds, copying cvlab's source text, or rebuilding a
function from its code before the test runs. The first is why the assignments
name the NumPy calls they allow; no cvlab algorithm is cached; the last two are
not shortcuts but copying.
"""

import contextlib
import copy
import functools
import importlib.util
import math
import numbers
import sys
import types

import numpy as np

__all__ = ["ShortcutError", "forbid", "check"]

#: Never switched off: the guard's own module.
_EXEMPT = (__name__,)

#: function -> its original code, for every function currently switched off (emptied on exit).
_SWITCHED_OFF = {}


class ShortcutError(RuntimeError):
    """Raised by a function that :func:`forbid` has switched off.

    Examples
    --------
    >>> issubclass(ShortcutError, RuntimeError)
    True
    """


def _refuse(name):
    """The error a switched-off function raises (its stub calls this)."""
    return ShortcutError(f"{name} is switched off while this task is graded; write it in NumPy")


@functools.lru_cache(maxsize=16)
def _stub_template(n_free):
    """Code that raises ShortcutError, with ``n_free`` free variables so it fits a closure of that size."""
    cells = [f"_cell{i}" for i in range(n_free)]
    lines = ["def _outer():", *(f"    {cell} = None" for cell in cells), "    def refused(*args, **kwargs):"]
    if cells:  # never run: it only makes the cells free variables of the stub
        lines.append(f"        if False: {', '.join(cells)},")
    # The stub runs with the switched-off function's globals, so it reaches this module by import.
    lines += ["        raise __import__('cvlab.grading').grading._refuse('<name>')", "    return refused"]
    namespace = {}
    exec(compile("\n".join(lines), "<cvlab.grading>", "exec"), namespace)
    return namespace["_outer"]().__code__


def _name(target):
    return f"{target.__module__}.{target.__qualname__}"


def _stub(function, name):
    template = _stub_template(len(function.__code__.co_freevars))
    consts = tuple(name if const == "<name>" else const for const in template.co_consts)
    return template.replace(co_consts=consts, co_name=function.__code__.co_name,
                            co_qualname=function.__code__.co_qualname)


def _python_function(target):
    """The Python function behind ``target``: itself, a NumPy dispatcher's or a cache's function, or None."""
    if isinstance(target, types.FunctionType):
        return target
    for attribute in ("_implementation", "__wrapped__"):  # numpy's array-function dispatchers; functools.cache
        inner = getattr(target, attribute, None)
        if isinstance(inner, types.FunctionType):
            return inner
    return None


def _class_functions(cls, seen, belongs):
    """(function, name) for the methods of ``cls`` (and its nested classes) defined in modules ``belongs`` accepts.

    The module check matters: a class's namespace also holds functions it did not define,
    such as ``enum.Enum.__new__`` in every Enum, which must never be switched off.
    """
    if cls in seen:
        return
    seen.add(cls)
    for member in vars(cls).values():
        if isinstance(member, (staticmethod, classmethod)):
            member = member.__func__
        if isinstance(member, property):
            candidates = [f for f in (member.fget, member.fset, member.fdel) if isinstance(f, types.FunctionType)]
        elif isinstance(member, type) and belongs(member.__module__):
            yield from _class_functions(member, seen, belongs)
            continue
        else:
            candidates = [member] if isinstance(member, types.FunctionType) else []
        yield from ((f, _name(f)) for f in candidates if belongs(f.__module__))


def _within(prefix):
    """A test of a module's name: is it ``prefix`` or one of its submodules (and not this module)?"""
    return lambda name: bool(name) and name not in _EXEMPT and (name == prefix or name.startswith(prefix + "."))


def _module_functions(prefix):
    """(function, name) for every function and method defined in the loaded modules ``prefix`` and ``prefix.*``."""
    belongs = _within(prefix)
    seen = set()
    for name, module in list(sys.modules.items()):
        if module is None or not belongs(name):
            continue
        for member in list(vars(module).values()):
            if not belongs(getattr(member, "__module__", None)):
                continue
            if isinstance(member, type):
                yield from _class_functions(member, seen, belongs)
            else:
                function = _python_function(member)
                if function is not None:
                    yield function, _name(member)


class _ImportBlocker:
    """A meta-path finder that refuses to import a module of a forbidden package that is not loaded yet."""

    def __init__(self, prefixes):
        self.prefixes = prefixes

    def find_spec(self, name, path=None, target=None):
        if any(name == p or name.startswith(p + ".") for p in self.prefixes):
            raise ImportError(f"{name} cannot be imported while this task is graded")
        return None


def _as_targets(targets):
    """Split ``targets`` into module prefixes and (function, name) pairs, checking each one."""
    if isinstance(targets, (str, types.ModuleType, type)) or callable(targets):
        targets = [targets]
    elif not isinstance(targets, (list, tuple)):
        raise TypeError(f"targets must be a module, class, function or a list of them; got {type(targets).__name__}")
    prefixes, functions = [], []
    for target in targets:
        if isinstance(target, types.ModuleType):
            target = target.__name__
        if isinstance(target, str):
            if not all(part.isidentifier() for part in target.split(".")) or importlib.util.find_spec(target) is None:
                raise ValueError(f"targets must name importable modules; got {target!r}")
            prefixes.append(target)
        elif isinstance(target, type):
            functions.extend(_class_functions(target, set(), _within(target.__module__)))
        elif _python_function(target) is not None:
            functions.append((_python_function(target), _name(target)))
        elif callable(target):
            raise ValueError(f"targets holds {target!r}, which is written in C and cannot be switched off")
        else:
            raise TypeError(f"targets must hold modules, classes or functions; got {type(target).__name__}")
    return prefixes, functions


def forbid(targets=("cvlab",)):
    """A context manager under which the functions of ``targets`` raise :class:`ShortcutError`.

    Everything is restored on exit, also when the block raises. Guards nest.

    Parameters
    ----------
    targets : module, str, class, function, or a list or tuple of them
        A module or package, as an object or a dotted name (``"cvlab"``,
        ``"scipy.ndimage"``): every function and method defined in it and its
        submodules, public or private, except this module's own. A class: its
        methods. A function: itself; for a NumPy dispatcher such as ``np.pad``,
        the Python function behind it.

    Returns
    -------
    context manager

    Raises
    ------
    ValueError
        A name that is not an importable module, or a function written in C.
    TypeError
        A target of another kind.

    See Also
    --------
    check : compare a student's function with a reference under the guard.

    Examples
    --------
    >>> import cvlab.filters
    >>> from cvlab.filters import pad              # bound before the guard is on
    >>> with forbid("cvlab"):
    ...     pad([[1]], 1)
    Traceback (most recent call last):
    ...
    cvlab.grading.ShortcutError: cvlab.filters.pad is switched off while this task is graded; write it in NumPy
    >>> pad([[1]], 1).tolist()                    # back on after the block
    [[0, 0, 0], [0, 1, 0], [0, 0, 0]]
    >>> with forbid(np.pad):
    ...     np.pad([1], 1)
    Traceback (most recent call last):
    ...
    cvlab.grading.ShortcutError: numpy.pad is switched off while this task is graded; write it in NumPy
    """
    prefixes, functions = _as_targets(targets)
    return _guard(prefixes, functions)


@contextlib.contextmanager
def _guard(prefixes, functions):
    blocker = _ImportBlocker(prefixes)
    mine = []  # switched off by this guard (an enclosing guard keeps its own)
    try:
        for function, name in [*functions, *(pair for prefix in prefixes for pair in _module_functions(prefix))]:
            if function not in _SWITCHED_OFF:
                _SWITCHED_OFF[function] = function.__code__
                function.__code__ = _stub(function, name)
                mine.append(function)
        sys.meta_path.insert(0, blocker)
        yield
    finally:
        if blocker in sys.meta_path:
            sys.meta_path.remove(blocker)
        for function in mine:
            function.__code__ = _SWITCHED_OFF.pop(function)


def _callable(value, name):
    if not callable(value):
        raise TypeError(f"{name} must be callable; got {type(value).__name__}")
    return value


def _tolerance(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(value).__name__}")
    try:
        value = float(value)
    except OverflowError:  # an int past the float range, such as 10**400
        raise ValueError(f"{name} must be finite; got an integer too large for a float") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be finite and >= 0; got {value}")
    return value


def _call(function, case):
    return function(**case) if isinstance(case, dict) else function(*case)


def _arguments(case):
    return list(case.items()) if isinstance(case, dict) else list(enumerate(case))


def _describe(case):
    """The case's arguments by shape and dtype (hidden inputs are not printed)."""
    parts = []
    for key, value in _arguments(case):
        label = f"{key}=" if isinstance(key, str) else ""
        if isinstance(value, np.ndarray):
            parts.append(f"{label}array{value.shape} {value.dtype}")
        elif isinstance(value, (numbers.Number, str, type(None))):
            parts.append(f"{label}{value!r}")
        else:
            parts.append(f"{label}{type(value).__name__}")
    return ", ".join(parts)


def _difference(got, expected, rtol, atol):
    """Why ``got`` is not ``expected``, or None when it is."""
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"expected a tuple of {len(expected)} results, got {type(got).__name__}"
        for index, (g, e) in enumerate(zip(got, expected)):
            reason = _difference(g, e, rtol, atol)
            if reason:
                return f"result {index}: {reason}"
        return None
    if got is None:
        return "the function returned None (did you forget return?)"
    expected = np.asarray(expected)
    try:
        got = np.asarray(got, dtype=np.float64 if expected.dtype.kind == "f" else None)
    except (TypeError, ValueError):
        return f"expected an array of shape {expected.shape}, got {type(got).__name__}"
    if got.shape != expected.shape:
        return f"expected shape {expected.shape}, got {got.shape}"
    if expected.dtype.kind in "biu":
        wrong = got != expected
    else:
        wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    if not np.any(wrong):
        return None
    first = tuple(int(i) for i in np.argwhere(wrong)[0])
    return (f"{int(np.sum(wrong))} of {expected.size} values differ; first at index {first}: "
            f"expected {expected[first].item()!r}, got {got[first].item()!r}")


def check(student, reference, cases, forbidden=("cvlab",), rtol=1e-10, atol=1e-12):
    """Check ``student`` against ``reference`` on every case, with ``forbidden`` switched off for the student.

    Every reference result is computed first; then, under
    ``forbid(forbidden)``, the student's function runs on a deep copy of
    each case. Results must have the reference's structure (tuples
    element by element) and shape; integer and boolean values must be
    equal, floats equal within |got − expected| ≤ atol + rtol·|expected|.
    The student's copy of each array argument must be unchanged afterwards.

    Parameters
    ----------
    student, reference : callable
        Called as ``f(*case)`` for a tuple case, ``f(**case)`` for a dict.
    cases : iterable of tuple or dict
        The arguments, at least one case.
    forbidden : targets of :func:`forbid`
        What refuses to run while the student's function does.
    rtol, atol : float
        Tolerances (≥ 0) for floating-point results.

    Raises
    ------
    AssertionError
        At the first case that differs, naming the case by its arguments'
        shapes (not their values) and the first differing index.
    ShortcutError
        If the student's function calls something in ``forbidden``.

    See Also
    --------
    forbid : the guard used while the student's function runs.

    Examples
    --------
    >>> import cvlab.histogram
    >>> def count(image, bins):
    ...     return np.bincount(((np.asarray(image, np.int64) * bins) >> 8).ravel(), minlength=bins)
    >>> image = np.array([[0, 10], [128, 255]], dtype=np.uint8)
    >>> check(count, cvlab.histogram.histogram, [(image, 4), (image, 256)])
    >>> check(lambda image, bins: np.zeros(bins), cvlab.histogram.histogram, [(image, 4)])
    Traceback (most recent call last):
    ...
    AssertionError: case 1 of 1 (array(2, 2) uint8, 4): 3 of 4 values differ; first at index (0,): expected 2, got 0.0
    >>> check(cvlab.histogram.histogram, cvlab.histogram.histogram, [(image, 4)])
    Traceback (most recent call last):
    ...
    cvlab.grading.ShortcutError: cvlab.histogram.histogram is switched off while this task is graded; write it in NumPy
    """
    student = _callable(student, "student")
    reference = _callable(reference, "reference")
    rtol = _tolerance(rtol, "rtol")
    atol = _tolerance(atol, "atol")
    if isinstance(cases, (str, bytes, dict)) or not hasattr(cases, "__iter__"):
        raise TypeError(f"cases must be a list of argument tuples or dicts; got {type(cases).__name__}")
    cases = list(cases)
    if not cases:
        raise ValueError("cases must hold at least one case")
    for index, case in enumerate(cases):
        if not isinstance(case, (tuple, dict)):
            raise TypeError(f"cases[{index}] must be a tuple of arguments or a dict; got {type(case).__name__}")
    expected = [_call(reference, copy.deepcopy(case)) for case in cases]
    given = [copy.deepcopy(case) for case in cases]
    with forbid(forbidden):
        got = [_call(student, arguments) for arguments in given]
    for index, case in enumerate(cases):
        where = f"case {index + 1} of {len(cases)} ({_describe(case)})"
        reason = _difference(got[index], expected[index], rtol, atol)
        if reason:
            raise AssertionError(f"{where}: {reason}")
        for (key, before), (_, after) in zip(_arguments(case), _arguments(given[index])):
            if isinstance(before, np.ndarray) and not np.array_equal(before, after):
                raise AssertionError(f"{where}: your function modified its argument {key!r}; work on a copy")

