import fs from 'fs';
import os from 'os';
import path from 'path';
import { testContext } from '../__testUtils__/actionContext';
import { createKustomizeImageSetAction } from './kustomizeImageSet';

const IMAGE = 'harbor.example.com/acme/payments-api';
const SHA = '3f2c1b7e9d8a6c5b4a3f2e1d0c9b8a7f6e5d4c3b';
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const ORIGINAL = `# Overlay of payments-api in dev.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: payments-api-dev # keep this comment (the yaml library writes one space before inline comments)
resources:
  - ../../base
images:
  # the app
  - name: ${IMAGE}
    newTag: old-tag
  - name: docker.io/library/redis
    newTag: "7.2"
`;

describe('slipway:kustomize:image:set', () => {
  let tmp: string;
  let workspace: string;
  beforeEach(async () => {
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'slipway-image-'));
    workspace = path.join(tmp, 'workspace');
    fs.mkdirSync(path.join(workspace, 'apps/payments-api/overlays/dev'), {
      recursive: true,
    });
  });
  afterEach(async () => {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  });

  const file = () =>
    path.join(workspace, 'apps/payments-api/overlays/dev/kustomization.yaml');
  const run = async (input: Record<string, unknown>) => {
    const context = testContext({
      input: { path: 'apps/payments-api/overlays/dev', name: IMAGE, ...input },
      workspacePath: workspace,
      scratchRoot: tmp,
    });
    await createKustomizeImageSetAction().handler(context.ctx);
    return context.outputs;
  };

  it('changes only the tag line, keeping comments and layout', async () => {
    fs.writeFileSync(file(), ORIGINAL);
    const outputs = await run({ newTag: SHA });
    expect(outputs).toEqual({
      changed: true,
      file: 'apps/payments-api/overlays/dev/kustomization.yaml',
    });
    expect(fs.readFileSync(file(), 'utf8')).toBe(
      ORIGINAL.replace('newTag: old-tag', `newTag: ${SHA}`),
    );
  });

  it('is idempotent', async () => {
    fs.writeFileSync(file(), ORIGINAL);
    await run({ newTag: SHA, digest: DIGEST });
    const once = fs.readFileSync(file(), 'utf8');
    const outputs = await run({ newTag: SHA, digest: DIGEST });
    expect(outputs.changed).toBe(false);
    expect(fs.readFileSync(file(), 'utf8')).toBe(once);
    expect(once).toContain(`digest: ${DIGEST}`);
  });

  it('adds an entry (and the images list) when missing', async () => {
    fs.writeFileSync(file(), 'resources:\n  - ../../base\n');
    await run({ newName: 'ghcr.io/acme/payments-api', newTag: 'v1' });
    expect(fs.readFileSync(file(), 'utf8')).toBe(
      `resources:\n  - ../../base\nimages:\n  - name: ${IMAGE}\n    newName: ghcr.io/acme/payments-api\n    newTag: v1\n`,
    );
  });

  it('finds kustomization.yml and Kustomization too', async () => {
    const dir = path.dirname(file());
    fs.writeFileSync(path.join(dir, 'Kustomization'), 'images: []\n');
    const outputs = await run({ newTag: 'v2' });
    expect(outputs.file).toBe('apps/payments-api/overlays/dev/Kustomization');
  });

  it('fails with InputError without a kustomization, or with nothing to set', async () => {
    await expect(run({ newTag: 'v1' })).rejects.toMatchObject({
      name: 'InputError',
    });
    fs.writeFileSync(file(), ORIGINAL);
    await expect(run({})).rejects.toMatchObject({ name: 'InputError' });
    await expect(
      run({ newTag: 'v1', path: 'apps/payments-api/overlays/prod' }),
    ).rejects.toMatchObject({
      name: 'InputError',
    });
  });
});
