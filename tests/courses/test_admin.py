import pytest
from django.urls import reverse

from courses.models import Course, Exercise, Question, Quiz


@pytest.mark.parametrize("model", [Course, Quiz, Question, Exercise])
def test_the_admin_lists_each_content_model(admin_client, quiz_course, model):
    url = reverse(f"admin:courses_{model._meta.model_name}_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200


def test_the_admin_searches_exercises(admin_client, quiz_course):
    url = reverse("admin:courses_exercise_changelist")
    assert "Double every entry" in admin_client.get(url, {"q": "double"}).content.decode()
    assert "Double every entry" not in admin_client.get(url, {"q": "softmax"}).content.decode()


@pytest.mark.parametrize("model", [Course, Quiz, Question, Exercise])
def test_a_change_page_says_the_files_are_the_source_of_truth(admin_client, quiz_course, model):
    obj = model.objects.first()
    url = reverse(f"admin:courses_{model._meta.model_name}_change", args=[obj.pk])
    page = admin_client.get(url).content.decode()
    assert "The files are the source of truth" in page
    assert quiz_course.source_path in page


def test_the_quiz_list_counts_its_questions(admin_client, quiz_course):
    page = admin_client.get(reverse("admin:courses_quiz_changelist")).content.decode()
    assert '<td class="field-question_count">6</td>' in page
