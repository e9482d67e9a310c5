import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { load } from 'js-yaml';

/** The repository root (packages/vendor-schemas/src → three levels up). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Vendor specs live beside the repository, in `../shared/specs`. */
export function sharedSpec(file: string): string {
  const specPath = path.resolve(REPO_ROOT, '../shared/specs', file);
  if (!fs.existsSync(specPath)) {
    throw new Error(
      `Vendor spec ${file} is missing: expected it at ${specPath} (the shared/ folder must sit beside the repository)`,
    );
  }
  return specPath;
}

function newAjv(): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: true,
  });
  addFormats(ajv);
  // Swagger and OpenAPI number formats that JSON Schema does not know.
  for (const format of [
    'int32',
    'int64',
    'int',
    'float',
    'double',
    'byte',
    'binary',
    'boolean',
    'password',
  ]) {
    ajv.addFormat(format, true);
  }
  return ajv;
}

export interface SpecValidator {
  /** Validates and returns a readable list of errors (empty when valid). */
  errors(name: string, value: unknown): string[];
}

function validatorFor(ajv: Ajv, id: string, pointer: string): SpecValidator {
  const cache = new Map<string, ValidateFunction>();
  return {
    errors(name, value) {
      let validate = cache.get(name);
      if (!validate) {
        const found = ajv.getSchema(`${id}#/${pointer}/${name}`);
        if (!found) throw new Error(`no schema ${name} in ${id}`);
        validate = found;
        cache.set(name, validate);
      }
      if (validate(value)) return [];
      return (validate.errors ?? []).map(
        e =>
          `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
      );
    },
  };
}

/**
 * Swagger generated from protobuf describes int64 as strings and
 * metav1.Time as `{ seconds, nanos }`, but Argo CD serialises Kubernetes
 * types with their JSON tags: numbers and RFC 3339 strings. Accept both
 * int64 encodings and read v1Time as the date-time string it is on the wire.
 */
function argoWireFormat(schema: unknown): any {
  if (Array.isArray(schema)) return schema.map(argoWireFormat);
  if (schema && typeof schema === 'object') {
    const record = schema as Record<string, unknown>;
    if (record.type === 'string' && record.format === 'int64') {
      return { ...record, type: ['string', 'integer'], format: undefined };
    }
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record))
      result[key] = argoWireFormat(value);
    return result;
  }
  return schema;
}

/** Argo CD's swagger 2.0 definitions (`#/definitions/...`). */
export function argoCdValidator(): SpecValidator {
  const spec = JSON.parse(
    fs.readFileSync(sharedSpec('argocd-swagger.json'), 'utf8'),
  );
  const definitions = argoWireFormat(spec.definitions);
  definitions.v1Time = { type: 'string', format: 'date-time' };
  const ajv = newAjv();
  ajv.addSchema({ $id: 'argocd', definitions });
  return validatorFor(ajv, 'argocd', 'definitions');
}

/**
 * Harbor's swagger 2.0 definitions. Harbor's own YAML is not strict YAML
 * (it needs a lenient parser), and it declares `ExtraAttrs` values as
 * objects while Harbor returns strings there (`"architecture": "amd64"`),
 * and rule `params` as objects while they hold numbers: those definitions
 * are relaxed to what the real service sends.
 */
export function harborValidator(): SpecValidator {
  const spec = load(
    fs.readFileSync(sharedSpec('harbor-v2.0-swagger.yaml'), 'utf8'),
  ) as {
    definitions: Record<string, unknown>;
  };
  const definitions: Record<string, any> = {
    ...spec.definitions,
    ExtraAttrs: { type: 'object' },
  };
  // Retention and immutability rule `params` are Go `interface{}` values:
  // numbers on the wire (`{"latestPushedK": 10}`), declared as objects.
  for (const name of ['RetentionRule', 'ImmutableRule']) {
    const rule = definitions[name] as { properties: Record<string, unknown> };
    definitions[name] = {
      ...rule,
      properties: {
        ...rule.properties,
        params: { type: 'object', additionalProperties: {} },
      },
    };
  }
  const ajv = newAjv();
  ajv.addSchema({ $id: 'harbor', definitions });
  return validatorFor(ajv, 'harbor', 'definitions');
}

/** GitHub Enterprise Server's OpenAPI description from `@octokit/openapi`. */
export function githubValidator(): SpecValidator & {
  forOperation(
    method: string,
    route: string,
    status: number,
    value: unknown,
  ): string[];
} {
  const file = path.join(
    path.dirname(require.resolve('@octokit/openapi/package.json')),
    'generated',
    'ghes-3.19.json',
  );
  const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  const ajv = newAjv();
  ajv.addSchema({ $id: 'ghes', components: openApiNullable(spec.components) });
  const base = validatorFor(ajv, 'ghes', 'components/schemas');
  const operations = new Map<string, ValidateFunction>();
  let counter = 0;
  return {
    ...base,
    forOperation(method, route, status, value) {
      const key = `${method} ${route} ${status}`;
      let validate = operations.get(key);
      if (!validate) {
        const response =
          spec.paths[route]?.[method]?.responses?.[String(status)];
        const resolved = response?.$ref
          ? spec.components.responses[response.$ref.split('/').pop()]
          : response;
        const schema = resolved?.content?.['application/json']?.schema;
        if (!schema) throw new Error(`no response schema for ${key}`);
        counter += 1;
        validate = ajv.compile({
          $id: `ghes-op-${counter}`,
          ...openApiNullable(rewriteRefs(schema)),
        });
        operations.set(key, validate);
      }
      if (validate(value)) return [];
      return (validate.errors ?? []).map(
        e =>
          `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
      );
    },
  };
}

/** OpenAPI 3.0 `nullable` without `type` (on allOf/anyOf/$ref) as JSON Schema. */
function openApiNullable(schema: unknown): any {
  if (Array.isArray(schema)) return schema.map(openApiNullable);
  if (schema && typeof schema === 'object') {
    const { nullable, ...rest } = schema as Record<string, unknown>;
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(rest))
      result[key] = openApiNullable(value);
    if (nullable === true && result.type === undefined) {
      return { anyOf: [result, { type: 'null' }] };
    }
    if (
      nullable === true &&
      Array.isArray(result.enum) &&
      !result.enum.includes(null)
    ) {
      return { ...result, nullable: true, enum: [...result.enum, null] };
    }
    if (nullable === true) return { ...result, nullable: true };
    return result;
  }
  return schema;
}

/** Points `#/components/...` refs of an inline schema at the registered `ghes` document. */
function rewriteRefs(schema: unknown): any {
  if (Array.isArray(schema)) return schema.map(rewriteRefs);
  if (schema && typeof schema === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(schema)) {
      result[key] =
        key === '$ref' && typeof value === 'string' && value.startsWith('#/')
          ? `ghes${value}`
          : rewriteRefs(value);
    }
    return result;
  }
  return schema;
}

/**
 * Validates objects with @kubernetes-models (ESM-only) in a child process;
 * returns the problems, empty when every object is valid.
 */
export function modelProblems(
  model: 'Application' | 'Rollout',
  ...objects: unknown[]
): string[] {
  const script = path.resolve(__dirname, '../scripts/validate-models.mjs');
  const output = execFileSync(process.execPath, [script], {
    cwd: path.dirname(script),
    input: JSON.stringify(objects.map(object => ({ model, object }))),
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(output.toString('utf8'));
}

/**
 * Properties of GitLab's merge request entities that GitLab sends as strings
 * (or null) and Slipway reads or shows: their declared `type: string` is kept.
 */
const GITLAB_STRING_PROPERTIES = new Set([
  'web_url',
  'source_branch',
  'target_branch',
  'merge_commit_sha',
  'squash_commit_sha',
  'sha',
  'merged_at',
  'closed_at',
  'merge_status',
  'detailed_merge_status',
  'reference',
  'base_sha',
  'head_sha',
  'start_sha',
]);

/**
 * GitLab's swagger is generated by grape-swagger from Grape entities, which
 * leaves three gaps between the description and the wire (each visible in
 * GitLab's own examples on docs.gitlab.com/api/merge_requests):
 * - Swagger 2.0 has no `nullable`, and GitLab sends `null` for unset values
 *   (`merge_commit_sha` of an open merge request): every property may be null;
 * - an `expose` without a documented type is declared a bare `type: string`
 *   (no format, enum or example) although GitLab sends numbers, booleans,
 *   arrays or objects there (`upvotes`, `draft`, `labels`, `task_completion_status`):
 *   those accept any JSON value, except the properties in
 *   {@link GITLAB_STRING_PROPERTIES}, which stay strings;
 * - `expose :assignees, using: UserBasic` is declared as one object where
 *   GitLab sends an array of them: a `$ref` property accepts an array of it.
 * Request bodies (`post…`, `put…`) are left as published.
 */
function gitlabWireFormat(schema: any): any {
  if (!schema || typeof schema !== 'object' || !schema.properties) {
    return schema;
  }
  const properties: Record<string, unknown> = {};
  for (const [name, property] of Object.entries<any>(schema.properties)) {
    if (property.$ref) {
      properties[name] = {
        anyOf: [property, { type: 'array', items: property }, { type: 'null' }],
      };
    } else if (
      property.type === 'string' &&
      property.format === undefined &&
      property.enum === undefined &&
      property.example === undefined &&
      !GITLAB_STRING_PROPERTIES.has(name)
    ) {
      properties[name] = {};
    } else if (property.type === 'object') {
      properties[name] = {
        anyOf: [gitlabWireFormat(property), { type: 'null' }],
      };
    } else {
      properties[name] = { anyOf: [property, { type: 'null' }] };
    }
  }
  return { ...schema, properties };
}

/** Points `#/definitions/...` refs of an inline schema at a registered document. */
function rewriteDefinitionRefs(schema: unknown, id: string): any {
  if (Array.isArray(schema))
    return schema.map(s => rewriteDefinitionRefs(s, id));
  if (schema && typeof schema === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(schema)) {
      result[key] =
        key === '$ref' && typeof value === 'string' && value.startsWith('#/')
          ? `${id}${value}`
          : rewriteDefinitionRefs(value, id);
    }
    return result;
  }
  return schema;
}

/** The vendored slice of GitLab's OpenAPI v2 description (merge requests). */
export const GITLAB_MERGE_REQUESTS_SPEC = path.resolve(
  __dirname,
  '../specs/gitlab-openapi-v2-merge-requests.yaml',
);

/**
 * GitLab's merge request API from the vendored slice of GitLab's published
 * swagger (`specs/gitlab-openapi-v2-merge-requests.yaml`, which says what was
 * copied and from where). Response entities are read as they are on the wire
 * (see {@link gitlabWireFormat}); request bodies are checked as published.
 */
export function gitlabValidator(): SpecValidator & {
  /** Checks a response body of an operation of the slice. */
  forOperation(
    method: string,
    route: string,
    status: number,
    value: unknown,
  ): string[];
  /** Checks a request body against the operation's `in: body` parameter. */
  forRequest(method: string, route: string, value: unknown): string[];
  /** The `enum` of a query parameter of an operation, as published. */
  queryEnum(method: string, route: string, name: string): string[];
} {
  const spec = load(fs.readFileSync(GITLAB_MERGE_REQUESTS_SPEC, 'utf8')) as {
    paths: Record<string, Record<string, any>>;
    definitions: Record<string, any>;
    'x-slipway-not-vendored': Record<string, any>;
  };
  const definitions: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries({
    ...spec.definitions,
    ...spec['x-slipway-not-vendored'],
  })) {
    definitions[name] =
      name.startsWith('API_Entities_') || name === 'DetailedStatusEntity'
        ? gitlabWireFormat(definition)
        : definition;
  }
  const ajv = newAjv();
  ajv.addSchema({ $id: 'gitlab', definitions });
  const base = validatorFor(ajv, 'gitlab', 'definitions');
  const compiled = new Map<string, ValidateFunction>();
  let counter = 0;
  const operation = (method: string, route: string) => {
    const found = spec.paths[route]?.[method.toLowerCase()];
    if (!found) throw new Error(`no operation ${method} ${route} in the slice`);
    return found;
  };
  const check = (key: string, schema: unknown, value: unknown) => {
    let validate = compiled.get(key);
    if (!validate) {
      if (!schema) throw new Error(`no schema for ${key}`);
      counter += 1;
      validate = ajv.compile({
        $id: `gitlab-op-${counter}`,
        ...rewriteDefinitionRefs(schema, 'gitlab'),
      });
      compiled.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      e => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
    );
  };
  return {
    ...base,
    forOperation(method, route, status, value) {
      const schema = operation(method, route).responses?.[String(status)]
        ?.schema;
      return check(`${method} ${route} ${status}`, schema, value);
    },
    forRequest(method, route, value) {
      const body = (operation(method, route).parameters ?? []).find(
        (p: { in?: string }) => p.in === 'body',
      );
      return check(`${method} ${route} body`, body?.schema, value);
    },
    queryEnum(method, route, name) {
      const parameter = (operation(method, route).parameters ?? []).find(
        (p: { in?: string; name?: string }) =>
          p.in === 'query' && p.name === name,
      );
      return parameter?.enum ?? [];
    },
  };
}
