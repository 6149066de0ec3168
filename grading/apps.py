from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "grading"
    verbose_name = "Grading"

    def ready(self):
        from . import worker  # noqa: F401 - connects the worker start-up self-test
