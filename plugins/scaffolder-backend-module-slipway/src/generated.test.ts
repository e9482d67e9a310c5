import fs from 'fs';
import path from 'path';
import { REPO_ROOT, TEMPLATES_DIR } from './__testUtils__/paths';
import { renderActionsReference } from './docs/actionsReference';
import { SANDBOX_PORTAL } from './__testUtils__/sandboxPortal';
import { serviceTemplateYaml } from './templates/serviceTemplates';

/**
 * Generated files must match their sources. Run `yarn generate` in this
 * package (SLIPWAY_GENERATE=1) to rewrite them.
 */
const update = process.env.SLIPWAY_GENERATE === '1';

function check(file: string, expected: string) {
  if (update) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, expected);
    return;
  }
  const actual = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (actual !== expected) {
    throw new Error(
      `${path.relative(
        REPO_ROOT,
        file,
      )} is stale: run \`yarn generate\` in plugins/scaffolder-backend-module-slipway`,
    );
  }
}

describe('generated files', () => {
  it('docs/scaffolder.md matches the action schemas', () => {
    check(path.join(REPO_ROOT, 'docs/scaffolder.md'), renderActionsReference());
  });

  it('templates/service/template.yaml matches its source', () => {
    check(
      path.join(TEMPLATES_DIR, 'service', 'template.yaml'),
      serviceTemplateYaml(SANDBOX_PORTAL),
    );
  });
});
