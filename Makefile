# Descent: `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint lock assets clean unpriv-venv

install: $(STAMP) assets

# Re-install only when the lock file changes; hashes make a fresh install reproducible.
$(STAMP): requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $(STAMP)

assets:
	@if [ -f package.json ]; then \
		[ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; \
		npm run --silent build; \
	fi

# Development mode: DEBUG on, embedded SQLite and broker unless DATABASE_URL/REDIS_URL say otherwise.
run: export DEBUG ?= 1
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py sync_course courses/content/gradient-descent
	$(PY) manage.py demo_users | tee var/run-notes.txt
	$(PY) manage.py demo_authoring | tee -a var/run-notes.txt
	$(PY) manage.py demo_cohort | tee -a var/run-notes.txt
	$(PY) manage.py serve --notes var/run-notes.txt

# A second venv on Debian's interpreter, readable by every uid: the usual interpreter lives
# under root's 0700 home, so tests/sandbox/test_unprivileged.py could not run the sandbox as
# an unprivileged uid with it. Built only where that test can run (root, setpriv and
# /usr/bin/python3.11 present); elsewhere the test skips (and fails under CI=true).
UNPRIV_PYTHON ?= /usr/bin/python3.11
UNPRIV_VENV ?= /opt/descent-unpriv-venv
UNPRIV_STAMP := $(UNPRIV_VENV)/.installed
UNPRIV_WANTED := $(shell [ "$$(id -u)" = 0 ] && command -v setpriv >/dev/null \
	&& [ -x $(UNPRIV_PYTHON) ] && echo $(UNPRIV_STAMP))

unpriv-venv: $(UNPRIV_STAMP)

$(UNPRIV_STAMP): requirements.lock $(STAMP)
	$(VENV)/bin/uv venv --quiet --allow-existing --python $(UNPRIV_PYTHON) $(UNPRIV_VENV)
	$(VENV)/bin/uv pip install --quiet --link-mode=copy --require-hashes \
		--python $(UNPRIV_VENV)/bin/python -r requirements.lock
	chmod -R a+rX $(UNPRIV_VENV)
	touch $(UNPRIV_STAMP)

test: install $(UNPRIV_WANTED)
	DESCENT_UNPRIV_PYTHON=$(UNPRIV_VENV)/bin/python bash scripts/test.sh

# Style and complexity (ruff), the architecture's import contracts (import-linter, see
# pyproject.toml), and types in the code every grading trusts (mypy on sandbox/ and judge/).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

# Regenerate the pinned lock after editing pyproject.toml.
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--generate-hashes --no-header -o requirements.lock

clean:
	rm -rf $(VENV) node_modules static/dist var
