// This file is generated from openapi.yaml by scripts/generate-openapi.js.
// Do not edit it by hand: run `yarn generate:openapi` in this package.

import { createValidatedOpenApiRouterFromGeneratedEndpointMap } from '@backstage/backend-openapi-utils';
import type { EndpointMap } from './openapi.types.generated';

export const spec = {
  openapi: '3.1.0',
  info: {
    title: 'slipway',
    version: '1',
    description:
      "The Slipway backend API. This file is the source of truth: the router is validated and type-checked against it, and the server types (`src/schema/openapi.generated.ts`, `src/schema/openapi.types.generated.ts`) and the typed client's types in slipway-common are generated from it by `yarn workspace @slipway/plugin-slipway-backend generate:openapi` and `yarn workspace @slipway/plugin-slipway-common generate:openapi`.",
    license: {
      name: 'Apache-2.0',
      identifier: 'Apache-2.0',
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
        description:
          "The catalog's kind rule (a letter, then letters and digits).",
        schema: {
          type: 'string',
          pattern: '^[A-Za-z][A-Za-z0-9]{0,62}$',
        },
      },
      namespace: {
        name: 'namespace',
        in: 'path',
        required: true,
        description: "The catalog's namespace rule (a DNS-1123 label).",
        schema: {
          type: 'string',
          pattern: '^[a-zA-Z0-9](?:[-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$',
        },
      },
      name: {
        name: 'name',
        in: 'path',
        required: true,
        description:
          "The catalog's name rule - letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit, at most 63 characters; `.` and `..` are refused.",
        schema: {
          type: 'string',
          pattern: '^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$',
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
          $ref: '#/components/schemas/DnsLabel',
        },
      },
      policyName: {
        name: 'policyName',
        in: 'path',
        required: true,
        schema: {
          $ref: '#/components/schemas/DnsLabel',
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
      SyncMode: {
        type: 'string',
        enum: ['auto', 'manual'],
      },
      Environment: {
        type: 'object',
        description: 'SlipwayEnvironment in slipway-common.',
        additionalProperties: false,
        properties: {
          name: {
            type: 'string',
          },
          syncMode: {
            $ref: '#/components/schemas/SyncMode',
          },
        },
        required: ['name', 'syncMode'],
      },
      EnvironmentList: {
        type: 'object',
        additionalProperties: false,
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
      ProviderKind: {
        type: 'string',
        enum: ['ci', 'artifacts', 'quality', 'delivery', 'gitops'],
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
          flux: {
            type: 'object',
            additionalProperties: false,
            properties: {
              selector: {
                type: 'string',
              },
              cluster: {
                type: 'string',
              },
            },
            required: ['selector'],
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
                  $ref: '#/components/schemas/ProviderKind',
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
      DnsLabel: {
        type: 'string',
        pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$',
      },
      EntityRef: {
        type: 'string',
        description:
          'A full entity reference, e.g. group:default/platform-admins.',
        pattern: '^[a-z]+:[a-z0-9][a-z0-9._-]*/[a-zA-Z0-9][a-zA-Z0-9._-]*$',
      },
      Clock: {
        type: 'string',
        description: 'HH:MM.',
        pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
      },
      GateCount: {
        type: 'integer',
        minimum: 0,
        maximum: 100000,
      },
      DeployWindow: {
        type: 'object',
        additionalProperties: false,
        properties: {
          days: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'string',
              enum: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
            },
          },
          start: {
            $ref: '#/components/schemas/Clock',
          },
          end: {
            $ref: '#/components/schemas/Clock',
          },
        },
        required: ['days', 'start', 'end'],
      },
      PolicyGate: {
        description:
          'A gate in a promotion policy. Mirrors gateSchema in slipway-common, which stays the validator (it also checks time zones and gives the messages people read).',
        oneOf: [
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              type: {
                type: 'string',
                enum: ['ci-passed'],
              },
            },
            required: ['type'],
          },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              type: {
                type: 'string',
                enum: ['scan'],
              },
              maxCritical: {
                $ref: '#/components/schemas/GateCount',
              },
              maxHigh: {
                $ref: '#/components/schemas/GateCount',
              },
              maxMedium: {
                $ref: '#/components/schemas/GateCount',
              },
              maxLow: {
                $ref: '#/components/schemas/GateCount',
              },
              maxUnknown: {
                $ref: '#/components/schemas/GateCount',
              },
            },
            required: ['type'],
          },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              type: {
                type: 'string',
                enum: ['quality-gate'],
              },
            },
            required: ['type'],
          },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              type: {
                type: 'string',
                enum: ['signature'],
              },
              identity: {
                type: 'string',
                minLength: 1,
                maxLength: 512,
              },
              issuer: {
                type: 'string',
                format: 'uri',
              },
            },
            required: ['type', 'identity', 'issuer'],
          },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              type: {
                type: 'string',
                enum: ['soak'],
              },
              upstream: {
                $ref: '#/components/schemas/DnsLabel',
              },
              minutes: {
                type: 'integer',
                minimum: 1,
                maximum: 43200,
              },
            },
            required: ['type', 'upstream', 'minutes'],
          },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              type: {
                type: 'string',
                enum: ['approvals'],
              },
              count: {
                type: 'integer',
                minimum: 1,
                maximum: 10,
              },
              groups: {
                type: 'array',
                minItems: 1,
                maxItems: 50,
                items: {
                  $ref: '#/components/schemas/EntityRef',
                },
              },
            },
            required: ['type', 'count', 'groups'],
          },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              type: {
                type: 'string',
                enum: ['deploy-window'],
              },
              timeZone: {
                type: 'string',
                description: 'An IANA time zone, e.g. Europe/Berlin.',
              },
              allow: {
                type: 'array',
                minItems: 1,
                maxItems: 50,
                items: {
                  $ref: '#/components/schemas/DeployWindow',
                },
              },
              deny: {
                type: 'array',
                maxItems: 50,
                items: {
                  $ref: '#/components/schemas/DeployWindow',
                },
              },
            },
            required: ['type', 'timeZone', 'allow'],
          },
          {
            type: 'object',
            additionalProperties: false,
            description:
              'The named check passed for the promoted digest in an upstream environment: the commit status slipway/verify/<environment>/<check> on the commit that built the image.',
            properties: {
              type: {
                type: 'string',
                enum: ['verification'],
              },
              check: {
                type: 'string',
                pattern: '^[a-z][a-z0-9_-]{0,62}$',
              },
              environment: {
                $ref: '#/components/schemas/DnsLabel',
              },
            },
            required: ['type', 'check'],
          },
          {
            type: 'object',
            additionalProperties: false,
            properties: {
              type: {
                type: 'string',
                enum: ['freeze'],
              },
              reason: {
                type: 'string',
                minLength: 1,
                maxLength: 500,
              },
            },
            required: ['type', 'reason'],
          },
        ],
      },
      EnvironmentRule: {
        type: 'object',
        additionalProperties: false,
        properties: {
          mode: {
            type: 'string',
            enum: ['direct', 'pull-request'],
          },
          autoPromote: {
            type: 'boolean',
          },
          sync: {
            type: 'boolean',
            description:
              'Manual-sync environments - ask Argo CD to sync once the commit lands.',
          },
          gates: {
            type: 'array',
            maxItems: 50,
            items: {
              $ref: '#/components/schemas/PolicyGate',
            },
          },
        },
        required: ['mode', 'gates'],
      },
      PromotionPolicy: {
        type: 'object',
        description:
          'The body of a promotion policy. Mirrors promotionPolicySchema in slipway-common (the validator of record).',
        additionalProperties: false,
        properties: {
          description: {
            type: 'string',
            maxLength: 2000,
          },
          selector: {
            type: 'object',
            additionalProperties: false,
            properties: {
              kinds: {
                type: 'array',
                maxItems: 50,
                items: {
                  type: 'string',
                  minLength: 1,
                  maxLength: 63,
                },
              },
              owners: {
                type: 'array',
                maxItems: 200,
                items: {
                  $ref: '#/components/schemas/EntityRef',
                },
              },
              systems: {
                type: 'array',
                maxItems: 200,
                items: {
                  $ref: '#/components/schemas/EntityRef',
                },
              },
              entities: {
                type: 'array',
                maxItems: 1000,
                items: {
                  $ref: '#/components/schemas/EntityRef',
                },
              },
            },
          },
          environments: {
            type: 'object',
            propertyNames: {
              $ref: '#/components/schemas/DnsLabel',
            },
            additionalProperties: {
              $ref: '#/components/schemas/EnvironmentRule',
            },
          },
        },
        required: ['selector', 'environments'],
      },
      PolicyVersion: {
        type: 'object',
        description: 'PromotionPolicyVersion in slipway-common.',
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
            $ref: '#/components/schemas/PromotionPolicy',
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
      SourceKind: {
        type: 'string',
        enum: ['gitops', 'delivery', 'ci', 'artifacts', 'quality'],
      },
      SourceStatus: {
        type: 'string',
        description:
          '`pending` appears only in the partial snapshots of a streamed state (`Accept: application/x-ndjson`): the source has not answered yet.',
        enum: [
          'ok',
          'error',
          'stale',
          'unconfigured',
          'rate-limited',
          'pending',
        ],
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
            $ref: '#/components/schemas/SourceKind',
          },
          status: {
            $ref: '#/components/schemas/SourceStatus',
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
      DesiredState: {
        type: 'object',
        description: 'What Git says should run in an environment.',
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
      BuildRun: {
        type: 'object',
        properties: {
          id: {
            type: 'string',
          },
          name: {
            type: 'string',
          },
          number: {
            type: 'integer',
          },
          status: {
            type: 'string',
            enum: ['queued', 'in_progress', 'completed'],
          },
          conclusion: {
            type: 'string',
            enum: [
              'success',
              'failure',
              'cancelled',
              'skipped',
              'timed_out',
              'neutral',
              'action_required',
              'stale',
            ],
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
      BlueGreenState: {
        type: 'object',
        properties: {
          activeService: {
            type: 'string',
          },
          previewService: {
            type: 'string',
          },
          activeSelector: {
            type: 'string',
          },
          previewSelector: {
            type: 'string',
          },
          currentPodHash: {
            type: 'string',
          },
          autoPromotionEnabled: {
            type: 'boolean',
          },
        },
      },
      RolloutState: {
        type: 'object',
        properties: {
          strategy: {
            type: 'string',
            enum: ['canary', 'blueGreen', 'deployment'],
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
            enum: [
              'Pending',
              'Running',
              'Successful',
              'Failed',
              'Error',
              'Inconclusive',
            ],
          },
          pauseReason: {
            type: 'string',
          },
          blueGreen: {
            $ref: '#/components/schemas/BlueGreenState',
          },
          message: {
            type: 'string',
          },
        },
        required: ['strategy'],
      },
      SyncStatus: {
        type: 'string',
        enum: ['Synced', 'OutOfSync', 'Unknown'],
      },
      HealthStatus: {
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
            $ref: '#/components/schemas/SyncStatus',
          },
          healthStatus: {
            $ref: '#/components/schemas/HealthStatus',
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
                enum: [
                  'Running',
                  'Terminating',
                  'Succeeded',
                  'Failed',
                  'Error',
                ],
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
          controller: {
            type: 'string',
            enum: ['argocd', 'flux'],
          },
          namespace: {
            type: 'string',
          },
          secrets: {
            type: 'array',
            maxItems: 20,
            items: {
              $ref: '#/components/schemas/SecretHealth',
            },
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
      SecretKind: {
        type: 'string',
        enum: [
          'ExternalSecret',
          'SealedSecret',
          'SecretStore',
          'ClusterSecretStore',
        ],
      },
      SecretHealth: {
        type: 'object',
        properties: {
          kind: {
            $ref: '#/components/schemas/SecretKind',
          },
          name: {
            type: 'string',
          },
          namespace: {
            type: 'string',
          },
          health: {
            $ref: '#/components/schemas/HealthStatus',
          },
          message: {
            type: 'string',
            maxLength: 300,
          },
        },
        required: ['kind', 'name', 'health'],
      },
      ScanSummary: {
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
      QualityGate: {
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
      SignerIdentity: {
        type: 'object',
        description:
          'Who made a cosign keyless signature, as its Fulcio certificate says: the Subject Alternative Name (a CI workflow URI or an email) and the OIDC issuer (extension 1.3.6.1.4.1.57264.1.8). Read from the registry, not cryptographically verified by Slipway.',
        properties: {
          identity: {
            type: 'string',
          },
          issuer: {
            type: 'string',
          },
        },
        required: ['identity', 'issuer'],
      },
      SignatureState: {
        type: 'object',
        properties: {
          signed: {
            type: 'boolean',
          },
          count: {
            type: 'integer',
          },
          signers: {
            type: 'array',
            description:
              'Who signed. Absent when not read (artifact lists) or not readable (unknown); empty only when the registry lists no signature.',
            items: {
              $ref: '#/components/schemas/SignerIdentity',
            },
          },
        },
        required: ['signed', 'count'],
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
            $ref: '#/components/schemas/ScanSummary',
          },
          quality: {
            $ref: '#/components/schemas/QualityGate',
          },
          signature: {
            $ref: '#/components/schemas/SignatureState',
          },
          url: {
            type: 'string',
          },
        },
        required: ['image'],
      },
      LastKnownVerdict: {
        type: 'object',
        description:
          'What last-known data says when the GitOps or Argo CD source was not ok in this answer; never shown as current.',
        properties: {
          deployed: {
            type: 'boolean',
          },
          reason: {
            type: 'string',
          },
          sources: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          since: {
            type: 'string',
            format: 'date-time',
          },
        },
        required: ['deployed', 'reason', 'sources'],
      },
      EnvironmentState: {
        type: 'object',
        properties: {
          environment: {
            type: 'string',
          },
          syncMode: {
            $ref: '#/components/schemas/SyncMode',
          },
          controller: {
            type: 'string',
            enum: ['argocd', 'flux'],
          },
          desired: {
            $ref: '#/components/schemas/DesiredState',
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
          deployedReason: {
            type: 'string',
          },
          lastKnown: {
            $ref: '#/components/schemas/LastKnownVerdict',
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
      HistoryEntry: {
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
      HistoryPage: {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/HistoryEntry',
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
      FleetCell: {
        type: 'object',
        properties: {
          tag: {
            type: 'string',
          },
          digest: {
            type: 'string',
          },
          syncStatus: {
            $ref: '#/components/schemas/SyncStatus',
          },
          healthStatus: {
            $ref: '#/components/schemas/HealthStatus',
          },
          deployed: {
            type: 'boolean',
          },
          lastKnown: {
            $ref: '#/components/schemas/LastKnownVerdict',
          },
          behind: {
            type: 'boolean',
          },
          drifted: {
            type: 'boolean',
          },
          driftReasons: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          rollout: {
            $ref: '#/components/schemas/FleetRollout',
          },
          since: {
            type: 'string',
            format: 'date-time',
          },
          verdict: {
            $ref: '#/components/schemas/EnvironmentVerdict',
          },
        },
        required: ['deployed', 'behind', 'verdict'],
      },
      EnvironmentVerdictKind: {
        type: 'string',
        enum: [
          'awaiting-first-deploy',
          'awaiting-sync',
          'rolling-out',
          'deployed',
          'degraded',
          'drifted',
          'failed',
          'unknown',
        ],
      },
      VerdictTone: {
        type: 'string',
        enum: ['ok', 'warning', 'error', 'progress', 'unknown'],
      },
      EnvironmentVerdict: {
        type: 'object',
        description:
          'The one verdict of an environment (the common environmentVerdict rule), worded as the Deploy tab words it.',
        properties: {
          kind: {
            $ref: '#/components/schemas/EnvironmentVerdictKind',
          },
          label: {
            type: 'string',
          },
          reason: {
            type: 'string',
          },
          tone: {
            $ref: '#/components/schemas/VerdictTone',
          },
          progress: {
            type: 'object',
            properties: {
              text: {
                type: 'string',
              },
              percent: {
                type: 'number',
              },
            },
            required: ['text'],
          },
          lastKnownAt: {
            type: 'string',
            format: 'date-time',
          },
          lastKnown: {
            type: 'object',
            properties: {
              kind: {
                $ref: '#/components/schemas/EnvironmentVerdictKind',
              },
              label: {
                type: 'string',
              },
            },
            required: ['kind', 'label'],
          },
        },
        required: ['kind', 'label', 'reason', 'tone'],
      },
      FleetRollout: {
        type: 'string',
        enum: ['progressing', 'paused', 'failed'],
      },
      FleetBuild: {
        type: 'object',
        properties: {
          status: {
            type: 'string',
            enum: ['passed', 'failed', 'running', 'other'],
          },
          name: {
            type: 'string',
          },
          url: {
            type: 'string',
          },
          at: {
            type: 'string',
            format: 'date-time',
          },
          lastKnown: {
            type: 'boolean',
          },
        },
        required: ['status'],
      },
      FleetScan: {
        type: 'object',
        properties: {
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
          url: {
            type: 'string',
          },
          lastKnown: {
            type: 'boolean',
          },
        },
        required: ['status', 'critical', 'high'],
      },
      FleetUnknownFilter: {
        type: 'object',
        properties: {
          name: {
            type: 'string',
            enum: ['owner', 'system', 'environment'],
          },
          value: {
            type: 'string',
          },
        },
        required: ['name', 'value'],
      },
      FleetRow: {
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
              $ref: '#/components/schemas/FleetCell',
            },
          },
          controller: {
            type: 'string',
            enum: ['argocd', 'flux'],
          },
          notSetUp: {
            type: 'boolean',
          },
          build: {
            $ref: '#/components/schemas/FleetBuild',
          },
          scan: {
            $ref: '#/components/schemas/FleetScan',
          },
        },
        required: ['entityRef', 'cells'],
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
              $ref: '#/components/schemas/FleetRow',
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
          facets: {
            type: 'object',
            properties: {
              owners: {
                type: 'array',
                items: {
                  type: 'string',
                },
              },
              systems: {
                type: 'array',
                items: {
                  type: 'string',
                },
              },
            },
            required: ['owners', 'systems'],
          },
          unknownFilters: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/FleetUnknownFilter',
            },
          },
        },
        required: ['environments', 'items', 'totalItems', 'sources'],
      },
      Digest: {
        type: 'string',
        pattern: '^sha256:[a-f0-9]{64}$',
      },
      GateResult: {
        type: 'object',
        additionalProperties: false,
        properties: {
          type: {
            type: 'string',
            enum: [
              'ci-passed',
              'scan',
              'quality-gate',
              'signature',
              'soak',
              'approvals',
              'deploy-window',
              'verification',
              'freeze',
            ],
          },
          status: {
            type: 'string',
            enum: ['pass', 'fail', 'pending', 'unknown'],
          },
          reason: {
            type: 'string',
          },
          policy: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: {
                type: 'string',
              },
              version: {
                type: 'integer',
              },
            },
            required: ['name', 'version'],
          },
          changesAt: {
            type: 'string',
            format: 'date-time',
          },
        },
        required: ['type', 'status', 'reason'],
      },
      GatesVerdict: {
        type: 'string',
        enum: ['ready', 'awaiting-approval', 'pending', 'blocked'],
      },
      PolicyRef: {
        type: 'object',
        additionalProperties: false,
        properties: {
          name: {
            type: 'string',
          },
          version: {
            type: 'integer',
          },
        },
        required: ['name', 'version'],
      },
      PromotionState: {
        type: 'string',
        enum: [
          'requested',
          'blocked',
          'awaiting-approval',
          'executing',
          'committed',
          'pr-open',
          'syncing',
          'deployed',
          'failed',
          'cancelled',
          'superseded',
          'no-op',
        ],
      },
      PromotionArtifact: {
        type: 'object',
        additionalProperties: false,
        properties: {
          repository: {
            type: 'string',
          },
          digest: {
            type: 'string',
          },
          tag: {
            type: 'string',
          },
          sourceCommit: {
            type: 'string',
          },
        },
        required: ['repository', 'digest'],
      },
      PromotionEvent: {
        type: 'object',
        additionalProperties: false,
        properties: {
          at: {
            type: 'string',
            format: 'date-time',
          },
          actor: {
            type: 'string',
          },
          state: {
            $ref: '#/components/schemas/PromotionState',
          },
          message: {
            type: 'string',
          },
        },
        required: ['at', 'actor', 'state'],
      },
      PromotionApproval: {
        type: 'object',
        additionalProperties: false,
        properties: {
          approver: {
            type: 'string',
          },
          decision: {
            type: 'string',
            enum: ['approve', 'reject'],
          },
          comment: {
            type: 'string',
          },
          at: {
            type: 'string',
            format: 'date-time',
          },
        },
        required: ['approver', 'decision', 'at'],
      },
      Promotion: {
        type: 'object',
        additionalProperties: false,
        properties: {
          id: {
            type: 'string',
          },
          entityRef: {
            type: 'string',
          },
          environment: {
            type: 'string',
          },
          kind: {
            type: 'string',
            enum: ['promotion', 'rollback'],
          },
          artifact: {
            $ref: '#/components/schemas/PromotionArtifact',
          },
          state: {
            $ref: '#/components/schemas/PromotionState',
          },
          mode: {
            type: 'string',
            enum: ['direct', 'pull-request'],
          },
          requester: {
            type: 'string',
          },
          reason: {
            type: 'string',
          },
          breakGlass: {
            type: 'boolean',
          },
          policies: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/PolicyRef',
            },
          },
          gates: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/GateResult',
            },
          },
          verdict: {
            $ref: '#/components/schemas/GatesVerdict',
          },
          approvals: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/PromotionApproval',
            },
          },
          commit: {
            type: 'object',
            additionalProperties: false,
            properties: {
              sha: {
                type: 'string',
              },
              url: {
                type: 'string',
              },
            },
            required: ['sha'],
          },
          pullRequest: {
            type: 'object',
            additionalProperties: false,
            properties: {
              number: {
                type: 'integer',
              },
              url: {
                type: 'string',
              },
              branch: {
                type: 'string',
              },
              state: {
                type: 'string',
                enum: ['open', 'merged', 'closed'],
              },
            },
            required: ['number', 'url', 'branch'],
          },
          error: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
          updatedAt: {
            type: 'string',
            format: 'date-time',
          },
          timeline: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/PromotionEvent',
            },
          },
        },
        required: [
          'id',
          'entityRef',
          'environment',
          'kind',
          'artifact',
          'state',
          'mode',
          'requester',
          'breakGlass',
          'policies',
          'gates',
          'approvals',
          'createdAt',
          'updatedAt',
          'timeline',
        ],
      },
      PromotionList: {
        type: 'object',
        additionalProperties: false,
        properties: {
          items: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/Promotion',
            },
          },
          nextCursor: {
            type: 'string',
          },
        },
        required: ['items'],
      },
      PromotionRequest: {
        type: 'object',
        additionalProperties: false,
        properties: {
          environment: {
            $ref: '#/components/schemas/DnsLabel',
          },
          artifact: {
            oneOf: [
              {
                type: 'object',
                additionalProperties: false,
                properties: {
                  digest: {
                    $ref: '#/components/schemas/Digest',
                  },
                },
                required: ['digest'],
              },
              {
                type: 'object',
                additionalProperties: false,
                properties: {
                  from: {
                    type: 'string',
                    enum: ['upstream'],
                  },
                },
                required: ['from'],
              },
            ],
          },
          idempotencyKey: {
            type: 'string',
            pattern: '^[A-Za-z0-9._:-]{1,128}$',
          },
          breakGlass: {
            type: 'boolean',
          },
          reason: {
            type: 'string',
            maxLength: 2000,
          },
        },
        required: ['environment', 'artifact'],
      },
      RollbackRequest: {
        type: 'object',
        additionalProperties: false,
        properties: {
          environment: {
            $ref: '#/components/schemas/DnsLabel',
          },
          digest: {
            $ref: '#/components/schemas/Digest',
          },
          reason: {
            type: 'string',
            minLength: 1,
            maxLength: 2000,
          },
          idempotencyKey: {
            type: 'string',
            pattern: '^[A-Za-z0-9._:-]{1,128}$',
          },
        },
        required: ['environment', 'digest', 'reason'],
      },
      PromotionPreview: {
        type: 'object',
        additionalProperties: false,
        properties: {
          entityRef: {
            type: 'string',
          },
          environment: {
            type: 'string',
          },
          artifact: {
            $ref: '#/components/schemas/PromotionArtifact',
          },
          mode: {
            type: 'string',
            enum: ['direct', 'pull-request'],
          },
          policies: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/PolicyRef',
            },
          },
          gates: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/GateResult',
            },
          },
          verdict: {
            $ref: '#/components/schemas/GatesVerdict',
          },
          overlay: {
            type: 'object',
            additionalProperties: false,
            properties: {
              path: {
                type: 'string',
              },
              diff: {
                type: 'string',
              },
              changed: {
                type: 'boolean',
              },
            },
            required: ['path', 'diff', 'changed'],
          },
          current: {
            $ref: '#/components/schemas/ImageRef',
          },
        },
        required: [
          'entityRef',
          'environment',
          'artifact',
          'mode',
          'policies',
          'gates',
          'verdict',
          'overlay',
        ],
      },
      Decision: {
        type: 'object',
        additionalProperties: false,
        properties: {
          decision: {
            type: 'string',
            enum: ['approve', 'reject'],
          },
          comment: {
            type: 'string',
            maxLength: 2000,
          },
        },
        required: ['decision'],
      },
      Freeze: {
        type: 'object',
        additionalProperties: false,
        properties: {
          id: {
            type: 'string',
          },
          scope: {
            type: 'string',
            enum: ['global', 'environment', 'system', 'owner', 'entity'],
          },
          target: {
            type: 'string',
          },
          reason: {
            type: 'string',
          },
          createdBy: {
            type: 'string',
          },
          createdAt: {
            type: 'string',
            format: 'date-time',
          },
          until: {
            type: 'string',
            format: 'date-time',
          },
          liftedBy: {
            type: 'string',
          },
          liftedAt: {
            type: 'string',
            format: 'date-time',
          },
        },
        required: ['id', 'scope', 'reason', 'createdBy', 'createdAt'],
      },
      FreezeList: {
        type: 'object',
        additionalProperties: false,
        properties: {
          items: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/Freeze',
            },
          },
        },
        required: ['items'],
      },
      FreezeRequest: {
        type: 'object',
        additionalProperties: false,
        properties: {
          scope: {
            type: 'string',
            enum: ['global', 'environment', 'system', 'owner', 'entity'],
          },
          target: {
            type: 'string',
            minLength: 1,
            maxLength: 255,
          },
          reason: {
            type: 'string',
            minLength: 1,
            maxLength: 2000,
          },
          until: {
            type: 'string',
            format: 'date-time',
          },
        },
        required: ['scope', 'reason'],
      },
      ProtectionReason: {
        type: 'string',
        enum: ['desired', 'live', 'rollback-candidate'],
      },
      ProtectedImage: {
        type: 'object',
        additionalProperties: false,
        properties: {
          entityRef: {
            type: 'string',
          },
          environment: {
            type: 'string',
          },
          reasons: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/ProtectionReason',
            },
          },
          image: {
            $ref: '#/components/schemas/ImageRef',
          },
          harborRepository: {
            type: 'string',
          },
        },
        required: ['entityRef', 'environment', 'reasons', 'image'],
      },
      UnprotectableImage: {
        type: 'object',
        additionalProperties: false,
        properties: {
          entityRef: {
            type: 'string',
          },
          environment: {
            type: 'string',
          },
          reasons: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/ProtectionReason',
            },
          },
          image: {
            $ref: '#/components/schemas/ImageRef',
          },
          harborRepository: {
            type: 'string',
          },
          problem: {
            type: 'string',
          },
        },
        required: ['entityRef', 'environment', 'reasons', 'image', 'problem'],
      },
      RetentionCandidate: {
        type: 'object',
        additionalProperties: false,
        properties: {
          repository: {
            type: 'string',
          },
          digest: {
            type: 'string',
          },
          tags: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          pushedAt: {
            type: 'string',
          },
        },
        required: ['repository', 'digest', 'tags'],
      },
      RetentionProjectReport: {
        type: 'object',
        additionalProperties: false,
        properties: {
          project: {
            type: 'string',
          },
          retentionId: {
            type: 'integer',
          },
          policy: {
            type: 'string',
            enum: ['created', 'updated', 'unchanged', 'skipped', 'failed'],
          },
          protectedTags: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          otherRules: {
            type: 'integer',
          },
          repositories: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          wouldDelete: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/RetentionCandidate',
            },
          },
          message: {
            type: 'string',
          },
        },
        required: [
          'project',
          'policy',
          'protectedTags',
          'otherRules',
          'repositories',
          'wouldDelete',
        ],
      },
      RetentionReport: {
        type: 'object',
        additionalProperties: false,
        properties: {
          enabled: {
            type: 'boolean',
          },
          status: {
            type: 'string',
            enum: ['never-run', 'ok', 'partial', 'failed'],
          },
          startedAt: {
            type: 'string',
            format: 'date-time',
          },
          finishedAt: {
            type: 'string',
            format: 'date-time',
          },
          keepLastPushed: {
            type: 'integer',
          },
          keepRollbackCandidates: {
            type: 'integer',
          },
          entities: {
            type: 'integer',
          },
          protected: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/ProtectedImage',
            },
          },
          unprotectable: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/UnprotectableImage',
            },
          },
          projects: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/RetentionProjectReport',
            },
          },
          problems: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
        },
        required: [
          'enabled',
          'status',
          'keepLastPushed',
          'keepRollbackCandidates',
          'entities',
          'protected',
          'unprotectable',
          'projects',
          'problems',
        ],
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
                  $ref: '#/components/schemas/EnvironmentList',
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
                    description:
                      'A PromotionPolicy. Checked by promotionPolicySchema in slipway-common, whose messages name the offending field.',
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
          'Deploy state of an entity per environment: desired (GitOps), live (Argo CD), drift, artifact, CI and quality, with a report per upstream source. Entities the caller may not see are not found, and no upstream is asked. With `Accept: application/x-ndjson` the answer is streamed as newline-delimited JSON, each line a whole EntityState: a partial snapshot each time sources answered while others are still under way (those report `pending`, and the parts that depend on them are left out), then the complete state as the last line. Plain JSON (the complete state) is the default.',
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
              'application/x-ndjson': {
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
            name: 'q',
            in: 'query',
            required: false,
            description:
              "Part of the service's name or title (case-insensitive).",
            schema: {
              type: 'string',
              maxLength: 100,
            },
          },
          {
            name: 'attention',
            in: 'query',
            required: false,
            description: 'Only services the common needsAttention rule flags.',
            schema: {
              type: 'boolean',
            },
          },
          {
            name: 'sort',
            in: 'query',
            required: false,
            description:
              'name (default), owner, system, attention, or <environment>.state, <environment>.version, <environment>.age; ties are broken by the entity ref, so pages stay stable.',
            schema: {
              type: 'string',
              maxLength: 80,
              pattern:
                '^(name|owner|system|attention|[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\\.(state|version|age))$',
            },
          },
          {
            name: 'order',
            in: 'query',
            required: false,
            schema: {
              type: 'string',
              enum: ['asc', 'desc'],
            },
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
    '/entities/{kind}/{namespace}/{name}/promotions/preview': {
      post: {
        operationId: 'PreviewPromotion',
        description:
          'What a promotion would do - the artifact resolved to one digest, every gate with its reason, the policy versions and the exact overlay diff. Reads fresh; writes nothing.',
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
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/PromotionRequest',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The preview.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/PromotionPreview',
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
    '/entities/{kind}/{namespace}/{name}/promotions': {
      post: {
        operationId: 'RequestPromotion',
        description:
          'Requests a promotion into an environment (permission slipway.promotion.create on the entity and environment). Idempotent on idempotencyKey. The promotion runs as far as its gates allow.',
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
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/PromotionRequest',
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'The promotion.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Promotion',
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
    '/entities/{kind}/{namespace}/{name}/rollbacks': {
      post: {
        operationId: 'RequestRollback',
        description:
          'Rolls an environment back to a digest it ran before, with a reason - a new commit, never a history rewrite.',
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
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/RollbackRequest',
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'The rollback.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Promotion',
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
    '/promotions': {
      get: {
        operationId: 'ListPromotions',
        description:
          'Promotions, newest first, of entities the caller can see.',
        parameters: [
          {
            name: 'entityRef',
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
            name: 'state',
            in: 'query',
            required: false,
            schema: {
              $ref: '#/components/schemas/PromotionState',
            },
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
            description: 'One page of promotions.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/PromotionList',
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
    '/promotions/{promotionId}': {
      get: {
        operationId: 'GetPromotion',
        description:
          'One promotion with its gates, approvals, commit or pull request and timeline.',
        parameters: [
          {
            name: 'promotionId',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
              format: 'uuid',
            },
          },
        ],
        responses: {
          '200': {
            description: 'The promotion.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Promotion',
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
    '/promotions/{promotionId}/decisions': {
      post: {
        operationId: 'DecidePromotion',
        description:
          'Approves or rejects a promotion. Counts only for members of the approval gate groups, never the requester, bound to the digest, environment and policy versions in force.',
        parameters: [
          {
            name: 'promotionId',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
              format: 'uuid',
            },
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/Decision',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The promotion after the decision.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Promotion',
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
    '/promotions/{promotionId}/cancel': {
      post: {
        operationId: 'CancelPromotion',
        description:
          'Cancels a promotion that has not started writing (the requester, or someone with slipway.promotion.override).',
        parameters: [
          {
            name: 'promotionId',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
              format: 'uuid',
            },
          },
        ],
        responses: {
          '200': {
            description: 'The cancelled promotion.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Promotion',
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
    '/freezes': {
      get: {
        operationId: 'ListFreezes',
        description: 'Active freezes (global means stop the line).',
        responses: {
          '200': {
            description: 'Active freezes.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/FreezeList',
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
      post: {
        operationId: 'CreateFreeze',
        description:
          'Freezes an environment, a system, an owner, an entity or everything (slipway.freeze.manage). Frozen targets accept requests but execute nothing until lifted.',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/FreezeRequest',
              },
            },
          },
        },
        responses: {
          '201': {
            description: 'The freeze.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Freeze',
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
    '/freezes/{freezeId}': {
      delete: {
        operationId: 'LiftFreeze',
        description: 'Lifts a freeze (slipway.freeze.manage).',
        parameters: [
          {
            name: 'freezeId',
            in: 'path',
            required: true,
            schema: {
              type: 'string',
              format: 'uuid',
            },
          },
        ],
        responses: {
          '200': {
            description: 'The lifted freeze.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/Freeze',
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
    '/retention': {
      get: {
        operationId: 'GetRetentionReport',
        description:
          "The last image retention run (slipway.retention.read, platform admins): the images kept because an environment runs them or may roll back to them, those no tag rule can keep, the Harbor retention policy written per project, and what Harbor's retention would delete.",
        responses: {
          '200': {
            description: 'The last retention run.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/RetentionReport',
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

/** A router validated against the spec, its handlers typed by the endpoint map. */
export function createOpenApiRouter(
  options?: Parameters<
    typeof createValidatedOpenApiRouterFromGeneratedEndpointMap
  >[1],
) {
  return createValidatedOpenApiRouterFromGeneratedEndpointMap<EndpointMap>(
    spec,
    options,
  );
}
