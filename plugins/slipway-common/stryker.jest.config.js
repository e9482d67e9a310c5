// Jest configuration for Stryker's jest-runner: exactly the configuration
// `backstage-cli package test` uses for this package. Not named
// `jest.config.js` on purpose: Backstage's config loader would pick that name
// up as the package's own config and require itself.
// backstage-cli package test also defaults these two; Stryker does not.
process.env.NODE_ENV = process.env.NODE_ENV || 'test';
process.env.TZ = process.env.TZ || 'UTC';

module.exports = require('@backstage/cli/config/jest');
