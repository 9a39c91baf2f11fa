# ncpi: the bot and its scheduler. Mount your own config/ and set NCPI_DATABASE_URL.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY ncpi_core ./ncpi_core
COPY bot ./bot
RUN pip install ".[postgres,charts]"
COPY config ./config

# A non-root user; /data holds the SQLite file when no PostgreSQL URL is given.
RUN useradd --create-home --uid 10001 ncpi && mkdir -p /data && chown ncpi:ncpi /data
USER ncpi

ENV NCPI_CONFIG_DIR=/app/config \
    NCPI_DATABASE_URL=sqlite:////data/ncpi.db \
    MPLBACKEND=Agg
VOLUME ["/data"]
EXPOSE 3000

# /healthz answers 200 once the database answers (served in both socket and http modes).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)" || exit 1

CMD ["ncpi", "run"]
