"""Start the web server and a Celery worker together; Ctrl-C stops both.

For local use by `make run`. Production runs gunicorn and the workers as separate
services (docker-compose.yml).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand

# The worker prints its banner and task list within a few seconds of starting.
NOTES_AFTER_S = 6


class Command(BaseCommand):
    help = "Run the development web server and a Celery worker (with beat) until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument(
            "--notes",
            type=Path,
            help="a text file (the demo log-ins) to print once the worker's start-up "
            "banner has scrolled past, where a newcomer sees it",
        )

    def handle(self, *args, addr, notes=None, **options):
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            "worker": [python, "-m", "celery", "-A", "config", "worker", "--beat",
                       "--queues", "grading,feedback,regrade,outbound,celery", "--loglevel", "INFO",
                       "--schedule", "var/celerybeat-schedule"],
        }  # fmt: skip
        children = {
            name: subprocess.Popen(cmd, start_new_session=True) for name, cmd in commands.items()
        }
        self.stdout.write(f"Descent is running on http://{addr}/ (Ctrl-C stops web and worker)")
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        notes_at = time.monotonic() + NOTES_AFTER_S if notes else None
        while not stopping:
            if notes_at is not None and time.monotonic() >= notes_at:
                notes_at = None
                self._print_notes(notes, addr)
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} exited with {child.returncode}; stopping the rest")
                    exit_code = child.returncode or 1
                    stopping = True
            time.sleep(0.2)
        # SIGTERM to each leader only: Celery then does a warm shutdown of its own pool.
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        self.stdout.write("stopped")
        if exit_code:
            sys.exit(exit_code)

    def _print_notes(self, notes: Path, addr: str) -> None:
        try:
            text = notes.read_text().strip()
        except OSError:
            return
        rule = "-" * 72
        self.stdout.write(f"\n{rule}\nDescent is ready at http://{addr}/\n{text}\n{rule}\n")
