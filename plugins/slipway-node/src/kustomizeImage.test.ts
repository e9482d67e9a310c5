import { execFile } from 'child_process';
import fc from 'fast-check';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { promisify } from 'util';
import { parse as parseYaml } from 'yaml';
import {
  KustomizeImage,
  readKustomizeImages,
  setKustomizeImage,
  setKustomizeImageArtifact,
} from './kustomizeImage';

// Renders overlays with `kubectl kustomize` (the oracle).
jest.setTimeout(120_000);

const run = promisify(execFile);
const IMAGE = 'registry.example.com/team/app';
const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;
const SHA_1 = '3f2c1b7e9d8a6c5b4a3f2e1d0c9b8a7f6e5d4c3b';
const SHA_2 = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d';

type Entry = {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
};

/**
 * `kustomize edit set image` as kustomize v5 implements it
 * (kustomize/commands/edit/set/setimage.go): the argument replaces the
 * entry, `*` keeps a field. {@link setKustomizeImage} is the argument
 * `<name>=<newName or *>` followed by `:<tag>`/`@<digest>` when given, or
 * `:*@*` when neither is.
 */
function kustomizeSetImage(entries: Entry[], image: KustomizeImage): Entry[] {
  const pins = image.newTag !== undefined || image.digest !== undefined;
  const arg = {
    name: image.name,
    newName: image.newName ?? '*',
    newTag: pins ? image.newTag ?? '' : '*',
    digest: pins ? image.digest ?? '' : '*',
  };
  const existing = entries.find(e => e.name === image.name) ?? {
    name: image.name,
  };
  const merged: Entry = { name: image.name };
  for (const field of ['newName', 'newTag', 'digest'] as const) {
    const value = arg[field] === '*' ? existing[field] ?? '' : arg[field];
    if (value) merged[field] = value;
  }
  const others = entries.filter(e => e.name !== image.name);
  return [...others, merged].sort((a, b) => a.name.localeCompare(b.name));
}

