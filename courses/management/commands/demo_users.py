from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_USERS = (
    # (username, password, is_staff): development log-ins printed by `make run`.
    ("instructor", "descent-instructor", True),
    ("student", "descent-student", False),
)


class Command(BaseCommand):
    help = "Create the demo instructor and student (development only) and print their log-ins."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow with DEBUG off")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to create demo accounts with DEBUG off (use --force).")
        User = get_user_model()
        for username, password, is_staff in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = is_staff
            user.set_password(password)
            user.save()
            role = "instructor" if is_staff else "student"
            self.stdout.write(f"demo {role}: username {username!r}, password {password!r}")
