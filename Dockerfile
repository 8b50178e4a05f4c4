# bpcourse: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=bpcourse.settings.prod \
    BPCOURSE_VAR_DIR=/app/var \
    DJANGO_STATIC_ROOT=/app/staticfiles

WORKDIR /app
RUN useradd --create-home --uid 10001 app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files and compiled translations are part of the image (no GNU gettext needed).
RUN DJANGO_SECRET_KEY=build-only-not-secret DJANGO_ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput --verbosity 0 \
    && DJANGO_SECRET_KEY=build-only-not-secret DJANGO_ALLOWED_HOSTS=localhost \
        python manage.py compile_translations --force \
    && mkdir -p /app/var && chown -R app:app /app/var

USER app
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
# X-Forwarded-* headers are trusted only from FORWARDED_ALLOW_IPS (gunicorn's default: 127.0.0.1;
# docker-compose.yml sets its reverse proxy's address).
CMD ["gunicorn", "bpcourse.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
