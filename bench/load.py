"""The whole stack under a burst: submit -> verdict latency, throughput, nothing lost.

Starts the production shape on this machine (tests/stack.py) — gunicorn (DEBUG off,
collected static files), beat, a grading worker with the default concurrency and, as in
docker-compose.yml, a background worker under nice for the smallest failing inputs that
follow each verdict — on PostgreSQL and Redis when they answer (a throwaway database
and Redis db 12), else on the embedded defaults. Then
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

The submission rate limits are lifted for the run (it measures grading, not the
limiter). Run: .venv/bin/python bench/load.py [--students 20] [--submissions 1000]
[--lti [--lms-down 10]]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
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
from tests.stack import COURSE, Stack, wait_for  # noqa: E402 - the project root is on the path now

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
                record["post_ms"] = (time.monotonic() - started) * 1000
                if status == 201:
                    record["id"] = created["id"]
                    seen = "queued"
                    while time.monotonic() < self.deadline:
                        # As the exercise page does: the server answers when it moves on.
                        status, data = self.call(
                            conn, "GET", f"{created['url']}?wait=20&seen={seen}"
                        )
                        seen = data.get("progress", seen)
                        if data.get("state") == "done":
                            record["verdict"] = data["verdict"]
                            record["ms"] = (time.monotonic() - started) * 1000
                            record["at"] = time.time()
                            break
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lesson-seconds", type=int, default=10)
    parser.add_argument(
        "--graders", type=int, default=4,
        help="grading processes (docker-compose.yml: 2 worker replicas x concurrency 2)",
    )  # fmt: skip
    parser.add_argument(
        "--mix", default=",".join(f"{k}={v}" for k, v in MIX.items()),
        help="shares of right, wrong and hostile code, e.g. right=1,wrong=0,hostile=0",
    )  # fmt: skip
    parser.add_argument(
        "--grader-nice", type=int, default=5,
        help="niceness of the graders: the web answers first, grading takes what is left",
    )  # fmt: skip
    parser.add_argument("--deadline", type=int, default=600, help="seconds to wait for verdicts")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (its logs)")
    parser.add_argument("--lti", action="store_true", help="students from an LMS; scores go back")
    parser.add_argument("--lms-down", type=float, default=0.0,
                        help="with --lti: seconds the LMS answers 503 from the burst's start")  # fmt: skip
    options = parser.parse_args()

    mix = {k: float(v) for k, v in (part.split("=") for part in options.mix.split(","))}
    rng = random.Random(options.seed)
    choices = corpus()
    jobs = []
    for n in range(options.submissions):
        kind = rng.choices(list(mix), weights=list(mix.values()))[0]
        slug, label, source = rng.choice(choices[kind])
        jobs.append((n, slug, label, source))
    jobs.reverse()

    # SIGTERM (a timeout, Ctrl-C of a wrapper) must still stop the stack and drop the
    # database: an orphaned worker would go on consuming the next run's queue.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="descent-load-"))
    lti = LtiRun(options)
    stack = Stack(
        workdir,
        SUBMISSION_RATE="1000000/min",
        SUBMISSIONS_IN_FLIGHT="100000",
        LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
    )
    try:
        stack.prepare()
        tokens = stack.students(options.students, "load")
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
                f"  ... {done} verdicts after {time.monotonic() - started:.0f} s", file=sys.stderr
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
        stack.stop()
        lti.close()
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

    print(
        f"services: {stack.services}; {options.students} students, {len(results)} submissions, "
        f"{options.graders} grading processes + 1 background (nice 15), {os.cpu_count()} cores"
    )
    print(f"{'measure':34} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}")
    for label, values in (
        ("submit -> verdict (client)", client_ms),
        ("POST /submissions (client)", [r["post_ms"] for r in results if r.get("post_ms")]),
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


if __name__ == "__main__":
    main()