function sortedImages(content: string): Entry[] {
  const images: Entry[] = parseYaml(content)?.images ?? [];
  return images
    .map(e => JSON.parse(JSON.stringify(e)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe('setKustomizeImage follows `kustomize edit set image`', () => {
  it('setting a tag clears a digest pinned for an older build', () => {
    const pinned = `images:\n  - name: ${IMAGE}\n    newTag: ${SHA_1}\n    digest: ${DIGEST_A}\n`;
    const result = setKustomizeImage(pinned, { name: IMAGE, newTag: SHA_2 });
    expect(result.changed).toBe(true);
    expect(readKustomizeImages(result.content)).toEqual([
      { name: IMAGE, newTag: SHA_2 },
    ]);
  });

  it('setting a digest clears the tag of the previous build', () => {
    const tagged = `images:\n  - name: ${IMAGE}\n    newTag: ${SHA_1}\n`;
    const result = setKustomizeImage(tagged, { name: IMAGE, digest: DIGEST_B });
    expect(readKustomizeImages(result.content)).toEqual([
      { name: IMAGE, digest: DIGEST_B },
    ]);
  });

  it('an artifact writes its tag and digest together', () => {
    const tagged = `images:\n  - name: ${IMAGE}\n    newTag: ${SHA_1}\n    digest: ${DIGEST_A}\n`;
    const result = setKustomizeImageArtifact(tagged, {
      name: IMAGE,
      tag: SHA_2,
      digest: DIGEST_B,
    });
    expect(readKustomizeImages(result.content)).toEqual([
      { name: IMAGE, newTag: SHA_2, digest: DIGEST_B },
    ]);
    expect(
      setKustomizeImageArtifact(result.content, {
        name: IMAGE,
        tag: SHA_2,
        digest: DIGEST_B,
      }),
    ).toEqual({ content: result.content, changed: false });
    expect(() =>
      setKustomizeImageArtifact(tagged, {
        name: IMAGE,
        tag: '',
        digest: DIGEST_B,
      }),
    ).toThrow(/both its tag and its digest/);
    expect(() =>
      setKustomizeImageArtifact(tagged, {
        name: IMAGE,
        tag: SHA_2,
        digest: '',
      }),
    ).toThrow(/both its tag and its digest/);
  });

  it('a new name alone keeps the tag and digest (`<name>=<newName>:*@*`)', () => {
    const pinned = `images:\n  - name: ${IMAGE}\n    newTag: ${SHA_1}\n    digest: ${DIGEST_A}\n`;
    const result = setKustomizeImage(pinned, {
      name: IMAGE,
      newName: 'mirror.example.com/team/app',
    });
    expect(readKustomizeImages(result.content)).toEqual([
      {
        name: IMAGE,
        newName: 'mirror.example.com/team/app',
        newTag: SHA_1,
        digest: DIGEST_A,
      },
    ]);
  });

  it('a tag keeps the new name (`<name>=*:<tag>`)', () => {
    const renamed = `images:\n  - name: ${IMAGE}\n    newName: mirror.example.com/app\n    newTag: v1\n`;
    expect(
      readKustomizeImages(
        setKustomizeImage(renamed, { name: IMAGE, newTag: 'v2' }).content,
      ),
    ).toEqual([
      { name: IMAGE, newName: 'mirror.example.com/app', newTag: 'v2' },
    ]);
  });

  it('matches the kustomize model on any kustomization and argument (property)', () => {
    const name = fc.constantFrom('a.example.com/x', 'b.example.com/y', 'c/z');
    const tag = fc.constantFrom('v1', 'v2', SHA_1, SHA_2, '1.0.0');
    const digest = fc.constantFrom(DIGEST_A, DIGEST_B);
    const newName = fc.constantFrom('m.example.com/x', 'm.example.com/y');
    const entry = fc.record(
      { name, newName, newTag: tag, digest },
      { requiredKeys: ['name'] },
    );
    const entries = fc.uniqueArray(entry, {
      selector: e => e.name,
      maxLength: 3,
    });
    const argument = fc
      .record(
        { name, newName, newTag: tag, digest },
        { requiredKeys: ['name'] },
      )
      .filter(
        a =>
          a.newName !== undefined ||
          a.newTag !== undefined ||
          a.digest !== undefined,
      );
    fc.assert(
      fc.property(entries, argument, (before, image) => {
        const content = `# keep me\nresources:\n  - ../../base\nimages: ${JSON.stringify(
          before,
        )}\n`;
        const result = setKustomizeImage(content, image);
        expect(sortedImages(result.content)).toEqual(
          kustomizeSetImage(before, image),
        );
        expect(result.content.startsWith('# keep me\n')).toBe(true);
        // Idempotent.
        expect(setKustomizeImage(result.content, image)).toEqual({
          content: result.content,
          changed: false,
        });
      }),
      { numRuns: 300, seed: 9 },
    );
  });
});

describe('setKustomizeImage edits the parsed tree', () => {
  it('keeps comments, order and other keys; touches only the named entry', () => {
    const before = [
      '# overlay for dev',
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      '  - ../../base # the base',
      'images:',
      '  # the app',
      `  - name: ${IMAGE}`,
      '    newTag: old # set by CI',
      '  - name: other.example.com/sidecar',
      '    newTag: "1.2"',
      'namespace: app-dev',
      '',
    ].join('\n');
    const result = setKustomizeImage(before, { name: IMAGE, newTag: 'new' });
    expect(result.content).toBe(before.replace('newTag: old', 'newTag: new'));
  });

  it('adds the list and the entry when missing, and starts an empty file', () => {
    expect(setKustomizeImage('', { name: IMAGE, newTag: 'v1' })).toEqual({
      content: `images:\n  - name: ${IMAGE}\n    newTag: v1\n`,
      changed: true,
    });
    expect(
      setKustomizeImage('namespace: x\nimages:\n', {
        name: IMAGE,
        newTag: 'v1',
      }).content,
    ).toBe(`namespace: x\nimages:\n  - name: ${IMAGE}\n    newTag: v1\n`);
    expect(
      setKustomizeImage('images: []\n', { name: IMAGE, digest: DIGEST_A })
        .changed,
    ).toBe(true);
  });

  it('is idempotent, also for a numeric tag written without quotes', () => {
    const numeric = `images:\n  - name: ${IMAGE}\n    newTag: 1234\n`;
    expect(setKustomizeImage(numeric, { name: IMAGE, newTag: '1234' })).toEqual(
      {
        content: numeric,
        changed: false,
      },
    );
    expect(readKustomizeImages(numeric)).toEqual([
      { name: IMAGE, newTag: '1234' },
    ]);
  });

  it.each([
    ['a tag with a newline', { name: IMAGE, newTag: 'v1\nx: y' }],
    ['a tag starting with a dot', { name: IMAGE, newTag: '.v1' }],
    ['a tag of 129 characters', { name: IMAGE, newTag: 'a'.repeat(129) }],
    ['a short digest', { name: IMAGE, digest: 'sha256:abc' }],
    [
      'a digest of another algorithm',
      { name: IMAGE, digest: `md5:${'a'.repeat(64)}` },
    ],
    [
      'an upper-case digest',
      { name: IMAGE, digest: `sha256:${'A'.repeat(64)}` },
    ],
    ['a name with a space', { name: 'bad name', newTag: 'v1' }],
    ['a new name with a colon-space', { name: IMAGE, newName: 'a: b' }],
    ['nothing to set', { name: IMAGE }],
  ])('refuses %s', (_what, image) => {
    expect(() => setKustomizeImage('images: []\n', image)).toThrow(
      expect.objectContaining({ name: 'InputError' }),
    );
  });

  it('accepts the boundaries of the grammars', () => {
    for (const newTag of ['a'.repeat(128), '_x', 'v1.2-3_4', '0']) {
      expect(setKustomizeImage('', { name: IMAGE, newTag }).changed).toBe(true);
    }
  });

  it.each([
    ['a list at the top', '- a\n- b\n', /must be a mapping/],
    ['images that are not a list', 'images: x\n', /must be a list/],
    ['a duplicate key', 'images: []\nimages: []\n', /does not parse/],
    ['broken YAML', 'images: [\n', /does not parse/],
    [
      'the image listed twice',
      `images:\n  - name: ${IMAGE}\n  - name: ${IMAGE}\n`,
      /more than once/,
    ],
    [
      'more than 256 KiB',
      `# ${'x'.repeat(256 * 1024)}\n`,
      /larger than 256 KiB/,
    ],
  ])('refuses a kustomization with %s', (_what, content, message) => {
    expect(() =>
      setKustomizeImage(content, { name: IMAGE, newTag: 'v1' }),
    ).toThrow(message);
  });
});

describe('readKustomizeImages', () => {
  it('reads entries through the common rule', () => {
    expect(
      readKustomizeImages(
        `images:\n  - name: ${IMAGE}\n    newName: m/app\n    newTag: v1\n    digest: ${DIGEST_A}\n  - newTag: no-name\n  - just a string\n`,
      ),
    ).toEqual([
      { name: IMAGE, newName: 'm/app', newTag: 'v1', digest: DIGEST_A },
    ]);
    expect(readKustomizeImages('')).toEqual([]);
    expect(readKustomizeImages('namespace: x\n')).toEqual([]);
    expect(readKustomizeImages('images:\n')).toEqual([]);
  });

  it('applies the same checks as the edits', () => {
    expect(() => readKustomizeImages('images: {}\n')).toThrow(/must be a list/);
    expect(() => readKustomizeImages('- a\n')).toThrow(/must be a mapping/);
    expect(() => readKustomizeImages(`# ${'x'.repeat(256 * 1024)}`)).toThrow(
      /256 KiB/,
    );
  });
});

describe('the oracle: what `kubectl kustomize` renders after an edit', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(
      path.join(os.tmpdir(), 'slipway-kustomize-'),
    );
    await fs.promises.mkdir(path.join(dir, 'base'));
    await fs.promises.mkdir(path.join(dir, 'overlay'));
    await fs.promises.writeFile(
      path.join(dir, 'base', 'kustomization.yaml'),
      'resources:\n  - deployment.yaml\n',
    );
    await fs.promises.writeFile(
      path.join(dir, 'base', 'deployment.yaml'),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${IMAGE}:base\n`,
    );
  });
  afterAll(async () => {
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  async function rendered(kustomization: string): Promise<string> {
    await fs.promises.writeFile(
      path.join(dir, 'overlay', 'kustomization.yaml'),
      kustomization,
    );
    const { stdout } = await run('kubectl', [
      'kustomize',
      path.join(dir, 'overlay'),
    ]);
    return parseYaml(stdout).spec.template.spec.containers[0].image;
  }

  const overlay = (images: string) => `resources:\n  - ../base\n${images}`;
  const pinned = overlay(
    `images:\n  - name: ${IMAGE}\n    newTag: ${SHA_1}\n    digest: ${DIGEST_A}\n`,
  );

  it('a tag set over a digest pin is what runs', async () => {
    // The old edit kept the digest: Kubernetes would still run build A.
    expect(await rendered(pinned)).toBe(`${IMAGE}:${SHA_1}@${DIGEST_A}`);
    const edited = setKustomizeImage(pinned, { name: IMAGE, newTag: SHA_2 });
    expect(await rendered(edited.content)).toBe(`${IMAGE}:${SHA_2}`);
  });

  it("a digest runs alone, without the previous build's tag", async () => {
    const edited = setKustomizeImage(pinned, { name: IMAGE, digest: DIGEST_B });
    expect(await rendered(edited.content)).toBe(`${IMAGE}@${DIGEST_B}`);
  });

  it('an artifact runs as <repository>:<tag>@<digest>, under a new name too', async () => {
    const edited = setKustomizeImageArtifact(pinned, {
      name: IMAGE,
      newName: 'mirror.example.com/team/app',
      tag: SHA_2,
      digest: DIGEST_B,
    });
    expect(await rendered(edited.content)).toBe(
      `mirror.example.com/team/app:${SHA_2}@${DIGEST_B}`,
    );
  });

  it('a new entry in an overlay without images', async () => {
    const edited = setKustomizeImage(overlay(''), {
      name: IMAGE,
      newTag: 'v9',
    });
    expect(await rendered(edited.content)).toBe(`${IMAGE}:v9`);
  });
});
