import re

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import LessonProgress

pytestmark = pytest.mark.django_db

BODY = "is one number"  # from the fixture lesson's body


def lesson_url(lesson, name="lesson"):
    return reverse(f"courses:{name}", args=[lesson.course.slug, lesson.slug])


def test_the_think_prompt_blocks_the_body_until_answered(student_client, lesson):
    page = student_client.get(lesson_url(lesson)).content.decode()
    assert "Which way is downhill?" in page
    assert BODY not in page
    assert 'id="checkpoint"' not in page


def test_answering_the_think_prompt_stores_it_and_opens_the_body(student_client, student, lesson):
    response = student_client.post(
        lesson_url(lesson, "lesson_think"), {"answer": "Against the slope"}
    )
    assert response.status_code == 302
    progress = LessonProgress.objects.get(user=student, lesson=lesson)
    assert progress.think_answer == "Against the slope"
    assert progress.think_answered_at is not None
    page = student_client.get(lesson_url(lesson)).content.decode()
    assert BODY in page
    assert "Against the slope" in page


def test_skipping_the_think_prompt_opens_the_body(student_client, student, lesson):
    student_client.post(lesson_url(lesson, "lesson_think"), {"skip": "1"})
    assert LessonProgress.objects.get(user=student, lesson=lesson).think_skipped
    assert BODY in student_client.get(lesson_url(lesson)).content.decode()


def test_an_empty_think_answer_is_refused_with_a_message(student_client, student, lesson):
    response = student_client.post(lesson_url(lesson, "lesson_think"), {"answer": "  "})
    assert response.status_code == 400
    assert "Write a sentence" in response.content.decode()
    assert not LessonProgress.objects.get(user=student, lesson=lesson).think_done


def test_the_think_form_needs_the_csrf_token(student, lesson):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = client.post(lesson_url(lesson, "lesson_think"), {"skip": "1"})
    assert response.status_code == 403


def test_anonymous_visitors_read_the_body_with_the_prompt_beside_it(client, lesson):
    page = client.get(lesson_url(lesson)).content.decode()
    assert BODY in page
    assert "Which way is downhill?" in page
    assert "to take it" in page  # the checkpoint asks them to log in


def test_opening_a_lesson_marks_it_reading(student_client, student, lesson):
    student_client.get(lesson_url(lesson))
    assert LessonProgress.objects.get(user=student, lesson=lesson).state == "reading"


@pytest.fixture
def reader(student_client, lesson):
    student_client.post(lesson_url(lesson, "lesson_think"), {"skip": "1"})
    return student_client


def test_the_reading_position_is_stored(reader, student, lesson):
    response = reader.post(lesson_url(lesson, "lesson_position"), {"position": "0.42"})
    assert response.status_code == 204
    assert LessonProgress.objects.get(user=student, lesson=lesson).reading_position == 0.42


def test_the_reading_position_is_restored_from_the_page(reader, lesson):
    reader.post(lesson_url(lesson, "lesson_position"), {"position": "0.5"})
    assert 'data-reading-position="0.5000"' in reader.get(lesson_url(lesson)).content.decode()


def test_the_reading_position_only_changes_the_owners_progress(
    reader, student, second_student, lesson
):
    theirs = LessonProgress.objects.create(user=second_student, lesson=lesson, reading_position=0.1)
    reader.post(lesson_url(lesson, "lesson_position"), {"position": "0.9"})
    theirs.refresh_from_db()
    assert theirs.reading_position == 0.1


def test_another_students_page_does_not_show_my_position(reader, second_student, lesson):
    reader.post(lesson_url(lesson, "lesson_position"), {"position": "0.9"})
    other = Client()
    other.force_login(second_student)
    other.post(lesson_url(lesson, "lesson_think"), {"skip": "1"})
    assert 'data-reading-position="0.0000"' in other.get(lesson_url(lesson)).content.decode()


def test_anonymous_visitors_cannot_store_a_reading_position(client, lesson):
    response = client.post(lesson_url(lesson, "lesson_position"), {"position": "0.5"})
    assert response.status_code == 403
    assert not LessonProgress.objects.exists()


def test_a_reading_position_outside_0_to_1_is_refused(reader, lesson):
    response = reader.post(lesson_url(lesson, "lesson_position"), {"position": "1.5"})
    assert response.status_code == 400


def test_the_reading_position_needs_the_csrf_token(student, lesson):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = client.post(lesson_url(lesson, "lesson_position"), {"position": "0.5"})
    assert response.status_code == 403


def test_the_lesson_links_to_its_exercises(reader, lesson):
    exercise = lesson.exercises.get()
    page = reader.get(lesson_url(lesson)).content.decode()
    assert exercise.title in page
    assert 'id="exercise-double"' in page


def test_the_lesson_carries_the_glossary_cards_it_links_to(reader, lesson):
    page = reader.get(lesson_url(lesson)).content.decode()
    assert 'data-term="loss"' in page
    assert 'data-term-card="loss"' in page
    assert "Zero training loss usually means memorising." in page


def test_glossary_links_go_to_the_glossary_page_without_javascript(reader, lesson):
    page = reader.get(lesson_url(lesson)).content.decode()
    glossary = reverse("courses:glossary", args=[lesson.course.slug])
    assert f'href="{glossary}#term-loss"' in page


def test_the_lesson_page_loads_its_script_deferred(reader, lesson):
    page = reader.get(lesson_url(lesson)).content.decode()
    assert re.search(r'dist/lesson-page\.js" nonce="[^"]+" defer', page)
