import { TestDatabases } from '@backstage/backend-test-utils';

/**
 * The databases every store test runs on: SQLite always, PostgreSQL 15 when
 * the test command has started one (BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING).
 * With SLIPWAY_REQUIRE_POSTGRES set, a missing PostgreSQL fails the run
 * instead of silently testing SQLite only.
 */
export function createTestDatabases(): TestDatabases {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  if (
    process.env.SLIPWAY_REQUIRE_POSTGRES &&
    !databases.supports('POSTGRES_15')
  ) {
    throw new Error(
      'SLIPWAY_REQUIRE_POSTGRES is set but no PostgreSQL 15 is configured',
    );
  }
  return databases;
}
