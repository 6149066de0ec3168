import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from authoring import git, services
from authoring.models import CourseSource, SyncRun
from courses import scaffold

SLUG = "my-first-course"


class Command(BaseCommand):
    help = (
        "Give the demo course author (see demo_users) a course of their own in a git "
        "repository under var/repos/, registered as a course source and synced as a draft "
        "(development only). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow with DEBUG off")
        parser.add_argument("--author", default="author")

    def handle(self, *args, force=False, author="author", **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to create demo content with DEBUG off (use --force).")
        user = get_user_model().objects.filter(username=author).first()
        if user is None:
            raise CommandError(f"No user {author!r}: run `manage.py demo_users` first.")
        bare = settings.VAR_DIR / "repos" / f"{SLUG}.git"
        source = CourseSource.objects.filter(repo_url=str(bare)).first()
        if source is None:
            if not bare.exists():
                bare.parent.mkdir(parents=True, exist_ok=True)
                with tempfile.TemporaryDirectory(prefix="descent-demo-") as scratch:
                    course = Path(scratch) / SLUG
                    scaffold.new_course(course, slug=SLUG, title="My first course")
                    git.init_repository(
                        bare, course, branch="main", author=("Descent demo", "demo@localhost")
                    )
            source = services.source_create(
                user=user, name="My first course", repo_url=str(bare), branch="main"
            )
        if not source.syncs.exists():
            services.sync_start(source=source, trigger=SyncRun.Trigger.REGISTER, user=user)
        self.stdout.write(
            f"demo course source for {author!r}: /teach/sources/{source.pk}/ "
            f"(repository {bare}; push to it, or edit it in the browser)"
        )
