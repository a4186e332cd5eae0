"""The exercise self-checks judge the student's function fairly."""

import numpy as np

from cvlab import exercises
from cvlab.pointops import add


def test_a_correct_answer_passes(capsys):
    assert exercises.check_saturated_add(lambda image, delta: add(image, delta))
    assert "all 5 checks passed" in capsys.readouterr().out


def test_modifying_the_input_is_reported_even_when_the_values_are_right(capsys):
    def in_place(image, delta):
        image[...] = add(image, delta)
        return image

    assert not exercises.check_saturated_add(in_place)
    assert "modified its input" in capsys.readouterr().out


def test_a_crash_is_reported_not_raised(capsys):
    assert not exercises.check_histogram(lambda image: 1 / 0)
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_a_wrong_answer_gets_the_hint(capsys):
    assert not exercises.check_histogram(lambda image: np.bincount(image.ravel(), minlength=256)[::-1])
    assert "Hint:" in capsys.readouterr().out
