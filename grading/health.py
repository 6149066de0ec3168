"""Health probes behind /healthz.

Each probe returns (ok, detail) and never raises: a health endpoint that crashes is no
help to the load balancer asking it.
"""

import os
import threading
import time
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.db import connection

from sandbox import shared_sandbox

_selftest_lock = threading.Lock()
_selftest_cache: dict = {}


def database_state() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, connection.vendor
    except Exception as exc:  # any driver error means "down"
        return False, f"{type(exc).__name__}: {exc}"


def broker_state() -> tuple[bool, str]:
    app = current_app
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            driver = conn.transport.driver_type
            if driver == "filesystem":
                # The embedded broker "connects" even when its folders are gone.
                options = app.conf.broker_transport_options
                folder = Path(options["data_folder_in"])
                if not (folder.is_dir() and os.access(folder, os.W_OK)):
                    return False, f"broker folder {folder} is not writable"
            return True, driver
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}"


def sandbox_state(force: bool = False) -> tuple[bool, str]:
    """The sandbox self-test, run in this process and cached for SANDBOX_SELFTEST_TTL."""
    now = time.monotonic()
    with _selftest_lock:
        cached = _selftest_cache.get("result")
        if cached and not force and now - cached[0] < settings.SANDBOX_SELFTEST_TTL:
            return cached[1]
        try:
            report = shared_sandbox().selftest()
            result = (report.ok, "isolation verified" if report.ok else report.reason)
        except Exception as exc:
            result = (False, f"self-test could not run: {type(exc).__name__}: {exc}")
        _selftest_cache["result"] = (now, result)
        return result
