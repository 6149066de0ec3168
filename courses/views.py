from django.shortcuts import render

from .models import Course
from .selectors import course_get, lesson_get


def home(request):
    courses = Course.objects.prefetch_related("lessons")
    return render(request, "courses/home.html", {"courses": courses})


def course_detail(request, course_slug):
    course = course_get(slug=course_slug)
    lessons = course.lessons.filter(is_active=True)
    return render(request, "courses/course.html", {"course": course, "lessons": lessons})


def lesson_detail(request, course_slug, lesson_slug):
    course = course_get(slug=course_slug)
    lesson = lesson_get(course=course, slug=lesson_slug)
    siblings = list(course.lessons.filter(is_active=True).values_list("slug", "title"))
    index = [slug for slug, _ in siblings].index(lesson.slug)
    context = {
        "course": course,
        "lesson": lesson,
        "previous": siblings[index - 1] if index > 0 else None,
        "next": siblings[index + 1] if index + 1 < len(siblings) else None,
    }
    return render(request, "courses/lesson.html", context)


def glossary(request, course_slug):
    course = course_get(slug=course_slug)
    return render(
        request, "courses/glossary.html", {"course": course, "terms": course.glossary.all()}
    )
