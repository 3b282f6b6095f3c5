#!/usr/bin/env bash
# Development entry point. `./dev.sh demo` runs the hub with demo data; `./dev.sh test` runs
# every test. Both create the Python environment first (uv, from the lock file).
set -euo pipefail
cd "$(dirname "$0")"

UV_VERSION=0.13.8
TOOLS=.tools

ensure_environment() {
  if [ ! -x "$TOOLS/bin/uv" ] || [ "$("$TOOLS/bin/uv" --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    echo "dev.sh: installing uv $UV_VERSION into $TOOLS/" >&2
    if ! python3 -m venv "$TOOLS" >/dev/null 2>&1; then
      echo "dev.sh: 'python3 -m venv' failed; install Python 3.11 with venv (Debian: apt-get install python3-venv)" >&2
      exit 2
    fi
    "$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  fi
  "$TOOLS/bin/uv" sync --frozen --quiet --python python3.11
}

# The Helm chart tests run the pinned Helm CLI, built once from its Go module into ~/.cache.
# Without it they fail under CI=true and are skipped elsewhere, with the reason printed.
ensure_helm() {
  local helm
  if helm=$(tools/ensure-helm); then
    export BADGEHUB_HELM=$helm
  elif [ "${CI:-}" = true ]; then
    exit 3
  else
    echo "dev.sh: the Helm chart tests will be skipped (reason above)" >&2
  fi
}

command=${1:-help}
shift || true
case "$command" in
  demo)
    ensure_environment
    exec .venv/bin/badgehub demo "$@"
    ;;
  test)
    ensure_environment
    ensure_helm
    exec .venv/bin/pytest "$@"
    ;;
  bench)
    ensure_environment
    exec .venv/bin/python benchmarks/issue_and_verify.py "$@"
    ;;
  bench-bulk)
    ensure_environment
    exec .venv/bin/python benchmarks/bulk_award.py "$@"
    ;;
  lint)
    ensure_environment
    .venv/bin/ruff check .
    .venv/bin/ruff format --check .
    ;;
  *)
    echo "usage: ./dev.sh demo | test [pytest args] | bench | bench-bulk [--rows N ...] | lint" >&2
    exit 2
    ;;
esac
