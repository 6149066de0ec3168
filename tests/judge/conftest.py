import pytest

from sandbox import isolated_sandbox


@pytest.fixture(scope="module")
def sandbox():
    """This process's sandbox, proven isolated: the judge grades in the real jail."""
    return isolated_sandbox()
