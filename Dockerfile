# One image for web, worker and beat; the command differs per service.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends libseccomp2 nodejs npm make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The widgets bundle, then static files collected under the production storage (hashed
# names and a manifest: with DEBUG off, {% static %} finds files only through it). The
# secret is a placeholder for this one command; the real one comes from the environment.
RUN npm run build \
    && DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost DESCENT_VAR_DIR=/app/var \
       python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
