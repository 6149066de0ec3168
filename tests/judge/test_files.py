"""Course files read with every problem at its file and line: YAML line maps, pydantic
errors worded by a file's own sentences, Python files checked without running them."""

from typing import Annotated

import pytest
from pydantic import PlainValidator

from judge.files import (
    ANY,
    SENTENCE,
    Problem,
    fault,
    load_yaml,
    parse_yaml,
    python_problems,
    validate,
)
from judge.schema import FileModel, Text


def test_a_problem_reads_as_file_line_message():
    assert str(Problem("quizzes/loss.yaml", 12, "bad")) == "quizzes/loss.yaml:12: bad"
    assert str(Problem("course.yaml", None, "file is missing")) == "course.yaml: file is missing"


def test_every_path_in_a_document_has_the_line_of_its_key():
    problems = []
    document = parse_yaml("a: 1\nb:\n  - x: 2\n    y: 3\n", "f.yaml", problems)
    assert problems == []
    assert document.line(("b", 0, "y")) == 4
    assert document.line(("b", 0)) == 3
    # A path the document does not have falls back to its nearest ancestor.
    assert document.line(("b", 0, "z")) == 3


def test_front_matter_lines_count_from_where_it_starts_in_the_file():
    document = parse_yaml("slug: a\ntitle: T\n", "lesson.md", [], first_line=2)
    assert document.line(("title",)) == 3


def test_bad_yaml_is_a_problem_at_its_line(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("a: 1\nb: [unclosed\n")
    problems = []
    assert load_yaml(path, "f.yaml", problems) is None
    [problem] = problems
    assert problem.file == "f.yaml"
    assert problem.line == 3
    assert problem.message.startswith("bad YAML")


def test_a_missing_or_undecodable_file_is_a_problem(tmp_path):
    problems = []
    assert load_yaml(tmp_path / "nothing.yaml", "nothing.yaml", problems) is None
    (tmp_path / "latin.yaml").write_bytes(b"a: caf\xe9\n")
    assert load_yaml(tmp_path / "latin.yaml", "latin.yaml", problems) is None
    assert [p.message for p in problems] == ["file is missing", "file is not UTF-8"]


def _even(value):
    if not isinstance(value, int) or value % 2:
        raise fault("even", str(value))
    return value


class Part(FileModel):
    name: Text
    size: Annotated[int, PlainValidator(_even)] = 2


class Whole(FileModel):
    title: Text
    parts: list[Part] = []


SENTENCES = {
    ("missing", (ANY,)): "needs {field!r}",
    ("extra_forbidden", (ANY,)): "unknown {field!r}",
    ("even", ("parts", ANY, "size")): "part {number}: size {detail} is odd",
    ("missing", ("parts", ANY, ANY)): "part {number} needs {field!r}",
}


def problems_of(data) -> list[str]:
    document = parse_yaml(data, "w.yaml", [])
    problems = []
    model = validate(
        Whole, document.data, file="w.yaml", sentences=SENTENCES, problems=problems,
        line_of=document.line,
    )  # fmt: skip
    assert (model is None) == bool(problems)
    return [str(p) for p in problems]


def test_a_valid_document_gives_the_model_and_no_problem():
    assert problems_of("title: T\nparts:\n  - name: a\n    size: 4\n") == []


def test_each_error_is_worded_by_the_files_sentences_at_its_line():
    assert problems_of("title: T\nparts:\n  - name: a\n    size: 3\n  - size: 2\n") == [
        "w.yaml:4: part 1: size 3 is odd",
        # A missing field is reported where it belongs: its mapping.
        "w.yaml:5: part 2 needs 'name'",
    ]


def test_an_unforeseen_error_keeps_pydantics_words_and_says_where():
    [problem] = problems_of("title: T\nparts: 7\n")
    assert problem.startswith("w.yaml:2: parts: ")


def test_a_finished_sentence_from_a_validator_is_used_as_it_is():
    class Checked(FileModel):
        title: Text

        def model_post_init(self, context):
            raise fault(SENTENCE, "a sentence of its own", at=("title",))

    problems = []
    document = parse_yaml("title: T\n", "c.yaml", [])
    validate(Checked, document.data, file="c.yaml", sentences={}, problems=problems,
             line_of=document.line)  # fmt: skip
    assert [str(p) for p in problems] == ["c.yaml:1: a sentence of its own"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f(x):\n    return x\n", []),
        ("def g(x):\n    return x\n", ["m.py:1: does not define 'f' at the top level"]),
        ("def f(x:\n", ["m.py:1: syntax error: '(' was never closed"]),
    ],
)
def test_a_python_file_is_checked_without_running_it(tmp_path, source, expected):
    path = tmp_path / "m.py"
    path.write_text(source + "raise SystemExit('never run')\n")
    assert [str(p) for p in python_problems(path, "m.py", "f")] == expected
