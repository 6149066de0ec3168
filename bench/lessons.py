"""A lesson page beside the same HTML served as a static file, through the same server.

Starts the production shape of the web (tests/stack.py: gunicorn with DEBUG off and
collected static files, PostgreSQL and Redis when they answer, else the embedded
defaults; gunicorn with docker-compose.yml's workers and threads), logs a student in
through the log-in page (a member of a cohort with the lesson and its checkpoint due, so
the page shows their deadlines, progress and checkpoint), saves what the lesson's
address answers into STATIC_ROOT (the shared page, and the whole page as this student
gets it), and restarts the web so that WhiteNoise serves those files. Then, in three
set-ups, it loads the static file and the lesson's address in turn with the same
client, connections and duration (wrk when it is installed, `apt-get install wrk`; else
a Python client of threads, which shares the machine's cores with the server and so
flatters the faster side less than wrk does):

- ``whole, cache off``: the whole page rendered from the database on every request
  (LESSON_SHELL=0 LESSON_HTML_CACHE=0), the page as it was before any cache;
- ``whole, cache on``: the whole page around the shared part kept per course version
  (LESSON_SHELL=0, courses/lesson_cache.py);
- ``shared page``: as deployed (courses/lesson_shell.py). The address answers with the
  shared page, the same bytes for every reader, before any session is read; the page's
  script then fetches the reader's parts (``.../mine/``), measured on their own line.
  ``page + parts`` is what one reader's visit costs the server, the two requests one
  after the other: 1 / (1/a + 1/b) of the two lines' rates, derived, not measured.

It prints requests per second, latency p50/p95, response sizes, the queries a request
costs (counted in-process with Django's test client, once the caches are warm) and the
ratio to the static file's requests per second. The static file is the floor: WhiteNoise
answers before any session, query or template.

Run: .venv/bin/python bench/lessons.py [--seconds 10] [--connections 8] [--lesson loss]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.stack import Stack  # noqa: E402 - the project root is on the path now

COURSE = "gradient-descent"
STUDENT, PASSWORD = "bench-reader", "pw-bench-lessons-12345"
STATIC_WHOLE, STATIC_SHARED = "bench/lesson.html", "bench/lesson-shared.html"
# docker-compose.yml's web: gunicorn --workers 3 --threads 16.
WORKERS, THREADS = 3, 16

# wrk reports p50 and p99 only; this prints what the table needs (microseconds).
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    summary.bytes, latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""

SEED = """
import django; django.setup()
from datetime import timedelta
from django.contrib.auth.models import User
from django.utils import timezone
from courses.models import Course, ScheduleEntry
from courses.services import cohort_create, cohort_join
course = Course.objects.get(slug={course!r})
lesson = course.lessons.get(slug={lesson!r})
teacher = User.objects.create_user("bench-teacher", password={password!r})
student = User.objects.create_user({student!r}, password={password!r})
cohort = cohort_create(course=course, name="Bench cohort", created_by=teacher)
cohort_join(cohort=cohort, user=student)
due = timezone.now() + timedelta(days=3)
ScheduleEntry.objects.create(cohort=cohort, kind="lesson", slug=lesson.slug, due_at=due)
quiz = lesson.quizzes.filter(is_active=True).first()
if quiz:
    ScheduleEntry.objects.create(cohort=cohort, kind="quiz", slug=quiz.slug, due_at=due)
"""

COUNT_QUERIES = """
import django; django.setup()
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username={student!r}))
for name, shell, cache, path in (
    ("whole-off", False, False, {path!r}),
    ("whole-on", False, True, {path!r}),
    ("shared", True, True, {path!r}),
    ("mine", True, True, {path!r} + "mine/"),
):
    settings.LESSON_SHELL, settings.LESSON_HTML_CACHE = shell, cache
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    print("QUERIES", name, len(queries))
"""


class Session:
    """A browser's cookies against the bench server, for set-up requests."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in sorted(self.cookies.items()))

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie_header, "Referer": f"http://127.0.0.1:{self.port}{path}"}
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key.strip()] = rest.split(";", 1)[0]
            return response.status, text
        finally:
            conn.close()

    def log_in(self) -> None:
        self.request("GET", "/accounts/login/")
        status, _ = self.request(
            "POST", "/accounts/login/", {"username": STUDENT, "password": PASSWORD}
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"logging in as {STUDENT} failed (HTTP {status})")


def wrk(port: int, path: str, cookie: str, seconds: int, connections: int, workdir: Path):
    script = workdir / "report.lua"
    script.write_text(WRK_SCRIPT)
    done = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script),
         "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, timeout=seconds + 60,
    )  # fmt: skip
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no summary:\n{done.stdout}\n{done.stderr}")
    count, micros, size, p50, p95, errors = (int(x) for x in line.split()[1:])
    return {
        "rps": count / (micros / 1e6),
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "bytes": size // max(count, 1),
        "errors": errors,
    }


def python_client(port: int, path: str, cookie: str, seconds: int, connections: int, _=None):
    latencies: list[float] = []
    sizes: list[int] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def hammer():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, got = [], 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            body = response.read()
            mine.append(time.perf_counter() - started)
            got += len(body)
            if response.status != 200:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            sizes.append(got)

    started = time.monotonic()
    threads = [threading.Thread(target=hammer) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)

    def pct(q):
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000

    return {
        "rps": len(ordered) / elapsed,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "bytes": sum(sizes) // max(len(ordered), 1),
        "errors": errors[0],
    }


# (label, LESSON_SHELL, LESSON_HTML_CACHE), the module docstring says what each is.
SETUPS = (("whole, cache off", False, False), ("whole, cache on", False, True),
          ("shared page", True, True))  # fmt: skip


