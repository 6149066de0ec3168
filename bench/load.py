"""The whole stack under a burst: submit -> verdict latency, throughput, nothing lost.

Starts the production shape on this machine (tests/stack.py) — gunicorn (DEBUG off,
collected static files), beat, a grading worker with the default concurrency and, as in
docker-compose.yml, a background worker under nice for the smallest failing inputs that
follow each verdict — on PostgreSQL and Redis when they answer (a throwaway database
and a redis-server of the bench's own), else on the embedded defaults. Then
STUDENTS concurrent students each submit in a closed loop (submit, poll until the
verdict, submit the next) through the HTTP API until SUBMISSIONS are in: a mix of right
solutions (the references), wrong ones (the grading corpus' wrong variants) and hostile
ones (exits, sockets, output floods, fork and memory bombs, a few infinite loops).

Prints submit->verdict latency p50/p95/p99 as the client saw it and as the database
recorded it, throughput, how many submissions were lost (never graded) or graded twice,
the same per kind of code, lesson-page throughput measured with wrk (or a Python
client when wrk is not installed), and how long the background refinements took to
drain after the burst. Targets on a 2-core machine: 1,000 submissions from
20 students, 0 lost, 0 graded twice, p95 <= 2 s.

With --lti, the students come from an LMS (the test LMS of tests/lti/platform.py, served
by this process over HTTP): each exercise is a gradebook column there, and every verdict
also goes to the LMS through the passback queue (lti.push_score on the outbound
worker, a pool of threads, as deployed). Then it also prints how many scores reached the LMS, how long after
the verdict (p50/p95/p99), how long the queue took to drain after the last verdict, and
how many were lost (the LMS's last score is not the one that counts) or sent twice (more
sends than changes). --lms-down S keeps the LMS answering 503 for the burst's first S
seconds, so the retries are part of the figures.

With --open-loop, a deadline rush instead: submissions arrive as a Poisson process
whose rate climbs from 0 to --rate per second over --ramp-s, then holds for --hold-s,
each going to one of --students (300) who has nothing in flight (an arrival when all
are busy is counted as skipped); the mix is a deadline's (mostly right and wrong, 5 %
hostile). It prints verdict latency p50/p95/p99 (client: POST to verdict; database:
created_at to finished_at), verdicts per second during the hold, the grading queue's
depth and the database backlog every 5 s, lost, graded twice and skipped. --find-max
doubles, then bisects, the rate for the highest at which p95 <= 2 s, nothing is lost or
graded twice and the backlog stays flat during the hold; it prints every rate tried,
the result per core beside a short closed loop on the same stack, and the ratio to 5 x
the 2.25 Python jobs/s per core that Jobe documents.

The submission rate limits are lifted for the run (it measures grading, not the
limiter; the open loop prints the most submissions one student made to one exercise in
a minute, against the production 6/min). --broker rabbitmq runs the stack on RabbitMQ.
Run: .venv/bin/python bench/load.py [--students 20] [--submissions 1000]
[--lti [--lms-down 10]] | --open-loop --rate 10 [--ramp-s 10 --hold-s 30] | --find-max
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.lti.platform import Platform  # noqa: E402
from tests.stack import COURSE, RedisServer, Stack, answers, wait_for  # noqa: E402 - the project root is on the path now

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
# How long a submission's POST waits on the server for its verdict, as the exercise page
# asks (static/src/exercise-page.js SUBMIT_WAIT_S).
SUBMIT_WAIT_S = 5


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


def call(conn, token, method, path, body=None):
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def submit_and_wait(conn, port, token, job, deadline):
    """POST one submission and long-poll it to its verdict, as the exercise page does.
    Returns (record, connection): a new connection when the old one broke."""
    n, slug, kind, source = job
    started = time.monotonic()
    record = {"kind": kind, "id": None, "verdict": None, "ms": None, "status": None,
              "sent": started}  # fmt: skip
    try:
        # Like the page, the POST itself waits up to SUBMIT_WAIT_S for the verdict.
        status, created = call(
            conn, token, "POST", f"/api/v1/exercises/{slug}/submissions?wait={SUBMIT_WAIT_S}",
            {"source": f"{source}\n# load {n}\n"},
        )  # fmt: skip
        record["status"] = status
        record["post_ms"] = (time.monotonic() - started) * 1000
        if status == 201:
            record["id"] = created["id"]
            seen, data = created.get("progress", "queued"), created
            while time.monotonic() < deadline:
                if data.get("state") != "done":
                    # The server answers when the submission moves on.
                    url = f"{created['url']}?wait=20&seen={seen}"
                    status, data = call(conn, token, "GET", url)
                    seen = data.get("progress", seen)
                if data.get("state") == "done":
                    record["verdict"] = data["verdict"]
                    record["done"] = time.monotonic()
                    record["ms"] = (record["done"] - started) * 1000
                    record["at"] = time.time()
                    break
    except (OSError, http.client.HTTPException, ValueError) as exc:
        record["error"] = f"{type(exc).__name__}: {exc}"
        conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    return record, conn


class Student(threading.Thread):
    """Closed loop: the next submission as soon as the last verdict is in."""

    def __init__(self, port, token, jobs, results, deadline):
        super().__init__(daemon=True)
        self.port, self.token, self.jobs, self.results = port, token, jobs, results
        self.deadline = deadline

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while True:
            try:
                job = self.jobs.pop()
            except IndexError:
                return
            record, conn = submit_and_wait(conn, self.port, self.token, job, self.deadline)
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


class LtiRun:
    """The --lti side of a run (does nothing without it): the test LMS, registered and
    linked before the burst, down for its first seconds when asked, drained and
    reported after it."""

    def __init__(self, options):
        self.options = options
        self.lms = Platform(issuer="https://lms.example.edu") if options.lti else None
        self.result = None
        self.burst_end = 0.0

    def setup(self, stack) -> None:
        """Register the LMS, link its course to a cohort of the students, a column per
        exercise; the LMS learns the tool's keys (to check its token requests)."""
        if self.lms is None:
            return
        from jwcrypto import jwk

        lms = self.lms
        out = stack.manage(
            code=(
                "import django; django.setup()\n"
                "from bench.lti_stack import setup\n"
                f"setup(base={lms.base!r}, issuer={lms.issuer!r}, client_id={lms.client_id!r}, "
                f"deployment_id={lms.deployment_id!r}, prefix='load', "
                f"count={self.options.students})\n"
            )
        )
        lms.tool_keys = jwk.JWKSet.from_json(out.strip().splitlines()[-1])

    def burst_starts(self) -> None:
        if self.lms is not None and self.options.lms_down > 0:
            self.lms.down = True
            threading.Timer(self.options.lms_down, setattr, (self.lms, "down", False)).start()

    @staticmethod
    def _rows(stack) -> list[dict]:
        out = stack.manage(
            code="import django; django.setup()\nfrom bench.lti_stack import report\nreport()\n"
        )
        return json.loads(out.strip().splitlines()[-1])

    def burst_ends(self, results: list[dict]) -> None:
        # The last verdict, on the wall clock the LMS stamps what it receives with.
        self.burst_end = max((r["at"] for r in results if r.get("at")), default=time.time())

    def drain(self, stack) -> None:
        """Wait until every score that counts has reached the LMS (or the deadline)."""
        if self.lms is None:
            return
        waited_from = time.monotonic()
        while True:
            rows = self._rows(stack)
            latest = {(s["userId"], s["lineitem"]): s["scoreGiven"] for s in self.lms.scores}
            behind = [r for r in rows if latest.get((r["sub"], r["lineitem"])) != r["points"]]
            if not behind or time.monotonic() - waited_from > self.options.deadline:
                break
            time.sleep(1)
        self.result = {"rows": rows, "behind": behind}

    def close(self) -> None:
        if self.lms is not None:
            self.lms.close()

    def print(self) -> None:
        if self.result is None:
            return
        rows, scores = self.result["rows"], list(self.lms.scores)
        by_pair: dict[tuple, list[dict]] = {}
        for score in scores:
            by_pair.setdefault((score["userId"], score["lineitem"]), []).append(score)
        twice = [r for r in rows if len(by_pair.get((r["sub"], r["lineitem"]), [])) > r["wanted"]]
        lag_ms = [
            (max(s["received_at"] for s in by_pair[(r["sub"], r["lineitem"])]) - r["finished"])
            * 1000
            for r in rows
            if (r["sub"], r["lineitem"]) in by_pair
        ]
        times = sorted(s["received_at"] for s in scores)
        span = (times[-1] - times[0]) if len(times) > 1 else 0.0
        caught_up = (times[-1] - self.burst_end) if times else float("nan")
        print(
            f"LMS passback: {len(scores)} scores received for {len(rows)} student x column "
            f"pairs ({sum(r['wanted'] for r in rows)} changes announced); LMS down for the "
            f"first {self.options.lms_down:g} s: {self.lms.refused} requests refused and retried"
        )
        if lag_ms:
            print(
                f"{'verdict -> score at the LMS':34} {pct(lag_ms, 0.5):9.0f} "
                f"{pct(lag_ms, 0.95):9.0f} {pct(lag_ms, 0.99):9.0f}"
            )
        rate = len(scores) / span if span else 0.0
        print(
            f"passback: {rate:.1f} scores/s received over {span:.1f} s ({rate / (os.cpu_count() or 1):.1f}"
            f" per core; it follows the verdicts' rate) by the outbound worker (8 threads); "
            f"the last score reached the LMS {caught_up:.1f} s after the last verdict"
        )
        print(
            f"LMS lost (its last score is not the one that counts): {len(self.result['behind'])}; "
            f"sent twice (more sends than changes): {len(twice)}"
        )


