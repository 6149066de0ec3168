"""Grading speed, measured against a bare `python -c "import numpy"` in the same run.

Prints, each as median and p95:
  (a) a bare interpreter start that imports numpy (the cost a naive sandbox pays per run)
  (b) the sandbox overhead of an empty run (spawn, load `pass`, finish)
  (c) grading the mse-loss and adam references end to end (all checks, no shrinking)
  (d) throughput with the default worker concurrency (processes grading in parallel)
  (e) the automatic diagnosis (judge/diagnose.py): grading the references again with it
      switched off (it runs only on failure, so (c) must not change), and grading wrong
      submissions no known mistake matches, to the verdict as the worker does
      (defer_shrink), with and without it: what a failing submission costs now
and the ratios of (b) and (c) to (a). Targets on a 2-core machine: (b) <= 10 ms,
mse-loss <= 0.25 x (a), adam <= 1 x (a); (c) with the diagnosis within noise of (c)
without it.

Run: DEBUG=1 .venv/bin/python bench/grading.py [--runs N]
"""

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(values):
    return statistics.median(values), percentile(values, 0.95)


def time_bare_numpy(runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "import numpy"], check=True, env={"OPENBLAS_NUM_THREADS": "1"}
        )
        times.append((time.perf_counter() - started) * 1000)
    return times


def time_empty_runs(sandbox, runs):
    from sandbox import Limits

    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with sandbox.session(limits=Limits()) as session:
            session.load("pass", filename="submission.py")
        times.append((time.perf_counter() - started) * 1000)
    return times


def time_grading(sandbox, slug, runs):
    from django.conf import settings

    from judge.engine import grade_source
    from judge.exercise import exercise_from_course

    spec = exercise_from_course(settings.SHIPPED_COURSE_DIR, slug)
    times = []
    for index in range(runs):
        started = time.perf_counter()
        result = grade_source(spec.reference_source, spec, sandbox, seed=index)
        times.append((time.perf_counter() - started) * 1000)
        assert result.verdict == "passed", (slug, result.message)
    return times


# Wrong submissions no known mistake of the shipped course matches: the automatic
# diagnosis names each (a factor of D; t off by one; right only for 1-D inputs).
WRONG = {
    "mse-loss": (
        "import numpy as np\n"
        "def mse_loss(y_pred, y_true):\n"
        "    return float(np.sum((y_pred - y_true) ** 2) / len(y_pred))\n"
    ),
    "adam": (
        "import numpy as np\n"
        "def adam_step(w, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
        "    m = beta1 * m + (1 - beta1) * grad\n"
        "    v = beta2 * v + (1 - beta2) * grad ** 2\n"
        "    m_hat = m / (1 - beta1 ** (t + 2))\n"
        "    v_hat = v / (1 - beta2 ** (t + 2))\n"
        "    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v\n"
    ),
}


def time_failing(sandbox, slug, runs, diagnosis=True):
    from django.conf import settings

    from judge.engine import grade_source
    from judge.exercise import exercise_from_course

    spec = exercise_from_course(settings.SHIPPED_COURSE_DIR, slug)
    times, named = [], 0
    with diagnosis_switched(on=diagnosis):
        for index in range(runs):
            started = time.perf_counter()
            result = grade_source(WRONG[slug], spec, sandbox, seed=index, defer_shrink=True)
            times.append((time.perf_counter() - started) * 1000)
            assert result.verdict == "failed", (slug, result.message)
            named += result.diagnosis is not None
    return times, named


class diagnosis_switched:  # noqa: N801 - used as a context manager
    """The automatic diagnosis on (as shipped) or off (the baseline, in the same run)."""

    def __init__(self, on: bool):
        self.on = on

    def __enter__(self):
        from judge import checks

        self.saved = checks._CaseCheck._diagnose
        if not self.on:
            checks._CaseCheck._diagnose = lambda self, ctx, failure, result: None

    def __exit__(self, *exc):
        from judge import checks

        checks._CaseCheck._diagnose = self.saved


