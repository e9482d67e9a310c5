#!/usr/bin/env bash
# Installs everything and starts the portal on its embedded defaults:
# frontend on :3000, backend on :7007, the sandbox on 127.0.0.1:7100-7104,
# SQLite and the sandbox's git repositories under data/ (or $SLIPWAY_DATA_DIR).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$SLIPWAY_ROOT"
. scripts/lib.sh

slipway_install
slipway_sandbox_env
slipway_portal_run