def parse_mix(text: str) -> dict[str, float]:
    mix = {k: float(v) for k, v in (part.split("=") for part in text.split(","))}
    if set(mix) - set(MIX) or sum(mix.values()) <= 0:
        raise SystemExit(f"--mix: shares of {', '.join(MIX)}, e.g. right=1,wrong=0,hostile=0")
    return mix


def pick_job(rng, choices, mix, n):
    kind = rng.choices(list(mix), weights=list(mix.values()))[0]
    slug, label, source = rng.choice(choices[kind])
    return (n, slug, label, source)


def make_students(stack, count: int, prefix: str = "load") -> list[str]:
    """Students with API tokens, in one statement each (Stack.students hashes a password
    per student, minutes for a few hundred)."""
    return stack.manage(
        code=(
            "import django; django.setup()\n"
            "from django.contrib.auth.models import User\n"
            "from rest_framework.authtoken.models import Token\n"
            f"users = User.objects.bulk_create([User(username=f'{prefix}{{i}}', password='!') "
            f"for i in range({count})])\n"
            "tokens = Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) "
            "for u in User.objects.filter(username__in=[u.username for u in users])])\n"
            "print(' '.join(t.key for t in tokens))\n"
        )
    ).split()


def broker_for(options, workdir: Path):
    """Stack keyword arguments for --broker, and the private servers to stop afterwards."""
    import inspect

    import tests.stack as stacks

    servers = []
    if options.broker == "rabbitmq":
        node = getattr(stacks, "RabbitNode", None)
        if node is None or "broker_url" not in inspect.signature(Stack).parameters:
            raise SystemExit(
                "RabbitMQ stack not available: tests/stack.py has no RabbitNode and "
                "Stack(broker_url=...); run with --broker redis"
            )
        if not stacks.rabbitmq_server():
            raise SystemExit("RabbitMQ stack not available: rabbitmq-server is not installed")
        servers.append(node(workdir).start())
        kwargs = {"broker_url": servers[-1].url}
    else:
        kwargs = {}
    if answers(5432) and shutil.which("redis-server"):
        # A Redis of the bench's own (the broker, or with RabbitMQ the cache, as in
        # production): nothing else's queues, nothing of the bench's left behind.
        try:
            servers.append(RedisServer(workdir).start())
        except BaseException:
            for server in servers:
                server.kill()
            raise
        kwargs["redis_url"] = servers[-1].url
    return kwargs, servers


