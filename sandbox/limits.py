from __future__ import annotations

from dataclasses import asdict, dataclass, fields

MAX_SOURCE_BYTES = 64 * 1024

# The zygote's whole environment. Single-threaded BLAS keeps the zygote forkable; a fixed
# hash seed makes set and dict iteration in student code reproducible between runs.
ZYGOTE_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
}


class SourceRejected(ValueError):
    """The text cannot be a submission; the message says why, in words for its author."""


def check_source(source: str | bytes) -> str:
    """The one gate every submission passes before anything else looks at it: text (or
    UTF-8 bytes) of at most MAX_SOURCE_BYTES, with no NUL. Returns the text; raises
    SourceRejected. The size is measured in UTF-8 bytes, as it travels to the jail."""
    if isinstance(source, bytes):
        if len(source) > MAX_SOURCE_BYTES:
            raise SourceRejected(_too_big(len(source)))
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceRejected(f"the source is not valid UTF-8 text (byte {exc.start})") from None
    if not isinstance(source, str):
        raise SourceRejected("the source must be text")
    try:
        size = len(source.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 form exists
        raise SourceRejected("the source is not valid UTF-8 text") from None
    if size > MAX_SOURCE_BYTES:
        raise SourceRejected(_too_big(size))
    if "\x00" in source:
        raise SourceRejected("the source contains a NUL character")
    return source


def _too_big(size: int) -> str:
    return f"the source is {size} bytes; the limit is {MAX_SOURCE_BYTES} bytes (64 KiB)"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run (one session).

    cpu_s       CPU seconds of each process of the run (RLIMIT_CPU; exceeding it kills)
    wall_s      wall-clock seconds of the whole session, from spawn to exit, idle time
                included; per-call timeouts are separate and usually shorter
    memory_mb   memory of the whole run (cgroup; RLIMIT_DATA when no cgroup is writable)
    pids        processes and threads of the run, the runner included
    tmpfs_mb    size of /work, the only writable directory (and the largest file)
    stdout_bytes, stderr_bytes   output kept; more ends the run as "output_limit"
    result_bytes, request_bytes  frame caps in each direction
    open_files  RLIMIT_NOFILE
    stack_mb    RLIMIT_STACK of the runner's main thread
    cpus        CPU bandwidth of the whole run, in CPUs (cgroup cpu quota: v1 cfs_quota_us,
                v2 cpu.max), so one run cannot slow the others; where no cgroup cpu
                controller is ours the self-test says it is not enforced
    """

    cpu_s: float = 5.0
    wall_s: float = 10.0
    memory_mb: int = 256
    pids: int = 32
    tmpfs_mb: int = 16
    stdout_bytes: int = 64_000
    stderr_bytes: int = 64_000
    result_bytes: int = 16_000_000
    request_bytes: int = 64 * 1024 * 1024
    open_files: int = 64
    stack_mb: int = 8
    cpus: float = 1.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"Limits.{f.name} must be a positive number, got {value!r}")
        if self.pids < 2:
            raise ValueError("Limits.pids must allow at least the runner and one more process")
        if self.open_files < 8:
            raise ValueError("Limits.open_files must be at least 8")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Limits:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})
