# syntax=docker/dockerfile:1
# One image for the web server (`badgehub serve`), the worker (`badgehub worker`) and the
# migrations (`badgehub migrate`). It runs as an unprivileged user and writes only to /tmp, so
# it works with a read-only root filesystem. Build: docker build -t eunice-badge-hub .

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# Stage 1: resolve the locked dependencies and install the hub into a virtual environment.
FROM ${PYTHON_IMAGE} AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.8 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/opt/badgehub
WORKDIR /src
# Dependencies first, from the lock file alone, so that a source change reuses this layer.
COPY pyproject.toml uv.lock README.md ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project
COPY hub ./hub
COPY tenants ./tenants
COPY federation ./federation
COPY migrations ./migrations
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable

# Stage 2: the runtime, with the libraries WeasyPrint loads and no build tools.
FROM ${PYTHON_IMAGE} AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 badgehub \
    && useradd --system --uid 10001 --gid 10001 --home-dir /tmp --no-create-home \
        --shell /usr/sbin/nologin badgehub
COPY --from=build --chown=root:root /opt/badgehub /opt/badgehub
# Python, fontconfig and the hub write caches and temporary files only under /tmp, which
# Kubernetes mounts as an emptyDir next to the read-only root filesystem.
ENV PATH=/opt/badgehub/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/.cache \
    HUB_HOST=0.0.0.0 \
    HUB_PORT=8000 \
    HUB_DATA_DIR=/tmp/badgehub \
    HUB_LOG_FORMAT=json
USER 10001:10001
WORKDIR /tmp
EXPOSE 8000
ENTRYPOINT ["badgehub"]
CMD ["serve"]
