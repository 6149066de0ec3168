from __future__ import annotations

from dataclasses import asdict, dataclass, fields

MAX_SOURCE_BYTES = 64 * 1024


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