@contextlib.contextmanager
def running_stack(options, *, students: int, lti=None):
    """The production shape on this machine, ready for a burst: yields (stack, port, tokens)."""
    # SIGTERM (a timeout, Ctrl-C of a wrapper) must still stop the stack and drop the
    # database: an orphaned worker would go on consuming the next run's queue.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="descent-load-"))
    stack, servers = None, []
    try:
        broker, servers = broker_for(options, workdir)
        stack = Stack(
            workdir,
            **broker,
            # The rate limits are lifted: the bench measures grading, not the limiter (the
            # open loop reports whether the production limit would have refused anything).
            SUBMISSION_RATE="1000000/min",
            SUBMISSIONS_IN_FLIGHT="100000",
            LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
        )
        stack.prepare()
        tokens = make_students(stack, students, "load")
        if lti is not None:
            lti.setup(stack)
        port = stack.start_web()
        stack.start_beat()  # the reaper: what a lost message or a dead worker leaves behind
        # As in docker-compose.yml: graders at the default concurrency, and one background
        # worker for the smallest failing inputs that only gets the CPU graders leave.
        stack.start_worker(
            "grader", queues="grading,celery", concurrency=options.graders,
            wrapper=("nice", "-n", str(options.grader_nice)),
        )  # fmt: skip
        stack.start_worker(
            "background", queues="feedback,regrade", concurrency=1, wrapper=("nice", "-n", "15")
        )
        # And the calls to other systems (scores to the LMS): a pool of threads that, like
        # the background worker, yields the CPU to grading (docker-compose.yml: low CPU
        # shares); its work waits on the network, not on the CPU.
        stack.start_worker(
            "outbound", queues="outbound", concurrency=8, pool="threads",
            wrapper=("nice", "-n", "10"),
        )  # fmt: skip
        # The burst starts on a ready stack: every grading process has passed its sandbox
        # self-test (they report it as they start) and the web has answered each student.
        wait_for(
            lambda: sum(r["ok"] for r in stack.status()["sandbox"]) >= options.graders + 1,
            180, "every grading process's sandbox self-test",
        )  # fmt: skip
        for token in tokens:
            stack.api(token, "GET", "/api/v1/exercises/mse-loss/submissions")
        yield stack, port, tokens
    finally:
        if stack is not None:
            stack.stop()
        for server in servers:
            server.kill()
        if options.keep:
            print(f"work folder kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def closed_loop(options):
    mix = parse_mix(options.mix or ",".join(f"{k}={v}" for k, v in MIX.items()))
    rng = random.Random(options.seed)
    choices = corpus()
    jobs = [pick_job(rng, choices, mix, n) for n in range(options.submissions)]
    jobs.reverse()
    lti = LtiRun(options)
    try:
        with running_stack(options, students=options.students, lti=lti) as (stack, port, tokens):
            results: list[dict] = []
            deadline = time.monotonic() + options.deadline
            students = [Student(port, token, jobs, results, deadline) for token in tokens]
            started = time.monotonic()
            lti.burst_starts()
            for s in students:
                s.start()
            while any(s.is_alive() for s in students):
                time.sleep(5)
                done = sum(1 for r in results if r["verdict"])
                print(
                    f"  ... {done} verdicts after {time.monotonic() - started:.0f} s",
                    file=sys.stderr,
                )
            wall = time.monotonic() - started
            lti.burst_ends(results)
            # The refinements left behind by the burst drain once the graders are idle.
            drain_started = time.monotonic()
            while True:
                rows = stack.rows()
                refining = sum(1 for row in rows.values() if row["refining"])
                if not refining or time.monotonic() - drain_started > options.deadline:
                    break
                time.sleep(2)
            drain = time.monotonic() - drain_started
            lti.drain(stack)
            # On the settled stack, so it measures the web and not the draining refinements.
            lesson = lesson_throughput(port, options.lesson_seconds)
    finally:
        lti.close()
    posted = [r for r in results if r["id"]]
    graded = [r for r in posted if r["verdict"]]
    lost = [r for r in posted if rows.get(r["id"], {}).get("state") != "done"]
    twice = [sid for sid, row in rows.items() if row["claims"] > 1]
    refused = [r for r in results if not r["id"]]
    client_ms = [r["ms"] for r in graded]
    server_ms = [row["ms"] for row in rows.values() if row["ms"] is not None]

    print(
        f"services: {stack.services}; {options.students} students, {len(results)} submissions, "
        f"{options.graders} grading processes + 1 background (nice 15), {os.cpu_count()} cores"
    )
    print(f"{'measure':34} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}")
    for label, values in (
        ("submit -> verdict (client)", client_ms),
        (
            f"POST ?wait={SUBMIT_WAIT_S} (client)",
            [r["post_ms"] for r in results if r.get("post_ms")],
        ),
        ("created -> finished (database)", server_ms),
    ):
        if values:
            print(
                f"{label:34} {pct(values, 0.5):9.0f} {pct(values, 0.95):9.0f} {pct(values, 0.99):9.0f}"
            )
    for label, key in (
        ("claim -> finished (worker)", "service_ms"),
        ("engine (grade_source)", "engine_ms"),
    ):
        values = [row[key] for row in rows.values() if row.get(key) is not None]
        if values:
            print(
                f"{label:34} {pct(values, 0.5):9.0f} {pct(values, 0.95):9.0f} {pct(values, 0.99):9.0f}"
                f"   mean {sum(values) / len(values):.0f}"
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
    refined = [row for row in rows.values() if row["shrunk"]]
    print(
        f"smallest failing inputs (background, after the verdict): {len(refined)} submissions "
        f"refined; all done {drain:.0f} s after the last verdict; still refining: {refining}"
    )
    lti.print()
    p95 = pct(client_ms, 0.95)
    print()
    print(
        f"target 0 lost: {'met' if not lost else 'MISSED'}; 0 graded twice: {'met' if not twice else 'MISSED'}; "
        f"p95 <= 2000 ms: {'met' if p95 is not None and p95 <= 2000 else 'MISSED'} "
        f"({'no verdicts' if p95 is None else f'{p95:.0f} ms'})"
    )


# --- the open loop: a deadline rush --------------------------------------------------------
# A deadline's mix: mostly right and wrong answers, a few hostile ones.
DEADLINE_MIX = {"right": 0.55, "wrong": 0.4, "hostile": 0.05}
JOBE_PER_CORE = 2.25  # Python jobs per second per core that Jobe documents
TARGET_PER_CORE = 5 * JOBE_PER_CORE
P95_LIMIT_MS = 2000


def arrivals(rng: random.Random, rate: float, ramp_s: float, hold_s: float) -> list[float]:
    """Arrival times (s) of a Poisson process whose rate climbs linearly from 0 to `rate`
    over ramp_s, then holds for hold_s: unit-rate arrivals mapped through the inverse of
    the cumulative rate (R t^2 / 2S on the ramp, then R S / 2 + R (t - S))."""
    on_ramp = rate * ramp_s / 2
    total = on_ramp + rate * hold_s
    times, u = [], 0.0
    while (u := u + rng.expovariate(1.0)) <= total:
        times.append(
            math.sqrt(2 * u * ramp_s / rate) if u <= on_ramp else ramp_s + (u - on_ramp) / rate
        )
    return times


class Sampler(threading.Thread):
    """Once a second: the grading queue's depth (from the broker) and the backlog in the
    database (queued, running, and done but still refining)."""

    def __init__(self, broker_url: str, database_url: str):
        super().__init__(daemon=True)
        self.broker_url, self.database_url = broker_url, database_url
        self.samples: list[tuple[float, int | None, int, int, int]] = []
        self.stopped = threading.Event()

    @staticmethod
    def depth(conn, name: str = "grading") -> int | None:
        """Messages waiting in the queue; None when the broker did not answer."""
        try:
            return conn.default_channel.queue_declare(queue=name, passive=True).message_count
        except conn.channel_errors:
            # Redis has no empty queues (and AMQP closes the channel): nothing waits.
            conn.close()
            return 0
        except Exception:
            conn.close()
            return None

    def run(self):
        import psycopg
        from kombu import Connection

        broker = Connection(self.broker_url, connect_timeout=2)
        with psycopg.connect(self.database_url, autocommit=True) as db:
            while not self.stopped.wait(1.0 - time.monotonic() % 1.0):
                queued, running, refining = db.execute(
                    "SELECT count(*) FILTER (WHERE state = 'queued'), "
                    "count(*) FILTER (WHERE state = 'running'), "
                    "count(*) FILTER (WHERE state = 'done' AND refining) FROM grading_submission"
                ).fetchone()
                self.samples.append(
                    (time.monotonic(), self.depth(broker), queued, running, refining)
                )
        broker.release()

    def backlog(self) -> int:
        return self.samples[-1][2] + self.samples[-1][3] if self.samples else 0

    def between(self, start: float, end: float):
        return [s for s in self.samples if start <= s[0] <= end]


class Desk:
    """The open loop's students: a thread each that takes one submission at a time (so a
    student never has two in flight) and long-polls it to its verdict."""

    def __init__(self, port: int, tokens: list[str]):
        self.port, self.tokens = port, tokens
        self.idle = list(range(len(tokens)))
        self.lock = threading.Lock()
        self.inboxes = [queue.Queue() for _ in tokens]
        self.results: list[dict] = []
        for who in range(len(tokens)):
            threading.Thread(target=self._serve, args=(who,), daemon=True).start()

    def assign(self, rng: random.Random, job, scheduled: float, deadline: float) -> bool:
        """Hand the job to a student with nothing in flight; False when all are busy."""
        with self.lock:
            if not self.idle:
                return False
            i = rng.randrange(len(self.idle))
            self.idle[i], self.idle[-1] = self.idle[-1], self.idle[i]
            who = self.idle.pop()
        self.inboxes[who].put((job, scheduled, deadline))
        return True

    def busy(self) -> int:
        with self.lock:
            return len(self.tokens) - len(self.idle)

    def _serve(self, who: int) -> None:
        while (item := self.inboxes[who].get()) is not None:
            job, scheduled, deadline = item
            # A connection per submission, as a browser would after an idle while: the web
            # drops idle keep-alive connections after a few seconds.
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            record, conn = submit_and_wait(conn, self.port, self.tokens[who], job, deadline)
            conn.close()
            record.update(scheduled=scheduled, student=who, slug=job[1])
            self.results.append(record)
            with self.lock:
                self.idle.append(who)

    def close(self) -> None:
        for inbox in self.inboxes:
            inbox.put(None)


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of y over x (0 for fewer than two points)."""
    if len(points) < 2:
        return 0.0
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    var = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / var if var else 0.0


def busiest_minute(records: list[dict]) -> int:
    """Most submissions one student made to one exercise within 60 s (the production
    limit, SUBMISSION_RATE, allows 6)."""
    by_pair: dict[tuple, list[float]] = {}
    for r in records:
        by_pair.setdefault((r["student"], r["slug"]), []).append(r["sent"])
    most = 0
    for times in by_pair.values():
        times.sort()
        first = 0
        for last, t in enumerate(times):
            while t - times[first] >= 60:
                first += 1
            most = max(most, last - first + 1)
    return most


def open_step(stack, desk, sampler, rng, choices, mix, options, *, rate, tag, abort=True):
    """One ramp + hold at `rate`, drained; the figures of that step."""
    times = arrivals(rng, rate, options.ramp_s, options.hold_s)
    first = len(desk.results)
    skipped = 0
    aborted = ""
    arrived = len(times)
    stop_at = max(30, 4 * rate)  # queued work worth 4 s at the offered rate: p95 is lost
    t0 = time.monotonic()
    deadline = t0 + options.ramp_s + options.hold_s + options.drain_s
    for k, t in enumerate(times):
        if (delay := t0 + t - time.monotonic()) > 0:
            time.sleep(delay)
        if abort and (backlog := sampler.backlog()) > stop_at:
            aborted = f"stopped at {t:.0f} s: backlog {backlog} > {stop_at:.0f}"
            arrived = k
            break
        if not desk.assign(rng, pick_job(rng, choices, mix, f"{tag}-{k}"), t0 + t, deadline):
            skipped += 1
    offered_s = time.monotonic() - t0
    # Drain: every student back with a verdict, or given up at the deadline.
    while desk.busy() and time.monotonic() < deadline + 25:
        time.sleep(0.5)
    records = desk.results[first:]
    rows = stack.rows()
    posted = [r for r in records if r["id"]]
    graded = [r for r in posted if r["verdict"]]
    hold_start, hold_end = t0 + options.ramp_s, t0 + options.ramp_s + options.hold_s
    hold_end = min(hold_end, t0 + offered_s)  # sooner when the step was stopped
    hold = sampler.between(hold_start, hold_end)
    growth = slope([(s[0], s[2] + s[3]) for s in hold])
    done_in_hold = sum(1 for r in graded if hold_start <= r["done"] <= hold_end)
    result = {
        "rate": rate,
        "arrivals": arrived,
        "posted": len(posted),
        "skipped": skipped,
        "refused": sum(1 for r in records if not r["id"]),
        "errors": sum(1 for r in records if r.get("error")),
        "first_error": next(
            (r.get("error") or f"HTTP {r['status']}" for r in records if not r["id"]), ""
        ),
        "client_ms": [r["ms"] for r in graded],
        "db_ms": [
            rows[r["id"]]["ms"] for r in posted if rows.get(r["id"], {}).get("ms") is not None
        ],
        "lag_ms": [(r["sent"] - r["scheduled"]) * 1000 for r in records],
        "throughput": done_in_hold / max(hold_end - hold_start, 1.0),
        "lost": sum(1 for r in posted if rows.get(r["id"], {}).get("state") != "done"),
        "twice": sum(1 for r in posted if rows.get(r["id"], {}).get("claims", 0) > 1),
        "growth": growth,
        # Grew by more than the grading processes hold over the hold: it is not keeping up.
        "growing": growth * options.hold_s > 2 * options.graders,
        "max_backlog": max((s[2] + s[3] for s in sampler.between(t0, deadline)), default=0),
        "series": sampler.between(t0, time.monotonic()),
        "t0": t0,
        "aborted": aborted,
        "per_pair_minute": busiest_minute(records),
        "kinds": {},
    }
    for r in graded:
        result["kinds"].setdefault(r["kind"].split(":")[0], []).append(r["ms"])
    p95 = pct(result["client_ms"], 0.95)
    reasons = [
        why
        for failed, why in (
            (p95 is None or p95 > P95_LIMIT_MS, "p95 > 2 s"),
            (result["lost"], "lost"),
            (result["twice"], "graded twice"),
            (result["growing"], "backlog growing"),
            (aborted, "stopped"),
            (skipped, "all students busy"),
            (result["refused"] or result["errors"], f"refused: {result['first_error'][:40]}"),
        )
        if failed
    ]
    result["ok"] = not reasons
    result["why"] = ", ".join(reasons) or "ok"
    return result


def settle(sampler, limit_s: float) -> int:
    """Wait (up to limit_s) for an idle stack: nothing queued, running or refining.
    Returns what was still there when it stopped waiting (0: idle)."""
    started = time.monotonic()
    time.sleep(1.5)
    while True:
        last = sampler.samples[-1]
        left = last[2] + last[3] + last[4] + (last[1] or 0)
        if not left or time.monotonic() - started >= limit_s:
            return left
        time.sleep(1)


def three(values) -> str:
    if not values:
        return f"{'-':>6} {'-':>6} {'-':>6}"
    return " ".join(f"{pct(values, q):6.0f}" for q in (0.5, 0.95, 0.99))


STEP_HEADER = (
    f"{'rate/s':>7} {'arrived':>7} {'skip':>4} {'done/s':>6} | {'client p50':>10} {'p95':>6} "
    f"{'p99':>6} | {'db p50':>6} {'p95':>6} {'p99':>6} | {'max bl':>6} {'bl/s':>5} "
    f"{'lost':>4} {'twice':>5}  verdict"
)


def step_line(r: dict) -> str:
    return (
        f"{r['rate']:7.1f} {r['arrivals']:7d} {r['skipped']:4d} {r['throughput']:6.1f} | "
        f"{three(r['client_ms']):>24} | {three(r['db_ms'])} | {r['max_backlog']:6d} "
        f"{r['growth']:5.2f} {r['lost']:4d} {r['twice']:5d}  {r['why']}"
        + (
            f" (began with {r['began_busy']} still queued or refining)"
            if r.get("began_busy")
            else ""
        )
    )


def print_series(r: dict, every: int = 5) -> None:
    picked = [s for i, s in enumerate(r["series"]) if i % every == 0]
    print(
        f"  every {every} s from the ramp's start (grading queue / db queued+running / refining):"
    )
    cells = [
        f"{s[0] - r['t0']:.0f}s:{s[1] if s[1] is not None else '?'}/{s[2] + s[3]}/{s[4]}"
        for s in picked
    ]
    for i in range(0, len(cells), 10):
        print("   " + "  ".join(cells[i : i + 10]))


def print_step(r: dict, options) -> None:
    lag = r["lag_ms"]
    print(STEP_HEADER)
    print(step_line(r))
    print(
        f"  posted {r['posted']}, refused at submit {r['refused']}, client errors {r['errors']}; "
        f"sender lag (scheduled -> POST sent) p95 {pct(lag, 0.95) or 0:.0f} ms, "
        f"max {max(lag, default=0):.0f} ms; most submissions by one student to one exercise "
        f"in 60 s: {r['per_pair_minute']} (production limit 6/min)"
    )
    for kind, values in sorted(r["kinds"].items()):
        print(f"  {kind:8} client p50/p95/p99 ms {three(values)}   n={len(values)}")
    if r["aborted"]:
        print(f"  {r['aborted']}")
    if r["first_error"]:
        print(f"  first refusal or client error: {r['first_error']}")
    print_series(r)


def describe_mix(mix: dict[str, float]) -> str:
    total = sum(mix.values())
    hostile = ", ".join(f"{name} {share}" for name, (_, share) in HOSTILE.items())
    return (
        ", ".join(f"{k} {v / total:.0%}" for k, v in mix.items())
        + f" (hostile ones by weight: {hostile})"
    )


def open_loop(options):
    if not answers(5432):
        raise SystemExit("--open-loop needs PostgreSQL on 127.0.0.1:5432 (its backlog is sampled)")
    mix = parse_mix(options.mix or ",".join(f"{k}={v}" for k, v in DEADLINE_MIX.items()))
    rng = random.Random(options.seed)
    choices = corpus()
    cores = os.cpu_count() or 1
    steps: list[dict] = []
    closed = None
    with running_stack(options, students=options.students) as (stack, port, tokens):
        broker_url = stack.env.get("BROKER_URL") or stack.env.get("REDIS_URL")
        sampler = Sampler(broker_url, stack.env["DATABASE_URL"])
        sampler.start()
        print(
            f"services: {stack.services}; {options.students} students; {options.graders} grading "
            f"processes (nice {options.grader_nice}) + 1 background (nice 15); {cores} cores "
            f"shared by the whole stack and the bench\nmix: {describe_mix(mix)}\n"
            f"each step: ramp 0 -> rate over {options.ramp_s:g} s, hold {options.hold_s:g} s, "
            f"drain up to {options.drain_s:g} s; Poisson arrivals, seed {options.seed}",
            flush=True,
        )
        desk = Desk(port, tokens)
        try:
            if not options.find_max:
                r = open_step(stack, desk, sampler, rng, choices, mix, options,
                              rate=options.rate, tag="open", abort=False)  # fmt: skip
                steps.append(r)
                print_step(r, options)
            else:
                closed = closed_compare(port, tokens, choices, mix, options, rng)
                print(
                    f"closed loop first ({closed['students']} students, {closed['n']} submissions):"
                    f" {closed['rate']:.1f} verdicts/s = {closed['rate'] / cores:.2f} per core; "
                    f"client p50/p95/p99 ms {three(closed['ms'])}",
                    flush=True,
                )
                settle(sampler, options.settle_s)
                steps = find_max(stack, desk, sampler, rng, choices, mix, options)
        finally:
            desk.close()
            sampler.stopped.set()
    if options.find_max:
        report_max(steps, closed, options, cores)
    else:
        r = steps[0]
        print(
            f"\nsustained {r['throughput']:.1f} verdicts/s during the hold = "
            f"{r['throughput'] / cores:.2f} per core ({cores} cores); "
            f"lost {r['lost']}, graded twice {r['twice']}, skipped arrivals {r['skipped']}: "
            f"{'met' if r['ok'] else 'MISSED (' + r['why'] + ')'}"
        )


def closed_compare(port, tokens, choices, mix, options, rng) -> dict:
    """The closed loop, briefly, on the same stack and mix: its throughput to compare."""
    count = min(options.closed_students, len(tokens))
    jobs = [pick_job(rng, choices, mix, f"closed-{n}") for n in range(options.closed_submissions)]
    results: list[dict] = []
    deadline = time.monotonic() + options.deadline
    students = [Student(port, token, jobs, results, deadline) for token in tokens[:count]]
    started = time.monotonic()
    for s in students:
        s.start()
    for s in students:
        s.join()
    wall = time.monotonic() - started
    ms = [r["ms"] for r in results if r["verdict"]]
    return {"students": count, "n": len(results), "rate": len(ms) / wall, "ms": ms}


def find_max(stack, desk, sampler, rng, choices, mix, options) -> list[dict]:
    """Double the rate until a step fails, then bisect between the last pass and the
    first failure until they are within 10 % (or the step budget is spent)."""
    steps: list[dict] = []
    good, bad = None, None
    rate = options.rate
    busy = 0  # what the last settle left behind: an overloaded step's refinements, say
    for n in range(options.max_steps):
        r = open_step(stack, desk, sampler, rng, choices, mix, options, rate=rate, tag=f"s{n}")
        r["began_busy"] = busy
        steps.append(r)
        print(step_line(r), flush=True)
        if r["ok"]:
            good = rate if good is None else max(good, rate)
        else:
            bad = rate if bad is None else min(bad, rate)
        if good is not None and bad is not None and bad - good <= max(1.0, 0.1 * good):
            break
        if bad is None:
            rate = rate * 2
        elif good is None:
            rate = rate / 2
        else:
            rate = round((good + bad) / 2 * 2) / 2
        busy = settle(sampler, options.settle_s)
    return steps


def report_max(steps: list[dict], closed: dict, options, cores: int) -> None:
    print("\nrates tried (client = POST to verdict as the student saw it; db = created_at to "
          "finished_at; bl = db backlog, its slope during the hold per s):")  # fmt: skip
    print(STEP_HEADER)
    for r in steps:
        print(step_line(r))
    passed = [r for r in steps if r["ok"]]
    best = max(passed, key=lambda r: r["rate"]) if passed else None
    if best:
        print(f"\nthe highest passing step, at {best['rate']:g}/s:")
        print_step(best, options)
    rate = best["rate"] if best else 0.0
    per_core = rate / cores
    print(
        f"\nsustained open-loop rate with p95 <= 2 s, 0 lost, 0 graded twice, backlog flat: "
        f"{rate:g} verdicts/s = {per_core:.2f} per core ({cores} cores, os.cpu_count(): web, "
        f"database, broker, workers and this bench share them)"
    )
    print(
        f"closed loop on the same stack: {closed['rate']:.1f} verdicts/s = "
        f"{closed['rate'] / cores:.2f} per core, p95 {pct(closed['ms'], 0.95) or 0:.0f} ms "
        f"({closed['students']} students)"
    )
    print(
        f"target 5 x Jobe's {JOBE_PER_CORE} jobs/s per core = {TARGET_PER_CORE:.2f} per core: "
        f"{per_core / TARGET_PER_CORE:.2f} of it ({per_core / JOBE_PER_CORE:.1f} x Jobe): "
        f"{'met' if per_core >= TARGET_PER_CORE else 'MISSED'}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=None,
                        help="20 in the closed loop, 300 in the open loop")  # fmt: skip
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lesson-seconds", type=int, default=10)
    parser.add_argument(
        "--graders", type=int, default=4,
        help="grading processes (docker-compose.yml: 2 worker replicas x concurrency 2)",
    )  # fmt: skip
    parser.add_argument(
        "--mix", default=None,
        help="shares of right, wrong and hostile code, e.g. right=1,wrong=0,hostile=0 "
        f"(closed loop: {MIX}; open loop, a deadline's: {DEADLINE_MIX})",
    )  # fmt: skip
    parser.add_argument(
        "--grader-nice", type=int, default=5,
        help="niceness of the graders: the web answers first, grading takes what is left",
    )  # fmt: skip
    parser.add_argument("--deadline", type=int, default=600, help="seconds to wait for verdicts")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (its logs)")
    parser.add_argument("--broker", choices=("redis", "rabbitmq"), default="redis")
    parser.add_argument("--lti", action="store_true", help="students from an LMS; scores go back")
    parser.add_argument("--lms-down", type=float, default=0.0,
                        help="with --lti: seconds the LMS answers 503 from the burst's start")  # fmt: skip
    group = parser.add_argument_group("open loop (a deadline rush)")
    group.add_argument("--open-loop", action="store_true",
                       help="Poisson arrivals at --rate instead of students waiting for verdicts")  # fmt: skip
    group.add_argument("--rate", type=float, default=8.0,
                       help="arrivals per second after the ramp (with --find-max: the first rate tried)")  # fmt: skip
    group.add_argument("--ramp-s", type=float, default=10.0)
    group.add_argument("--hold-s", type=float, default=30.0)
    group.add_argument("--drain-s", type=float, default=120.0,
                       help="after the last arrival, how long a verdict may take before it counts as lost")  # fmt: skip
    group.add_argument("--find-max", action="store_true",
                       help="search for the highest rate with p95 <= 2 s, nothing lost, the backlog flat")  # fmt: skip
    group.add_argument("--max-steps", type=int, default=8)
    group.add_argument("--settle-s", type=float, default=300.0,
                       help="between steps: wait (up to this) for an idle stack")  # fmt: skip
    group.add_argument("--closed-students", type=int, default=20)
    group.add_argument("--closed-submissions", type=int, default=300)
    options = parser.parse_args()
    if options.find_max:
        options.open_loop = True
    if options.open_loop:
        if options.lti:
            raise SystemExit("--lti is for the closed loop")
        if options.rate <= 0 or options.ramp_s < 0 or options.hold_s <= 0:
            raise SystemExit("--rate and --hold-s must be positive, --ramp-s not negative")
        options.students = options.students or 300
        open_loop(options)
    else:
        options.students = options.students or 20
        closed_loop(options)


if __name__ == "__main__":
    main()
