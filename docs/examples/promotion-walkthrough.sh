#!/usr/bin/env bash
# The worked example of docs/promotions.md, as one script against a started
# development portal (`bash scripts/start.sh`): a platform admin sets a prod
# policy (two approvals, pull request), the owning team previews and requests
# what staging runs into prod, two admins approve, the pull request is merged
# (in the sandbox, as a reviewer would on GitHub), Argo CD syncs, and the
# promotion reads deployed; then prod is rolled back with a reason.
#
#   bash docs/examples/promotion-walkthrough.sh [entity] [requester]
#
# Defaults: notifications-worker (its prod runs an older build than staging
# in the seed), requested by bob (team-storefront owns it). Needs
# curl and jq. Uses only the portal's API with user tokens, plus the sandbox's
# admin API for the merge and Argo CD's API for the manual sync.
set -euo pipefail
ENTITY="${1:-notifications-worker}"
REQUESTER="${2:-bob}"
B="${SLIPWAY_API:-http://localhost:7007/api}"
SANDBOX_ADMIN="${SANDBOX_ADMIN_URL:-http://127.0.0.1:7100}"
ARGOCD="${SANDBOX_ARGOCD_URL:-http://127.0.0.1:7102}"
ADMIN_TOKEN="${SANDBOX_ADMIN_TOKEN:-sandbox-admin-token}"
ARGOCD_WRITE="${SANDBOX_ARGOCD_WRITE_TOKEN:-sandbox-argocd-write-token}"
POLICY="walkthrough-prod-$ENTITY"

say() { printf '\n== %s\n' "$*"; }
token() {
  curl -fsS -H 'x-requested-with: XMLHttpRequest' -H "x-slipway-dev-user: $1" \
    "$B/auth/devUsers/refresh?env=development" | jq -r .backstageIdentity.token
}
api() { # method path token [json]
  curl -fsS -X "$1" "$B$2" -H "authorization: Bearer $3" \
    -H 'content-type: application/json' ${4:+-d "$4"}
}
state_of() { api GET "/slipway/promotions/$1" "$REQ" | jq -r .state; }

REQ=$(token "user:default/$REQUESTER")
ALICE=$(token user:default/alice)
DAVE=$(token user:default/dave)
E="/slipway/entities/component/default/$ENTITY"

say "1. alice (platform-admins) writes the prod policy: two approvals, pull request"
version=$(api GET "/slipway/policies/$POLICY" "$ALICE" 2>/dev/null | jq -r '.version // 0' || echo 0)
if [ "$version" = 0 ]; then
  api PUT "/slipway/policies/$POLICY" "$ALICE" "{
    \"expectedVersion\": 0, \"comment\": \"walkthrough\",
    \"policy\": { \"selector\": { \"entities\": [\"component:default/$ENTITY\"] },
      \"environments\": { \"prod\": { \"mode\": \"pull-request\",
        \"gates\": [{ \"type\": \"approvals\", \"count\": 2,
                      \"groups\": [\"group:default/platform-admins\"] }] } } } }" |
    jq -c '{name, version}'
fi

say "2. $REQUESTER previews what staging runs into prod"
api POST "$E/promotions/preview" "$REQ" '{"environment":"prod","artifact":{"from":"upstream"}}' |
  jq -c '{artifact: {digest: .artifact.digest, tag: .artifact.tag}, mode, verdict, gates: [.gates[] | {type, status}], changes: .overlay.changed}'

say "3. $REQUESTER requests it"
P=$(api POST "$E/promotions" "$REQ" "{\"environment\":\"prod\",\"artifact\":{\"from\":\"upstream\"},\"idempotencyKey\":\"walkthrough-$(date +%s)\"}")
ID=$(jq -r .id <<<"$P")
echo "promotion $ID: $(jq -r .state <<<"$P")"
case "$(jq -r .state <<<"$P")" in
  awaiting-approval) ;;
  deployed | syncing) echo "prod already runs what staging runs: nothing to approve"; exit 0 ;;
  *) echo "unexpected state"; jq . <<<"$P"; exit 1 ;;
esac

say "4. the requester cannot approve; alice and dave can"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$B/slipway/promotions/$ID/decisions" \
  -H "authorization: Bearer $REQ" -H 'content-type: application/json' -d '{"decision":"approve"}')
echo "requester approves: HTTP $code"
[ "$code" -ge 400 ]
for T in "$ALICE" "$DAVE"; do
  api POST "/slipway/promotions/$ID/decisions" "$T" '{"decision":"approve","comment":"ok"}' | jq -r .state
done

say "5. the pull request"
PR=$(api GET "/slipway/promotions/$ID" "$REQ" | jq -r '.pullRequest.number')
echo "pull request #$PR: $(api GET "/slipway/promotions/$ID" "$REQ" | jq -r .pullRequest.url)"
curl -fsS -X POST -H "authorization: Bearer $ADMIN_TOKEN" -H 'content-type: application/json' \
  "$SANDBOX_ADMIN/admin/repos/acme/gitops/pulls/$PR/merge" -d '{}' >/dev/null
echo "merged in the sandbox (a reviewer pressing Merge)"

say "6. the reconciler sees the merge; prod syncs manually here (no Argo CD write token in the development config)"
for _ in $(seq 1 90); do
  s=$(state_of "$ID")
  if [ "$s" = syncing ]; then
    sync=$(curl -fsS "$ARGOCD/api/v1/applications/$ENTITY-prod" -H "authorization: Bearer $ARGOCD_WRITE" | jq -r .status.sync.status)
    if [ "$sync" = OutOfSync ]; then
      curl -fsS -X POST "$ARGOCD/api/v1/applications/$ENTITY-prod/sync" \
        -H "authorization: Bearer $ARGOCD_WRITE" -H 'content-type: application/json' -d '{}' >/dev/null || true
    fi
  fi
  [ "$s" = deployed ] && break
  case "$s" in failed | cancelled | superseded) echo "ended $s"; exit 1 ;; esac
  sleep 2
done
api GET "/slipway/promotions/$ID" "$REQ" | jq -c '{state, timeline: [.timeline[] | .state]}'
[ "$(state_of "$ID")" = deployed ]

say "7. roll prod back to a digest it ran before (from its history), with a reason"
NOW=$(api GET "/slipway/promotions/$ID" "$REQ" | jq -r .artifact.digest)
BEFORE=$(api GET "$E/history?environment=prod&limit=50" "$REQ" |
  jq -r --arg now "$NOW" '[.items[] | .image.digest // empty | select(. != $now)][0] // empty')
if [ -n "$BEFORE" ]; then
  R=$(api POST "$E/rollbacks" "$REQ" "{\"environment\":\"prod\",\"digest\":\"$BEFORE\",\"reason\":\"walkthrough: error rate up after the release\"}")
  jq -c '{id, kind, state, digest: .artifact.digest}' <<<"$R"
fi
echo "done"
