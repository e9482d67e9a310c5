import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@slipway/plugin-slipway-backend',
  'migrations',
);

const migrated = new WeakMap<Knex, Promise<void>>();

/**
 * The plugin's database client with every migration applied (once per
 * client; Knex's migration lock makes concurrent replicas safe).
 */
export async function connectSlipwayDatabase(
  database: DatabaseService,
): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    let done = migrated.get(client);
    if (!done) {
      done = client.migrate
        .latest({
          directory: migrationsDir,
          tableName: 'slipway_knex_migrations',
        })
        .then(() => undefined);
      migrated.set(client, done);
    }
    await done;
  }
  return client;
}

/** True for a primary-key or unique violation, on PostgreSQL and SQLite. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' || // PostgreSQL
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}
