"""The production shape, started on this machine: for the load bench and the fault suite.

`Stack` runs gunicorn (DEBUG off, collected static files), Celery workers on the grading
queue and beat (for the reaper), each a process group of its own so a test can kill one
the way a machine dies (SIGKILL to the whole group) or stop it the way an orchestrator
does (SIGTERM). It uses PostgreSQL (a throwaway database) when it answers, else the
embedded SQLite; Redis is the machine's (db 12), a `RedisServer` the caller owns (which
a test can kill and restart), or, with neither, the embedded filesystem broker. With
`broker_url` (a `RabbitNode` the caller owns, say) RabbitMQ is the broker and, unless
`redis_url` is given too, the cache is files under the work folder.

Every process logs to its own file under the work folder, at INFO by default: the fault
suite reads the workers' `event=graded` lines to prove a submission was graded once.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
COURSE = ROOT / "courses" / "content" / "gradient-descent"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/test"


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


def wait_for(predicate, timeout: float, what: str, interval: float = 0.25):
    """Poll until predicate() is truthy and return it; TimeoutError names what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


def children(pid: int) -> list[int]:
    """Direct children of a process (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


class _PrivateServer:
    """A broker of the caller's own, in a process group of its own on a free port, that a
    test can kill the way a machine dies."""

    def __init__(self):
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def _launch(self, cmd: list[str], *, log, env=None, within: float, what: str) -> None:
        self.proc = subprocess.Popen(
            cmd, env=env, stdout=log, stderr=log, start_new_session=True
        )  # fmt: skip
        wait_for(lambda: answers(self.port), within, what)

    def kill(self) -> None:
        if self.proc is not None:
            _signal_group(self.proc, signal.SIGKILL)
            self.proc.wait(timeout=10)
            self.proc = None


class RedisServer(_PrivateServer):
    """A private redis-server on a free port, keeping nothing on disk, so killing it loses
    every message it held: the worst case for the pipeline."""

    def __init__(self, workdir: Path):
        super().__init__()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self._launch(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            log=subprocess.DEVNULL, within=20, what="redis-server to answer",
        )  # fmt: skip
        return self


RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"  # Debian's, minus the su wrapper


def rabbitmq_server() -> str | None:
    """The rabbitmq-server script that runs the node as the calling user, if installed."""
    if os.access(RABBITMQ_SERVER, os.X_OK):
        return RABBITMQ_SERVER
    found = shutil.which("rabbitmq-server")
    # Debian's /usr/sbin one switches to the rabbitmq user when started as root.
    return found if found and not found.startswith("/usr/sbin") else None


class RabbitNode(_PrivateServer):
    """A private RabbitMQ node: its own name, ports, data folder and Erlang cookie (a HOME
    of its own), never the machine's node. Its quorum queues live on disk under the work
    folder, so a node killed and started again has them back, as a real restart would."""

    def __init__(self, workdir: Path):
        super().__init__()
        self.dist_port = free_port()
        self.base = workdir / "rabbitmq"
        self.name = f"descent-{uuid.uuid4().hex[:8]}@localhost"
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}//"
        (self.base / "home").mkdir(parents=True, exist_ok=True)
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\n"
            # As production should (docker-compose.yml): above the longest task's limit.
            "consumer_timeout = 3600000\n"
        )
        (self.base / "enabled_plugins").write_text("[].\n")
        (self.base / "rabbitmq-env.conf").write_text("")

    def start(self) -> RabbitNode:
        base = self.base
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))},
            "HOME": str(base / "home"),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_BASE": str(base),
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(base / "node.pid"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }
        with open(base / "server.log", "a") as log:  # the child keeps its own copy
            self._launch(
                [rabbitmq_server()], log=log, env=env, within=90,
                what=f"RabbitMQ node {self.name} (see {base})",
            )  # fmt: skip
        return self

    def kill(self) -> None:
        if self.proc is not None:
            super().kill()
            # The Erlang VM under the script dies a moment after it.
            wait_for(lambda: not answers(self.port), 20, "the killed node to let go of its port")

    def stop(self) -> None:
        """A clean shutdown: the node writes everything it keeps in memory to disk."""
        if self.proc is not None:
            _signal_group(self.proc, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                _signal_group(self.proc, signal.SIGKILL)
                self.proc.wait(timeout=10)
            self.proc = None


class Stack:
    def __init__(
        self, workdir: Path, *, redis_url: str | None = None, broker_url: str | None = None,
        broker: str | None = None, **env: str,
    ):  # fmt: skip
        """broker="rabbitmq": a private RabbitNode of the stack's own, killed by stop()."""
        self.workdir = workdir
        self.procs: dict[str, subprocess.Popen] = {}
        self.database = None
        self.rabbit: RabbitNode | None = None
        if broker == "rabbitmq":
            self.rabbit = RabbitNode(workdir).start()
            broker_url = self.rabbit.url
        elif broker not in (None, "redis"):
            raise ValueError(f"unknown broker {broker!r}")
        postgres = answers(5432)
        if redis_url is None and broker_url is None and postgres and answers(6379):
            import redis

            redis_url = "redis://127.0.0.1:6379/12"
            redis.Redis.from_url(redis_url).flushdb()
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("DATABASE_URL", "REDIS_URL", "BROKER_URL")
            },
            "DEBUG": "0",
            "SECRET_KEY": "stack-only-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "BEHIND_TLS_PROXY": "0",
            "DESCENT_VAR_DIR": str(workdir),
            "HEALTHZ_CHECKS": "database,broker",
            "LOG_LEVEL": "INFO",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **env,
        }
        if postgres:
            import psycopg

            self.database = f"descent_stack_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.database}"')
            self.env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{self.database}"
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        if broker_url:
            self.env["BROKER_URL"] = broker_url
        self.services = " + ".join(
            [
                "PostgreSQL" if postgres else "embedded SQLite",
                *([f"RabbitMQ ({broker_url})"] if broker_url else []),
                f"Redis ({redis_url})" if redis_url else "" if broker_url else "filesystem broker",
            ]
        ).rstrip(" +")
        self.port: int | None = None

    # --- set-up -------------------------------------------------------------------------
    def manage(self, *args: str, code: str | None = None) -> str:
        cmd = [PY, "manage.py", *args] if code is None else [PY, "-c", code]
        done = subprocess.run(
            cmd, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:3])} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def prepare(self) -> None:
        self.manage("migrate", "--noinput")
        self.manage("sync_course", str(COURSE), "--skip-selfcheck")
        self.manage("collectstatic", "--noinput", "-v", "0")

    def students(self, count: int, prefix: str = "student") -> list[str]:
        """Create students and return their API tokens."""
        return self.manage(
            code=(
                "import django; django.setup()\n"
                "from django.contrib.auth.models import User\n"
                "from rest_framework.authtoken.models import Token\n"
                f"for i in range({count}):\n"
                f"    u = User.objects.create_user(f'{prefix}{{i}}', password='pw-stack-12345')\n"
                "    print(Token.objects.create(user=u).key)\n"
            )
        ).split()

    # --- processes ----------------------------------------------------------------------
    def _spawn(
        self, name: str, cmd: list[str], wrapper: tuple[str, ...] = (), extra_env=None
    ) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "a")  # noqa: SIM115 - the child keeps it
        proc = subprocess.Popen(
            [*wrapper, *cmd], cwd=ROOT, env={**self.env, **(extra_env or {})}, stdout=log, stderr=log,
            start_new_session=True,
        )  # fmt: skip
        log.close()
        self.procs[name] = proc
        return proc

    def start_web(self, workers: int = 2, threads: int = 32, pool: int = 16) -> int:
        """gunicorn as deployed: on PostgreSQL, each process with a pool of `pool`
        connections (DB_POOL_SIZE) shared by its threads."""
        self.port = free_port()
        self._spawn("web", [PY, "-m", "gunicorn", "config.wsgi:application", "--bind",
                            f"127.0.0.1:{self.port}", "--workers", str(workers),
                            "--threads", str(threads)],
                    extra_env={"DB_POOL_SIZE": str(pool)})  # fmt: skip
        wait_for(lambda: answers(self.port), 120, "the web server (see web.log)")
        return self.port

    def start_beat(self) -> None:
        self._spawn("beat", [PY, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO",
                             "--schedule", str(self.workdir / "beat-schedule")])  # fmt: skip

    def start_worker(
        self, name: str = "worker", *, concurrency: int | None = None,
        queues: str = "grading,feedback,celery", wrapper: tuple[str, ...] = (),
        loglevel: str | None = None, pool: str | None = None,
    ) -> subprocess.Popen:  # fmt: skip
        cmd = [PY, "-m", "celery", "-A", "config", "worker", "--hostname", f"{name}@%h",
               "--queues", queues, "--prefetch-multiplier", "1",
               "--loglevel", loglevel or self.env["LOG_LEVEL"]]  # fmt: skip
        if concurrency:
            cmd += ["--concurrency", str(concurrency)]
        if pool:
            cmd += ["--pool", pool]
        return self._spawn(name, cmd, wrapper)

    def stop_process(
        self, name: str, sig: int | None = signal.SIGTERM, timeout: float = 30
    ) -> None:
        """Signal a process group (None: it was signalled already) and wait for its end."""
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        if sig is not None:
            _signal_group(proc, sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait(timeout=10)

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def graded_lines(self, submission_uuid: str) -> list[str]:
        """Every worker's `event=graded` lines for one submission."""
        lines = []
        for path in sorted(self.workdir.glob("*.log")):
            lines += [
                line
                for line in path.read_text(errors="replace").splitlines()
                if "event=graded" in line and f"submission={submission_uuid}" in line
            ]
        return lines

    # --- looking at it ------------------------------------------------------------------
    def rows(self) -> dict[str, dict]:
        out = self.manage(
            code=(
                "import django, json; django.setup()\n"
                "from grading.models import Submission\n"
                "print(json.dumps({str(s.uuid): {'state': s.state, 'verdict': s.verdict, "
                "'claims': s.claims, 'worker': s.worker, 'revivals': s.revivals, "
                "'refining': s.refining, "
                "'shrunk': any(c.get('shrunk') for c in s.result.get('checks', [])), "
                "'ms': (s.finished_at - s.created_at).total_seconds() * 1000 "
                "if s.finished_at else None, "
                "'service_ms': (s.finished_at - s.started_at).total_seconds() * 1000 "
                "if s.finished_at and s.started_at else None, "
                "'engine_ms': (s.result.get('timings') or {}).get('total_ms')} "
                "for s in Submission.objects.all()}))\n"
            )
        )
        return json.loads(out.strip().splitlines()[-1])

    def status(self) -> dict:
        """What the staff status page shows (grading.status.snapshot), as JSON."""
        out = self.manage(
            code=(
                "import django, json; django.setup()\n"
                "from grading.status import snapshot\n"
                "print(json.dumps(snapshot(), default=str))\n"
            )
        )
        return json.loads(out.strip().splitlines()[-1])

    def api(self, token: str, method: str, path: str, body=None, timeout: float = 30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(
                method, path, body=json.dumps(body) if body is not None else None,
                headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )  # fmt: skip
            response = conn.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            conn.close()

    def submit(self, token: str, slug: str, source: str) -> tuple[int, dict]:
        return self.api(token, "POST", f"/api/v1/exercises/{slug}/submissions", {"source": source})

    def stop(self) -> None:
        for name in list(self.procs):
            _signal_group(self.procs[name], signal.SIGTERM)
        for name in list(self.procs):
            self.stop_process(name, sig=None, timeout=20)
        if self.database:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        if self.rabbit is not None:
            self.rabbit.kill()
