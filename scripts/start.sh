#!/usr/bin/env bash
# Installs everything and starts the portal on its embedded defaults:
# frontend on :3000, backend on :7007, the sandbox on 127.0.0.1:7100-7104,
# SQLite under data/.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$SLIPWAY_ROOT"
. scripts/lib.sh

slipway_install
slipway_sandbox_env
mkdir -p data/sqlite

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

if [ -f packages/sandbox/src/main.ts ]; then
  (cd packages/sandbox && exec node --require @backstage/cli/config/nodeTransform.cjs src/main.ts --data-dir "$SLIPWAY_ROOT/data/sandbox") &
  pids+=($!)
fi
yarn start
