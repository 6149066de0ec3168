"""Content imported from files is read-only in the admin (the next sync would overwrite an
edit); content of a course made in the admin stays editable; the demo course author may
teach and read the content there without being a superuser."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from courses.models import Course, Lesson
from teaching.access import may_teach
from tests.conftest import person
from tests.factories import CourseFactory

CONTENT_MODELS = ("course", "lesson", "glossaryterm", "quiz", "question", "exercise")
CONTENT_PERMISSIONS = [
    f"{action}_{model}"
    for action in ("view", "change", "add", "delete")
    for model in CONTENT_MODELS
]


@pytest.fixture
def editor(db, client):
    """Staff who may view, change, add and delete all content: only the files stop them."""
    user = person("margaret", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="courses", codename__in=CONTENT_PERMISSIONS
        )
    )
    client.force_login(user)
    return client


@pytest.fixture
def lesson(quiz_course):
    return quiz_course.lessons.first()


@pytest.fixture
def course_without_files(db):
    return CourseFactory(slug="made-in-admin")


@pytest.fixture
def lesson_without_files(course_without_files):
    return Lesson.objects.create(
        course=course_without_files,
        slug="hand-made",
        title="Hand made",
        position=1,
        body_markdown="Hello.",
        body_html="<p>Hello.</p>",
    )


def change_url(lesson):
    return reverse("admin:courses_lesson_change", args=[lesson.pk])


def lesson_form(lesson, **changes):
    fields = {
        "course": lesson.course_id,
        "slug": lesson.slug,
        "title": lesson.title,
        "summary": lesson.summary,
        "position": lesson.position,
        "minutes": lesson.minutes,
        "think_prompt": lesson.think_prompt,
        "widget": lesson.widget,
        "body_markdown": lesson.body_markdown,
        "is_active": "on",
        "_save": "Save",
    }
    return {**fields, **changes}


def test_a_lesson_from_files_opens_read_only(editor, lesson):
    response = editor.get(change_url(lesson))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="_save"' not in page
    assert 'name="title"' not in page
    assert 'name="body_markdown"' not in page
    assert lesson.title in page


def test_a_lesson_from_files_says_how_to_change_it(editor, lesson, quiz_course):
    page = editor.get(change_url(lesson)).content.decode()
    assert "Read-only: imported from" in page
    assert "git repository" in page
    assert f"python manage.py sync_course {quiz_course.source_path}" in page
    assert "/teach/" in page


def test_the_lesson_list_says_content_from_files_is_read_only(editor, lesson):
    response = editor.get(reverse("admin:courses_lesson_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Courses imported from files are read-only here" in page
    assert "edit the files and sync" in page


def test_a_change_to_a_lesson_from_files_is_refused(editor, lesson):
    response = editor.post(change_url(lesson), lesson_form(lesson, title="Edited in the admin"))
    assert response.status_code == 403
    lesson.refresh_from_db()
    assert lesson.title != "Edited in the admin"


def test_deleting_a_lesson_from_files_is_refused(editor, lesson):
    url = reverse("admin:courses_lesson_delete", args=[lesson.pk])
    assert editor.post(url, {"post": "yes"}).status_code == 403
    assert Lesson.objects.filter(pk=lesson.pk).exists()


def test_the_delete_action_refuses_lessons_from_files(editor, lesson):
    response = editor.post(
        reverse("admin:courses_lesson_changelist"),
        {"action": "delete_selected", "_selected_action": [lesson.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert Lesson.objects.filter(pk=lesson.pk).exists()


def test_nothing_can_be_added_when_every_course_is_from_files(editor, lesson):
    assert editor.get(reverse("admin:courses_lesson_add")).status_code == 403


def test_a_lesson_cannot_be_added_to_a_course_from_files(editor, lesson, course_without_files):
    form = lesson_form(lesson, slug="smuggled", title="Smuggled in")
    response = editor.post(reverse("admin:courses_lesson_add"), form)
    assert response.status_code == 200  # the form again, with its error
    assert not Lesson.objects.filter(slug="smuggled").exists()


def test_a_lesson_of_a_course_without_files_stays_editable(editor, lesson_without_files):
    url = change_url(lesson_without_files)
    page = editor.get(url).content.decode()
    assert 'name="_save"' in page
    assert "Read-only" not in page

    response = editor.post(url, lesson_form(lesson_without_files, title="Edited in the admin"))
    assert response.status_code == 302
    lesson_without_files.refresh_from_db()
    assert lesson_without_files.title == "Edited in the admin"


def test_a_lesson_cannot_move_into_a_course_from_files(editor, lesson_without_files, quiz_course):
    form = lesson_form(lesson_without_files, course=quiz_course.pk)
    editor.post(change_url(lesson_without_files), form)
    lesson_without_files.refresh_from_db()
    assert lesson_without_files.course != quiz_course


def test_a_lesson_can_be_added_to_a_course_without_files(editor, lesson_without_files):
    form = lesson_form(lesson_without_files, slug="second", title="Second", position=2)
    response = editor.post(reverse("admin:courses_lesson_add"), form)
    assert response.status_code == 302
    assert Lesson.objects.filter(course=lesson_without_files.course, slug="second").exists()


def test_a_quiz_from_files_lists_its_questions_read_only(admin_client, quiz_course):
    quiz = quiz_course.quizzes.first()
    page = admin_client.get(reverse("admin:courses_quiz_change", args=[quiz.pk])).content
    assert b'name="_save"' not in page
    assert b'class="inlineviewlink"' in page


# The demo course author.


@pytest.fixture
def demo_users(db, settings):
    settings.DEBUG = True
    call_command("demo_users")


def test_the_demo_author_can_log_in(demo_users, client):
    response = client.post(reverse("login"), {"username": "author", "password": "descent-author"})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_the_demo_author_may_teach_without_being_a_superuser(demo_users, django_user_model):
    author = django_user_model.objects.get(username="author")
    assert may_teach(author)
    assert author.has_perm("courses.add_cohort")
    assert author.is_staff
    assert not author.is_superuser


def test_the_demo_author_reads_content_in_the_admin(demo_users, django_user_model, client, lesson):
    client.force_login(django_user_model.objects.get(username="author"))
    assert client.get(reverse("admin:courses_lesson_changelist")).status_code == 200
    page = client.get(change_url(lesson)).content.decode()
    assert "Read-only: imported from" in page
    assert 'name="_save"' not in page


def test_demo_users_can_run_twice(demo_users, django_user_model, capsys):
    call_command("demo_users")
    assert django_user_model.objects.filter(username="author").count() == 1
    output = capsys.readouterr().out
    assert "username 'author', password 'descent-author'" in output
    assert ".venv/bin/python manage.py createsuperuser" in output
    author = django_user_model.objects.get(username="author")
    assert author.check_password("descent-author")
    assert may_teach(author)


def test_a_course_from_files_is_read_only_but_one_without_files_is_not(admin_client, quiz_course):
    other = CourseFactory(slug="made-in-admin")
    for course, editable in ((quiz_course, False), (other, True)):
        page = admin_client.get(reverse("admin:courses_course_change", args=[course.pk]))
        assert ('name="_save"' in page.content.decode()) is editable
    assert Course.objects.count() == 2
