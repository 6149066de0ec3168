"""What a grading worker does when it starts: prove the sandbox isolates before taking
work. Every prefork child (the processes that grade) starts its zygote and runs the
isolation self-test at once; the outcome goes to the log and to the status page
(grading/sandbox_pool.py). A failed self-test does not stop the process: it refuses every
grading before claiming it (SandboxUnavailable, an infrastructure retry), so submissions
stay queued, untouched, and are graded by a healthy worker, or by this one once a later
self-test passes. Nothing is ever graded unsandboxed.
"""

from celery.signals import worker_process_init, worker_process_shutdown

from sandbox import SandboxUnavailable

from .sandbox_pool import worker_sandbox
from .status import withdraw_sandbox_report


@worker_process_init.connect
def selftest_on_start(**_):
    try:
        worker_sandbox()
    except SandboxUnavailable:
        return False
    return True


@worker_process_shutdown.connect
def withdraw_on_stop(**_):
    withdraw_sandbox_report()
