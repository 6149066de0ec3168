"""What a grading worker does when it starts: prove the sandbox isolates before taking
work. Every prefork child (the processes that grade) starts its zygote and runs the
isolation self-test at once, and says in the log whether it may grade and, if not, why.
A failed self-test does not stop the process: each grading then refuses the same way
(SandboxUnavailable, an infrastructure retry), so submissions wait in the queue and are
graded once a healthy worker takes them. Nothing is ever graded unsandboxed. The outcome
also goes to the status page (grading/status.py).
"""

import logging

from celery.signals import worker_process_init

log = logging.getLogger("descent.grading")


@worker_process_init.connect
def selftest_on_start(**_):
    from sandbox import SandboxUnavailable

    from .sandbox_pool import worker_sandbox
    from .status import report_sandbox

    try:
        worker_sandbox()
    except SandboxUnavailable as exc:
        log.error("event=sandbox_selftest ok=false grading=refused reason=%r", str(exc))
        report_sandbox(ok=False, reason=str(exc))
        return False
    log.info("event=sandbox_selftest ok=true grading=ready")
    report_sandbox(ok=True, reason="isolation verified")
    return True
