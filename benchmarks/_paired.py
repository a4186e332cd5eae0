"""Side-by-side timing shared by the benchmarks that compare cvlab with a reference library."""

import statistics
import time


def paired_ratio(reference, candidate, rounds=61):
    """Median of candidate/reference time over interleaved rounds, and each median in ms.

    Each round times the two calls back to back, so both see the same machine load.
    """
    for _ in range(3):  # warm up caches and allocator
        reference(), candidate()
    ratios, ref_times, cand_times = [], [], []
    for _ in range(rounds):
        start = time.perf_counter()
        reference()
        middle = time.perf_counter()
        candidate()
        end = time.perf_counter()
        ratios.append((end - middle) / (middle - start))
        ref_times.append(1000 * (middle - start))
        cand_times.append(1000 * (end - middle))
    return statistics.median(ratios), statistics.median(ref_times), statistics.median(cand_times)
