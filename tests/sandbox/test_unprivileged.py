"""The sandbox as an unprivileged uid with no capabilities (user-namespace mode): the
self-test, the whole attack suite and a grading of the shipped course, each in a subprocess
started through setpriv. CI must run them; elsewhere they skip when they cannot.

The interpreter is the world-readable venv `make unpriv-venv` builds on Debian's python3.11
(the usual one lives under root's 0700 home), and the project is copied to a world-readable
temporary directory, since a checkout may live anywhere (under /root, say)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
UNPRIV_PYTHON = Path(os.environ.get("DESCENT_UNPRIV_PYTHON", "/opt/descent-unpriv-venv/bin/python"))
UID = GID = 65534  # nobody/nogroup on Debian
COURSE = "courses/content/gradient-descent/exercises/mse-loss"
# What the copy leaves out: environments, dependencies, build output, history.
SKIPPED = (".venv", "node_modules", ".git", "var", "__pycache__", ".pytest_cache", ".mypy_cache")

# Fails a user-namespace-disabled host in a user namespace of its own (a test here must not
# change the real sysctl): the child unshares, this side maps root and `UID`, the child sets
# its namespace's max_user_namespaces to 0 and runs the command.
WITHOUT_USER_NAMESPACES = r"""
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
go_r, go_w = os.pipe()
done_r, done_w = os.pipe()
pid = os.fork()
if pid == 0:
    if libc.unshare(0x10000000) != 0:
        os._exit(99)
    os.write(done_w, b"x")
    os.read(go_r, 1)
    with open("/proc/sys/user/max_user_namespaces", "w") as f:
        f.write("0")
    os.execvp(sys.argv[1], sys.argv[1:])
os.read(done_r, 1)
unprivileged = os.environ["UNPRIV_ID"]
for name in ("uid_map", "gid_map"):
    with open(f"/proc/{pid}/{name}", "w") as f:
        f.write(f"0 0 1\n{unprivileged} {unprivileged} 1\n")
os.write(go_w, b"x")
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"""


# Runs a command under deploy/seccomp-worker.json, loaded with libseccomp the way Docker
# loads it for the worker's container (default action, then the allowed names).
UNDER_WORKER_PROFILE = r"""
import errno, json, os, sys
import pyseccomp as sc
profile = json.load(open(os.environ["PROFILE"]))
assert profile["defaultAction"] == "SCMP_ACT_ERRNO"
flt = sc.SyscallFilter(sc.ERRNO(profile.get("defaultErrnoRet", errno.EPERM)))
for rule in profile["syscalls"]:
    assert rule["action"] == "SCMP_ACT_ALLOW" and not rule.get("args")
    for name in rule["names"]:
        if sc.resolve_syscall(sc.Arch.NATIVE, name) >= 0:
            flt.add_rule(sc.ALLOW, name)
flt.load()
os.execvp(sys.argv[1], sys.argv[1:])
"""


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "needs root to switch to an unprivileged uid"
    if shutil.which("setpriv") is None:
        return "setpriv (util-linux) is not installed"
    if not UNPRIV_PYTHON.is_file():
        return f"{UNPRIV_PYTHON} is missing: run `make unpriv-venv`"
    return None


@pytest.fixture(scope="module")
def unprivileged():
    """A function running a command as UID with no capabilities in a world-readable copy
    of the project; returns the CompletedProcess."""
    reason = _why_not()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the sandbox unprivileged, but cannot: {reason}")
        pytest.skip(reason)
    scratch = Path(tempfile.mkdtemp(prefix="descent-unpriv-"))
    try:
        tree = scratch / "project"
        shutil.copytree(PROJECT, tree, ignore=shutil.ignore_patterns(*SKIPPED), symlinks=True)
        var = scratch / "var"
        var.mkdir()
        os.chown(var, UID, GID)
        for path in (scratch, *tree.rglob("*")):
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | (0o755 if path.is_dir() else 0o444))
        scratch.chmod(0o755)
        env = {
            "PROFILE": str(PROJECT / "deploy" / "seccomp-worker.json"),
            "PATH": f"{UNPRIV_PYTHON.parent}:/usr/bin:/bin",
            "HOME": str(var),
            "DEBUG": "1",
            "DESCENT_VAR_DIR": str(var),
            "PYTHONDONTWRITEBYTECODE": "1",
            "LANG": "C.UTF-8",
        }

        def run(args, *, timeout=300, wrap=()):
            setpriv = [
                "setpriv",
                f"--reuid={UID}",
                f"--regid={GID}",
                "--clear-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
                "--no-new-privs",
            ]
            return subprocess.run(
                [*wrap, *setpriv, str(UNPRIV_PYTHON), *args],
                cwd=tree,
                env={**env, "UNPRIV_ID": str(UID)},
                capture_output=True,
                text=True,
                timeout=timeout,
            )

        yield run
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@pytest.mark.slow
def test_the_self_test_passes_in_user_namespace_mode(unprivileged):
    done = unprivileged(["-m", "sandbox", "selftest"])
    report = json.loads(done.stdout)
    assert done.returncode == 0, (report["reason"], done.stderr[-2000:])
    assert report["ok"] is True
    assert report["details"]["mode"] == "userns"
    assert report["details"]["zygote"]["root"] is False
    assert report["checks"]["has_no_capabilities"] is True
    assert report["checks"]["process_limit_enforced"] is True
    assert report["checks"]["memory_limit_enforced"] is True


@pytest.mark.slow
def test_the_self_test_refuses_without_user_namespaces_and_says_why(unprivileged):
    wrap = (sys.executable, "-c", WITHOUT_USER_NAMESPACES)
    done = unprivileged(["-m", "sandbox", "selftest"], wrap=wrap)
    assert done.returncode == 1, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["ok"] is False
    assert "user namespaces are disabled" in report["reason"]
    assert "max_user_namespaces = 0" in report["reason"]


@pytest.mark.slow
def test_the_attack_suite_passes_in_user_namespace_mode(unprivileged):
    done = unprivileged(
        ["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/sandbox/test_attacks.py"],
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
    assert "failed" not in done.stdout


@pytest.mark.slow
def test_it_grades_the_shipped_course_in_user_namespace_mode(unprivileged):
    files = [f"{COURSE}/reference.py", f"{COURSE}/mistakes/sum-not-mean.py"]
    done = unprivileged(["manage.py", "grade", "mse-loss", *files, "--json", "--seed", "1"])
    assert done.returncode == 0, done.stderr[-4000:]
    right, wrong = (json.loads(line) for line in done.stdout.splitlines())
    assert right["verdict"] == "passed", right
    assert wrong["verdict"] == "failed", wrong
    assert right["score"] == 1.0
    assert wrong["score"] < 1.0


@pytest.mark.slow
def test_the_workers_seccomp_profile_lets_the_sandbox_grade(unprivileged):
    wrap = (sys.executable, "-c", UNDER_WORKER_PROFILE)
    done = unprivileged(["-m", "sandbox", "selftest"], wrap=wrap)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    files = [f"{COURSE}/reference.py", f"{COURSE}/mistakes/sum-not-mean.py"]
    done = unprivileged(
        ["manage.py", "grade", "mse-loss", *files, "--json", "--seed", "1"], wrap=wrap
    )
    assert done.returncode == 0, done.stderr[-4000:]
    verdicts = [json.loads(line)["verdict"] for line in done.stdout.splitlines()]
    assert verdicts == ["passed", "failed"]
