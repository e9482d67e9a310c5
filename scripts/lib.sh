# Shared by start.sh and test.sh. Source after toolchain.sh.

# Installs the workspace. Fast when nothing changed (yarn's own check).
slipway_install() {
  if [ "${CI:-}" = "true" ]; then
    yarn install --immutable
  else
    yarn install
  fi
}

# Sandbox-only credentials: the sandbox accepts these defaults; real
# deployments set real secrets in the environment instead.
slipway_sandbox_env() {
  export SANDBOX_GITHUB_TOKEN="${SANDBOX_GITHUB_TOKEN:-sandbox-github-token}"
  export SANDBOX_ARGOCD_TOKEN="${SANDBOX_ARGOCD_TOKEN:-sandbox-argocd-token}"
  export SANDBOX_ARGOCD_WRITE_TOKEN="${SANDBOX_ARGOCD_WRITE_TOKEN:-sandbox-argocd-write-token}"
  export SANDBOX_FLUX_TOKEN="${SANDBOX_FLUX_TOKEN:-sandbox-flux-token}"
  export SANDBOX_FLUX_WRITE_TOKEN="${SANDBOX_FLUX_WRITE_TOKEN:-sandbox-flux-write-token}"
  export SANDBOX_HARBOR_PASSWORD="${SANDBOX_HARBOR_PASSWORD:-sandbox-harbor-password}"
  export SANDBOX_SONARQUBE_TOKEN="${SANDBOX_SONARQUBE_TOKEN:-sandbox-sonarqube-token}"
  export SANDBOX_ADMIN_TOKEN="${SANDBOX_ADMIN_TOKEN:-sandbox-admin-token}"
  # The sandbox plays Argo CD notifications: application changes are posted
  # to the portal's webhook, which refreshes the open Deploy tab.
  export SANDBOX_ARGOCD_WEBHOOK_SECRET="${SANDBOX_ARGOCD_WEBHOOK_SECRET:-sandbox-argocd-webhook-secret}"
  export SANDBOX_ARGOCD_WEBHOOK_URL="${SANDBOX_ARGOCD_WEBHOOK_URL:-http://127.0.0.1:7007/api/slipway/webhooks/argocd}"
}

