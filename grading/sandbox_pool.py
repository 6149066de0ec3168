"""One sandbox (and so one zygote) per process, started on first use.

``worker_sandbox()`` is what grading uses: it self-tests isolation first and raises
SandboxUnavailable when the self-test fails, so nothing is ever graded unsandboxed.
"""

import threading

from sandbox import Sandbox

_lock = threading.Lock()
_sandbox: Sandbox | None = None


def shared_sandbox() -> Sandbox:
    global _sandbox
    with _lock:
        if _sandbox is None:
            _sandbox = Sandbox()
        return _sandbox


def worker_sandbox() -> Sandbox:
    sandbox = shared_sandbox()
    sandbox.require_isolation()
    return sandbox
