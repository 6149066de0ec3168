from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = "LTI"

    def ready(self):
        # Here, not at the top: these modules import models, which need the registry.
        from courses.signals import quiz_score_changed, scores_recounted
        from grading.signals import score_changed

        from .passback import on_quiz_score_changed, on_score_changed, on_scores_recounted

        score_changed.connect(on_score_changed, dispatch_uid="lti.scores")
        quiz_score_changed.connect(on_quiz_score_changed, dispatch_uid="lti.quiz_scores")
        scores_recounted.connect(on_scores_recounted, dispatch_uid="lti.recounted")
