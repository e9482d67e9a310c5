#!/usr/bin/env bash
# Mutation testing (Stryker) of the modules that decide or guards; see
# docs/testing.md. Each package runs its own tests against its own mutants
# (plugins/<package>/stryker.config.json), one package after the other.
#
#   scripts/mutation.sh [pure]    slipway-common and slipway-node (yarn mutation;
#                                 the test command's step); fails under 85%
#   scripts/mutation.sh backend   slipway-backend's SourceCache and webhook
#                                 verification (yarn mutation:backend; slower)
#   scripts/mutation.sh all       both
#
# Any further arguments go to every `stryker run`, e.g. `--force` to retest
# every mutant instead of reusing plugins/<package>/reports/stryker-incremental.json.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/toolchain.sh"
cd "$SLIPWAY_ROOT"

target=pure
case "${1:-}" in
  pure | backend | all) target=$1; shift ;;
esac
case "$target" in
  pure) packages=(slipway-common slipway-node) ;;
  backend) packages=(slipway-backend) ;;
  all) packages=(slipway-common slipway-node slipway-backend) ;;
esac

stryker="$SLIPWAY_ROOT/node_modules/.bin/stryker"
failed=()
for package in "${packages[@]}"; do
  echo "[mutation] $package ($(date -u +%H:%M:%S))"
  # The incremental result is checked in gzipped (a few hundred KB instead of
  # a few MB of JSON): unpack it for Stryker, pack the updated one after.
  incremental="plugins/$package/stryker-incremental.json"
  if [ -f "$incremental.gz" ] && { [ ! -f "$incremental" ] || [ "$incremental.gz" -nt "$incremental" ]; }; then
    gunzip -c "$incremental.gz" > "$incremental"
  fi
  if ! (cd "plugins/$package" && "$stryker" run "$@"); then
    failed+=("$package")
  fi
  if [ -f "$incremental" ]; then gzip -9 -n -c "$incremental" > "$incremental.gz"; fi
  echo "[mutation] report: plugins/$package/reports/mutation/mutation.html"
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "[mutation] below the break threshold or failed: ${failed[*]}" >&2
  exit 1
fi
