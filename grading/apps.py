from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "grading"
    verbose_name = "Grading"

    def ready(self):
        # Django's hook for connecting signals once every app is loaded: the worker module
        # imports models, so it cannot be imported at the top of this file.
        from . import worker  # noqa: F401 - connects the worker start-up self-test
