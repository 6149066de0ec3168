"""LTI for `bench/load.py --lti`, run inside the stack's Django (Stack.manage): the test
LMS (tests/lti/platform.py, served by the bench's own process) registered, one LMS
course linked to a cohort of the bench's students, each of them an LMS user, and a
gradebook column per exercise; afterwards, what Descent believes it sent.

    setup(base, issuer, client_id, prefix, count) -> prints the tool's JWKS
    report() -> prints, per student and column, the score that counts, the sends asked
                for and made, and when the student's last graded submission finished
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

# Imported by the caller after django.setup().


def setup(*, base: str, issuer: str, client_id: str, deployment_id: str, prefix: str,
          count: int) -> None:  # fmt: skip
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from lti_tool.models import Key, LtiContext, LtiDeployment, LtiRegistration, LtiUser

    from courses.models import Course, Exercise, Membership
    from courses.services import cohort_create
    from lti.models import CohortLink, LineItemLink

    call_command("rotate_keys")
    registration = LtiRegistration.objects.create(
        name="Bench LMS", issuer=issuer, client_id=client_id, auth_url=f"{base}/authorize",
        token_url=f"{base}/token", keyset_url=f"{base}/jwks",
    )  # fmt: skip
    deployment = LtiDeployment.objects.create(
        registration=registration, deployment_id=deployment_id
    )
    course = Course.objects.get()
    teacher = User.objects.create_user(f"{prefix}-teacher")
    cohort = cohort_create(course=course, name="LMS burst", created_by=teacher)
    context = LtiContext.objects.create(
        deployment=deployment, id_on_platform="course-101", title="LMS burst"
    )
    CohortLink.objects.create(context=context, cohort=cohort, created_by=teacher)
    for exercise in Exercise.objects.filter(course=course, is_active=True):
        LineItemLink.objects.create(
            context=context, exercise=exercise, url=f"{base}/lineitems/{exercise.slug}"
        )
    for index in range(count):
        user = User.objects.get(username=f"{prefix}{index}")
        Membership.objects.create(cohort=cohort, user=user)
        LtiUser.objects.create(registration=registration, sub=f"lms-{index}", auth_user=user)
    print(json.dumps(Key.objects.as_jwks()))


def report() -> None:
    from django.db.models import Max
    from lti_tool.models import LtiUser

    from grading.models import Submission
    from grading.selectors import counted_score
    from lti.models import LineItemLink, ScoreSync

    subs = dict(LtiUser.objects.values_list("auth_user_id", "sub"))
    finished = {
        (row["student_id"], row["exercise_id"]): row["last"]
        for row in Submission.objects.filter(state=Submission.State.DONE)
        .values("student_id", "exercise_id")
        .annotate(last=Max("finished_at"))
    }
    rows = []
    for link in LineItemLink.objects.select_related("exercise"):
        for user_id in [key[0] for key in finished if key[1] == link.exercise_id]:
            score = counted_score(student_id=user_id, exercise_id=link.exercise_id)
            sync = ScoreSync.objects.filter(link=link, user_id=user_id).first()
            rows.append({
                "sub": subs.get(user_id), "lineitem": urlsplit(link.url).path,
                "points": None if score is None else round(score * float(link.exercise.points), 4),
                "wanted": sync.wanted if sync else 0, "sent": sync.sent if sync else 0,
                "attempts": sync.attempts if sync else 0,
                "finished": finished[(user_id, link.exercise_id)].timestamp(),
            })  # fmt: skip
    print(json.dumps(rows))
