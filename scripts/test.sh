#!/usr/bin/env bash
# The whole suite. Uses PostgreSQL and Redis on 127.0.0.1 when they answer (CI has both;
# there they are required), else the embedded defaults. One test always boots the app on
# the embedded defaults, whatever this script chose.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

answers() { $PY - "$1" "$2" <<'PYEOF'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PYEOF
}

if [ -z "${DATABASE_URL:-}" ] && answers 127.0.0.1 5432; then
  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/test
fi
if [ -z "${REDIS_URL:-}" ] && answers 127.0.0.1 6379; then
  export REDIS_URL=redis://127.0.0.1:6379/0
fi
if [ "${CI:-}" = "true" ] && { [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; }; then
  echo "CI must run against PostgreSQL and Redis, and at least one did not answer" >&2
  exit 1
fi
echo "database: ${DATABASE_URL:-embedded SQLite}; broker: ${BROKER_URL:-${REDIS_URL:-embedded filesystem}}; cache: ${REDIS_URL:-files under var/}"

export DEBUG=1
$PY manage.py makemigrations --check --dry-run >/dev/null || { echo "models changed without a migration" >&2; exit 1; }
exec .venv/bin/pytest "$@"
