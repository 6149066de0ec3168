import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def student(db):
    return get_user_model().objects.create_user("ada", password="pw-ada-12345")


@pytest.fixture
def instructor(db):
    return get_user_model().objects.create_user("grace", password="pw-grace-12345", is_staff=True)
