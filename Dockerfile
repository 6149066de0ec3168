# One image for web, worker and beat; the command differs per service.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# git and ssh: course sources are fetched from instructors' repositories (authoring/git.py).
RUN apt-get update && apt-get install -y --no-install-recommends libseccomp2 nodejs npm make \
    git openssh-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The widgets bundle, then static files collected under the production storage (hashed
# names and a manifest: with DEBUG off, {% static %} finds files only through it), into
# STATIC_ROOT, which every service of the image then reads whatever DESCENT_VAR_DIR says.
# The secret is a placeholder for this one command; the real one comes from the environment.
ENV STATIC_ROOT=/app/static-collected
RUN npm run build \
    && DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost DESCENT_VAR_DIR=/app/var \
       python manage.py collectstatic --noinput
# Every service runs as this unprivileged user; the workers' sandbox then builds its jails
# in user namespaces (docs/deployment.md), so no container needs privileges.
RUN useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin descent \
    && mkdir -p /var/lib/descent /var/lib/descent-authoring \
    && chown descent:descent /var/lib/descent /var/lib/descent-authoring
USER 10001:10001
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
