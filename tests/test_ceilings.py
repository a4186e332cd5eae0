"""Chapters 1–3 (histogram, pointops, filters, convolution): no call hangs, exhausts memory or overflows.

Each case is a call a student can type that once took gigabytes or minutes, or
returned a wrong number. All run in one child process under an address-space
limit, so a regression fails this test instead of taking the machine down;
each must return the right answer or raise a ValueError/TypeError naming the
parameter within 10 s, and the child's peak memory must stay under 1 GB.
"""

import json
import os
import resource
import subprocess
import sys
import textwrap

import pytest

#: (label, statement, expected): expected is "ok" or the exception type and a regex its message must match.
CASES = [
    ('gaussian_kernel1d huge sigma',
     'filters.gaussian_kernel1d(1e8)',
     ('ValueError', 'sigma.*MAX_SIGMA|sigma must be <=')),
    ('gaussian_kernel1d 10**400',
     'filters.gaussian_kernel1d(10**400)',
     ('ValueError', '^sigma must be finite')),
    ('gaussian_kernel1d huge radius',
     'filters.gaussian_kernel1d(1.0, radius=10**9)',
     ('ValueError', '^radius must be <=')),
    ('gaussian_kernel1d tiny sigma',
     'assert filters.gaussian_kernel1d(1e-200, radius=1).tolist() == [0.0, 1.0, 0.0]',
     'ok'),
    ('gaussian_blur tiny sigma',
     'f = np.arange(16.0).reshape(4, 4); assert np.array_equal(filters.gaussian_blur(f, 1e-200), f)',
     'ok'),
    ('gaussian_blur huge sigma',
     'filters.gaussian_blur(np.zeros((64, 64)), 1e4)',
     ('ValueError', '^sigma must be <=')),
    ('gaussian_blur zero sigma',
     'filters.gaussian_blur(np.zeros((8, 8)), 0.0)',
     ('ValueError', '^sigma must be >')),
    ('coverage huge I',
     'filters.coverage(10**9, 3)',
     ('ValueError', 'I \\+ 2P must be <= MAX_LENGTH')),
    ('output_size huge I is arithmetic',
     'assert filters.output_size(10**30, 3, 1, 2) == (10**30 - 1) // 2 + 1',
     'ok'),
    ('correlate2d padding 2**64',
     'filters.correlate2d(np.ones((8, 8)), np.ones((3, 3)), padding=2**64)',
     ('ValueError', '^padding must be <= MAX_PADDING')),
    ('pad padding 10**6',
     'filters.pad(np.ones((8, 8)), 10**6)',
     ('ValueError', '^padding must be <= MAX_PADDING')),
    ('correlate2d too much work',
     "filters.correlate2d(data.load_image('camera'), np.ones((301, 301)))",
     ('ValueError', '^kernel is too large.*MAX_MULTIPLY_ADDS')),
    ('correlate2d huge kernel side',
     "filters.correlate2d(np.ones((8, 8)), np.ones((1, 5001)), padding='valid')",
     ('ValueError', '^kernel sides must be <= MAX_KERNEL_SIZE')),
    ('box_kernel huge',
     'filters.box_kernel(10**6)',
     ('ValueError', '^size must be <=')),
    ('median_filter huge size',
     'filters.median_filter(np.ones((8, 8)), 10**5 + 1)',
     ('ValueError', '^size must be <=')),
    ('median_filter camera 31',
     "g = filters.median_filter(data.load_image('camera'), 31); assert g.shape == (512, 512)",
     'ok'),
    ('median_filter noise 51',
     'filters.median_filter(np.random.default_rng(0).random((512, 512)), 51)',
     ('ValueError', '^size = 51 is too large.*MAX_MEDIAN_WORK')),
    ('separate huge kernel',
     'filters.separate(np.ones((2000, 2000)))',
     ('ValueError', '^kernel sides must be <=')),
    ('match_template too much work',
     'filters.match_template(np.ones((1400, 1400)), np.ones((600, 600)) + np.eye(600))',
     ('ValueError', '^template is too large.*MAX_MULTIPLY_ADDS')),
    ('psnr float overshoot',
     'filters.psnr(np.full((4, 4), 0.5), np.full((4, 4), 1 + 1e-9))',
     ('ValueError', '^b must lie in \\[0, peak\\] = \\[0, 1\\]')),
    ('add 10**400',
     'pointops.add(np.zeros((2, 2), np.uint8), 10**400)',
     ('ValueError', '^delta must be finite')),
    ('scale huge factor',
     'assert pointops.scale(np.array([[0, 1]], np.uint8), 1e308).tolist() == [[0, 255]]',
     'ok'),
    ('gamma tiny exponent',
     'assert pointops.gamma(np.array([[0, 1]], np.uint8), 1e-300).tolist() == [[0, 255]]',
     'ok'),
    ('shift huge offset',
     'assert not pointops.shift(np.ones((3, 3)), 10**30, -10**30).any()',
     'ok'),
    ('clahe huge tiles',
     'histogram.clahe(np.zeros((64, 64), np.uint8), tiles=10**9)',
     ('ValueError', '^tiles must be <=')),
    ('receptive_field_weights 501x2',
     'w = convolution.receptive_field_weights([(501, 1)] * 2); assert w.shape == (1001, 1001) and w.max() == 501**2',
     'ok'),
    ('receptive_field_weights huge field',
     'convolution.receptive_field_weights([(1001, 1)] * 3)',
     ('ValueError', 'receptive field of 3001 pixels.*MAX_FIELD')),
    ('receptive_field many layers',
     'convolution.receptive_field([(3, 1)] * 10**6)',
     ('ValueError', '^layers must hold at most MAX_LAYERS')),
    ('varying_blur huge sigma',
     'convolution.varying_blur(np.ones((8, 8)), 1.0, 1e6)',
     ('ValueError', '^sigma_max must be <=')),
    ('conv2d huge kernel',
     'convolution.conv2d(np.ones((1, 1, 512, 512)), np.ones((1, 1, 301, 301)))',
     ('ValueError', '^weight is too large.*MAX_IM2COL')),
    ('conv2d padding 2**64',
     'convolution.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 3, 3)), padding=2**64)',
     ('ValueError', '^padding must be <= MAX_PADDING')),
    ('linearity_gap 10**400',
     'convolution.linearity_gap(np.square, np.ones((2, 2)), np.ones((2, 2)), 10**400)',
     ('ValueError', '^a must be finite')),
]

