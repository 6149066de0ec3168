import html
import re
import uuid

import pytest
from django.urls import reverse

from grading.models import Draft, Submission

pytestmark = pytest.mark.django_db


def page_url(exercise):
    return reverse("grading:exercise", args=[exercise.course.slug, exercise.slug])


def diff_url(exercise, a, b):
    return reverse("grading:diff", args=[exercise.course.slug, exercise.slug, a.uuid, b.uuid])


def textarea_content(body: str) -> str:
    match = re.search(r'<textarea id="source"[^>]*>(.*?)</textarea>', body, re.S)
    assert match, "the page has no source textarea"
    # The parser drops one newline straight after <textarea>; the template puts one there
    # so that a source starting with a blank line keeps it.
    content = match.group(1)
    assert content.startswith("\n")
    return html.unescape(content[1:])


def test_it_requires_login(client, exercise):
    response = client.get(page_url(exercise))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_it_shows_title_signature_and_statement(client, student, exercise):
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    assert "Double it" in body
    assert "double(x) -&gt; ndarray" in body
    assert "<p>Return <code>2 * x</code>.</p>" in body


def test_it_prefills_the_editor_with_the_starter_without_a_draft(client, student, exercise):
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    assert textarea_content(body) == exercise.starter_code


def test_it_prefills_the_editor_with_the_draft(client, student, exercise, make_draft):
    make_draft(student, exercise, "\ndef double(x):\n    return x + x  # <mine>\n")
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    assert textarea_content(body) == "\ndef double(x):\n    return x + x  # <mine>\n"


def test_it_ignores_another_students_draft(client, student, second_student, exercise, make_draft):
    make_draft(second_student, exercise, "def double(x):\n    return brians_secret\n")
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    assert textarea_content(body) == exercise.starter_code
    assert "brians_secret" not in body


def test_it_404s_for_an_unknown_exercise(client, student, exercise):
    client.force_login(student)
    url = reverse("grading:exercise", args=[exercise.course.slug, "nope"])
    assert client.get(url).status_code == 404


def test_it_404s_for_an_exercise_removed_from_the_files(client, student, exercise):
    exercise.is_active = False
    exercise.save()
    client.force_login(student)
    assert client.get(page_url(exercise)).status_code == 404


def test_it_hides_every_hint_before_a_failed_attempt(client, student, exercise):
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    for hint in exercise.hints:
        assert hint not in body
    assert "3 hints to unlock" in body


def test_it_unlocks_one_hint_per_failed_graded_attempt(client, student, exercise, make_submission):
    make_submission(student, exercise, "a = 1", verdict="failed")
    make_submission(student, exercise, "a = 2", verdict="error", score=0.0)
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    assert "First hint: multiply." in body
    assert "Second hint: by two." in body
    assert "Third hint: return it." not in body


def test_it_does_not_unlock_hints_for_passed_or_ungraded_attempts(
    client, student, exercise, make_submission
):
    make_submission(student, exercise, "a = 1", verdict="passed", score=1.0)
    make_submission(student, exercise, "a = 2", state="queued", verdict="", score=None)
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    assert "First hint: multiply." not in body


def test_code_the_checks_could_not_run_unlocks_no_hint(client, student, exercise, make_submission):
    make_submission(student, exercise, "def double(", verdict="invalid", score=0.0)
    make_submission(student, exercise, "def twice(x): ...", verdict="invalid", score=0.0)
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    assert "First hint: multiply." not in body
    make_submission(student, exercise, "a = 1", verdict="failed")
    assert "First hint: multiply." in client.get(page_url(exercise)).content.decode()


def test_another_students_failures_unlock_nothing(
    client, student, second_student, exercise, make_submission
):
    make_submission(second_student, exercise, "a = 1")
    client.force_login(student)
    assert "First hint: multiply." not in client.get(page_url(exercise)).content.decode()


def test_history_lists_own_attempts_newest_first(client, student, exercise, make_submission):
    first = make_submission(student, exercise, "a = 1", verdict="failed", score=0.25)
    second = make_submission(student, exercise, "a = 2", verdict="passed", score=1.0)
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    history = body[body.index('id="history-list"') :]
    assert history.index(str(second.uuid)) < history.index(str(first.uuid))
    assert "Attempt 2" in history
    assert "Attempt 1" in history
    assert "100%" in history
    assert "25%" in history
    assert diff_url(exercise, first, second) in history


def test_history_leaves_out_other_students_attempts(
    client, student, second_student, exercise, make_submission
):
    mine = make_submission(student, exercise, "a = 1")
    theirs = make_submission(second_student, exercise, "a = 2")
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    assert str(mine.uuid) in body
    assert str(theirs.uuid) not in body


