"""No call hangs, exhausts memory or quietly returns a wrong number, on arguments a student can type.

Generated from the same ``EXAMPLES`` as ``test_contracts.py`` (so from every
module's ``__all__``): each number in a valid call is replaced by huge and tiny
floats, huge ints and values past any documented ceiling, and each size-like
tuple by a huge one. Every case runs in a worker subprocess under a memory limit
(``CALL_MEMORY``, on top of what the worker holds after importing cvlab) and a
time limit (``TIME_LIMIT_S``), so a regression fails this test instead of the
machine. A case passes when the call

* raises ``ValueError`` or ``TypeError`` whose message names the parameter, or
* returns within the limits, with every float in its result finite.

A raw ``MemoryError``, ``OverflowError`` or ``IndexError``, a crash, a timeout,
or NaN or infinity in a result fails.
"""

import multiprocessing
import re
import resource
import signal
import traceback
import warnings

import numpy as np
import pytest
from test_contracts import ACCEPTS, EXAMPLES, OTHER_FORMS, _public_functions, _resolve

CALL_MEMORY = 2**30  # address space a call may add to the worker's, which already holds NumPy, SciPy and cvlab
TIME_LIMIT_S = 10

HUGE_FLOATS = (("huge-float", 1e300), ("tiny-float", 1e-300), ("subnormal", 5e-324), ("negative-huge", -1e300))
HUGE_INTS = (("huge-int", 10**9), ("int64-overflow", 2**63), ("beyond-float", 10**400), ("negative-huge", -(10**9)))



def _extreme_values(value):
    if isinstance(value, (bool, np.bool_)) or isinstance(value, np.ndarray):
        return
    if isinstance(value, (int, np.integer)):
        yield from HUGE_INTS
        yield from HUGE_FLOATS[:1]
    elif isinstance(value, (float, np.floating)):
        yield from HUGE_FLOATS
        yield "beyond-float", 10**400
    elif isinstance(value, tuple) and value and all(isinstance(v, (int, np.integer)) for v in value):
        yield "huge-tuple", tuple(10**6 for _ in value)
        yield "beyond-float-tuple", tuple(10**400 for _ in value)
    elif isinstance(value, list) and value and all(
            isinstance(v, tuple) and all(isinstance(x, (int, np.integer)) for x in v) for v in value):
        # lists of (K, S) layer specifications: large kernels, many layers
        yield "huge-layers", [tuple(10**6 for _ in value[0])] * 2
        yield "many-layers", [value[0]] * 10**6


def _cases():
    for qualified in _public_functions():
        for parameter, value in EXAMPLES.get(qualified, {}).items():
            for label, extreme in _extreme_values(value):
                if label not in ACCEPTS.get((qualified, parameter), set()):
                    yield qualified, parameter, label, extreme


def _all_finite(result):
    if isinstance(result, np.ndarray):
        return not np.issubdtype(result.dtype, np.inexact) or bool(np.isfinite(result).all())
    if isinstance(result, (float, np.floating)):
        return bool(np.isfinite(result))
    if isinstance(result, (tuple, list)):
        return all(_all_finite(item) for item in result)
    return True


def _run(qualified, parameter, extreme):
    """Run one case in this (limited) process; return ('ok' | 'named' | 'bad', detail)."""
    kwargs = dict(EXAMPLES[qualified], **{parameter: extreme})
    signal.alarm(TIME_LIMIT_S)
    try:
        result = _resolve(qualified)(**kwargs)
    except (ValueError, TypeError) as error:
        if _names(qualified, parameter, str(error)):
            return "named", ""
        return "bad", f"{type(error).__name__} does not name {parameter!r}: {error}"
    except _Timeout:
        return "bad", f"took more than {TIME_LIMIT_S} s"
    except BaseException as error:  # MemoryError, OverflowError, IndexError, ...
        return "bad", f"raw {type(error).__name__}: {error}".splitlines()[0][:300]
    finally:
        signal.alarm(0)
    if not _all_finite(result):
        return "bad", "returned NaN or infinity"
    return "ok", ""


def _names(qualified, parameter, message):
    """Whether ``message`` is about ``parameter``: the subject of its first clause ("I + 2P must be <= ..."),
    a bound in it ("high must be >= low = ..."), or a form listed in ``OTHER_FORMS``."""
    if (qualified, parameter) in OTHER_FORMS and re.search(OTHER_FORMS[qualified, parameter], message):
        return True
    clause = re.split(r"[;:]", message, maxsplit=1)[0]
    subject = re.split(r" (?:must|is|are|has|=) ", clause, maxsplit=1)
    name = re.escape(parameter)
    if len(subject) == 2 and re.search(rf"(^|[^\w.]){name}(\b|\[)", subject[0]):
        return True
    return re.search(rf"(>=|<=|>|<) {name}\b|, {name}\]", clause) is not None


class _Timeout(Exception):
    pass


def _alarm(_signum, _frame):
    raise _Timeout


def _address_space():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))


def _worker(tasks, results):
    # A fresh interpreter (spawn): the limit counts from what importing cvlab takes, not from pytest's memory.
    limit = _address_space() + CALL_MEMORY
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, _alarm)
    warnings.simplefilter("error")  # an overflow or invalid-value warning means a wrong number
    for index, qualified, parameter, extreme in iter(tasks.get, None):
        try:
            outcome = _run(qualified, parameter, extreme)
        except BaseException:  # report whatever escaped (even SystemExit): the worker must go on
            outcome = ("bad", traceback.format_exc().splitlines()[-1])
        results.put((index, outcome))


def _sweep(cases):
    """Outcome of every case, restarting the worker when a case kills it."""
    context = multiprocessing.get_context("spawn")
    outcomes = {}
    pending = list(enumerate(cases))
    while pending:
        tasks, results = context.Queue(), context.Queue()
        for index, (qualified, parameter, _label, extreme) in pending:
            tasks.put((index, qualified, parameter, extreme))
        tasks.put(None)
        worker = context.Process(target=_worker, args=(tasks, results), daemon=True)
        worker.start()
        done = set()
        while len(done) < len(pending):
            try:
                index, outcome = results.get(timeout=TIME_LIMIT_S + 20)
            except Exception:  # the worker died or hung on the next case
                break
            outcomes[index] = outcome
            done.add(index)
        worker.kill()
        worker.join()
        remaining = [(i, case) for i, case in pending if i not in done]
        if remaining:
            first, _ = remaining[0]
            outcomes[first] = ("bad", "killed the worker (memory limit or crash) or hung past the time limit")
            remaining = remaining[1:]
        pending = remaining
    return outcomes


CASES = list(_cases())


@pytest.fixture(scope="module")
def outcomes():
    return _sweep(CASES)


def test_extreme_arguments_are_refused_by_name_or_handled(outcomes, capsys):
    failures = [f"{q}({p}={label}): {detail}" for i, (q, p, label, _) in enumerate(CASES)
                for status, detail in [outcomes[i]] if status == "bad"]
    counts = {status: sum(1 for s, _ in outcomes.values() if s == status) for status in ("ok", "named", "bad")}
    with capsys.disabled():
        print(f"\nlimits sweep: {len(CASES)} cases over {len({q for q, *_ in CASES})} functions: "
              f"{counts['named']} refused by name, {counts['ok']} handled, {counts['bad']} failed")
    assert not failures, "\n".join(failures)
