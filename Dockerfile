# eMENSCR-OSS web / worker / beat image. docker-compose.yml runs the three from this one image.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    EMENSCR_VAR_DIR=/var/lib/emenscr \
    MEDIA_ROOT=/var/lib/emenscr/media \
    STATIC_ROOT=/app/staticfiles

# Thai fonts and Pango for rendered reports, gettext for the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-thai-tlwg libpango-1.0-0 libpangoft2-1.0-0 gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Build-time only: a throwaway key and var dir, so nothing of the build ends up in the volumes.
RUN export SECRET_KEY=build-only-not-a-secret EMENSCR_VAR_DIR=/tmp/build-var \
    && if find . -name '*.po' -not -path './.venv/*' | grep -q .; then \
        python manage.py compilemessages --ignore '.venv'; \
    fi \
    && python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/build-var

RUN groupadd --system --gid 10001 emenscr \
    && useradd --system --uid 10001 --gid emenscr --home-dir /app --shell /usr/sbin/nologin emenscr \
    && install -d -o emenscr -g emenscr /var/lib/emenscr /var/lib/emenscr/media
USER emenscr

EXPOSE 8000
CMD ["gunicorn", "emenscr.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
