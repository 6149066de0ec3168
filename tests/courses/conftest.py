import pytest

from courses.importing import course_sync
from tests.helpers import ROOT, course_copy

QUIZ_FIXTURE = ROOT / "tests" / "fixtures" / "course-quiz"


@pytest.fixture
def quiz_course_dir(tmp_path):
    """A copy of the one-lesson course with a quiz of every kind and one exercise."""
    return course_copy(QUIZ_FIXTURE, tmp_path)


@pytest.fixture
def quiz_course(db, quiz_course_dir):
    return course_sync(path=quiz_course_dir).course


def edit(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def line_of(path, needle: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in {path.name}")


# The usual people (student, second_student, cohort_instructor, other_instructor) are in
# tests/conftest.py.


@pytest.fixture
def cohort(quiz_course, cohort_instructor):
    from courses.services import cohort_create

    return cohort_create(course=quiz_course, name="Tuesday group", created_by=cohort_instructor)


@pytest.fixture
def other_cohort(quiz_course, other_instructor):
    from courses.services import cohort_create

    return cohort_create(course=quiz_course, name="Thursday group", created_by=other_instructor)


@pytest.fixture
def lesson(quiz_course):
    return quiz_course.lessons.get(slug="basics")


@pytest.fixture
def quiz(quiz_course):
    return quiz_course.quizzes.get(slug="basics")


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client
