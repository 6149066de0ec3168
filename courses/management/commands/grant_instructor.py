from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from courses.services import instructor_grant


class Command(BaseCommand):
    help = "Let a user open cohorts (and so teach them): grants courses.add_cohort."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {username!r}") from None
        instructor_grant(user=user)
        self.stdout.write(f"{username} may now open cohorts")
