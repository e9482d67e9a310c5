#!/usr/bin/env node
/* eslint-disable no-restricted-syntax, no-console */
// Generates src/schema/openapi.generated.ts, the types SlipwayClient is built
// on (with openapi-fetch), from the backend's OpenAPI description
// (plugins/slipway-backend/src/schema/openapi.yaml, the single source of
// truth). See docs/api.md for why this uses openapi-typescript rather than
// `backstage-repo-tools package schema openapi generate --client-package`.
//
// `--check` exits 1 when the generated file is out of date.
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');
// prettier comes with the repository's tooling (hoisted to the root).
// eslint-disable-next-line @backstage/no-undeclared-imports
const prettier = require('prettier');

const root = path.resolve(__dirname, '..');
const source = path.resolve(root, '../slipway-backend/src/schema/openapi.yaml');
const target = path.join(root, 'src/schema/openapi.generated.ts');

async function render() {
  const { default: openapiTS, astToString } = await import(
    'openapi-typescript'
  );
  const types = astToString(
    await openapiTS(pathToFileURL(source), {
      emptyObjectsUnknown: true,
      silent: true,
    }),
  );
  return prettier.format(
    `// This file is generated from plugins/slipway-backend/src/schema/openapi.yaml
// by scripts/generate-openapi.js. Do not edit it by hand: run
// \`yarn generate:openapi\` in this package.

/* eslint-disable */
${types}`,
    {
      ...require('@backstage/cli/config/prettier.json'),
      parser: 'typescript',
    },
  );
}

async function main() {
  const wanted = await render();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(target)
      ? fs.readFileSync(target, 'utf8')
      : '';
    if (current !== wanted) {
      console.error(
        'src/schema/openapi.generated.ts is out of date: run generate:openapi',
      );
      process.exit(1);
    }
    return;
  }
  fs.writeFileSync(target, wanted);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
