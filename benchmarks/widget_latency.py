"""Time one control change (compute + redraw) of every explorer in cvlab.widgets.__all__.

Each control is moved through several values across its range; the observer
runs synchronously, so the time of the assignment is the time of the update.
Exits non-zero if any explorer's median exceeds the 100 ms budget.
"""

import statistics
import sys
import time

from cvlab import widgets
from cvlab.widgets.testing import controls_of, trial_values

BUDGET_MS = 100.0


def measure(factory, rounds=3):
    """Milliseconds per control change for one explorer, over all its controls."""
    box = factory()
    times = []
    for _ in range(rounds):
        for control in controls_of(box):
            for value in trial_values(control):
                start = time.perf_counter()
                control.value = value
                times.append(1000 * (time.perf_counter() - start))
    return times


def main():
    print(f"{'explorer':34s} {'changes':>7s} {'median ms':>9s} {'max ms':>7s}  budget {BUDGET_MS:.0f} ms")
    over = []
    for name in widgets.__all__:
        times = measure(getattr(widgets, name))
        median = statistics.median(times)
        verdict = "ok" if median <= BUDGET_MS else "OVER"
        if median > BUDGET_MS:
            over.append(name)
        print(f"{name:34s} {len(times):7d} {median:9.1f} {max(times):7.1f}  {verdict}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
