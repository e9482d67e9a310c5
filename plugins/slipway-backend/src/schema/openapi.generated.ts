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
  },
} as const;
