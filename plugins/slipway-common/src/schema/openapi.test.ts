import { execFileSync } from 'child_process';
import path from 'path';

// Spawns the generator (openapi-typescript and prettier) on a shared machine.
jest.setTimeout(120_000);

describe('src/schema/openapi.generated.ts', () => {
  it('is generated from the backend’s current openapi.yaml', () => {
    expect(() =>
      execFileSync(
        process.execPath,
        [
          path.resolve(__dirname, '../../scripts/generate-openapi.js'),
          '--check',
        ],
        { stdio: 'pipe' },
      ),
    ).not.toThrow();
  });
});