def restart_web(stack: Stack, shell: bool, cache: bool) -> int:
    stack.stop_process("web")
    stack.env["LESSON_SHELL"] = "1" if shell else "0"
    stack.env["LESSON_HTML_CACHE"] = "1" if cache else "0"
    # The settings as the server reads them: the bench means nothing if a switch is ignored.
    seen = stack.manage(
        code="import django; django.setup()\nfrom django.conf import settings\n"
        "print(settings.LESSON_SHELL, settings.LESSON_HTML_CACHE)\n"
    ).split()[-2:]
    if seen != [str(shell), str(cache)]:
        raise SystemExit(f"LESSON_SHELL={shell} LESSON_HTML_CACHE={cache} read as {seen}")
    return stack.start_web(workers=WORKERS, threads=THREADS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="per measurement")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--lesson", default="loss")
    parser.add_argument("--python-client", action="store_true", help="even when wrk is there")
    parser.add_argument("--redis-url", default=None, help="default: tests/stack.py's choice")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (its logs)")
    options = parser.parse_args()
    use_wrk = shutil.which("wrk") is not None and not options.python_client
    load = wrk if use_wrk else python_client
    client = (
        "wrk, 2 threads"
        if use_wrk
        else "Python client (threads" + ("" if shutil.which("wrk") else "; wrk not installed") + ")"
    ) + f", {options.connections} connections, {options.seconds} s per line"

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="descent-lessons-"))
    stack = Stack(
        workdir,
        redis_url=options.redis_url,
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
    )
    lesson_path = f"/courses/{COURSE}/lessons/{options.lesson}/"
    rows = []
    try:
        stack.prepare()
        stack.manage(
            code=SEED.format(
                course=COURSE, lesson=options.lesson, student=STUDENT, password=PASSWORD
            )
        )
        port = restart_web(stack, shell=True, cache=True)
        reader = Session(port)
        reader.log_in()
        # The student past the lesson's "think before reading" prompt, as they read it.
        reader.request("POST", lesson_path + "think/", {"skip": "1"})
        _, whole = reader.request("GET", lesson_path + "?whole=1")
        _, shared = reader.request("GET", lesson_path)
        _, mine = reader.request("GET", lesson_path + "mine/")
        if 'class="quiz-form"' not in whole or "csrfmiddlewaretoken" not in whole:
            raise SystemExit("the whole page is not a student's page with a checkpoint")
        if "data-mine-url=" not in shared or "csrfmiddlewaretoken" in shared:
            raise SystemExit("the lesson's address did not answer with the shared page")
        if 'class=\\"quiz-form\\"' not in mine:
            raise SystemExit("the reader's parts have no checkpoint form")
        static_root = Path(stack.env["DESCENT_VAR_DIR"]) / "static"
        for name, html in ((STATIC_WHOLE, whole), (STATIC_SHARED, shared)):
            (static_root / name).parent.mkdir(parents=True, exist_ok=True)
            (static_root / name).write_text(html)
        queries = dict(
            line.split()[1:]
            for line in stack.manage(
                code=COUNT_QUERIES.format(student=STUDENT, path=lesson_path)
            ).splitlines()
            if line.startswith("QUERIES ")
        )
        for label, shell, cache in SETUPS:
            port = restart_web(stack, shell, cache)  # WhiteNoise lists STATIC_ROOT as it starts
            static = f"/static/{STATIC_SHARED if shell else STATIC_WHOLE}"
            targets = [("static file", static, "0"),
                       ("lesson page", lesson_path, queries["shared" if shell else
                                                             "whole-on" if cache else "whole-off"])]  # fmt: skip
            if shell:
                targets.append(("reader parts", lesson_path + "mine/", queries["mine"]))
            for _, path, _ in targets:
                load(port, path, reader.cookie_header, 2, options.connections, workdir)  # warm
            measured = {}
            for name, path, count in targets:
                measured[name] = load(
                    port, path, reader.cookie_header, options.seconds, options.connections, workdir
                )
                measured[name]["queries"] = count
            rows.append((label, measured))
    finally:
        stack.stop()
        if options.keep:
            print(f"work folder kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"services: {stack.services}; gunicorn {WORKERS} workers x {THREADS} threads")
    print(f"client: {client}; lesson {lesson_path} as a signed-in student")
    print(f"{'set-up':<18}{'target':<14}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'bytes':>9}{'errors':>8}{'queries':>9}{'/ static':>10}")  # fmt: skip
    for label, measured in rows:
        static = measured["static file"]["rps"]
        for name, m in measured.items():
            print(f"{label:<18}{name:<14}{m['rps']:>9.1f}{m['p50']:>9.2f}{m['p95']:>9.2f}"
                  f"{m['bytes']:>9}{m['errors']:>8}{m['queries']:>9}{m['rps'] / static:>10.3f}")  # fmt: skip
        if "reader parts" in measured:
            a, b = measured["lesson page"]["rps"], measured["reader parts"]["rps"]
            both = 1 / (1 / a + 1 / b)
            print(f"{label:<18}{'page + parts':<14}{both:>9.1f}{'':>43}{both / static:>10.3f}"
                  "  (derived: 1 / (1/a + 1/b))")  # fmt: skip
    pages = {label: m["lesson page"]["rps"] for label, m in rows}
    first = pages["whole, cache off"]
    print("lesson address, req/s against the whole page without a cache: "
          + ", ".join(f"{label} {rps / first:.2f}x" for label, rps in pages.items()))  # fmt: skip


if __name__ == "__main__":
    main()
