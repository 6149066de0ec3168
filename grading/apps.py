from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "grading"
    verbose_name = "Grading"

    def ready(self):
        # Django's hook for connecting signals once every app is loaded: these modules
        # import models, so they cannot be imported at the top of this file.
        from django.db.models.signals import post_migrate, post_save  # receivers below

        from courses.models import LessonProgress, QuizAttempt  # models: after loading
        from courses.signals import course_synced, lesson_seen  # courses' models load with it

        from . import standings, worker  # noqa: F401 - worker: the start-up self-test
        from .models import Submission  # models: after loading

        # The cohort pages' standings follow every change they sum (grading/standings.py).
        post_save.connect(standings.on_submission_saved, Submission, dispatch_uid="standings.sub")
        post_save.connect(standings.on_attempt_saved, QuizAttempt, dispatch_uid="standings.quiz")
        post_save.connect(
            standings.on_progress_saved, LessonProgress, dispatch_uid="standings.lesson"
        )
        lesson_seen.connect(standings.on_lesson_seen, dispatch_uid="standings.seen")
        course_synced.connect(standings.path_changed, dispatch_uid="standings.path")
        # The migration that adds the standings leaves them empty: the first migrate after
        # an upgrade counts what is already there.
        post_migrate.connect(standings.fill_if_empty, sender=self, dispatch_uid="standings.fill")
