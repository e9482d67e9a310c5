import { execFileSync } from 'child_process';
import path from 'path';

// Spawns the generator (openapi-typescript and prettier) on a shared machine.
jest.setTimeout(120_000);

function check(): string {
  try {
    execFileSync(
      process.execPath,
      [path.resolve(__dirname, '../../scripts/generate-openapi.js'), '--check'],
      { stdio: 'pipe' },
    );
    return '';
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error);
  }
}

describe('generated OpenAPI files', () => {
  let stale = '';
  beforeAll(() => {
    stale = check();
  });

  it.each(['openapi.generated.ts', 'openapi.types.generated.ts'])(
    'src/schema/%s is generated from the current openapi.yaml',
    file => {
      expect(stale).not.toContain(file);
      expect(stale).toBe('');
    },
  );
});
