"""Measuring how long a computation takes, the same way in every chapter.

The chapters compare costs (a 2-D kernel against a separable one, attention's
n² growth, PixelCNN's serial sampling). They measure the CPU time of the
notebook's own process, not the wall clock, so another program running on the
same machine (a classmate's kernel on a shared course server) does not change
the result much; and they keep the fastest of several runs, the one least
disturbed by caches warming up or the process being interrupted.
"""

import time

from ._checks import as_callable, as_int

__all__ = ["MAX_REPEAT", "cpu_seconds"]

#: Most runs of one measurement: each run may be a whole computation.
MAX_REPEAT = 100


def cpu_seconds(function, repeat=5):
    """Fastest CPU time, in seconds, of ``repeat`` calls of ``function()``.

    t = min over r = 1..repeat of (CPU time after call r − CPU time before it),
    where CPU time is ``time.process_time()``: the time all threads of this
    process spent on a processor, user and system, without sleep and without
    other processes' time.

    Parameters
    ----------
    function : callable
        Called with no arguments; its result is ignored.
    repeat : int
        Number of calls, 1 to ``MAX_REPEAT``.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``function`` is not callable.
    ValueError
        If ``repeat`` is outside [1, ``MAX_REPEAT``].

    Notes
    -----
    With several BLAS threads a call's CPU time can exceed its wall-clock time:
    it counts the work of every thread.

    Taught in: 02_filtering, "measured cost".

    Examples
    --------
    >>> seconds = cpu_seconds(lambda: sum(range(10_000)), repeat=3)
    >>> 0 <= seconds < 1
    True
    """
    function = as_callable(function, "function")
    repeat = as_int(repeat, "repeat", minimum=1, maximum=MAX_REPEAT)
    return _cpu_seconds(function, repeat)


def _cpu_seconds(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return min(times)
