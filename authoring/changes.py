"""What publishing a version changes for the students already working: the version's files
compared with the published course (its rows, and the exercise folders it was imported
from). Pure reads; the answer is plain JSON so a version keeps it as its record.

    lessons, questions, exercises, glossary   added / changed / removed, by slug
    answer_keys      quizzes whose right answers changed, with the attempts already made
    checks_changed   exercises whose grading changed (checks, reference, entry, signature,
                     limits, helper files), with the submissions already graded: these
                     are the ones a regrade would re-score

The statement, the starter, the hints and the known mistakes' hints change what students
read, not how they are scored: such an exercise is "changed" but not in checks_changed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from courses.importing import load_course_dir
from courses.importing.schema import CARD_FIELDS
from courses.models import Course, QuizAttempt
from grading.models import Submission

# Files of an exercise folder that do not take part in grading.
NOT_GRADING = {"statement.md", "starter.py", "exercise.yaml"}
# exercise.yaml keys that change how a submission is run or scored.
GRADING_KEYS = ("entry", "kind", "signature", "limits")


def _digest(folder: Path, *, grading_only: bool) -> str | None:
    if not folder.is_dir():
        return None
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if not path.is_file() or (grading_only and _not_grading(relative)):
            continue
        digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    if grading_only:
        try:
            meta = yaml.safe_load((folder / "exercise.yaml").read_text()) or {}
        except (OSError, yaml.YAMLError):
            meta = {}
        picked = {key: meta.get(key) for key in GRADING_KEYS} if isinstance(meta, dict) else {}
        digest.update(json.dumps(picked, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _not_grading(relative: str) -> bool:
    return relative in NOT_GRADING or relative.startswith(("tests/", "mistakes/"))


def _answer_key(spec: dict) -> object:
    if "choices" in spec:
        return [bool(choice.get("correct")) for choice in spec["choices"]]
    return {key: spec.get(key) for key in ("answer", "tolerance", "items", "params")}


def _wording(spec: dict) -> object:
    if "choices" in spec:
        return [(c.get("text"), c.get("explanation")) for c in spec["choices"]]
    return None


def _split(old: dict, new: dict, differs) -> dict:
    return {
        "added": sorted(set(new) - set(old)),
        "changed": sorted(key for key in set(old) & set(new) if differs(old[key], new[key])),
        "removed": sorted(set(old) - set(new)),
    }


def publish_changes(version) -> dict:
    """The summary of publishing ``version`` over what students see now."""
    loaded, problems = load_course_dir(Path(version.checkout))
    if loaded is None or problems:
        return {"error": "the version's files no longer load", "first": False, "nothing": False}
    course = Course.objects.filter(slug=version.course_slug, is_preview=False).first()
    if course is None:
        return {"first": True, "nothing": False, "title": loaded.manifest.title}

    old_lessons = {
        lesson.slug: (lesson.title, lesson.summary, lesson.minutes, lesson.think_prompt,
                      lesson.widget, lesson.body_markdown)
        for lesson in course.lessons.filter(is_active=True)
    }  # fmt: skip
    new_lessons = {
        lesson.slug: (lesson.front.title, lesson.front.summary, lesson.front.minutes,
                      lesson.front.think, lesson.front.widget, lesson.body)
        for lesson in loaded.lessons
    }  # fmt: skip
    titles = {slug: values[0] for slug, values in {**old_lessons, **new_lessons}.items()}
    lessons = _split(old_lessons, new_lessons, lambda a, b: a != b)

    old_questions, quiz_ids = {}, {}
    for quiz in course.quizzes.filter(is_active=True).prefetch_related("questions"):
        quiz_ids[quiz.slug] = quiz.pk
        for question in quiz.questions.all():
            if question.is_active:
                old_questions[f"{quiz.slug}/{question.slug}"] = (
                    question.kind, question.prompt_markdown, question.explanation_markdown,
                    _wording(question.spec), _answer_key(question.spec),
                )  # fmt: skip
    new_questions = {}
    for quiz_slug, quiz_file in loaded.quizzes.items():
        for question in quiz_file.quiz.questions:
            spec = question.spec()
            new_questions[f"{quiz_slug}/{question.id}"] = (
                question.kind, question.prompt, question.explanation,
                _wording(spec), _answer_key(spec),
            )  # fmt: skip
    questions = _split(old_questions, new_questions, lambda a, b: a != b)
    rekeyed: dict[str, list[str]] = {}
    for key in set(old_questions) & set(new_questions):
        if (
            old_questions[key][4] != new_questions[key][4]
            or old_questions[key][0] != new_questions[key][0]
        ):
            quiz_slug, question_slug = key.split("/", 1)
            rekeyed.setdefault(quiz_slug, []).append(question_slug)
    answer_keys = [
        {
            "quiz": quiz_slug,
            "questions": sorted(slugs),
            "attempts": QuizAttempt.objects.filter(quiz_id=quiz_ids[quiz_slug]).count(),
        }
        for quiz_slug, slugs in sorted(rekeyed.items())
    ]

    old_root = Path(course.source_path) if course.source_path else None
    old_exercises = {}
    for exercise in course.exercises.filter(is_active=True):
        folder = old_root / exercise.source_dir if old_root else Path("/nonexistent")
        old_exercises[exercise.slug] = (
            exercise,
            _digest(folder, grading_only=False),
            _digest(folder, grading_only=True),
        )
    new_exercises = {
        slug: (
            None,
            _digest(files.directory, grading_only=False),
            _digest(files.directory, grading_only=True),
        )
        for slug, files in loaded.exercises.items()
    }
    exercises = _split(old_exercises, new_exercises, lambda a, b: a[1] is None or a[1] != b[1])
    checks_changed = []
    for slug in exercises["changed"]:
        old, _, old_grading = old_exercises[slug]
        if old_grading is None or old_grading != new_exercises[slug][2]:
            graded = Submission.objects.filter(exercise=old, state=Submission.State.DONE)
            checks_changed.append({"slug": slug, "title": old.title, "submissions": graded.count()})

    old_terms = {
        t.slug: {name: getattr(t, name) for name in CARD_FIELDS} for t in course.glossary.all()
    }
    new_terms = {t.slug: t.card() for t in loaded.glossary}
    glossary = _split(old_terms, new_terms, lambda a, b: a != b)
    exercise_titles = {slug: v[0].title for slug, v in old_exercises.items()}
    exercise_titles.update({slug: f.meta.title for slug, f in loaded.exercises.items()})

    summary = {
        "first": False,
        "title": loaded.manifest.title,
        "lessons": {k: [[s, titles[s]] for s in v] for k, v in lessons.items()},
        "questions": questions,
        "answer_keys": answer_keys,
        "exercises": {k: [[s, exercise_titles[s]] for s in v] for k, v in exercises.items()},
        "checks_changed": checks_changed,
        "glossary": glossary,
    }
    summary["nothing"] = not any(
        any(part.values()) if isinstance(part, dict) else part
        for key, part in summary.items()
        if key in ("lessons", "questions", "answer_keys", "exercises", "glossary")
    )
    return summary
