# syntax=docker/dockerfile:1.7
# One image for every Minyi service: the command picks the service
# (`minyi serve intake|routing|supervision|reporting|liaison`, `minyi migrate <svc>`).
#
# Base pinned by exact tag; at release time pin by digest as well, e.g.
#   docker buildx imagetools inspect python:3.11.13-slim-bookworm
#   --build-arg PYTHON_IMAGE=python:3.11.13-slim-bookworm@sha256:<digest>
ARG PYTHON_IMAGE=python:3.11.13-slim-bookworm

# ---- builder: resolve the locked workspace into /opt/venv ---------------------------
FROM ${PYTHON_IMAGE} AS builder

RUN pip install --no-cache-dir uv==0.13.9

# Same interpreter path in both stages, so the venv copied below works unchanged.
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_FROZEN=1

WORKDIR /src

# 1) third-party dependencies only: this layer is reused until uv.lock or a
#    pyproject.toml changes.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/pyproject.toml
COPY services/intake/pyproject.toml services/intake/pyproject.toml
COPY services/routing/pyproject.toml services/routing/pyproject.toml
COPY services/supervision/pyproject.toml services/supervision/pyproject.toml
COPY services/reporting/pyproject.toml services/reporting/pyproject.toml
COPY services/liaison/pyproject.toml services/liaison/pyproject.toml
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --no-install-workspace

# 2) the workspace members themselves, installed as regular (non-editable) wheels so
#    the runtime stage needs nothing from /src.
COPY shared/ shared/
COPY services/ services/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable

# ---- runtime ---------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="minyi" \
      org.opencontainers.image.description="Minyi (民意) services: intake, routing, supervision, reporting, liaison" \
      org.opencontainers.image.source="https://example.invalid/minyi"

# Chinese glyphs for the charts reporting draws into the monthly report (matplotlib finds
# Noto Sans CJK through fontconfig); without them every character is a box.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fonts-noto-cjk fontconfig \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 minyi \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/minyi --shell /usr/sbin/nologin minyi \
 && mkdir -p /var/lib/minyi \
 && chown 10001:10001 /var/lib/minyi

COPY --from=builder /opt/venv /opt/venv

ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MINYI_ENV=production \
    MINYI_HTTP_HOST=0.0.0.0 \
    MINYI_DATA_DIR=/var/lib/minyi

USER 10001:10001
WORKDIR /var/lib/minyi
# Ports per service: intake 8001, routing 8002, supervision 8003, reporting 8004,
# liaison 8005.
EXPOSE 8001 8002 8003 8004 8005
VOLUME ["/var/lib/minyi"]

ENTRYPOINT ["minyi"]
CMD ["serve", "intake"]
