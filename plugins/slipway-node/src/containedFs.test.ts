import fs from 'fs';
import os from 'os';
import path from 'path';
import {
  readContainedTree,
  resolveContainedPath,
  writeContainedFile,
} from './containedFs';

describe('contained file access', () => {
  let tmp: string;
  let root: string;
  beforeEach(async () => {
    tmp = await fs.promises.mkdtemp(
      path.join(os.tmpdir(), 'slipway-contained-'),
    );
    root = path.join(tmp, 'root');
    fs.mkdirSync(root);
  });
  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('writes and reads inside the root', async () => {
    await writeContainedFile(root, 'a/b/c.yaml', 'x: 1\n');
    expect(await readContainedTree(root, 'a')).toEqual([
      { path: 'a/b/c.yaml', content: 'x: 1\n' },
    ]);
  });

  it.each([
    '../x',
    '/x',
    '%2e%2e/x',
    'a/\u0000',
    'a/.git/config',
    '.git/hooks/pre-commit',
  ])('refuses %j', async relative => {
    await expect(writeContainedFile(root, relative, 'x')).rejects.toMatchObject(
      {
        name: 'InputError',
      },
    );
    expect(fs.readdirSync(tmp)).toEqual(['root']);
  });

  it('refuses a symlinked folder and a symlinked file', async () => {
    fs.mkdirSync(path.join(tmp, 'outside'));
    fs.symlinkSync(path.join(tmp, 'outside'), path.join(root, 'link'));
    await expect(writeContainedFile(root, 'link/x.yaml', 'x')).rejects.toThrow(
      /symbolic link/,
    );
    fs.writeFileSync(path.join(tmp, 'target.yaml'), 'original');
    fs.mkdirSync(path.join(root, 'dir'));
    fs.symlinkSync(
      path.join(tmp, 'target.yaml'),
      path.join(root, 'dir/file.yaml'),
    );
    await expect(
      writeContainedFile(root, 'dir/file.yaml', 'x'),
    ).rejects.toThrow(/symbolic link/);
    expect(fs.readFileSync(path.join(tmp, 'target.yaml'), 'utf8')).toBe(
      'original',
    );
    expect(fs.readdirSync(path.join(tmp, 'outside'))).toEqual([]);
  });

  it('refuses a symlink anywhere in a tree it reads', async () => {
    fs.mkdirSync(path.join(root, 'a/b'), { recursive: true });
    fs.symlinkSync('/etc/passwd', path.join(root, 'a/b/passwd'));
    await expect(readContainedTree(root, 'a')).rejects.toThrow(/symbolic link/);
  });

  it('bounds what it reads', async () => {
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(root, `f${i}`), 'x');
    await expect(readContainedTree(root, '.', { maxFiles: 3 })).rejects.toThrow(
      /more than 3 files/,
    );
  });

  it('resolves a missing path inside the real root', async () => {
    const resolved = await resolveContainedPath(root, 'x/y.yaml');
    expect(resolved).toBe(path.join(fs.realpathSync(root), 'x/y.yaml'));
  });
});
