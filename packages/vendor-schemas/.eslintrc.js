// Test support only, never built or shipped: it reads files beside itself
// (the ESM validator script, ../shared/specs), so __dirname is what it means.
module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: { 'no-restricted-syntax': 'off' },
});
