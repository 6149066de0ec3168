# Test-run defaults, set before pytest-django reads the settings. A developer's own
# environment (DATABASE_URL, REDIS_URL, ...) still wins.
import os

os.environ.setdefault("DEBUG", "1")