def test_it_shows_the_latest_result_with_checks(client, student, exercise, make_submission):
    make_submission(
        student,
        exercise,
        result={
            "message": "2 of 3 checks passed",
            "checks": [
                {"name": "matches the reference", "passed": True, "points": 5, "earned": 5},
                {
                    "name": "keeps the shape",
                    "passed": False,
                    "points": 2,
                    "earned": 0,
                    "message": "your output has shape (3,)",
                    "failing_input": {"arg1": {"array": [0.0], "shape": [1]}},
                    "shrunk": True,
                    "mistake": "returns-x",
                    "mistake_hint": "You return x unchanged.",
                },
            ],
            "stdout": "debug print",
        },
    )
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    result = body[body.index('id="result"') : body.index('id="history"')]
    assert "matches the reference" in result
    assert "your output has shape (3,)" in result
    assert "Smallest failing input" in result
    assert "<dt>x</dt><dd><code>array([0.0])  shape (1,)</code></dd>" in result
    assert "This looks like a known mistake." in result
    assert "You return x unchanged." in result
    assert "debug print" in result


def test_it_shows_a_chosen_attempts_result(client, student, exercise, make_submission):
    first = make_submission(student, exercise, "a = 1", result={"message": "first one"})
    make_submission(student, exercise, "a = 2", result={"message": "second one"})
    client.force_login(student)
    body = client.get(page_url(exercise), {"submission": str(first.uuid)}).content.decode()
    assert "first one" in body
    assert "second one" not in body


def test_it_never_shows_another_students_result(
    client, student, second_student, exercise, make_submission
):
    theirs = make_submission(second_student, exercise, result={"message": "brian's result"})
    client.force_login(student)
    body = client.get(page_url(exercise), {"submission": str(theirs.uuid)}).content.decode()
    assert "brian&#x27;s result" not in body
    assert "brian's result" not in body


def test_a_queued_attempt_shows_its_state(client, student, exercise, make_submission):
    make_submission(student, exercise, state="queued", verdict="", score=None)
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    assert "Attempt 1 is queued" in body
    assert 'data-shown-state="queued"' in body


def test_it_loads_its_script_deferred_and_has_no_inline_script(client, student, exercise):
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    assert re.search(
        r'<script src="[^"]*dist/exercise-page\.js" nonce="[^"]+" defer></script>', body
    )
    assert "css/exercise.css" in body
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)


def test_the_form_posts_to_the_page_with_a_visible_textarea(client, student, exercise):
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    form = re.search(r'<form class="editor-form"[^>]*>', body).group(0)
    assert 'method="post"' in form
    assert f'action="{page_url(exercise)}"' in form
    textarea = re.search(r'<textarea id="source"[^>]*>', body).group(0)
    assert 'name="source"' in textarea
    assert "hidden" not in textarea


def test_the_plain_form_creates_a_submission_and_a_draft(
    client, student, exercise, django_capture_on_commit_callbacks, published
):
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            page_url(exercise), {"source": "def double(x):\r\n    return 2*x\r\n"}
        )
    submission = Submission.objects.get(student=student, exercise=exercise)
    assert response.status_code == 302
    assert response["Location"] == f"{page_url(exercise)}?submission={submission.uuid}#result"
    assert submission.source == "def double(x):\n    return 2*x\n"
    assert published == [("grading.grade_submission", (submission.id,))]
    assert student.drafts.get(exercise=exercise).source == submission.source


def test_the_plain_form_rejects_oversized_source(client, student, exercise):
    client.force_login(student)
    response = client.post(page_url(exercise), {"source": "#" * (64 * 1024 + 1)}, follow=True)
    assert not Submission.objects.exists()
    assert "Not submitted" in response.content.decode()


def test_the_diff_shows_changed_lines_with_marks(client, student, exercise, make_submission):
    old = make_submission(student, exercise, "def double(x):\n    return x\n")
    new = make_submission(student, exercise, "def double(x):\n    return 2 * x  # <fixed>\n")
    client.force_login(student)
    body = client.get(diff_url(exercise, old, new)).content.decode()
    assert re.search(r'<tr class="diff-del">.*?return x</code>', body, re.S)
    assert re.search(r'<tr class="diff-add">.*?return 2 \* x  # &lt;fixed&gt;</code>', body, re.S)
    assert ">+</span>" in body
    assert ">−</span>" in body
    assert "1 line added, 1 line removed" in body


def test_the_diff_404s_for_someone_elses_submission(
    client, student, second_student, exercise, make_submission
):
    mine = make_submission(student, exercise, "a = 1")
    theirs = make_submission(second_student, exercise, "a = 2")
    client.force_login(student)
    assert client.get(diff_url(exercise, mine, theirs)).status_code == 404
    assert client.get(diff_url(exercise, theirs, mine)).status_code == 404


def test_another_student_gets_404_on_my_diff(
    client, student, second_student, exercise, make_submission
):
    a = make_submission(student, exercise, "a = 1")
    b = make_submission(student, exercise, "a = 2")
    client.force_login(second_student)
    assert client.get(diff_url(exercise, a, b)).status_code == 404


def test_the_diff_404s_for_an_unknown_uuid(client, student, exercise, make_submission):
    a = make_submission(student, exercise, "a = 1")
    client.force_login(student)
    url = reverse("grading:diff", args=[exercise.course.slug, exercise.slug, a.uuid, uuid.uuid4()])
    assert client.get(url).status_code == 404


def test_the_diff_requires_login(client, student, exercise, make_submission):
    a = make_submission(student, exercise, "a = 1")
    b = make_submission(student, exercise, "a = 2")
    assert client.get(diff_url(exercise, a, b)).status_code == 302


