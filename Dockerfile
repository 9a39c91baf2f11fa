# syntax=docker/dockerfile:1
# ncpi: the bot and its scheduler. Mount your own config/ and set NCPI_DATABASE_URL (see README).
#
# The base image is pinned by its exact version tag. To pin it by digest as well (recommended),
# look the digest up where a registry is reachable and pass it in, e.g.
#   docker buildx imagetools inspect python:3.11.11-slim-bookworm    # prints Digest: sha256:…
#   docker build --build-arg PYTHON_IMAGE=python:3.11.11-slim-bookworm@sha256:… -t ncpi .
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Every dependency (and the build backend) at the version and hash in requirements.lock:
# a rebuild next year installs the same bytes, or fails.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md LICENSE ./
COPY ncpi_core ./ncpi_core
COPY bot ./bot
RUN pip install --no-deps --no-build-isolation . && pip check
COPY config ./config

# A non-root user; /data holds the SQLite file when no PostgreSQL URL is given.
RUN useradd --create-home --uid 10001 ncpi && mkdir -p /data && chown ncpi:ncpi /data
USER ncpi

# Secrets may also be files in /run/secrets named as the variable (SLACK_BOT_TOKEN,
# NCPI_DATABASE_PASSWORD, …): Docker and Kubernetes secrets mount there.
ENV NCPI_CONFIG_DIR=/app/config \
    NCPI_DATABASE_URL=sqlite:////data/ncpi.db \
    MPLBACKEND=Agg
VOLUME ["/data"]
EXPOSE 3000

# /healthz answers 200 once the database answers (served in both socket and http modes).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)" || exit 1

# Migrate (under a database lock: replicas may start together), load the plan file only if it
# changed since the last load (said in the log), then run.
CMD ["sh", "-c", "ncpi db upgrade && ncpi plan load --if-changed && exec ncpi run --port 3000"]
