import pytest

from sandbox import Limits, Sandbox

# Small limits keep the hostile cases quick; tests that need more ask for it.
FAST = Limits(cpu_s=5, wall_s=10, memory_mb=128, pids=16, tmpfs_mb=4)


@pytest.fixture(scope="session")
def sandbox():
    sb = Sandbox()
    yield sb
    sb.close()


@pytest.fixture
def run(sandbox):
    """Load `source` in a fresh run, call `name` with `args`, and return (result, outcome).
    A run that ends during the call returns (None, outcome)."""
    from sandbox import RunEnded

    def go(source, name=None, args=(), *, limits=FAST, timeout=5.0, **options):
        result = None
        with sandbox.session(limits) as s:
            try:
                loaded = s.load(source)
                assert loaded.ok, loaded
                if name is not None:
                    result = s.call(name, args, timeout=timeout, **options)
            except RunEnded:
                result = None
        return result, s.outcome

    return go
