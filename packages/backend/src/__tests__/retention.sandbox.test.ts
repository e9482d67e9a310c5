/* eslint-disable @backstage/no-forbidden-package-imports */
import { CacheService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  rollbackTargets,
  SLIPWAY_ANNOTATIONS,
} from '@slipway/plugin-slipway-common';
import { HarborRetentionClient } from '@slipway/plugin-slipway-node';
// The retention service wired as plugin.ts wires it, against the sandbox.
import { RetentionService } from '@slipway/plugin-slipway-backend/src/retention/RetentionService';
import {
  buildNewImage,
  sandboxParts,
  tempDir,
  useTestSandbox,
} from '../__testUtils__/promotionWiring';

// Integration test: a sandbox, git and CI builds on a loaded 2-core machine.
jest.setTimeout(240_000);

const HARBOR_AUTH = {
  authorization: `Basic ${Buffer.from('admin:sandbox-harbor-password').toString(
    'base64',
  )}`,
  'content-type': 'application/json',
};
const KEEP_ROLLBACK_CANDIDATES = 1;
const KEEP_LAST_PUSHED = 1;

function mapCache(): CacheService {
  const entries = new Map<string, unknown>();
  const cache = {
    get: async (key: string) => entries.get(key),
    set: async (key: string, value: unknown) => {
      entries.set(key, value);
    },
    delete: async (key: string) => {
      entries.delete(key);
    },
    withOptions: () => cache,
  };
  return cache as unknown as CacheService;
}

describe('image retention against the sandbox Harbor: what runs and what a rollback needs is never deleted', () => {
  const testSandbox = useTestSandbox('slipway-retention');

  const harbor = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${testSandbox().urls.harbor}/api/v2.0${path}`, {
      method,
      headers: HARBOR_AUTH,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
    return res;
  };
  /** Digest → tags of every top-level artifact of a repository. */
  const artifactsOf = async (service: string) => {
    const list = (await (
      await harbor(
        'GET',
        `/projects/acme/repositories/${service}/artifacts?page_size=100`,
      )
    ).json()) as { digest: string; tags?: { name: string }[] | null }[];
    return new Map(
      list
        .filter(a => a.tags?.length)
        .map(a => [a.digest, a.tags!.map(t => t.name)]),
    );
  };

  it('deletes the artifacts no environment runs or may return to, and keeps the others', async () => {
    const parts = sandboxParts(
      testSandbox(),
      tempDir('slipway-retention-cache-'),
    );
    // Three builds nobody deployed: the last one pushed is kept, the other two are not.
    const built = [];
    for (let i = 0; i < 3; i++) {
      built.push(
        await buildNewImage(
          testSandbox(),
          'inventory-api',
          testSandbox().dataDir,
        ),
      );
    }

    const retention = RetentionService.create({
      catalog: parts.catalog,
      auth: mockServices.auth(),
      permissions: mockServices.permissions({ result: AuthorizeResult.ALLOW }),
      deployState: parts.deployState,
      cache: mapCache(),
      logger: mockServices.logger.mock(),
      harbor: HarborRetentionClient.create({
        url: testSandbox().urls.harbor,
        username: 'admin',
        password: 'sandbox-harbor-password',
      }),
      config: {
        enabled: true,
        schedule: { frequency: { hours: 1 }, timeout: { minutes: 5 } },
        keepRollbackCandidates: KEEP_ROLLBACK_CANDIDATES,
        keepLastPushed: KEEP_LAST_PUSHED,
      },
    });
    const report = await retention.run();
    expect(report.problems).toEqual([]);
    expect(report.status).toBe('ok');
    expect(report.projects).toEqual([
      expect.objectContaining({ project: 'acme', policy: 'created' }),
    ]);
    const [project] = report.projects;

    // What must survive, read on its own: per entity and environment the
    // digest the overlay sets and the last rollback targets of its history.
    const services = parts.entities.filter(
      e => e.metadata.annotations?.[SLIPWAY_ANNOTATIONS.harborRepositorySlug],
    );
    const mustKeep = new Map<string, Set<string>>();
    const credentials = await mockServices.auth().getOwnServiceCredentials();
    let rollbackCandidates = 0;
    for (const entity of services) {
      const name = entity.metadata.name;
      const keep = new Set<string>();
      const ref = { kind: 'component', namespace: 'default', name };
      const state = await parts.deployState.getEntityState(ref, credentials);
      for (const environment of state.environments) {
        const image = environment.desired?.image;
        if (image?.digest) keep.add(image.digest);
        else if (image?.tag) keep.add(`tag:${image.tag}`);
        const history = await parts.deployState.getEntityHistory(
          ref,
          credentials,
          { environment: environment.environment, limit: 200 },
        );
        for (const target of rollbackTargets(
          history.items,
          image?.digest,
        ).slice(0, KEEP_ROLLBACK_CANDIDATES)) {
          keep.add(target.image!.digest!);
          rollbackCandidates += 1;
        }
      }
      mustKeep.set(name, keep);
    }
    expect(rollbackCandidates).toBeGreaterThan(0);

    const before = new Map<string, Map<string, string[]>>();
    for (const entity of services) {
      before.set(entity.metadata.name, await artifactsOf(entity.metadata.name));
    }
    // The dry run Slipway reported is what Harbor's own dry run says.
    const policyId = project.retentionId!;
    const dryRun = await harbor('POST', `/retentions/${policyId}/executions`, {
      dry_run: true,
    });
    const tasks = (await (
      await harbor(
        'GET',
        `${dryRun.headers.get('location')!.replace('/api/v2.0', '')}/tasks`,
      )
    ).json()) as { repository: string; total: number; retained: number }[];
    for (const entity of services) {
      const name = entity.metadata.name;
      const task = tasks.find(t => t.repository === name);
      expect({
        name,
        wouldDelete: task ? task.total - task.retained : 0,
      }).toEqual({
        name,
        wouldDelete: project.wouldDelete.filter(
          c => c.repository === `acme/${name}`,
        ).length,
      });
    }
    await harbor('POST', `/retentions/${policyId}/executions`, {
      dry_run: false,
    });

    const protectedButDeleted: string[] = [];
    const deleted: string[] = [];
    for (const entity of services) {
      const name = entity.metadata.name;
      const after = await artifactsOf(name);
      const keep = mustKeep.get(name)!;
      for (const [digest, tags] of before.get(name)!) {
        const protectedHere =
          keep.has(digest) || tags.some(tag => keep.has(`tag:${tag}`));
        if (after.has(digest)) continue;
        deleted.push(digest);
        if (protectedHere) protectedButDeleted.push(`${name}@${digest}`);
      }
    }
    expect(protectedButDeleted).toEqual([]);
    expect(deleted.length).toBeGreaterThanOrEqual(2);
    // Slipway reported every deleted artifact as one retention would delete.
    const reported = new Set(project.wouldDelete.map(c => c.digest));
    expect(deleted.filter(digest => !reported.has(digest))).toEqual([]);
    const inventory = await artifactsOf('inventory-api');
    expect(inventory.has(built[0].digest)).toBe(false);
    expect(inventory.has(built[1].digest)).toBe(false);
    expect(inventory.has(built[2].digest)).toBe(true);

    // A second run finds its policy in place and changes nothing.
    const again = await retention.run();
    expect(again.projects[0]).toMatchObject({
      policy: 'unchanged',
      retentionId: policyId,
    });
  });
});
