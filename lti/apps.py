from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = "LTI"

    def ready(self):
        # Here, not at the top: these modules import models, which need the registry.
        from grading.signals import score_changed

        from .passback import on_score_changed

        score_changed.connect(on_score_changed, dispatch_uid="lti.scores")
