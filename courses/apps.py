from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses"

    def ready(self):
        # Here, not at the top: the middleware module imports the models, which need the
        # app registry ready.
        from .middleware import remember_viewer_zone

        # Looked up as the session starts, so the first page after log-in costs nothing.
        user_logged_in.connect(remember_viewer_zone, dispatch_uid="courses.viewer_zone")
