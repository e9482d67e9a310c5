import { InputError } from '@backstage/errors';
import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';
import {
  readContainedFile,
  readContainedTree,
  resolveContainedPath,
  writeContainedFile,
} from './containedFs';

// Starts a Unix-socket server for the special-file cases.
jest.setTimeout(60_000);

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

describe('contained file access: threats and limits (mutation-tested)', () => {
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
    jest.restoreAllMocks();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function write(relative: string, content: string) {
    fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    fs.writeFileSync(path.join(root, relative), content);
  }

  async function withSocket<T>(file: string, run: () => Promise<T>) {
    const server = net.createServer();
    await new Promise<void>(resolve => server.listen(file, resolve));
    try {
      return await run();
    } finally {
      await new Promise(resolve => server.close(resolve));
    }
  }

  describe('writeContainedFile', () => {
    it('writes next to an existing file in an existing folder, with multi-letter names', async () => {
      await writeContainedFile(root, 'apps/payments/base/a.yaml', 'a: 1\n');
      await writeContainedFile(root, 'apps/payments/base/b.yaml', 'b: 1\n');
      await writeContainedFile(root, 'top.yaml', 'top: 1\n');
      expect(
        fs.readFileSync(path.join(root, 'apps/payments/base/b.yaml'), 'utf8'),
      ).toBe('b: 1\n');
      expect(fs.readdirSync(root).sort()).toEqual(['apps', 'top.yaml']);
    });

    it('replaces the content of an existing file', async () => {
      await writeContainedFile(root, 'a.yaml', 'long content\n');
      await writeContainedFile(root, 'a.yaml', 'x\n');
      expect(fs.readFileSync(path.join(root, 'a.yaml'), 'utf8')).toBe('x\n');
    });

    it('refuses to write through a file that stands where a folder should be', async () => {
      write('apps', 'not a folder');
      await expect(
        writeContainedFile(root, 'apps/x.yaml', 'x'),
      ).rejects.toThrow('Refusing to write into apps: not a plain folder');
    });

    it('says why it refuses traversal and git metadata', async () => {
      await expect(writeContainedFile(root, '../x', 'x')).rejects.toThrow(
        'Invalid path: must not contain ".."',
      );
      await expect(
        writeContainedFile(root, 'a/.GIT/hooks/post-checkout', 'x'),
      ).rejects.toThrow(
        'Refusing to write git metadata: a/.GIT/hooks/post-checkout',
      );
      expect(fs.readdirSync(root)).toEqual([]);
    });

    it('closes every file handle it opens', async () => {
      const closes = spyOnHandles();
      await writeContainedFile(root, 'a.yaml', 'x');
      expect(await readContainedFile(root, 'a.yaml')).toBe('x');
      expect(closes()).toEqual({ opened: 2, closed: 2 });
    });
  });

  function spyOnHandles() {
    let opened = 0;
    let closed = 0;
    const open = fs.promises.open.bind(fs.promises);
    jest.spyOn(fs.promises, 'open').mockImplementation(async (...args) => {
      const handle = await open(...(args as Parameters<typeof open>));
      opened++;
      const close = handle.close.bind(handle);
      handle.close = async () => {
        closed++;
        return close();
      };
      return handle;
    });
    return () => ({ opened, closed });
  }

  describe('resolveContainedPath (a component swapped after the check)', () => {
    it.each([
      ['a sibling of the root', () => path.join(tmp, 'outside')],
      ['the parent of the root', () => tmp],
    ])(
      'refuses a folder whose real path turns out to be %s',
      async (_, outside) => {
        fs.mkdirSync(path.join(tmp, 'outside'));
        fs.mkdirSync(path.join(root, 'apps'));
        const realpath = fs.promises.realpath.bind(fs.promises);
        jest
          .spyOn(fs.promises, 'realpath')
          .mockImplementation(async (p, ...rest) =>
            String(p).endsWith(`${path.sep}apps`)
              ? outside()
              : realpath(p, ...(rest as [])),
          );
        await expect(resolveContainedPath(root, 'apps/x.yaml')).rejects.toThrow(
          'Path apps/x.yaml resolves outside its root',
        );
        await expect(
          writeContainedFile(root, 'apps/x.yaml', 'x'),
        ).rejects.toThrow(/resolves outside its root/);
        expect(fs.readdirSync(path.join(tmp, 'outside'))).toEqual([]);
      },
    );

    it('accepts a folder whose real path is the folder itself', async () => {
      fs.mkdirSync(path.join(root, 'apps'));
      await expect(resolveContainedPath(root, 'apps/x.yaml')).resolves.toBe(
        path.join(fs.realpathSync(root), 'apps/x.yaml'),
      );
    });
  });

  describe('readContainedFile', () => {
    it('reads a file and answers undefined for a missing one', async () => {
      write('apps/a.yaml', 'a: é\n');
      expect(await readContainedFile(root, 'apps/a.yaml')).toBe('a: é\n');
      expect(
        await readContainedFile(root, 'apps/missing.yaml'),
      ).toBeUndefined();
      expect(await readContainedFile(root, 'missing/x.yaml')).toBeUndefined();
    });

    it('refuses a folder and a special file', async () => {
      fs.mkdirSync(path.join(root, 'apps'));
      await expect(readContainedFile(root, 'apps')).rejects.toThrow(
        'apps is not a regular file',
      );
      await withSocket(path.join(root, 'sock'), async () => {
        await expect(readContainedFile(root, 'sock')).rejects.toThrow(
          'sock is not a regular file',
        );
      });
    });

    it('refuses a symbolic link, traversal and git metadata', async () => {
      fs.writeFileSync(path.join(tmp, 'secret'), 'secret');
      fs.symlinkSync(path.join(tmp, 'secret'), path.join(root, 'link.yaml'));
      write('.git/config', '[core]');
      await expect(readContainedFile(root, 'link.yaml')).rejects.toThrow(
        /symbolic link/,
      );
      await expect(readContainedFile(root, '../secret')).rejects.toThrow(
        InputError,
      );
      await expect(readContainedFile(root, '.git/config')).rejects.toThrow(
        /git metadata/,
      );
    });
  });

  describe('readContainedTree', () => {
    it('reads only the folder asked for, sorted by name whatever order the file system lists', async () => {
      const names = ['m', 'b', 'z', 'a', 'k', 'c', 'y', 'd', 'x', 'e'];
      for (const name of names) write(`apps/${name}.yaml`, name);
      write('top.yaml', 'top');
      const readdir = fs.promises.readdir.bind(fs.promises);
      (
        jest.spyOn(fs.promises, 'readdir') as jest.SpyInstance
      ).mockImplementation(async (...args: unknown[]) =>
        ((await (readdir as Function)(...args)) as unknown[]).reverse(),
      );
      const files = await readContainedTree(root, 'apps');
      expect(files.map(f => f.path)).toEqual(
        [...names].sort().map(n => `apps/${n}.yaml`),
      );
      expect(files[0]).toEqual({ path: 'apps/a.yaml', content: 'a' });
    });

    it('reads the whole root for "." and ""', async () => {
      write('apps/a.yaml', 'a');
      write('top.yaml', 'top');
      const expected = [
        { path: 'apps/a.yaml', content: 'a' },
        { path: 'top.yaml', content: 'top' },
      ];
      expect(await readContainedTree(root, '.')).toEqual(expected);
      expect(await readContainedTree(root, '')).toEqual(expected);
    });

    it('answers an empty list for a missing folder and refuses a file', async () => {
      write('apps.yaml', 'x');
      expect(await readContainedTree(root, 'missing')).toEqual([]);
      await expect(readContainedTree(root, 'apps.yaml')).rejects.toThrow(
        'apps.yaml is not a folder',
      );
    });

    it.each(['.git', '.Git'])(
      'refuses git metadata (%s) inside the tree it reads',
      async name => {
        write(`apps/payments/${name}/config`, '[core]\n\thooksPath = /tmp');
        await expect(readContainedTree(root, 'apps')).rejects.toThrow(
          `Refusing git metadata at apps/payments/${name}`,
        );
      },
    );

    it('refuses a special file inside the tree it reads', async () => {
      write('apps/a.yaml', 'a');
      await withSocket(path.join(root, 'apps/sock'), async () => {
        await expect(readContainedTree(root, 'apps')).rejects.toThrow(
          'Refusing the special file apps/sock',
        );
      });
    });

    it('accepts exactly maxFiles files and refuses one more', async () => {
      for (let i = 0; i < 3; i++) write(`f${i}`, 'x');
      expect(await readContainedTree(root, '.', { maxFiles: 3 })).toHaveLength(
        3,
      );
      write('f3', 'x');
      await expect(
        readContainedTree(root, '.', { maxFiles: 3 }),
      ).rejects.toThrow('Folder . holds more than 3 files or 8388608 bytes');
    });

    it('counts bytes, not characters, and accepts exactly maxBytes', async () => {
      write('a', 'éé'); // 4 bytes
      write('b', 'xx');
      expect(await readContainedTree(root, '.', { maxBytes: 6 })).toHaveLength(
        2,
      );
      await expect(
        readContainedTree(root, '.', { maxBytes: 5 }),
      ).rejects.toThrow('Folder . holds more than 2000 files or 5 bytes');
      await expect(
        readContainedTree(root, '.', { maxBytes: 3 }),
      ).rejects.toThrow(/more than 2000 files or 3 bytes/);
    });

    it('reads an ordinary folder within the default limits', async () => {
      write('apps/a.yaml', 'x'.repeat(64 * 1024));
      const files = await readContainedTree(root, 'apps');
      expect(files[0].content).toHaveLength(64 * 1024);
    });
  });
});
