"""This process's sandbox, as grading uses it.

``worker_sandbox()`` self-tests isolation first and raises SandboxUnavailable when the
self-test fails, so nothing is ever graded unsandboxed. After a failure it refuses at
once, with the same reason, for settings.SANDBOX_RETEST_S seconds, then tests again on a
fresh zygote: a transient fault heals without a restart, and a lasting one costs one
self-test per interval, not one per submission. Every outcome that changes the process's
state goes to the status page (grading/status.py).
"""

import logging
import time

from django.conf import settings

from sandbox import Sandbox, SandboxUnavailable, shared_sandbox

from .status import report_sandbox

log = logging.getLogger("descent.grading")

# (monotonic time of the last failed self-test, its reason) while this process refuses.
_failed: tuple[float, str] | None = None


def worker_sandbox() -> Sandbox:
    global _failed
    failed = _failed
    if failed is not None and time.monotonic() - failed[0] < settings.SANDBOX_RETEST_S:
        raise SandboxUnavailable(failed[1])
    sandbox = shared_sandbox()
    try:
        report = sandbox.require_isolation()
    except SandboxUnavailable as exc:
        _failed = (time.monotonic(), str(exc))
        sandbox.close()  # the next self-test starts from a fresh zygote
        if failed is None or failed[1] != str(exc):
            log.error("event=sandbox_selftest ok=false grading=refused reason=%r", str(exc))
        report_sandbox(ok=False, reason=str(exc))
        raise
    if report is not None:  # a self-test ran and passed: first start, or a recovery
        log.info(
            "event=sandbox_selftest ok=true grading=ready%s",
            " recovered=true" if failed is not None else "",
        )
        report_sandbox(ok=True, reason="isolation verified")
    _failed = None
    return sandbox
