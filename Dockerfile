# One image for every driftline worker: `driftline worker join|concept|data|retrain`,
# `driftline monitor` or `driftline replay`, chosen by the container's command.
FROM python:3.11-slim-bookworm AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/driftline
COPY pyproject.toml ./
COPY stream_workers ./stream_workers
# The README is optional at build time; the package metadata names it.
RUN touch README.md && /opt/driftline/bin/pip install --no-compile .

FROM python:3.11-slim-bookworm

LABEL org.opencontainers.image.title="driftline" \
      org.opencontainers.image.description="Drift monitoring for ML models on Kafka" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 driftline \
    && useradd --system --uid 10001 --gid driftline --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin driftline \
    && mkdir -p /var/lib/driftline \
    && chown driftline:driftline /var/lib/driftline
COPY --from=build /opt/driftline /opt/driftline

ENV PATH=/opt/driftline/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DRIFTLINE_HTTP_HOST=0.0.0.0 \
    DRIFTLINE_HTTP_PORT=9100 \
    DRIFTLINE_STATE_DIR=/var/lib/driftline/state
WORKDIR /var/lib/driftline
USER 10001:10001
EXPOSE 9100
VOLUME ["/var/lib/driftline"]

HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:' + os.environ['DRIFTLINE_HTTP_PORT'] + '/healthz', timeout=4)"]

ENTRYPOINT ["driftline"]
CMD ["--help"]
