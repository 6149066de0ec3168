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


def test_an_invitations_token_is_neither_shown_nor_searchable(admin_client, db, instructor):
    from courses.models import Cohort, Invitation

    cohort = Cohort.objects.create(course=Course.objects.create(slug="c", title="C"), name="G")
    invitation = Invitation.objects.create(cohort=cohort, email="a@example.org")
    listing = reverse("admin:courses_invitation_changelist")
    assert invitation.token not in admin_client.get(listing).content.decode()
    change = reverse("admin:courses_invitation_change", args=[invitation.pk])
    assert invitation.token not in admin_client.get(change).content.decode()
    probe = admin_client.get(listing, {"token__startswith": invitation.token[:1]})
    assert probe.status_code == 400


@pytest.mark.parametrize(
    "model",
    ["scheduleentry", "extension", "invitation", "announcement"],
)
def test_the_admin_lists_the_term_records(admin_client, db, model):
    assert admin_client.get(reverse(f"admin:courses_{model}_changelist")).status_code == 200


def test_the_score_audit_trail_is_read_only_for_staff(client, db, cohort_instructor):
    from django.contrib.auth.models import Permission

    from tests.conftest import person

    staff = person("clerk", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="grading"))
    client.force_login(staff)
    listing = reverse("admin:grading_scoreoverride_changelist")
    assert client.get(listing).status_code == 200
    assert client.get(reverse("admin:grading_scoreoverride_add")).status_code == 403
