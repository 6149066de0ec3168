from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError

from courses.services import instructor_grant

DEMO_USERS = (
    # (role, username, password, is_staff): development log-ins printed by `make run`.
    ("instructor", "instructor", "descent-instructor", True),
    ("student", "student", "descent-student", False),
    ("course author", "author", "descent-author", True),
)
# Both teachers read the course content in /admin/ (read-only: files are its source).
TEACHERS = ("instructor", "author")
# The course content the author reads in /admin/; only its files change it.
CONTENT_MODELS = ("course", "lesson", "glossaryterm", "quiz", "question", "exercise")


def author_grant(*, user) -> None:
    """Teaching and authoring without being a superuser: may open cohorts, which is what
    the teaching pages check, and may view the course content in the admin."""
    instructor_grant(user=user)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="courses",
            codename__in=[f"view_{model}" for model in CONTENT_MODELS],
        )
    )


class Command(BaseCommand):
    help = (
        "Create the demo instructor, student and course author (development only) and print "
        "their log-ins."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow with DEBUG off")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to create demo accounts with DEBUG off (use --force).")
        User = get_user_model()
        for role, username, password, is_staff in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = is_staff
            user.set_password(password)
            user.save()
            if username in TEACHERS:
                author_grant(user=user)
            self.stdout.write(f"demo {role}: username {username!r}, password {password!r}")
        self.stdout.write(
            "For a superuser (every admin page): .venv/bin/python manage.py createsuperuser"
        )
