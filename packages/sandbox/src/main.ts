import path from 'node:path';
import { parseArgs } from 'node:util';
import { createSandbox } from './createSandbox';
import { DEFAULT_BASE_PORT, DEFAULT_HOST } from './defaults';
import { SandboxTimings } from './types';

const TIMING_ENV: Record<keyof SandboxTimings, string> = {
  ciQueuedMs: 'SANDBOX_CI_QUEUED_MS',
  ciRunMs: 'SANDBOX_CI_RUN_MS',
  autoSyncDelayMs: 'SANDBOX_AUTO_SYNC_DELAY_MS',
  syncOperationMs: 'SANDBOX_SYNC_OPERATION_MS',
  progressingMs: 'SANDBOX_PROGRESSING_MS',
  canaryStepMs: 'SANDBOX_CANARY_STEP_MS',
  pollIntervalMs: 'SANDBOX_POLL_INTERVAL_MS',
  faultTimeoutMs: 'SANDBOX_FAULT_TIMEOUT_MS',
};

function repoRoot(): string {
  // The sandbox always runs from source (never bundled): src/main.ts →
  // packages/sandbox → packages → repository root.
  // eslint-disable-next-line no-restricted-syntax
  return path.resolve(__dirname, '..', '..', '..');
}

async function main() {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(
      'Usage: yarn start [--data-dir DIR] [--host 127.0.0.1] [--port 7100]\n' +
        'Env: SANDBOX_DATA_DIR, SANDBOX_HOST, SANDBOX_PORT and timings (see docs/sandbox.md).',
    );
    return;
  }
  const timings: Partial<SandboxTimings> = {};
  for (const [key, name] of Object.entries(TIMING_ENV) as Array<
    [keyof SandboxTimings, string]
  >) {
    const value = process.env[name];
    if (value !== undefined && /^\d+$/.test(value))
      timings[key] = Number(value);
  }
  const portText = values.port ?? process.env.SANDBOX_PORT;
  const basePort =
    portText === undefined ? DEFAULT_BASE_PORT : Number(portText);
  if (!Number.isInteger(basePort) || basePort < 0 || basePort > 65530) {
    throw new Error(`invalid base port ${portText}`);
  }
  const sandbox = await createSandbox({
    dataDir: path.resolve(
      values['data-dir'] ??
        process.env.SANDBOX_DATA_DIR ??
        path.join(repoRoot(), 'data', 'sandbox'),
    ),
    host: values.host ?? process.env.SANDBOX_HOST ?? DEFAULT_HOST,
    basePort,
    timings,
    credentials: {
      ...(process.env.SANDBOX_ADMIN_TOKEN
        ? { adminTokens: [process.env.SANDBOX_ADMIN_TOKEN] }
        : {}),
      ...(process.env.SANDBOX_ARGOCD_WRITE_TOKEN
        ? { argocdWriteTokens: [process.env.SANDBOX_ARGOCD_WRITE_TOKEN] }
        : {}),
      ...(process.env.SANDBOX_FLUX_TOKEN
        ? { fluxTokens: [process.env.SANDBOX_FLUX_TOKEN] }
        : {}),
      ...(process.env.SANDBOX_FLUX_WRITE_TOKEN
        ? { fluxWriteTokens: [process.env.SANDBOX_FLUX_WRITE_TOKEN] }
        : {}),
    },
    // Load-test scale (bench:load): copies of the seeded services.
    seedClones: /^\d+$/.test(process.env.SANDBOX_SEED_CLONES ?? '')
      ? Number(process.env.SANDBOX_SEED_CLONES)
      : undefined,
    // Argo CD notifications → the portal (scripts/lib.sh sets both).
    argocdWebhook:
      process.env.SANDBOX_ARGOCD_WEBHOOK_URL &&
      process.env.SANDBOX_ARGOCD_WEBHOOK_SECRET
        ? {
            url: process.env.SANDBOX_ARGOCD_WEBHOOK_URL,
            secret: process.env.SANDBOX_ARGOCD_WEBHOOK_SECRET,
          }
        : undefined,
  });
  const shutdown = (signal: string) => {
    console.log(`sandbox: ${signal} received, stopping`);
    setTimeout(() => process.exit(1), 5000).unref();
    sandbox.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch(error => {
  console.error(
    `sandbox: failed to start: ${
      error instanceof Error ? error.message : String(error)
    }`,
  );
  process.exit(1);
});
