#!/usr/bin/env bash
# Benchmark: Slipway's Deploy tab vs Roadie's Argo CD overview card, on the
# production build of the app, in headless Chromium (e2e-tests/bench/tabBench.ts).
#
#   yarn workspace @slipway/e2e-tests bench:tab            # cold and warm
#   BENCH_MODES=cold BENCH_RUNS=9 yarn workspace @slipway/e2e-tests bench:tab
#   BENCH_BUILD=1 ...                                      # rebuild the app first
#
# It runs a private sandbox + backend inside its own network namespace
# (`unshare -rn`), so it never clashes with a development portal on the same
# machine's ports, and stops both when done. The backend serves
# packages/app/dist (@backstage/plugin-app-backend) at http://localhost:7007;
# the app is built with `yarn workspace app build` when dist is missing.
#
# Modes (one backend start each): `cold` sets slipway.state.cacheTtlSeconds
# to 0, so every Deploy tab load reads every upstream (a first visit);
# `warm` sets it to 3600 s and loads each entity once before measuring (a
# revisit inside the cache window). Roadie's card has no cache: it reads
# Argo CD on every load in both modes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

if [ -z "${SLIPWAY_BENCH_IN_NS:-}" ]; then
  cd "$ROOT"
  # shellcheck disable=SC1091
  . scripts/toolchain.sh
  if [ "${BENCH_BUILD:-0}" = "1" ] || [ ! -f packages/app/dist/index.html ]; then
    echo "[bench] building the app (production webpack build, takes minutes)"
    APP_CONFIG_app_baseUrl=http://localhost:7007 yarn workspace app build >/tmp/slipway-tab-bench-build.log 2>&1 || {
      tail -40 /tmp/slipway-tab-bench-build.log >&2
      exit 1
    }
  fi
  export SLIPWAY_BENCH_IN_NS=1
  exec unshare -rn bash -c 'ip link set lo up && exec bash "$0" "$@"' "$ROOT/e2e-tests/bench/run-tab-bench.sh" "$@"
fi

# --- inside the private network namespace ----------------------------------
cd "$ROOT"
# shellcheck disable=SC1091
. scripts/toolchain.sh
# shellcheck disable=SC1091
. scripts/lib.sh
slipway_sandbox_env

DATA="$(mktemp -d /tmp/slipway-tab-bench.XXXXXX)"
OUT="${BENCH_OUT_DIR:-$ROOT/e2e-tests/test-results/tab-bench}"
mkdir -p "$OUT"
PIDS=()

stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
cleanup() {
  stop_all
  rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

start_portal() {
  local mode="$1" ttl
  if [ "$mode" = "warm" ]; then ttl=3600; else ttl=0; fi
  rm -rf "$DATA/$mode" && mkdir -p "$DATA/$mode/sqlite"
  (cd packages/sandbox && exec node --require @backstage/cli/config/nodeTransform.cjs \
    src/main.ts --data-dir "$DATA/$mode/sandbox") >"$OUT/sandbox-$mode.log" 2>&1 &
  PIDS+=($!)
  slipway_wait_for http://127.0.0.1:7100/admin/state 180
  # The backend alone (no webpack dev server): app-backend serves the built
  # app and injects this runtime config into it.
  (cd packages/backend && \
    NODE_ENV=development \
    APP_CONFIG_app_baseUrl=http://localhost:7007 \
    APP_CONFIG_backend_cors_origin=http://localhost:7007 \
    APP_CONFIG_backend_database_connection_directory="$DATA/$mode/sqlite" \
    APP_CONFIG_slipway_state_cacheTtlSeconds="$ttl" \
    exec node --enable-source-maps --require @backstage/cli/config/nodeTransform.cjs \
    src/index.ts) >"$OUT/backend-$mode.log" 2>&1 &
  PIDS+=($!)
  if ! slipway_wait_for http://127.0.0.1:7007/.backstage/health/v1/readiness 300; then
    tail -40 "$OUT/backend-$mode.log" >&2
    return 1
  fi
  until [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:7007/.backstage/health/v1/readiness)" = "200" ]; do
    sleep 2
  done
  echo "[bench] $mode: sandbox and backend ready (cacheTtlSeconds=$ttl)"
}

for mode in ${BENCH_MODES:-cold warm}; do
  start_portal "$mode"
  (cd e2e-tests && BENCH_MODE="$mode" BENCH_OUT="$OUT/tab-bench-$mode.json" \
    node --require @backstage/cli/config/nodeTransform.cjs bench/tabBench.ts)
  stop_all
done