CHILD = textwrap.dedent("""
    import json, re, resource, sys, time, warnings
    import numpy as np
    from cvlab import convolution, data, filters, histogram, pointops

    warnings.simplefilter("error")  # an overflow warning is a wrong path too
    data.load_image("camera")       # loading the data is not the call under test
    results = []
    for label, statement, expected in json.load(sys.stdin):
        start = time.perf_counter()
        try:
            exec(statement)
            outcome = "ok"
        except (ValueError, TypeError) as error:
            outcome = [type(error).__name__, str(error)]
        except BaseException as error:  # MemoryError, RuntimeWarning, ...: reported, not raised
            outcome = ["unexpected " + type(error).__name__, str(error)[:300]]
        results.append([label, outcome, time.perf_counter() - start])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"results": results, "peak_mb": peak_mb}))
""")

#: The child's address-space ceiling: far above the 1 GB budget, far below what a runaway call asks for.
ADDRESS_SPACE = 4 * 2**30


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@pytest.fixture(scope="module")
def outcomes():
    child = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(CASES), capture_output=True, text=True,
                           timeout=600, preexec_fn=_limit_memory,
                           env=dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1"))
    assert child.returncode == 0, child.stderr[-2000:]
    report = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"{len(report['results'])} ceiling cases, child peak {report['peak_mb']:.0f} MB")
    return report


def test_the_child_stays_under_one_gigabyte(outcomes):
    assert outcomes["peak_mb"] < 1024


@pytest.mark.parametrize("index", range(len(CASES)), ids=[case[0] for case in CASES])
def test_case_answers_or_names_the_parameter_within_ten_seconds(outcomes, index):
    import re

    label, outcome, seconds = outcomes["results"][index]
    expected = CASES[index][2]
    assert seconds < 10, f"{label} took {seconds:.1f} s"
    if expected == "ok":
        assert outcome == "ok", outcome
    else:
        assert outcome != "ok", f"{label} returned instead of raising"
        kind, message = outcome
        assert kind == expected[0] and re.search(expected[1], message), outcome
