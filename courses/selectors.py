from django.shortcuts import get_object_or_404

from .models import Course, Lesson


def course_get(*, slug: str) -> Course:
    return get_object_or_404(Course, slug=slug)


def lesson_get(*, course: Course, slug: str) -> Lesson:
    return get_object_or_404(Lesson, course=course, slug=slug, is_active=True)
