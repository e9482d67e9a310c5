import { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  PromotionPolicy,
  PromotionPolicyVersion,
} from '@slipway/plugin-slipway-common';
import { Knex } from 'knex';
import { connectSlipwayDatabase, isUniqueViolation } from './migrate';
import { PolicyStore } from './PolicyStore';

const TABLE = 'slipway_policy_versions';

type Row = {
  name: string;
  version: number;
  policy: string;
  comment: string | null;
  created_by: string;
  created_at: Date | string | number;
};

function toIso(value: Date | string | number): string {
  // PostgreSQL returns a Date; SQLite returns epoch milliseconds or text.
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return new Date(value).toISOString();
  const normalized = /[zZ]|[+-]\d\d:?\d\d$/.test(value)
    ? value
    : `${value.replace(' ', 'T')}Z`;
  return new Date(normalized).toISOString();
}

function fromRow(row: Row): PromotionPolicyVersion {
  const version: PromotionPolicyVersion = {
    name: row.name,
    version: Number(row.version),
    policy: JSON.parse(row.policy) as PromotionPolicy,
    createdBy: row.created_by,
    createdAt: toIso(row.created_at),
  };
  if (row.comment) version.comment = row.comment;
  return version;
}

/** Knex implementation of the policy store, for SQLite and PostgreSQL. */
export class KnexPolicyStore implements PolicyStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<KnexPolicyStore> {
    return new KnexPolicyStore(await connectSlipwayDatabase(options.database));
  }

  private constructor(private readonly db: Knex) {}

  async listLatest(): Promise<PromotionPolicyVersion[]> {
    const latest = this.db(TABLE)
      .select('name')
      .max({ version: 'version' })
      .groupBy('name')
      .as('latest');
    const rows: Row[] = await this.db(`${TABLE} as p`)
      .join(latest, function join() {
        this.on('p.name', '=', 'latest.name').andOn(
          'p.version',
          '=',
          'latest.version',
        );
      })
      .select('p.*')
      .orderBy('p.name', 'asc');
    return rows.map(fromRow);
  }

  async getLatest(name: string): Promise<PromotionPolicyVersion | undefined> {
    const row: Row | undefined = await this.db(TABLE)
      .where({ name })
      .orderBy('version', 'desc')
      .first();
    return row ? fromRow(row) : undefined;
  }

  async getHistory(name: string): Promise<PromotionPolicyVersion[]> {
    const rows: Row[] = await this.db(TABLE)
      .where({ name })
      .orderBy('version', 'desc');
    return rows.map(fromRow);
  }

  async save(options: {
    name: string;
    policy: PromotionPolicy;
    expectedVersion: number;
    createdBy: string;
    comment?: string;
  }): Promise<PromotionPolicyVersion> {
    const { name, expectedVersion } = options;
    try {
      return await this.db.transaction(async tx => {
        const current = await tx(TABLE)
          .where({ name })
          .max({ version: 'version' })
          .first();
        const currentVersion = Number(current?.version ?? 0);
        if (currentVersion !== expectedVersion) {
          throw new ConflictError(
            `Policy "${name}" is at version ${currentVersion}, not ${expectedVersion}; reload and apply your change again`,
          );
        }
        const row: Row = {
          name,
          version: currentVersion + 1,
          policy: JSON.stringify(options.policy),
          comment: options.comment ?? null,
          created_by: options.createdBy,
          created_at: new Date(),
        };
        await tx(TABLE).insert(row);
        return fromRow(row);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(
          `Policy "${name}" was changed concurrently; reload and apply your change again`,
        );
      }
      throw error;
    }
  }
}
