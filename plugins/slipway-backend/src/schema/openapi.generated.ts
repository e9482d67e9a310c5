// This file is generated from openapi.yaml by scripts/generate-openapi.js.
// Do not edit it by hand.

export const spec = {
  openapi: '3.1.0',
  info: {
    title: 'slipway',
    version: '1',
    description:
      'The Slipway backend API. This file is the source of truth; the router is validated against it and `openapi.generated.ts` is produced from it by `yarn workspace @slipway/plugin-slipway-backend generate:openapi`.',
    license: {
      name: 'Apache-2.0',
    },
  },
  servers: [
    {
      url: '/',
    },
  ],
  components: {
    parameters: {
      kind: {
        name: 'kind',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
          pattern: '^[A-Za-z0-9_-]{1,63}$',
        },
      },
      namespace: {
        name: 'namespace',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
          pattern: '^[A-Za-z0-9._-]{1,63}$',
        },
      },
      name: {
        name: 'name',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
          pattern: '^[A-Za-z0-9._-]{1,253}$',
        },
      },
      limit: {
        name: 'limit',
        in: 'query',
        required: false,
        schema: {
          type: 'integer',
          minimum: 1,
          maximum: 500,
        },
      },
      cursor: {
        name: 'cursor',
        in: 'query',
        required: false,
        description: "Opaque cursor from a previous page's nextCursor.",
        schema: {
          type: 'string',
          maxLength: 200,
        },
      },
      environment: {
        name: 'environment',
        in: 'query',
        required: false,
        schema: {
          type: 'string',
          pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
        },
      },
      policyName: {
        name: 'policyName',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
          pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
        },
      },
    },
    schemas: {
      Error: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: {
              name: {
                type: 'string',
              },
              message: {
                type: 'string',
              },
            },
            required: ['name', 'message'],
          },
        },
        required: ['error'],
      },
      Environment: {
        type: 'object',
        additionalProperties: false,
        properties: {
          name: {
            type: 'string',
          },
          syncMode: {
            type: 'string',
            enum: ['auto', 'manual'],
          },
        },
        required: ['name', 'syncMode'],
      },
      AnnotationFinding: {
        type: 'object',
        additionalProperties: false,
        properties: {
          annotation: {
            type: 'string',
          },
          purpose: {
            type: 'string',
          },
          value: {
            type: 'string',
          },
          problem: {
            type: 'string',
          },
        },
        required: ['annotation', 'purpose'],
      },
      EntityDeployConfig: {
        type: 'object',
        additionalProperties: false,
        properties: {
          entityRef: {
            type: 'string',
          },
          annotations: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/AnnotationFinding',
            },
          },
          missing: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          gitops: {
            type: 'object',
            additionalProperties: false,
            properties: {
              repo: {
                type: 'string',
              },
              path: {
                type: 'string',
              },
            },
            required: ['repo', 'path'],
          },
          image: {
            type: 'string',
          },
          argocd: {
            type: 'object',
            additionalProperties: false,
            properties: {
              appSelector: {
                type: 'string',
              },
              appName: {
                type: 'string',
              },
              instance: {
                type: 'string',
              },
            },
          },
          ci: {
            type: 'object',
            additionalProperties: false,
            properties: {
              provider: {
                type: 'string',
                enum: ['github', 'gitlab'],
              },
              projectSlug: {
                type: 'string',
              },
            },
            required: ['provider', 'projectSlug'],
          },
          registry: {
            type: 'object',
            additionalProperties: false,
            properties: {
              harborRepositorySlug: {
                type: 'string',
              },
            },
            required: ['harborRepositorySlug'],
          },
          quality: {
            type: 'object',
            additionalProperties: false,
            properties: {
              sonarqubeProjectKey: {
                type: 'string',
              },
            },
            required: ['sonarqubeProjectKey'],
          },
          environments: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/Environment',
            },
          },
          providers: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              properties: {
                kind: {
                  type: 'string',
                  enum: ['ci', 'artifacts', 'quality', 'delivery', 'gitops'],
                },
                id: {
                  type: 'string',
                },
              },
              required: ['kind', 'id'],
            },
          },
        },
        required: [
          'entityRef',
          'annotations',
          'missing',
          'environments',
          'providers',
        ],
      },
      PolicyVersion: {
        type: 'object',
        additionalProperties: false,
        properties: {
          name: {
            type: 'string',
          },
          version: {
            type: 'integer',
            minimum: 1,
          },
          policy: {
            type: 'object',
            description:
              'A promotion policy; its full schema is promotionPolicySchema in slipway-common.',
          },
          comment: {
            type: 'string',
          },
          createdBy: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
        },
        required: ['name', 'version', 'policy', 'createdBy', 'createdAt'],
      },
      PolicyList: {
        type: 'object',
        additionalProperties: false,
        properties: {
          items: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/PolicyVersion',
            },
          },
        },
        required: ['items'],
      },
      SourceReport: {
        type: 'object',
        description:
          'How one upstream source fared; never contains credentials.',
        properties: {
          source: {
            type: 'string',
          },
          kind: {
            type: 'string',
            enum: ['gitops', 'delivery', 'ci', 'artifacts', 'quality'],
          },
          status: {
            type: 'string',
            enum: ['ok', 'error', 'stale', 'unconfigured', 'rate-limited'],
          },
          fetchedAt: {
            type: 'string',
            format: 'date-time',
          },
          message: {
            type: 'string',
          },
          retryAt: {
            type: 'string',
            format: 'date-time',
          },
        },
        required: ['source', 'kind', 'status'],
      },
      ImageRef: {
        type: 'object',
        properties: {
          repository: {
            type: 'string',
          },
          tag: {
            type: 'string',
          },
          digest: {
            type: 'string',
          },
        },
        required: ['repository'],
      },
      CommitInfo: {
        type: 'object',
        properties: {
          sha: {
            type: 'string',
          },
          message: {
            type: 'string',
          },
          author: {
            type: 'string',
          },
          committedAt: {
            type: 'string',
          },
          url: {
            type: 'string',
          },
        },
        required: ['sha'],
      },
      BuildRun: {
        type: 'object',
        properties: {
          id: {
            type: 'string',
          },
          name: {
            type: 'string',
          },
          status: {
            type: 'string',
            enum: ['queued', 'in_progress', 'completed'],
          },
          conclusion: {
            type: 'string',
          },
          commit: {
            type: 'string',
          },
          branch: {
            type: 'string',
          },
          startedAt: {
            type: 'string',
          },
          completedAt: {
            type: 'string',
          },
          durationSeconds: {
            type: 'number',
          },
          url: {
            type: 'string',
          },
        },
        required: ['id', 'status', 'commit'],
      },
      RolloutState: {
        type: 'object',
        properties: {
          strategy: {
            type: 'string',
            enum: ['canary', 'blueGreen'],
          },
          phase: {
            type: 'string',
          },
          currentStep: {
            type: 'integer',
          },
          totalSteps: {
            type: 'integer',
          },
          weight: {
            type: 'number',
          },
          paused: {
            type: 'boolean',
          },
          analysis: {
            type: 'string',
          },
          message: {
            type: 'string',
          },
        },
        required: ['strategy'],
      },
      LiveState: {
        type: 'object',
        properties: {
          application: {
            type: 'string',
          },
          instance: {
            type: 'string',
          },
          syncStatus: {
            type: 'string',
            enum: ['Synced', 'OutOfSync', 'Unknown'],
          },
          healthStatus: {
            type: 'string',
            enum: [
              'Healthy',
              'Progressing',
              'Degraded',
              'Suspended',
              'Missing',
              'Unknown',
            ],
          },
          revision: {
            type: 'string',
          },
          images: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          operation: {
            type: 'object',
            properties: {
              phase: {
                type: 'string',
              },
              startedAt: {
                type: 'string',
              },
              finishedAt: {
                type: 'string',
              },
              message: {
                type: 'string',
              },
              revision: {
                type: 'string',
              },
            },
            required: ['phase'],
          },
          lastSyncedAt: {
            type: 'string',
          },
          reconciledAt: {
            type: 'string',
          },
          rollout: {
            $ref: '#/components/schemas/RolloutState',
          },
          url: {
            type: 'string',
          },
        },
        required: [
          'application',
          'instance',
          'syncStatus',
          'healthStatus',
          'images',
        ],
      },
      ArtifactState: {
        type: 'object',
        properties: {
          image: {
            $ref: '#/components/schemas/ImageRef',
          },
          sourceCommit: {
            type: 'string',
          },
          pushedAt: {
            type: 'string',
          },
          build: {
            $ref: '#/components/schemas/BuildRun',
          },
          scan: {
            type: 'object',
            properties: {
              scanner: {
                type: 'string',
              },
              status: {
                type: 'string',
                enum: ['Success', 'Pending', 'Running', 'Error', 'NotScanned'],
              },
              critical: {
                type: 'integer',
              },
              high: {
                type: 'integer',
              },
              medium: {
                type: 'integer',
              },
              low: {
                type: 'integer',
              },
              unknown: {
                type: 'integer',
              },
              fixable: {
                type: 'integer',
              },
              completedAt: {
                type: 'string',
              },
              reportUrl: {
                type: 'string',
              },
            },
            required: [
              'scanner',
              'status',
              'critical',
              'high',
              'medium',
              'low',
              'unknown',
            ],
          },
          quality: {
            type: 'object',
            properties: {
              status: {
                type: 'string',
                enum: ['OK', 'WARN', 'ERROR', 'NONE'],
              },
              url: {
                type: 'string',
              },
              conditions: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    metric: {
                      type: 'string',
                    },
                    status: {
                      type: 'string',
                    },
                    actual: {
                      type: 'string',
                    },
                    threshold: {
                      type: 'string',
                    },
                  },
                  required: ['metric', 'status'],
                },
              },
            },
            required: ['status'],
          },
          signature: {
            type: 'object',
            properties: {
              signed: {
                type: 'boolean',
              },
              count: {
                type: 'integer',
              },
            },
            required: ['signed', 'count'],
          },
          url: {
            type: 'string',
          },
        },
        required: ['image'],
      },
      EnvironmentState: {
        type: 'object',
        properties: {
          environment: {
            type: 'string',
          },
          syncMode: {
            type: 'string',
            enum: ['auto', 'manual'],
          },
          desired: {
            type: 'object',
            properties: {
              path: {
                type: 'string',
              },
              image: {
                $ref: '#/components/schemas/ImageRef',
              },
              commit: {
                $ref: '#/components/schemas/CommitInfo',
              },
              promotionId: {
                type: 'string',
              },
            },
            required: ['path'],
          },
          live: {
            $ref: '#/components/schemas/LiveState',
          },
          drift: {
            type: 'object',
            properties: {
              drifted: {
                type: 'boolean',
              },
              reasons: {
                type: 'array',
                items: {
                  type: 'string',
                },
              },
            },
            required: ['drifted', 'reasons'],
          },
          deployed: {
            type: 'boolean',
          },
          artifact: {
            $ref: '#/components/schemas/ArtifactState',
          },
        },
        required: ['environment', 'syncMode', 'drift', 'deployed'],
      },
      EntityState: {
        type: 'object',
        properties: {
          entityRef: {
            type: 'string',
          },
          generatedAt: {
            type: 'string',
            format: 'date-time',
          },
          environments: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/EnvironmentState',
            },
          },
          builds: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/BuildRun',
            },
          },
          sources: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/SourceReport',
            },
          },
        },
        required: [
          'entityRef',
          'generatedAt',
          'environments',
          'builds',
          'sources',
        ],
      },
      HistoryPage: {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                environment: {
                  type: 'string',
                },
                source: {
                  type: 'string',
                  enum: ['gitops', 'argocd'],
                },
                revision: {
                  type: 'string',
                },
                image: {
                  $ref: '#/components/schemas/ImageRef',
                },
                at: {
                  type: 'string',
                },
                author: {
                  type: 'string',
                },
                message: {
                  type: 'string',
                },
                promotionId: {
                  type: 'string',
                },
              },
              required: ['environment', 'source', 'revision', 'at'],
            },
          },
          nextCursor: {
            type: 'string',
          },
          sources: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/SourceReport',
            },
          },
        },
        required: ['items', 'sources'],
      },
      FleetPage: {
        type: 'object',
        properties: {
          environments: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/Environment',
            },
          },
          items: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                entityRef: {
                  type: 'string',
                },
                title: {
                  type: 'string',
                },
                owner: {
                  type: 'string',
                },
                system: {
                  type: 'string',
                },
                cells: {
                  type: 'object',
                  additionalProperties: {
                    type: 'object',
                    properties: {
                      tag: {
                        type: 'string',
                      },
                      digest: {
                        type: 'string',
                      },
                      syncStatus: {
                        type: 'string',
                      },
                      healthStatus: {
                        type: 'string',
                      },
                      deployed: {
                        type: 'boolean',
                      },
                      behind: {
                        type: 'boolean',
                      },
                    },
                    required: ['deployed', 'behind'],
                  },
                },
              },
              required: ['entityRef', 'cells'],
            },
          },
          totalItems: {
            type: 'integer',
          },
          nextCursor: {
            type: 'string',
          },
          sources: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/SourceReport',
            },
          },
        },
        required: ['environments', 'items', 'totalItems', 'sources'],
      },
    },
  },
  paths: {
    '/environments': {
      get: {
        operationId: 'GetEnvironments',
        description: 'The configured environments, in promotion order.',
        responses: {
          '200': {
            description: 'Environments.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    items: {
                      type: 'array',
                      items: {
                        $ref: '#/components/schemas/Environment',
                      },
                    },
                  },
                  required: ['items'],
                },
              },
            },
          },
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}/config': {
      get: {
        operationId: 'GetEntityConfig',
        description:
          "What Slipway reads from an entity's annotations and the portal's configuration. Entities the caller may not see are not found.",
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
        ],
        responses: {
          '200': {
            description: "The entity's Slipway configuration.",
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/EntityDeployConfig',
                },
              },
            },
          },
          default: {
            description: 'Error.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/policies': {
      get: {
        operationId: 'ListPolicies',
        description: 'The latest version of every promotion policy.',
        responses: {
          '200': {
            description: 'Policies.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/PolicyList',
                },
              },
            },
          },
          default: {
            description: 'Error.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/policies/{policyName}': {
      get: {
        operationId: 'GetPolicy',
        parameters: [
          {
            $ref: '#/components/parameters/policyName',
          },
        ],
        responses: {
          '200': {
            description: 'The latest version of the policy.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/PolicyVersion',
                },
              },
            },
          },
          default: {
            description: 'Error.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
      put: {
        operationId: 'SavePolicy',
        description:
          'Creates a new version of a policy. `expectedVersion` is the version the change was made from (0 for a new policy); a mismatch is a 409.',
        parameters: [
          {
            $ref: '#/components/parameters/policyName',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  policy: {
                    type: 'object',
                  },
                  expectedVersion: {
                    type: 'integer',
                    minimum: 0,
                  },
                  comment: {
                    type: 'string',
                    maxLength: 500,
                  },
                },
                required: ['policy', 'expectedVersion'],
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The new version.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/PolicyVersion',
                },
              },
            },
          },
          default: {
            description: 'Error.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/policies/{policyName}/versions': {
      get: {
        operationId: 'GetPolicyHistory',
        description: 'Every version of a policy, newest first.',
        parameters: [
          {
            $ref: '#/components/parameters/policyName',
          },
        ],
        responses: {
          '200': {
            description: 'Versions.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/PolicyList',
                },
              },
            },
          },
          default: {
            description: 'Error.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}/state': {
      get: {
        operationId: 'GetEntityState',
        description:
          'Deploy state of an entity per environment: desired (GitOps), live (Argo CD), drift, artifact, CI and quality, with a report per upstream source. Entities the caller may not see are not found, and no upstream is asked.',
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
        ],
        responses: {
          '200': {
            description: "The entity's deploy state.",
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/EntityState',
                },
              },
            },
          },
          default: {
            description: 'Error.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/entities/{kind}/{namespace}/{name}/history': {
      get: {
        operationId: 'GetEntityHistory',
        description:
          "Deployments of an entity from the GitOps history of each overlay and Argo CD's history, newest first.",
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
          {
            $ref: '#/components/parameters/environment',
          },
          {
            $ref: '#/components/parameters/limit',
          },
          {
            $ref: '#/components/parameters/cursor',
          },
        ],
        responses: {
          '200': {
            description: 'One page of history.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/HistoryPage',
                },
              },
            },
          },
          default: {
            description: 'Error.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/fleet': {
      get: {
        operationId: 'GetFleet',
        description:
          'Every entity the caller may see, by environment. Upstream reads do not grow with the number of entities (one per Argo CD instance and GitOps repository).',
        parameters: [
          {
            name: 'owner',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
              maxLength: 300,
            },
          },
          {
            name: 'system',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
              maxLength: 300,
            },
          },
          {
            $ref: '#/components/parameters/environment',
          },
          {
            $ref: '#/components/parameters/limit',
          },
          {
            $ref: '#/components/parameters/cursor',
          },
        ],
        responses: {
          '200': {
            description: 'One page of the fleet.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/FleetPage',
                },
              },
            },
          },
          default: {
            description: 'Error.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
    '/webhooks/{source}': {
      post: {
        operationId: 'PostWebhook',
        description:
          "Webhooks from GitHub (`X-Hub-Signature-256`), Argo CD notifications (`X-Slipway-Webhook-Secret`) and Harbor (`Authorization`, the webhook's auth header). Unauthenticated for Backstage, checked against the configured secret in constant time, at most 256 KiB. A valid webhook only invalidates cached state and signals the open pages; it never carries data into the state.",
        security: [],
        parameters: [
          {
            name: 'source',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
              enum: ['argocd', 'github', 'harbor'],
            },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
              },
            },
          },
        },
        responses: {
          '202': {
            description: 'Accepted; cached state was invalidated.',
          },
          default: {
            description: 'Error (401 bad signature, 413 too large).',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Error',
                },
              },
            },
          },
        },
      },
    },
  },
} as const;
