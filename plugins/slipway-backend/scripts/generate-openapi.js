#!/usr/bin/env node
/* eslint-disable no-restricted-syntax */
// Generates the server side of the HTTP API from src/schema/openapi.yaml, the
// single source of truth:
//
// - src/schema/openapi.generated.ts: the spec as a constant, and
//   createOpenApiRouter(), the validating router typed by the endpoint map;
// - src/schema/openapi.types.generated.ts: the spec's types (openapi-typescript)
//   and the endpoint map: for every operation its path parameters, query,
//   body and JSON response.
//
// This is the shape `backstage-repo-tools package schema openapi generate
// --server` produces; that command needs openapi-generator's Java jar, which
// cannot be downloaded here (see docs/api.md), so the types come from
// openapi-typescript instead.
//
// `--check` exits 1 when a generated file is out of date.
const fs = require('fs');
const path = require('path');
const yaml = require('yaml');
const prettier = require('prettier');

const root = path.resolve(__dirname, '..');
const source = path.join(root, 'src/schema/openapi.yaml');
const specTarget = path.join(root, 'src/schema/openapi.generated.ts');
const typesTarget = path.join(root, 'src/schema/openapi.types.generated.ts');

const HEADER = `// This file is generated from openapi.yaml by scripts/generate-openapi.js.
// Do not edit it by hand: run \`yarn generate:openapi\` in this package.
`;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function format(text) {
  return prettier.format(text, {
    ...require('@backstage/cli/config/prettier.json'),
    parser: 'typescript',
  });
}

function renderSpec(spec) {
  return format(`${HEADER}
import { createValidatedOpenApiRouterFromGeneratedEndpointMap } from '@backstage/backend-openapi-utils';
import type { EndpointMap } from './openapi.types.generated';

export const spec = ${JSON.stringify(spec, null, 2)} as const;

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
`);
}

function resolveParameter(spec, parameter) {
  if (!parameter.$ref) return parameter;
  const name = parameter.$ref.replace('#/components/parameters/', '');
  return spec.components.parameters[name];
}

/** One entry of the endpoint map, in repo-tools' `#<method>|<path>` form. */
function renderEndpoint(spec, route, method, operation) {
  const op = `operations['${operation.operationId}']`;
  const parameters = [
    ...(spec.paths[route].parameters ?? []),
    ...(operation.parameters ?? []),
  ].map(p => resolveParameter(spec, p));
  const fields = [];
  if (parameters.some(p => p.in === 'path')) {
    fields.push(`path: ${op}['parameters']['path'];`);
  }
  if (parameters.some(p => p.in === 'query')) {
    fields.push(`query: NonNullable<${op}['parameters']['query']>;`);
  }
  if (operation.requestBody) {
    fields.push(
      `body: NonNullable<${op}['requestBody']>['content']['application/json'];`,
    );
  }
  const success = Object.keys(operation.responses).find(code =>
    /^2\d\d$/.test(code),
  );
  const json = operation.responses[success]?.content?.['application/json'];
  fields.push(
    json
      ? `response: ${op}['responses'][${success}]['content']['application/json'];`
      : 'response: void;',
  );
  return [
    `/** \`${method.toUpperCase()} ${route}\` */`,
    `export type ${operation.operationId} = {`,
    ...fields,
    '};',
  ].join('\n');
}

async function renderTypes(spec) {
  // openapi-typescript is a devDependency of slipway-common, hoisted to the
  // root; declaring it here too needs a package.json change (see docs/api.md).
  // eslint-disable-next-line @backstage/no-undeclared-imports
  const { default: openapiTS, astToString } = await import(
    'openapi-typescript'
  );
  const types = astToString(
    await openapiTS(spec, {
      emptyObjectsUnknown: true,
      alphabetize: false,
      silent: true,
    }),
  );
  const endpoints = [];
  const entries = [];
  for (const [route, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      endpoints.push(renderEndpoint(spec, route, method, operation));
      const key = method === 'delete' ? '_delete' : method;
      entries.push(`'#${key}|${route}': ${operation.operationId};`);
    }
  }
  return format(`${HEADER}
/* eslint-disable */
${types}

${endpoints.join('\n\n')}

/** Every operation, keyed as createValidatedOpenApiRouterFromGeneratedEndpointMap expects. */
export type EndpointMap = {
${entries.join('\n')}
};
`);
}

async function main() {
  const spec = yaml.parse(fs.readFileSync(source, 'utf8'));
  const wanted = [
    [specTarget, renderSpec(spec)],
    [typesTarget, await renderTypes(spec)],
  ];
  if (process.argv.includes('--check')) {
    let stale = false;
    for (const [target, text] of wanted) {
      const current = fs.existsSync(target)
        ? fs.readFileSync(target, 'utf8')
        : '';
      if (current !== text) {
        console.error(
          `${path.relative(root, target)} is out of date: run generate:openapi`,
        );
        stale = true;
      }
    }
    process.exit(stale ? 1 : 0);
  }
  for (const [target, text] of wanted) fs.writeFileSync(target, text);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
