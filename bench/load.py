"""The whole stack under a burst: submit -> verdict latency, throughput, nothing lost.

Starts the production shape on this machine — gunicorn (DEBUG off, collected static
files) and a Celery worker with the default concurrency — on PostgreSQL and Redis when
they answer (a throwaway database and Redis db 12), else on the embedded defaults. Then
STUDENTS concurrent students each submit in a closed loop (submit, poll until the
verdict, submit the next) through the HTTP API until SUBMISSIONS are in: a mix of right
solutions (the references), wrong ones (the grading corpus' wrong variants) and hostile
ones (exits, sockets, output floods, fork and memory bombs, a few infinite loops).

Prints submit->verdict latency p50/p95/p99 as the client saw it and as the database
recorded it, throughput, how many submissions were lost (never graded) or graded twice,
the same per kind of code, and lesson-page throughput measured with wrk (or a Python
client when wrk is not installed). Targets on a 2-core machine: 1,000 submissions from
20 students, 0 lost, 0 graded twice, p95 <= 2 s.

The submission rate limits are lifted for the run (it measures grading, not the
limiter). Run: .venv/bin/python bench/load.py [--students 20] [--submissions 1000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
COURSE = ROOT / "courses" / "content" / "gradient-descent"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/test"

HOSTILE = {
    # name: (source template, share among hostile submissions)
    "exit": ("import os\n{head}\n    os._exit(0)\n", 3),
    "socket": ("import socket\n{head}\n    socket.create_connection(('127.0.0.1', 5432))\n", 3),
    "secrets": ("{head}\n    return open('/proc/1/environ').read()\n", 3),
    "output_flood": ("{head}\n    print('x' * 10_000_000)\n", 2),
    "fork_bomb": ("import os\n{head}\n    while True:\n        os.fork()\n", 2),
    "memory_bomb": ("import numpy as np\n{head}\n    return np.ones(10 ** 10)\n", 2),
    "infinite_loop": ("{head}\n    while True:\n        pass\n", 1),
}
MIX = {"right": 0.6, "wrong": 0.3, "hostile": 0.1}


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else None


def corpus():
    """(exercise slug, kind, source) choices for the mix."""
    import yaml

    right, wrong, hostile = [], [], []
    for folder in sorted((COURSE / "exercises").iterdir()):
        meta = yaml.safe_load((folder / "exercise.yaml").read_text())
        slug, entry = meta["slug"], meta["entry"]
        right.append((slug, "right", (folder / "reference.py").read_text()))
        wrong += [
            (slug, "wrong", p.read_text()) for p in sorted((folder / "tests/wrong").glob("*.py"))
        ]
        # Hostile code with the right signature, so it is loaded and called, not refused.
        if meta.get("kind") == "class":
            head = f"class {entry}:\n    def __init__(self, *a, **k):"
        else:
            head = f"def {entry}({meta['signature'].split('(', 1)[1].split(')', 1)[0]}):"
        for name, (template, share) in HOSTILE.items():
            hostile += [(slug, f"hostile:{name}", template.format(head=head))] * share
    return {"right": right, "wrong": wrong, "hostile": hostile}


class Stack:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.procs: list[subprocess.Popen] = []
        self.database = None
        postgres = answers(5432) and answers(6379)
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "BEHIND_TLS_PROXY": "0",
            "DESCENT_VAR_DIR": str(workdir),
            "SUBMISSION_RATE": "1000000/min",
            "SUBMISSIONS_IN_FLIGHT": "100000",
            "HEALTHZ_CHECKS": "database,broker",
            "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        if postgres:
            import psycopg
            import redis

            self.database = f"descent_load_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.database}"')
            redis.Redis.from_url("redis://127.0.0.1:6379/12").flushdb()
            self.env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{self.database}"
            self.env["REDIS_URL"] = "redis://127.0.0.1:6379/12"
        self.services = "PostgreSQL + Redis" if postgres else "embedded SQLite + filesystem broker"

    def manage(self, *args, input_code=None):
        cmd = [PY, "manage.py", *args] if input_code is None else [PY, "-c", input_code]
        done = subprocess.run(
            cmd, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:3])} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def start(self, students: int) -> tuple[int, list[str]]:
        self.manage("migrate", "--noinput")
        self.manage("sync_course", str(COURSE), "--skip-selfcheck")
        self.manage("collectstatic", "--noinput", "-v", "0")
        tokens = self.manage(
            input_code=(
                "import django; django.setup()\n"
                "from django.contrib.auth.models import User\n"
                "from rest_framework.authtoken.models import Token\n"
                f"for i in range({students}):\n"
                "    u = User.objects.create_user(f'load{i}', password='pw-load-12345')\n"
                "    print(Token.objects.create(user=u).key)\n"
            )
        ).split()
        port = free_port()
        log = open(self.workdir / "stack.log", "w")  # noqa: SIM115 - closed with the stack
        self.procs.append(subprocess.Popen(
            [PY, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--threads", "8"],
            cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True,
        ))  # fmt: skip
        # beat, for the reaper: what a lost message or a dead worker leaves behind.
        self.procs.append(subprocess.Popen(
            [PY, "-m", "celery", "-A", "config", "beat", "--loglevel", "WARNING",
             "--schedule", str(self.workdir / "beat-schedule")],
            cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True,
        ))  # fmt: skip
        self.procs.append(subprocess.Popen(
            [PY, "-m", "celery", "-A", "config", "worker", "--queues", "grading,celery",
             "--prefetch-multiplier", "1", "--loglevel", os.environ.get("BENCH_LOG_LEVEL", "WARNING")],
            cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True,
        ))  # fmt: skip
        deadline = time.monotonic() + 120
        while not answers(port):
            if time.monotonic() > deadline:
                raise RuntimeError("the web server did not start; see stack.log")
            time.sleep(0.2)
        return port, tokens

    def rows(self) -> dict[str, dict]:
        out = self.manage(
            input_code=(
                "import django, json; django.setup()\n"
                "from grading.models import Submission\n"
                "print(json.dumps({str(s.uuid): {'state': s.state, 'verdict': s.verdict, "
                "'claims': s.claims, 'ms': (s.finished_at - s.created_at).total_seconds() * 1000 "
                "if s.finished_at else None} for s in Submission.objects.all()}))\n"
            )
        )
        return json.loads(out.strip().splitlines()[-1])

    def stop(self):
        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if self.database:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


class Student(threading.Thread):
    def __init__(self, port, token, jobs, results, deadline):
        super().__init__(daemon=True)
        self.port, self.token, self.jobs, self.results = port, token, jobs, results
        self.deadline = deadline

    def call(self, conn, method, path, body=None):
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}
        conn.request(
            method, path, body=json.dumps(body) if body is not None else None, headers=headers
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while True:
            try:
                n, slug, kind, source = self.jobs.pop()
            except IndexError:
                return
            started = time.monotonic()
            record = {"kind": kind, "id": None, "verdict": None, "ms": None, "status": None}
            try:
                status, created = self.call(
                    conn, "POST", f"/api/v1/exercises/{slug}/submissions",
                    {"source": f"{source}\n# load {n}\n"},
                )  # fmt: skip
                record["status"] = status
                if status == 201:
                    record["id"] = created["id"]
                    while time.monotonic() < self.deadline:
                        status, data = self.call(conn, "GET", created["url"])
                        if data.get("state") == "done":
                            record["verdict"] = data["verdict"]
                            record["ms"] = (time.monotonic() - started) * 1000
                            break
                        # As the exercise page does: often enough to feel live, not so
                        # often that polling takes the CPU the graders need.
                        time.sleep(0.2)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                record["error"] = f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.results.append(record)


def lesson_throughput(port: int, seconds: int = 10) -> str:
    url = f"http://127.0.0.1:{port}/courses/gradient-descent/lessons/loss/"
    if shutil.which("wrk"):
        done = subprocess.run(
            ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", url],
            capture_output=True, text=True, timeout=seconds + 30,
        )  # fmt: skip
        lines = [line.strip() for line in done.stdout.splitlines()]
        rate = next((line for line in lines if line.startswith("Requests/sec")), "?")
        p99 = next((line for line in lines if line.startswith("99%")), "")
        return f"wrk, 8 connections, {seconds} s: {rate}; latency {p99}"
    counts = []
    stop = time.monotonic() + seconds

    def hammer():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while time.monotonic() < stop:
            conn.request("GET", url)
            conn.getresponse().read()
            n += 1
        counts.append(n)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return f"Python client (wrk not installed), 8 connections, {seconds} s: {sum(counts) / seconds:.1f} requests/s"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lesson-seconds", type=int, default=10)
    parser.add_argument("--deadline", type=int, default=600, help="seconds to wait for verdicts")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (stack.log)")
    options = parser.parse_args()

    rng = random.Random(options.seed)
    choices = corpus()
    jobs = []
    for n in range(options.submissions):
        kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
        slug, label, source = rng.choice(choices[kind])
        jobs.append((n, slug, label, source))
    jobs.reverse()

    # SIGTERM (a timeout, Ctrl-C of a wrapper) must still stop the stack and drop the
    # database: an orphaned worker would go on consuming the next run's queue.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="descent-load-"))
    stack = Stack(workdir)
    try:
        port, tokens = stack.start(options.students)
        results: list[dict] = []
        deadline = time.monotonic() + options.deadline
        students = [Student(port, token, jobs, results, deadline) for token in tokens]
        started = time.monotonic()
        for s in students:
            s.start()
        while any(s.is_alive() for s in students):
            time.sleep(5)
            done = sum(1 for r in results if r["verdict"])
            print(
                f"  ... {done} verdicts after {time.monotonic() - started:.0f} s", file=sys.stderr
            )
        wall = time.monotonic() - started
        time.sleep(1)
        rows = stack.rows()
        lesson = lesson_throughput(port, options.lesson_seconds)
    finally:
        stack.stop()
        if options.keep:
            print(f"work folder kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    posted = [r for r in results if r["id"]]
    graded = [r for r in posted if r["verdict"]]
    lost = [r for r in posted if rows.get(r["id"], {}).get("state") != "done"]
    twice = [sid for sid, row in rows.items() if row["claims"] > 1]
    refused = [r for r in results if not r["id"]]
    client_ms = [r["ms"] for r in graded]
    server_ms = [row["ms"] for row in rows.values() if row["ms"] is not None]

    print(f"services: {stack.services}; {options.students} students, {len(results)} submissions")
    print(f"{'measure':34} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}")
    for label, values in (
        ("submit -> verdict (client)", client_ms),
        ("created -> finished (database)", server_ms),
    ):
        if values:
            print(
                f"{label:34} {pct(values, 0.5):9.0f} {pct(values, 0.95):9.0f} {pct(values, 0.99):9.0f}"
            )
    kinds = sorted({r["kind"].split(":")[0] for r in graded})
    for kind in kinds:
        values = [r["ms"] for r in graded if r["kind"].split(":")[0] == kind]
        print(
            f"  {kind:32} {pct(values, 0.5):9.0f} {pct(values, 0.95):9.0f} {pct(values, 0.99):9.0f}   n={len(values)}"
        )
    print(f"throughput: {len(graded) / wall:.1f} verdicts/s over {wall:.1f} s")
    print(
        f"lost (posted, never graded): {len(lost)}; graded twice: {len(twice)}; refused at submit: {len(refused)}"
    )
    verdicts = {}
    for r in graded:
        verdicts.setdefault(r["kind"].split(":")[0], {}).setdefault(r["verdict"], 0)
        verdicts[r["kind"].split(":")[0]][r["verdict"]] += 1
    print(f"verdicts by kind: {json.dumps(verdicts, sort_keys=True)}")
    print(f"lesson page: {lesson}")
    p95 = pct(client_ms, 0.95)
    print()
    print(
        f"target 0 lost: {'met' if not lost else 'MISSED'}; 0 graded twice: {'met' if not twice else 'MISSED'}; "
        f"p95 <= 2000 ms: {'met' if p95 is not None and p95 <= 2000 else 'MISSED'} "
        f"({'no verdicts' if p95 is None else f'{p95:.0f} ms'})"
    )


if __name__ == "__main__":
    main()
