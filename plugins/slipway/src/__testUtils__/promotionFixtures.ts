import {
  Freeze,
  GateResult,
  Promotion,
  PromotionPreview,
} from '@slipway/plugin-slipway-common';
import { ago, DIGEST_NEW, DIGEST_OLD, SHA_NEW } from './fixtures';

export const ENTITY_REF = 'component:default/payments-api';

const DIFF = `Index: a/apps/payments-api/overlays/staging/kustomization.yaml
===================================================================
--- a/apps/payments-api/overlays/staging/kustomization.yaml
+++ b/apps/payments-api/overlays/staging/kustomization.yaml
@@ -3,5 +3,5 @@
 images:
   - name: harbor.example.com/acme/payments-api
-    newTag: 0f1e2d3c4b5a69788796a5b4c3d2e1f098765432
-    digest: ${DIGEST_OLD}
+    newTag: ${SHA_NEW}
+    digest: ${DIGEST_NEW}
`;

const passingGates: GateResult[] = [
  {
    type: 'ci-passed',
    status: 'pass',
    reason: 'CI run ci #42 passed for a1b2c3d4e5f6',
    policy: { name: 'default', version: 3 },
  },
  {
    type: 'soak',
    status: 'pending',
    reason: 'Soaking in dev: 30 of 60 min',
    policy: { name: 'default', version: 3 },
    changesAt: ago(-1800),
  },
  {
    type: 'scan',
    status: 'unknown',
    reason: 'Registry is error; the gate cannot be checked',
    policy: { name: 'default', version: 3 },
  },
  {
    type: 'signature',
    status: 'fail',
    reason: 'The artifact is not signed',
    policy: { name: 'default', version: 3 },
  },
];

export function preview(
  overrides: Partial<PromotionPreview> = {},
): PromotionPreview {
  return {
    entityRef: ENTITY_REF,
    environment: 'staging',
    artifact: {
      repository: 'harbor.example.com/acme/payments-api',
      digest: DIGEST_NEW,
      tag: SHA_NEW,
      sourceCommit: SHA_NEW,
    },
    mode: 'direct',
    policies: [{ name: 'default', version: 3 }],
    gates: passingGates,
    verdict: 'blocked',
    overlay: {
      path: 'apps/payments-api/overlays/staging/kustomization.yaml',
      diff: DIFF,
      changed: true,
    },
    current: {
      repository: 'harbor.example.com/acme/payments-api',
      tag: '0f1e2d3c4b5a69788796a5b4c3d2e1f098765432',
      digest: DIGEST_OLD,
    },
    ...overrides,
  };
}

export function promotion(overrides: Partial<Promotion> = {}): Promotion {
  return {
    id: 'p-1',
    entityRef: ENTITY_REF,
    environment: 'staging',
    kind: 'promotion',
    artifact: {
      repository: 'harbor.example.com/acme/payments-api',
      digest: DIGEST_NEW,
      tag: SHA_NEW,
      sourceCommit: SHA_NEW,
    },
    state: 'executing',
    mode: 'direct',
    requester: 'user:default/guest',
    breakGlass: false,
    policies: [{ name: 'default', version: 3 }],
    gates: [],
    approvals: [],
    createdAt: ago(120),
    updatedAt: ago(60),
    timeline: [
      { at: ago(120), actor: 'user:default/guest', state: 'requested' },
      { at: ago(60), actor: 'slipway', state: 'executing' },
    ],
    ...overrides,
  };
}

export const awaitingApproval = (overrides: Partial<Promotion> = {}) =>
  promotion({
    id: 'p-prod',
    environment: 'prod',
    state: 'awaiting-approval',
    mode: 'pull-request',
    gates: [
      {
        type: 'approvals',
        status: 'pending',
        reason:
          '1 of 2 approvals; members of group:default/platform-admins, group:default/sre other than the requester may approve',
        policy: { name: 'default', version: 3 },
      },
    ],
    approvals: [
      {
        approver: 'user:default/ada',
        decision: 'approve',
        comment: 'Looks good',
        at: ago(30),
      },
    ],
    timeline: [
      { at: ago(120), actor: 'user:default/guest', state: 'requested' },
      {
        at: ago(100),
        actor: 'slipway',
        state: 'awaiting-approval',
        message: 'Waiting for 2 approvals',
      },
    ],
    ...overrides,
  });

export function freeze(overrides: Partial<Freeze> = {}): Freeze {
  return {
    id: 'f-1',
    scope: 'environment',
    target: 'prod',
    reason: 'Black Friday',
    createdBy: 'user:default/platform-lead',
    createdAt: ago(3600),
    until: '2026-05-05T08:00:00.000Z',
    ...overrides,
  };
}
