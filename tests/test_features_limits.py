"""Regression tests for cvlab.features and its explorers: no call hangs, eats memory or quietly returns a wrong number.

The heavy cases run in a subprocess under a 4 GB address-space cap; the CPU
time of the call must stay under 10 s and the child's peak resident memory
under 1 GB, so a regression fails the test instead of the machine.
"""

import os
import resource
import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pytest

from cvlab import data
from cvlab import features as F
from cvlab.widgets import features as W
from cvlab.widgets.testing import controls_of

GB = 1024**3
SECONDS = 10


def _run_limited(code):
    """Run ``code`` in a fresh interpreter: (its output, CPU seconds of the code, peak resident bytes).

    CPU time, not wall time, so the check holds on a machine shared with other jobs; one BLAS thread.
    """
    script = "\n".join([
        "import resource", "import numpy as np", "from cvlab import data", "from cvlab import features as F",
        "def _cpu():", "    usage = resource.getrusage(resource.RUSAGE_SELF)",
        "    return usage.ru_utime + usage.ru_stime",
        "_start = _cpu()", textwrap.dedent(code),
        "print(_cpu() - _start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)",
    ])
    # A 4 GB address-space cap protects the machine if a regression tries to allocate far more.
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=20 * SECONDS,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (4 * GB, 4 * GB)),
                            env=dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1"))
    assert result.returncode == 0, result.stderr
    *lines, seconds, peak_kb = result.stdout.split()
    return " ".join(lines), float(seconds), int(peak_kb) * 1024


