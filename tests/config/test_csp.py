"""The Content-Security-Policy header, as the server sends it. In a browser, with every
script and style at work: tests/browser/test_csp.py."""

import re

import pytest
from django.urls import reverse

from tests.factories import CourseFactory, ExerciseFactory

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


def test_every_page_gets_a_policy_without_inline_scripts(client):
    policy = directives(client.get(reverse("login")))
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert "'unsafe-inline'" not in policy.get("style-src-attr", [])


def test_the_script_tags_carry_the_nonce_the_header_allows(client, student):
    exercise = ExerciseFactory(course=CourseFactory(slug="toy"), slug="double")
    client.force_login(student)
    response = client.get(reverse("grading:exercise", args=["toy", exercise.slug]))
    nonce = re.fullmatch(r"'nonce-(.+)'", directives(response)["script-src"][1]).group(1)
    tags = re.findall(r"<script [^>]*>", response.content.decode())
    assert tags
    assert all(f'nonce="{nonce}"' in tag for tag in tags), tags


def test_each_response_gets_a_fresh_nonce(client, student):
    exercise = ExerciseFactory(course=CourseFactory(slug="toy"), slug="double")
    client.force_login(student)
    url = reverse("grading:exercise", args=["toy", exercise.slug])
    first, second = (directives(client.get(url))["script-src"] for _ in range(2))
    assert first != second