# Starts a throwaway PostgreSQL 15 on loopback for the store tests and exports
# BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING. Stopped by
# slipway_postgres_stop (the test script traps EXIT).
SLIPWAY_PG_PORT="${SLIPWAY_PG_PORT:-55432}"
slipway_postgres_start() {
  local bin
  bin="$(dirname "$(readlink -f "$(command -v initdb || echo /usr/lib/postgresql/15/bin/initdb)")")"
  if [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL 15 binaries (initdb, pg_ctl) not found" >&2
    return 1
  fi
  SLIPWAY_PG_DIR="$(mktemp -d /tmp/slipway-pg.XXXXXX)"
  local run_as=()
  if [ "$(id -u)" = "0" ]; then
    # initdb refuses to run as root: use the postgres system user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$SLIPWAY_PG_DIR"
    run_as=(runuser -u postgres --)
  fi
  # Run from / so the postgres user never needs access to the caller's cwd.
  (cd / && "${run_as[@]}" "$bin/initdb" -D "$SLIPWAY_PG_DIR/data" -U postgres \
    --auth=trust -E UTF8 --locale=C.UTF-8 >"$SLIPWAY_PG_DIR/initdb.log" 2>&1) || {
    cat "$SLIPWAY_PG_DIR/initdb.log" >&2; return 1; }
  (cd / && "${run_as[@]}" "$bin/pg_ctl" -D "$SLIPWAY_PG_DIR/data" -l "$SLIPWAY_PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $SLIPWAY_PG_PORT -k $SLIPWAY_PG_DIR -c max_connections=200 -c fsync=off" start >/dev/null) || {
    cat "$SLIPWAY_PG_DIR/server.log" >&2; return 1; }
  export SLIPWAY_PG_BIN="$bin" SLIPWAY_PG_DIR
  export SLIPWAY_PG_RUN_AS="${run_as[*]}"
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="postgresql://postgres@127.0.0.1:$SLIPWAY_PG_PORT"
  echo "[test] PostgreSQL 15 on 127.0.0.1:$SLIPWAY_PG_PORT ($SLIPWAY_PG_DIR)"
}

slipway_postgres_stop() {
  if [ -n "${SLIPWAY_PG_DIR:-}" ] && [ -d "$SLIPWAY_PG_DIR/data" ]; then
    # shellcheck disable=SC2086
    (cd / && $SLIPWAY_PG_RUN_AS "$SLIPWAY_PG_BIN/pg_ctl" -D "$SLIPWAY_PG_DIR/data" -m fast stop >/dev/null 2>&1) || true
    rm -rf "$SLIPWAY_PG_DIR"
  fi
}

# Starts a throwaway Redis on loopback (the shared cache of the multi-replica
# tests) and exports SLIPWAY_TEST_REDIS_URL. Installs Debian's redis-server
# when missing. Stopped by slipway_redis_stop.
SLIPWAY_REDIS_PORT="${SLIPWAY_REDIS_PORT:-56379}"
slipway_redis_start() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "[test] installing redis-server from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  fi
  SLIPWAY_REDIS_DIR="$(mktemp -d /tmp/slipway-redis.XXXXXX)"
  redis-server --bind 127.0.0.1 --port "$SLIPWAY_REDIS_PORT" --save '' --appendonly no \
    --dir "$SLIPWAY_REDIS_DIR" --daemonize yes --pidfile "$SLIPWAY_REDIS_DIR/redis.pid" \
    --logfile "$SLIPWAY_REDIS_DIR/redis.log" >/dev/null
  local i
  for i in $(seq 1 50); do
    redis-cli -p "$SLIPWAY_REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.2
  done
  export SLIPWAY_REDIS_DIR
  export SLIPWAY_TEST_REDIS_URL="redis://127.0.0.1:$SLIPWAY_REDIS_PORT"
  echo "[test] Redis on 127.0.0.1:$SLIPWAY_REDIS_PORT ($SLIPWAY_REDIS_DIR)"
}

slipway_redis_stop() {
  if [ -n "${SLIPWAY_REDIS_DIR:-}" ] && [ -f "$SLIPWAY_REDIS_DIR/redis.pid" ]; then
    kill "$(cat "$SLIPWAY_REDIS_DIR/redis.pid")" 2>/dev/null || true
    rm -rf "$SLIPWAY_REDIS_DIR"
  fi
}

# Runs the sandbox and the portal (frontend + backend) in the foreground until
# interrupted. Data lives in $SLIPWAY_DATA_DIR (default: data/).
slipway_portal_run() {
  local data="${SLIPWAY_DATA_DIR:-$SLIPWAY_ROOT/data}"
  mkdir -p "$data/sqlite"
  export APP_CONFIG_backend_database_connection_directory="$data/sqlite"
  local pids=()
  # shellcheck disable=SC2317
  _slipway_portal_cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  }
  trap _slipway_portal_cleanup EXIT INT TERM
  if [ -f packages/sandbox/src/main.ts ]; then
    (cd packages/sandbox && exec node --require @backstage/cli/config/nodeTransform.cjs src/main.ts --data-dir "$data/sandbox") &
    pids+=($!)
  fi
  yarn start:portal
}

# Waits until a URL answers (any HTTP status), up to $2 seconds.
slipway_wait_for() {
  local url="$1" timeout="${2:-300}" start
  start=$(date +%s)
  until curl -s -o /dev/null "$url"; do
    if [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
      echo "Timed out after ${timeout}s waiting for $url" >&2
      return 1
    fi
    sleep 2
  done
}

# Installs Debian's Chromium for the e2e suite when missing.
slipway_ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1; then
    echo "[test] installing chromium from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}