def time_grading_without_diagnosis(sandbox, slug, runs):
    with diagnosis_switched(on=False):
        return time_grading(sandbox, slug, runs)


def _throughput_worker(args):
    slug, count = args
    import django

    django.setup()
    from grading.sandbox_pool import worker_sandbox

    sandbox = worker_sandbox()
    time_grading(sandbox, slug, 2)  # warm the zygote and the exercise cache
    started = time.perf_counter()
    time_grading(sandbox, slug, count)
    return count, time.perf_counter() - started


def throughput(concurrency, slug, per_worker):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(concurrency) as pool:
        started = time.perf_counter()
        results = pool.map(_throughput_worker, [(slug, per_worker)] * concurrency)
        wall = time.perf_counter() - started
    graded = sum(count for count, _ in results)
    busiest = max(seconds for _, seconds in results)
    return graded / busiest, wall


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=40)
    options = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    from grading.sandbox_pool import worker_sandbox

    sandbox = worker_sandbox()
    bare = time_bare_numpy(max(10, options.runs // 2))
    time_empty_runs(sandbox, 5)
    empty = time_empty_runs(sandbox, options.runs * 5)
    mse = time_grading(sandbox, "mse-loss", options.runs)
    adam = time_grading(sandbox, "adam", options.runs)
    mse_off = time_grading_without_diagnosis(sandbox, "mse-loss", options.runs)
    adam_off = time_grading_without_diagnosis(sandbox, "adam", options.runs)
    failing = {}
    for slug in WRONG:
        failing[slug, True] = time_failing(sandbox, slug, options.runs, diagnosis=True)
        failing[slug, False] = time_failing(sandbox, slug, options.runs, diagnosis=False)
    concurrency = settings.CELERY_WORKER_CONCURRENCY
    rate, _ = throughput(concurrency, "mse-loss", options.runs)

    a_med, a_p95 = summary(bare)
    print(f"{'measure':44} {'median ms':>10} {'p95 ms':>10} {'median / (a)':>13}")
    for label, values in (
        ("(a) python -c 'import numpy'", bare),
        ("(b) sandbox overhead, empty run", empty),
        ("(c) grade mse-loss reference, end to end", mse),
        ("(c) grade adam reference, end to end", adam),
        ("(e) mse-loss reference, diagnosis off", mse_off),
        ("(e) adam reference, diagnosis off", adam_off),
    ):
        med, p95 = summary(values)
        print(f"{label:44} {med:10.2f} {p95:10.2f} {med / a_med:13.3f}")
    for slug in WRONG:
        for on in (False, True):
            values, named = failing[slug, on]
            med, p95 = summary(values)
            label = f"(e) wrong {slug}, diagnosis {'on' if on else 'off'}"
            print(
                f"{label:44} {med:10.2f} {p95:10.2f} {med / a_med:13.3f}  named {named}/{len(values)}"
            )
    print(f"(d) throughput, {concurrency} worker processes, mse-loss: {rate:.1f} gradings/s")
    b_med = summary(empty)[0]
    print()
    print(f"target (b) <= 10 ms: {'met' if b_med <= 10 else 'MISSED'} ({b_med:.2f} ms)")
    print(
        f"target mse-loss <= 0.25 x (a): {'met' if summary(mse)[0] <= 0.25 * a_med else 'MISSED'}"
    )
    print(f"target adam <= 1 x (a): {'met' if summary(adam)[0] <= a_med else 'MISSED'}")
    for slug, on_values, off_values in (("mse-loss", mse, mse_off), ("adam", adam, adam_off)):
        on_med, off_med = summary(on_values)[0], summary(off_values)[0]
        print(f"correct {slug}: diagnosis on / off = {on_med / off_med:.3f} (runs only on failure)")
    for slug in WRONG:
        on_med, off_med = summary(failing[slug, True][0])[0], summary(failing[slug, False][0])[0]
        print(
            f"wrong {slug}: the diagnosis adds {on_med - off_med:.1f} ms to the verdict "
            f"({on_med / off_med:.2f} x)"
        )


if __name__ == "__main__":
    main()
