"""The usual people, shared by every suite: two students, the instructor of a cohort, the
instructor of another cohort (who has no business in the first), and a staff member.
Only `instructor` is staff; cohort roles come from Membership rows, not from here."""

import pytest
from django.contrib.auth import get_user_model


def person(username: str, **extra):
    return get_user_model().objects.create_user(
        username, email=f"{username}@example.org", password=f"pw-{username}-12345", **extra
    )


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

    monkeypatch.setattr(sandbox_pool, "_failed", None)
    monkeypatch.setattr(sandbox_pool, "_sandbox", None)
    yield sandbox_pool
    if sandbox_pool._sandbox is not None:
        sandbox_pool._sandbox.close()
