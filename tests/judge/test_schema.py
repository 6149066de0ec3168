"""exercise.yaml as one model: its defaults, and the sentence for each way it can be
wrong (the file's line is tests/judge/test_files.py's and the importer's to check)."""

import pytest

from judge.files import validate
from judge.schema import EXERCISE_SENTENCES, ExerciseMeta

VALID = {
    "slug": "mse-loss",
    "title": "Mean squared error",
    "entry": "mse_loss",
    "signature": "mse_loss(y_pred, y_true) -> float",
}


def problems(data, folder="mse-loss") -> list[str]:
    found = []
    validate(
        ExerciseMeta, data, file="exercise.yaml", sentences=EXERCISE_SENTENCES,
        problems=found, context={"folder": folder},
    )  # fmt: skip
    return [p.message for p in found]


def test_the_defaults_are_written_once_here():
    meta = ExerciseMeta.model_validate(VALID)
    assert (meta.kind, meta.points, meta.time_s, meta.memory_mb) == ("function", 10.0, 5.0, 256)
    assert (meta.lesson, meta.hints, meta.mistakes) == ("", [], [])
    assert meta.interface.names == ["y_pred", "y_true"]


def test_empty_sections_mean_their_defaults():
    meta = ExerciseMeta.model_validate({**VALID, "limits": None, "hints": None, "mistakes": None})
    assert (meta.time_s, meta.hints, meta.mistakes) == (5.0, [], [])


def test_a_convention_is_one_line_said_with_failing_comparisons():
    meta = ExerciseMeta.model_validate({**VALID, "convention": " the mean over every entry. "})
    assert meta.convention == "the mean over every entry."
    assert ExerciseMeta.model_validate(VALID).convention == ""


def test_a_known_mistake_is_named_after_its_file():
    mistake = {"file": "mistakes/sum-not-mean.py", "title": "sum", "hint": "divide"}
    meta = ExerciseMeta.model_validate({**VALID, "mistakes": [mistake]})
    assert meta.mistakes[0].slug == "sum-not-mean"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"slug": None}, "missing required field 'slug' (text)"),
        ({"title": "  "}, "missing required field 'title' (text)"),
        ({"kind": "module"}, "unknown exercise kind 'module' (expected function or class)"),
        ({"points": "10"}, "points must be a number above 0"),
        ({"points": True}, "points must be a number above 0"),
        ({"lesson": 3}, "lesson must be a lesson slug"),
        ({"limits": [5]}, "limits must be a mapping {time_s: ..., memory_mb: ...}"),
        ({"limits": {"time_s": 0}}, "limit time_s must be a number above 0"),
        ({"hints": "one"}, "hints must be a list of non-empty texts"),
        ({"convention": ""}, "convention must be a non-empty text"),
        ({"accepts": "other.py"}, "accepts must be a list of {file, title}"),
        ({"accepts": [{"file": "a.py"}]}, "accepted convention 1 needs 'title' (text)"),
        (
            {"accepts": [{"file": "a.py", "title": "t", "hint": "h"}]},
            "unknown field 'hint' for an accepted convention",
        ),  # fmt: skip
        ({"convention": "a\nb"}, "convention must be one line of at most 300 characters"),
        ({"convention": "x" * 301}, "convention must be one line of at most 300 characters"),
        ({"mistakes": ["no-abs.py"]}, "a mistake must be a mapping with file, title and hint"),
        ({"solution": "reference.py"}, "unknown field 'solution' in exercise.yaml"),
        ({"signature": "mse(a, b)"}, "signature names 'mse' but entry is 'mse_loss'"),
        ({"kind": "class"}, "a class exercise's signature is 'class mse_loss'"),
        ({"slug": "mse"}, "slug 'mse' must match the folder name 'mse-loss'"),
    ],
)
def test_each_mistake_in_the_file_has_its_own_sentence(change, message):
    data = {**VALID, **change}
    data = {key: value for key, value in data.items() if value is not None}
    assert problems(data) == [message]


def test_a_file_that_is_not_a_mapping_says_so():
    assert problems(["slug: x"]) == ["exercise.yaml must be a mapping"]
