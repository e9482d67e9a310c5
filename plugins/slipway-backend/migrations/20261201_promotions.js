// @ts-check

/**
 * Promotions (and rollbacks) with their timeline and approvals, admin
 * freezes, soak observations and the locks that serialise promotions per
 * (entity, environment) across backend replicas.
 *
 * Times that are compared in queries are epoch milliseconds (bigint), so
 * SQLite and PostgreSQL compare them the same way.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('slipway_promotions', table => {
    table.comment(
      'Promotions and rollbacks of one artifact into one environment',
    );
    table.increments('seq').comment('Order of requests');
    table.string('id', 36).notNullable().unique('slipway_promotions_id_uq');
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 63).notNullable();
    table.string('kind', 16).notNullable().comment('promotion | rollback');
    table.string('repository', 255).notNullable();
    table.string('digest', 71).notNullable();
    table.string('tag', 128).nullable();
    table.string('source_commit', 64).nullable();
    table
      .string('previous_digest', 71)
      .nullable()
      .comment('What the environment ran when requested');
    table.string('state', 32).notNullable();
    table.string('mode', 16).notNullable().comment('direct | pull-request');
    table.string('requester', 255).notNullable();
    table.text('reason').nullable();
    table.boolean('break_glass').notNullable().defaultTo(false);
    table
      .text('policies')
      .notNullable()
      .comment('JSON: policy names and versions checked');
    table.text('gates').notNullable().comment('JSON: last gate results');
    table.string('verdict', 32).nullable();
    table.string('commit_sha', 64).nullable();
    table.text('commit_url').nullable();
    table.integer('pr_number').nullable();
    table.text('pr_url').nullable();
    table.string('pr_branch', 255).nullable();
    table.string('pr_state', 16).nullable();
    table.text('error').nullable();
    table.string('idempotency_key', 128).nullable();
    table.bigInteger('created_at').notNullable().comment('epoch ms');
    table.bigInteger('updated_at').notNullable().comment('epoch ms');
    table.unique(['requester', 'idempotency_key'], {
      indexName: 'slipway_promotions_idempotency_uq',
    });
    table.index(
      ['entity_ref', 'environment', 'state'],
      'slipway_promotions_target_idx',
    );
    table.index(['state'], 'slipway_promotions_state_idx');
  });

  await knex.schema.createTable('slipway_promotion_events', table => {
    table.comment('Every state change of every promotion: the audit trail');
    table.increments('seq');
    table
      .string('promotion_id', 36)
      .notNullable()
      .references('id')
      .inTable('slipway_promotions')
      .onDelete('CASCADE');
    table.bigInteger('at').notNullable().comment('epoch ms');
    table.string('actor', 255).notNullable();
    table.string('state', 32).notNullable();
    table.text('message').nullable();
    table.index(['promotion_id'], 'slipway_promotion_events_promotion_idx');
  });

  await knex.schema.createTable('slipway_approvals', table => {
    table.comment(
      'Approvals and rejections, bound to digest, environment and policy versions',
    );
    table
      .string('promotion_id', 36)
      .notNullable()
      .references('id')
      .inTable('slipway_promotions')
      .onDelete('CASCADE');
    table.string('approver', 255).notNullable();
    table.string('decision', 16).notNullable().comment('approve | reject');
    table.text('comment').nullable();
    table.string('environment', 63).notNullable();
    table.string('digest', 71).notNullable();
    table
      .text('policies')
      .notNullable()
      .comment('JSON: policy names and versions approved');
    table.bigInteger('at').notNullable().comment('epoch ms');
    table.primary(['promotion_id', 'approver']);
  });

  await knex.schema.createTable('slipway_freezes', table => {
    table.comment('Admin freezes; global = stop the line');
    table.string('id', 36).primary();
    table.string('scope', 16).notNullable();
    table.string('target', 255).nullable();
    table.text('reason').notNullable();
    table.string('created_by', 255).notNullable();
    table.bigInteger('created_at').notNullable();
    table.bigInteger('until').nullable();
    table.string('lifted_by', 255).nullable();
    table.bigInteger('lifted_at').nullable();
    table.index(['lifted_at'], 'slipway_freezes_lifted_idx');
  });

  await knex.schema.createTable('slipway_soak_observations', table => {
    table.comment(
      'When a digest was first seen healthy in an environment, since its last deploy',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 63).notNullable();
    table.string('digest', 71).notNullable();
    table
      .string('deployment', 128)
      .nullable()
      .comment(
        'Marker of the deploy (operation end); a change resets the soak',
      );
    table.bigInteger('healthy_since').nullable();
    table.bigInteger('observed_at').notNullable();
    table.primary(['entity_ref', 'environment']);
  });

  await knex.schema.createTable('slipway_locks', table => {
    table.comment('Leases that serialise work across backend replicas');
    table.string('key', 255).primary();
    table.string('holder', 64).notNullable();
    table.bigInteger('expires_at').notNullable().comment('epoch ms');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('slipway_locks');
  await knex.schema.dropTable('slipway_soak_observations');
  await knex.schema.dropTable('slipway_freezes');
  await knex.schema.dropTable('slipway_approvals');
  await knex.schema.dropTable('slipway_promotion_events');
  await knex.schema.dropTable('slipway_promotions');
};
