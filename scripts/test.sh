#!/usr/bin/env bash
# Installs everything and runs every test: type check, lint, every package's
# unit and integration tests (SQLite and a throwaway PostgreSQL 15), then the
# Playwright e2e suite in headless Chromium against the started portal.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$SLIPWAY_ROOT"
. scripts/lib.sh

step() { echo; echo "=== [test] $* ($(date -u +%H:%M:%S))"; }

step "install"
slipway_install
slipway_ensure_chromium
slipway_sandbox_env

step "type check"
yarn tsc --noEmit -p tsconfig.json

step "lint"
yarn backstage-cli repo lint

# Also emits dist-types, which publishedPackages.test.ts needs to build the plugins.
step "API reports (plugins/*/report*.api.md are up to date)"
yarn build:api-reports --ci

step "unit and integration tests (SQLite + PostgreSQL 15 + Redis)"
slipway_postgres_start
slipway_redis_start
trap 'slipway_postgres_stop; slipway_redis_stop' EXIT
export SLIPWAY_REQUIRE_POSTGRES=1 SLIPWAY_REQUIRE_REDIS=1 BACKSTAGE_TEST_DISABLE_DOCKER=1
CI=true yarn backstage-cli repo test --watchAll=false
slipway_postgres_stop
slipway_redis_stop

step "mutation testing (slipway-common, slipway-node; incremental)"
scripts/mutation.sh

step "e2e: start sandbox and portal"
e2e_data="$(mktemp -d /tmp/slipway-e2e.XXXXXX)"
portal_log="$e2e_data/portal.log"
# Own session, so the whole tree (sandbox, backend, webpack) stops together.
SLIPWAY_DATA_DIR="$e2e_data" setsid bash -c \
  '. scripts/toolchain.sh && . scripts/lib.sh && slipway_sandbox_env && slipway_portal_run' \
  >"$portal_log" 2>&1 &
portal_pid=$!
stop_portal() {
  kill -TERM -- "-$portal_pid" 2>/dev/null || true
  for _ in $(seq 1 20); do kill -0 "$portal_pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL -- "-$portal_pid" 2>/dev/null || true
}
trap 'stop_portal; slipway_postgres_stop' EXIT
slipway_wait_for http://localhost:7007/.backstage/health/v1/readiness 600 || { tail -50 "$portal_log"; exit 1; }
slipway_wait_for http://localhost:3000 600 || { tail -50 "$portal_log"; exit 1; }

step "e2e: playwright"
rm -rf e2e-tests/test-results
if ! (cd e2e-tests && CI=true yarn playwright test); then
  echo "--- portal log (last 80 lines) ---"; tail -80 "$portal_log"
  exit 1
fi
echo "[test] screenshots: e2e-tests/test-results/screenshots/"
step "all tests passed"
