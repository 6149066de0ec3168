"""The teaching home: the courses an instructor may teach, each with its cohorts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from courses.models import Cohort, Course, Membership
from courses.services import may_create_cohorts


@dataclass
class CourseRow:
    course: Course
    lessons: int
    exercises: int
    # Each with .students and .my_role (None for site staff without a membership).
    cohorts: list[Cohort] = field(default_factory=list)


def teaching_home(*, user) -> list[CourseRow]:
    """Every course for those who may open cohorts (they may start one on any course);
    for the others, the courses of the cohorts they teach or assist. Cohorts are only
    those this user teaches or assists, with their student counts."""
    # Counted in a subquery: managed_by filters on the memberships relation, and an
    # annotation over the same relation would reuse that join (counting instructors only).
    students = (
        Membership.objects.filter(
            cohort=OuterRef("pk"), role=Membership.Role.STUDENT, archived_at__isnull=True
        )
        .order_by()
        .values("cohort")
        .annotate(n=Count("id"))
        .values("n")
    )
    my_role = Membership.objects.filter(cohort=OuterRef("pk"), user=user).values("role")[:1]
    cohorts = (
        Cohort.objects.assisted_by(user)
        .select_related("course")
        .annotate(students=Coalesce(Subquery(students), 0), my_role=Subquery(my_role))
        .order_by("name")
    )
    courses = Course.objects.filter(is_preview=False)
    if not may_create_cohorts(user):
        courses = courses.filter(id__in=Cohort.objects.assisted_by(user).values("course_id"))
    courses = (
        courses.distinct()
        .annotate(
            lesson_count=Count("lessons", filter=Q(lessons__is_active=True), distinct=True),
            exercise_count=Count("exercises", filter=Q(exercises__is_active=True), distinct=True),
        )
        .order_by("title")
    )
    rows = {c.id: CourseRow(c, c.lesson_count, c.exercise_count) for c in courses}
    for cohort in cohorts:
        if cohort.course_id in rows:
            rows[cohort.course_id].cohorts.append(cohort)
    return list(rows.values())
