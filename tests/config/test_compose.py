"""docker-compose.yml cannot run here (no Docker engine), so it is checked as a file."""

import json

import yaml

from tests.helpers import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_it_defines_the_production_services():
    assert {"db", "redis", "web", "worker", "beat"} <= set(SERVICES)


def test_web_runs_gunicorn_and_workers_run_celery():
    assert SERVICES["web"]["command"].startswith("gunicorn config.wsgi:application")
    assert "celery -A config worker" in SERVICES["worker"]["command"]
    assert "celery -A config beat" in SERVICES["beat"]["command"]


def test_app_services_take_secrets_from_the_environment_and_run_with_debug_off():
    for name in ("web", "worker", "beat"):
        env = SERVICES[name]["environment"]
        assert env["DEBUG"] == "0"
        assert env["SECRET_KEY"].startswith("${SECRET_KEY")
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")


def test_stateful_and_serving_services_have_health_checks():
    for name in ("db", "redis", "web", "worker"):
        assert "healthcheck" in SERVICES[name], name


def test_the_unprivileged_web_does_not_health_check_the_sandbox():
    assert SERVICES["web"]["environment"]["HEALTHZ_CHECKS"] == "database,broker"
    assert SERVICES["web"]["environment"]["DEBUG"] == "0"
    assert "privileged" not in SERVICES["web"]


def test_every_queue_a_task_is_routed_to_has_a_worker_that_consumes_it():
    from django.conf import settings

    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    routed.add(settings.CELERY_TASK_DEFAULT_QUEUE)
    consumed = set()
    for service in SERVICES.values():
        words = str(service.get("command", "")).split()
        if "worker" in words and "--queues" in words:
            consumed |= set(words[words.index("--queues") + 1].split(","))
    assert routed <= consumed, routed - consumed


def test_background_work_yields_the_cpu_to_grading():
    background = SERVICES["background"]
    assert "feedback" in background["command"]
    assert "grading" not in background["command"]
    assert background["cpu_shares"] < 1024


SANDBOXED = ("worker", "background")


def test_calls_to_other_systems_run_in_threads_without_the_sandboxs_allowances():
    """Scores to an LMS and a cohort's e-mails wait on the network: a thread pool of their
    own, in a container with no seccomp allowance for building jails and no course files."""
    from django.conf import settings

    outbound = SERVICES["outbound"]
    words = outbound["command"].split()
    assert words[words.index("--queues") + 1] == "outbound"
    assert words[words.index("--pool") + 1] == "threads"
    assert not any("seccomp" in option for option in outbound["security_opt"])
    assert not outbound["volumes"]
    for task in ("lti.push_score", "lti.sync_roster", "courses.mail_announcement"):
        assert settings.CELERY_TASK_ROUTES[task]["queue"] == "outbound", task


def test_no_service_is_privileged():
    for name, service in SERVICES.items():
        assert not service.get("privileged", False), name
        assert "cap_add" not in service, name


def test_the_sandboxing_workers_drop_every_capability_and_cannot_gain_one():
    for name in SANDBOXED:
        service = SERVICES[name]
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name


def test_the_sandboxing_workers_run_on_a_read_only_root_with_tmpfs_where_they_write():
    for name in SANDBOXED:
        service = SERVICES[name]
        assert service["read_only"] is True, name
        assert {"/tmp", service["environment"]["DESCENT_VAR_DIR"]} <= set(service["tmpfs"]), name


def test_the_image_runs_as_an_unprivileged_user():
    users = [
        line.split()[1]
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.startswith("USER ")
    ]
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")


def seccomp_profile(name: str) -> dict:
    options = [o for o in SERVICES[name]["security_opt"] if o.startswith("seccomp=")]
    assert len(options) == 1, name
    return json.loads((ROOT / options[0].removeprefix("seccomp=")).read_text())


def test_the_workers_seccomp_profile_allows_the_jails_calls_and_refuses_the_dangerous_ones():
    for name in SANDBOXED:
        profile = seccomp_profile(name)
        assert profile["defaultAction"] == "SCMP_ACT_ERRNO"
        allowed = {
            syscall
            for rule in profile["syscalls"]
            if rule["action"] == "SCMP_ACT_ALLOW" and not rule.get("args")
            for syscall in rule["names"]
        }
        assert {"unshare", "mount", "pivot_root", "setns", "umount2", "seccomp"} <= allowed
        forbidden = {"kexec_load", "bpf", "ptrace", "init_module", "open_by_handle_at", "keyctl"}
        assert not allowed & forbidden


def test_every_app_container_drops_capabilities_and_runs_read_only():
    for name in ("web", "worker", "background", "outbound", "beat", "migrate"):
        service = SERVICES[name]
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        assert service["read_only"] is True, name


def test_the_sandboxing_workers_keep_their_own_seccomp_profile_after_the_merge():
    for name in SANDBOXED:
        assert "seccomp=deploy/seccomp-worker.json" in SERVICES[name]["security_opt"], name


def test_forwarded_headers_are_trusted_only_when_the_deployment_says_so():
    assert SERVICES["web"]["environment"]["BEHIND_TLS_PROXY"] == "${BEHIND_TLS_PROXY:-0}"


def test_course_versions_live_on_one_volume_the_graders_only_read():
    """A sync (background) writes a version's files, the web reads them for the editor and
    the publish summary, and a grader reads the published version's checks."""
    services = COMPOSE["services"]
    for name in ("web", "background", "migrate"):
        assert "authoring:/var/lib/descent-authoring" in services[name]["volumes"], name
    assert services["worker"]["volumes"] == ["authoring:/var/lib/descent-authoring:ro"]
    assert "authoring" in COMPOSE["volumes"]
    assert services["web"]["environment"]["AUTHORING_DIR"] == "/var/lib/descent-authoring"
    assert "regrade" in services["background"]["command"]
