#!/usr/bin/env bash
# Load and fault benchmark over three replicas (bench/loadBench.ts):
#
#   yarn workspace backend bench:load                  # full run (~15 min)
#   BENCH_SECONDS=60 yarn workspace backend bench:load  # shorter phases
#
# Starts a throwaway PostgreSQL 15 and Redis on free loopback ports of their
# own (scripts/lib.sh), runs the benchmark (the replicas and the sandbox use
# ephemeral ports, so it never clashes with a development portal), and stops
# both when done. Exit code 1 when a check fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$ROOT"
# shellcheck disable=SC1091
. scripts/toolchain.sh
# shellcheck disable=SC1091
. scripts/lib.sh

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

SLIPWAY_PG_PORT="$(free_port)"
SLIPWAY_REDIS_PORT="$(free_port)"
export SLIPWAY_PG_PORT SLIPWAY_REDIS_PORT
trap 'slipway_postgres_stop; slipway_redis_stop' EXIT INT TERM
slipway_postgres_start
slipway_redis_start

cd packages/backend
node --require @backstage/cli/config/nodeTransform.cjs bench/loadBench.ts