def test_the_statement_loses_its_own_title_to_the_pages_h1(client, student, exercise):
    exercise.statement_html = "<h1>Double it</h1>\n<p>Return twice x.</p>"
    exercise.save()
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    assert body.count("<h1") == 1
    assert "<p>Return twice x.</p>" in body


def test_the_script_is_told_the_api_urls_for_this_course(client, student, exercise):
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    assert 'data-submit-url="/api/v1/exercises/double/submissions?course=toy"' in body
    assert 'data-draft-url="/api/v1/exercises/double/draft?course=toy"' in body


def test_the_plain_form_shows_the_earlier_result_for_an_identical_resubmission(
    client, student, exercise, make_submission
):
    earlier = make_submission(student, exercise, "same = 1\n", result={"message": "earlier"})
    client.force_login(student)
    response = client.post(page_url(exercise), {"source": "same = 1\n"}, follow=True)
    body = response.content.decode()
    assert Submission.objects.count() == 1
    assert f"?submission={earlier.uuid}" in response.redirect_chain[-1][0]
    assert "already submitted exactly this code as attempt 1" in body
    assert "earlier" in body


def test_a_figure_check_says_the_plot_needs_javascript(client, student, exercise, make_submission):
    figure = {"kind": "trajectory", "title": "path", "reference": {"path": [[0, 0]]}}
    make_submission(
        student,
        exercise,
        result={"checks": [{"name": "path", "passed": True, "points": 0, "figure": figure}]},
    )
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    assert "figure-fallback" in body


def test_a_plot_is_under_its_own_heading_without_a_mark(client, student, exercise, make_submission):
    figure = {"kind": "trajectory", "title": "path", "reference": {"path": [[0, 0]]}}
    make_submission(
        student,
        exercise,
        result={
            "checks": [
                {"name": "matches the reference", "passed": True, "points": 5, "earned": 5},
                {"name": "your path", "passed": True, "points": 0, "figure": figure},
            ]
        },
    )
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    checks = body[
        body.index('<ul class="check-list">') : body.index(
            "</ul>", body.index('<ul class="check-list">')
        )
    ]
    assert "matches the reference" in checks
    assert "your path" not in checks  # not a checked row, so no ✓ beside it
    plots = body[body.index('<section class="plots"') :]
    assert "<figcaption>your path</figcaption>" in plots


def test_staff_see_only_their_own_attempts_here(
    client, student, instructor, exercise, make_submission
):
    a = make_submission(student, exercise, "a = 1")
    b = make_submission(student, exercise, "a = 2")
    client.force_login(instructor)
    body = client.get(page_url(exercise)).content.decode()
    assert str(a.uuid) not in body
    assert str(b.uuid) not in body
    assert client.get(diff_url(exercise, a, b)).status_code == 404


def test_the_plain_form_path_has_the_same_rate_limit_as_the_api(client, student, exercise):
    client.force_login(student)
    url = f"/courses/{exercise.course.slug}/exercises/{exercise.slug}/"
    for n in range(6):
        client.post(url, {"source": f"def double(x):\n    return 2 * x  # {n}\n"})
    response = client.post(url, {"source": "def double(x):\n    return x + x\n"}, follow=True)
    assert Submission.objects.filter(student=student).count() == 6
    assert "6 times a minute per exercise" in response.content.decode()
    # What was typed is not lost: it is the draft.
    assert Draft.objects.get(student=student, exercise=exercise).source.endswith("x + x\n")


def test_any_two_of_ones_own_attempts_can_be_compared(
    client, student, second_student, exercise, make_submission
):
    first = make_submission(student, exercise, "def double(x):\n    return x\n")
    make_submission(student, exercise, "def double(x):\n    return x * 3\n")
    third = make_submission(student, exercise, "def double(x):\n    return 2 * x\n")
    client.force_login(student)
    base = f"/courses/{exercise.course.slug}/exercises/{exercise.slug}/"
    page = client.get(base).content.decode()
    assert "Compare any two attempts" in page
    picked = client.get(base + "diff/", {"a": first.uuid, "b": third.uuid}, follow=True)
    assert picked.status_code == 200
    assert "return 2 * x" in picked.content.decode()
    theirs = make_submission(second_student, exercise, "def double(x):\n    return x + x\n")
    assert client.get(base + "diff/", {"a": first.uuid, "b": theirs.uuid}).status_code == 404
    assert client.get(base + "diff/", {"a": "nope", "b": third.uuid}).status_code == 404


def test_a_failing_input_shows_a_test_function_as_its_formula(
    client, student, exercise, make_submission
):
    failing = {"arg1": {"function": "the gradient of f(x) = Σ xᵢ²"}, "arg2": 0.5}
    make_submission(
        student,
        exercise,
        result={
            "checks": [{"name": "path", "passed": False, "points": 1, "failing_input": failing}]
        },
    )
    client.force_login(student)
    body = client.get(page_url(exercise)).content.decode()
    assert "<code>the gradient of f(x) = Σ xᵢ²</code>" in body
    assert "{function:" not in body
