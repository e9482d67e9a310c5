// @ts-check

/**
 * Promotion policies, versioned: every change is a new row; nothing is
 * updated in place, so the history is the audit trail.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('slipway_policy_versions', table => {
    table.comment('Every version of every Slipway promotion policy');
    table
      .string('name', 63)
      .notNullable()
      .comment('Policy name (DNS-1123 label)');
    table.integer('version').notNullable().comment('1, 2, 3, ... per policy');
    table.text('policy').notNullable().comment('The policy document as JSON');
    table.text('comment').nullable().comment('Why the change was made');
    table
      .string('created_by', 255)
      .notNullable()
      .comment('Entity ref of the author');
    table
      .timestamp('created_at', { useTz: true, precision: 3 })
      .notNullable()
      .defaultTo(knex.fn.now())
      .comment('When this version was saved');
    table.primary(['name', 'version']);
    table.index(['created_at'], 'slipway_policy_versions_created_at_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('slipway_policy_versions');
};
