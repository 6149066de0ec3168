"""The usual people, shared by every suite: two students, the instructor of a cohort, the
instructor of another cohort (who has no business in the first), and a staff member.
Only `instructor` is staff; cohort roles come from Membership rows, not from here."""

import pytest

from grading import queues
from judge.selfcheck import SandboxSelfCheck
from sandbox import isolated_sandbox
from tests.factories import UserFactory
from tests.grading.factories import COURSE_MIN, mean_abs_exercise
from tests.helpers import course_copy


@pytest.fixture(autouse=True)
def _lesson_pages_whole(request):
    """A lesson's address answers with the whole page, which the test client can read,
    except in the browser suite and the tests marked lesson_shell: there it answers as
    deployed, with the shared page whose script fetches the reader's parts. (Not through
    pytest-django's ``settings``: set up this early, it would be restored after the
    fixtures that clean up under a test's own settings, such as a cache it points away.)"""
    from django.test import override_settings

    from courses.lesson_shell import lesson_shell_clear

    shell = request.node.get_closest_marker("browser") or request.node.get_closest_marker(
        "lesson_shell"
    )
    lesson_shell_clear()
    with override_settings(LESSON_SHELL=bool(shell)):
        yield
    lesson_shell_clear()


def person(username: str, **extra):
    """A user who can log in with the password pw-<username>-12345."""
    return UserFactory(username=username, password=True, **extra)


@pytest.fixture
def student(db):
    return person("ada")


@pytest.fixture
def second_student(db):
    return person("alan")


@pytest.fixture
def cohort_instructor(db):
    return person("grace")


@pytest.fixture
def other_instructor(db):
    return person("edsger")


@pytest.fixture
def instructor(db):
    """Staff: may manage every cohort and see every submission."""
    return person("barbara", is_staff=True)


@pytest.fixture
def fresh_pool(monkeypatch):
    """A grading process's sandbox state as at start: not yet tested, nothing failed."""
    from grading import sandbox_pool
    from sandbox import client

    monkeypatch.setattr(sandbox_pool, "_failed", None)
    monkeypatch.setattr(client, "_shared", None)
    yield sandbox_pool
    if client._shared is not None:
        client._shared.close()


@pytest.fixture
def selfcheck():
    """The self-check a sync is handed on the command line: grading in this process's
    sandbox, proven isolated first."""
    return SandboxSelfCheck(isolated_sandbox)


@pytest.fixture
def published(monkeypatch):
    """The tasks queued (name, args), instead of sending them to the broker."""
    sent: list[tuple[str, tuple]] = []
    monkeypatch.setattr(queues, "send", lambda task, *args: sent.append((task, args)))
    return sent


@pytest.fixture
def course_min_dir(tmp_path):
    """A copy of the two-lesson course with one exercise (mean-abs), free to edit."""
    return course_copy(COURSE_MIN, tmp_path)


@pytest.fixture
def editable_mean_abs(db, course_min_dir):
    """The mean-abs exercise imported from `course_min_dir`, whose files a test may edit."""
    return mean_abs_exercise(course_min_dir)
