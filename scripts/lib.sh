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
  export SANDBOX_HARBOR_PASSWORD="${SANDBOX_HARBOR_PASSWORD:-sandbox-harbor-password}"
  export SANDBOX_SONARQUBE_TOKEN="${SANDBOX_SONARQUBE_TOKEN:-sandbox-sonarqube-token}"
}