CASES = {
    "ransac_iterations_1e9_clean": """
        points = np.array([[20, 20], [30, 40], [40, 25], [25, 45]], float)
        matrix, inliers = F.ransac(points, points * 1.1 + 2.0, 1.0, 10**9, 0)
        print(bool(inliers.all()))
    """,
    "ransac_homography_iterations_1e9_40_percent_outliers": """
        rng = np.random.default_rng(0)
        src = rng.uniform(0, 400, size=(300, 2))
        truth = np.array([[0.95, 0.1, 12.0], [-0.05, 1.02, -30.0], [2e-4, -1e-4, 1.0]])
        dst = F.transform_points(truth, src)
        dst[:120] = rng.uniform(0, 400, size=(120, 2))
        matrix, inliers = F.ransac(src, dst, 1.0, 10**9, 0, model="homography")
        print(bool(inliers[120:].all() and not inliers[:120].any()))
    """,
    "ransac_iterations_1e9_pure_noise_gives_up_with_a_named_error": """
        rng = np.random.default_rng(1)
        try:
            F.ransac(rng.uniform(0, 500, (300, 2)), rng.uniform(0, 500, (300, 2)), 1.0, 10**9, 0, model="homography")
        except ValueError as error:
            print("MAX_RANSAC_WORK" in str(error))
    """,
    "describe_patch_size_10001": """
        try:
            F.describe(np.zeros((5, 5)), [[2, 2]], patch_size=10001)
        except ValueError as error:
            print("patch_size" in str(error) and "65" in str(error))
    """,
    "harris_sigma_1e6": """
        try:
            F.harris_response(np.zeros((5, 5)), sigma=1e6)
        except ValueError as error:
            print("sigma" in str(error) and "64" in str(error))
    """,
    "harris_sigma_at_the_ceiling_on_camera": """
        print(F.harris_response(data.load_image("camera"), sigma=F.MAX_SIGMA).shape == (512, 512))
    """,
    "ssd_surface_largest_window_and_shift": """
        image = np.random.default_rng(0).uniform(0, 255, (260, 260))
        print(F.ssd_surface(image, (130, 130), F.MAX_WINDOW, F.MAX_SHIFT).shape == (101, 101))
    """,
    "describe_at_the_descriptor_ceiling": """
        camera = data.load_image("camera")
        points = np.argwhere(np.ones((63, 63), bool)) * 8
        print(F.describe(camera, points, 65).shape == (3969, 4225))
    """,
    "match_at_the_pair_ceiling": """
        rng = np.random.default_rng(0)
        print(F.match(rng.normal(size=(10**4, 16)), rng.normal(size=(10**4, 16))).shape[1] == 2)
    """,
    "find_matches_most_peaks_largest_patches": """
        rng = np.random.default_rng(0)
        noise = rng.uniform(0, 255, (512, 512))
        src, dst = F.find_matches(noise, noise[::-1].copy(), sigma=0.5, num_peaks=F.MAX_PEAKS, min_distance=1,
                                  patch_size=F.MAX_PATCH_SIZE)
        print(src.shape == dst.shape)
    """,
    "warp_largest_projective_output": """
        image = np.ones((100, 100, 3))
        H = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1e-4, 0.0, 1.0]])
        print(F.warp(image, H, (2048, 2048)).shape == (2048, 2048, 3))
    """,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_finishes_within_10_s_and_1_gb(name):
    stdout, seconds, peak = _run_limited(CASES[name])
    assert stdout == "True", stdout
    assert seconds < SECONDS, f"{name} took {seconds:.1f} s of CPU"
    assert peak < GB, f"{name} peaked at {peak / 2**20:.0f} MB"


# ----------------------------------------------------------- wrong answers

def test_corner_peaks_with_num_peaks_zero_returns_none():
    response = F.harris_response(data.load_image("checkerboard"))
    assert F.corner_peaks(response, num_peaks=0).shape == (0, 2)
    assert len(F.corner_peaks(response, num_peaks=1)) == 1


@pytest.mark.parametrize("bad, message", [
    ([[-1, 2]], "points_a must lie inside"),          # used to wrap around to the last row
    ([[2.7, 2]], "points_a must be integer"),          # used to become 2
    ([[5, 2]], "points_a must lie inside"),            # used to raise a bare IndexError
])
def test_response_ratio_checks_its_points_instead_of_casting_them(bad, message):
    response = np.arange(25.0).reshape(5, 5) + 1
    with pytest.raises(ValueError, match=message):
        F.response_ratio(response, bad, response, [[1, 1]], np.eye(3))
    with pytest.raises(ValueError, match=message.replace("points_a", "points_b")):
        F.response_ratio(response, [[1, 1]], response, bad, np.eye(3))


def test_response_ratio_reads_the_responses_at_the_given_pixels():
    r_a = np.arange(25.0).reshape(5, 5) + 1
    r_b = 3 * r_a
    assert F.response_ratio(r_a, [[4, 0], [1, 3]], r_b, [[4, 0], [1, 3]], np.eye(3)) == 3.0


# ----------------------------------------------------------- ceilings

@pytest.mark.parametrize("call, text", [
    (lambda: F.harris_response(np.zeros((9, 9)), sigma=F.MAX_SIGMA * 1.01), "sigma must be <= 64"),
    (lambda: F.structure_tensor(np.zeros((9, 9)), sigma=1e6), "sigma must be <= 64"),
    (lambda: F.eigen_map(np.zeros((9, 9)), sigma=1e300), "sigma must be <= 64"),
    (lambda: F.describe(np.zeros((9, 9)), [[2, 2]], patch_size=67), "patch_size must be <= 65"),
    (lambda: F.describe(np.zeros((600, 600)), np.argwhere(np.ones((80, 80))), 65), "MAX_DESCRIPTOR_VALUES"),
    (lambda: F.ssd_surface(np.zeros((400, 400)), (200, 200), 103, 2), "window must be <= 101"),
    (lambda: F.ssd_surface(np.zeros((400, 400)), (200, 200), 5, 51), "max_shift must be <= 50"),
    (lambda: F.ransac(np.eye(3)[:, :2], np.eye(3)[:, :2], iterations=F.MAX_ITERATIONS + 1),
     "iterations must be <= 1000000000"),
    (lambda: F.warp(np.zeros((5, 5)), np.eye(3), (4096, 4096)), "output_shape must have at most MAX_OUTPUT_PIXELS"),
    (lambda: F.rotate(np.zeros((5, 5)), 10, output_shape=(4096, 4096)), "MAX_OUTPUT_PIXELS"),
    (lambda: F.match(np.zeros((20001, 2)), np.zeros((5001, 2))), "MAX_MATCH_PAIRS"),
    (lambda: F.estimate_homography(np.zeros((F.MAX_POINTS + 1, 2)), np.zeros((F.MAX_POINTS + 1, 2))),
     "src must hold at most MAX_POINTS"),
    (lambda: F.find_matches(np.zeros((20, 20)), np.zeros((20, 20)), patch_size=99), "patch_size must be <= 65"),
    (lambda: F.find_matches(np.zeros((20, 20)), np.zeros((20, 20)), sigma=100), "sigma must be <= 64"),
    (lambda: F.find_matches(np.zeros((20, 20)), np.zeros((20, 20)), num_peaks=10**6), "num_peaks must be <= 3000"),
    (lambda: F.rotate(np.zeros((5, 5)), 10, scale=1e300), "^scale must be <= 1000"),
    (lambda: F.rotate(np.zeros((5, 5)), 10, scale=1e-300), "^scale must be >= 0.001"),
    (lambda: F.rotation_homography(5e-324, (0.0, 0.0)), "^focal must be >= 1"),
    (lambda: F.shear_wave(np.zeros((5, 5)), 1.0, 5e-324), "^wavelength must be >= 2"),
    (lambda: F.ransac_trials(0.5, 10**9), "^sample_size must be <= 100"),
    (lambda: F.ssd_surface(np.zeros((40, 40)), (10**6, 10**6), 5, 2), "^center must lie"),
])
def test_size_like_arguments_past_their_ceiling_raise_a_named_error(call, text):
    with pytest.raises(ValueError, match=text):
        call()


def test_ransac_with_a_huge_threshold_keeps_every_match_without_overflow():
    import warnings

    src = np.array([[0.0, 0.0], [0.0, 10.0], [10.0, 0.0], [10.0, 10.0], [5.0, 3.0]])
    dst = src + [2.0, 1.0]
    dst[4] += 1e6                                         # an outlier, inside an enormous threshold
    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # threshold² used to overflow with a warning
        matrix, inliers = F.ransac(src, dst, threshold=1e300, iterations=20, rng=0)
    assert inliers.all() and np.isfinite(matrix).all()
    np.testing.assert_allclose(matrix, F.estimate_affine(src, dst))   # the refit on every match


def test_corner_peaks_with_a_huge_min_distance_returns_at_once():
    assert F.corner_peaks(np.ones((30, 30)), min_distance=10**12).shape == (0, 2)


# ----------------------------------------------------------- explorers

@pytest.mark.parametrize("factory, kwargs, text", [
    (W.ssd_surface_explorer, dict(window=0), "window must be >= 1"),
    (W.ssd_surface_explorer, dict(window=4), "window must be odd"),
    (W.ssd_surface_explorer, dict(window=301), "window must be <= 101"),
    (W.ssd_surface_explorer, dict(window=101, max_shift=50), "window and max_shift must fit"),
    (W.ssd_surface_explorer, dict(max_shift=-1), "max_shift must be >= 0"),
    (W.rotation_explorer, dict(size=600), "size must be <= 512"),
    (W.rotation_explorer, dict(angles=(0, 10, 15)), "angles must be evenly spaced"),
    (W.rotation_explorer, dict(angles=()), "angles must be a non-empty"),
    (W.homography_explorer, dict(view_shape=(1000, 1000)), "view_shape must be <= 400"),
    (W.homography_explorer, dict(focal=0.0), "focal must be >= 150"),
])
def test_explorer_factories_raise_named_errors_not_trait_errors(factory, kwargs, text):
    with pytest.raises((ValueError, TypeError), match=text):
        factory(**kwargs)


def test_harris_explorer_cache_is_bounded_when_sigma_values_are_typed_in():
    box = W.harris_explorer()
    sigma = controls_of(box)[0]
    sigma.value = 1.0  # warm up
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    for value in np.linspace(0.5, 4.0, 40):  # off the slider's 0.25 steps, as a number box allows
        sigma.value = float(value) + 0.001
    grown = tracemalloc.get_traced_memory()[0] - start
    tracemalloc.stop()
    # each σ costs two images x three tensors (~2.5 MB); 40 of them unbounded would be ~100 MB
    assert grown < 30 * 2**20, f"{grown / 2**20:.0f} MB kept after 40 sigma values"
