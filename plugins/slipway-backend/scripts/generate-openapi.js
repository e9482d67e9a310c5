#!/usr/bin/env node
/* eslint-disable no-restricted-syntax */
// Produces src/schema/openapi.generated.ts from src/schema/openapi.yaml.
// `--check` exits 1 when the generated file is out of date.
const fs = require('fs');
const path = require('path');
const yaml = require('yaml');
const prettier = require('prettier');

const root = path.resolve(__dirname, '..');
const source = path.join(root, 'src/schema/openapi.yaml');
const target = path.join(root, 'src/schema/openapi.generated.ts');

function render() {
  const spec = yaml.parse(fs.readFileSync(source, 'utf8'));
  const text = `// This file is generated from openapi.yaml by scripts/generate-openapi.js.
// Do not edit it by hand.

export const spec = ${JSON.stringify(spec, null, 2)} as const;
`;
  return prettier.format(text, {
    ...require('@backstage/cli/config/prettier.json'),
    parser: 'typescript',
  });
}

const wanted = render();
if (process.argv.includes('--check')) {
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (current !== wanted) {
    console.error('openapi.generated.ts is out of date: run generate:openapi');
    process.exit(1);
  }
} else {
  fs.writeFileSync(target, wanted);
}
