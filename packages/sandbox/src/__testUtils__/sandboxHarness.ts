import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSandbox, Sandbox } from '../createSandbox';
import { SandboxCredentials, SandboxTimings } from '../types';

/** Short timings for tests. */
const FAST_TIMINGS: Partial<SandboxTimings> = {
  ciQueuedMs: 150,
  ciRunMs: 300,
  autoSyncDelayMs: 400,
  syncOperationMs: 500,
  progressingMs: 300,
  canaryStepMs: 200,
  pollIntervalMs: 200,
  faultTimeoutMs: 3000,
};

export interface TestSandbox {
  sandbox: Sandbox;
  dataDir: string;
  logs: string[];
  close(): Promise<void>;
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `slipway-sandbox-${prefix}-`));
}

/** Starts a sandbox on ephemeral ports in a fresh temp data dir. */
export async function startTestSandbox(
  options: {
    timings?: Partial<SandboxTimings>;
    credentials?: Partial<SandboxCredentials>;
    dataDir?: string;
    argocdWebhook?: { url: string; secret: string };
  } = {},
): Promise<TestSandbox> {
  const dataDir = options.dataDir ?? makeTempDir('data');
  const logs: string[] = [];
  const sandbox = await createSandbox({
    dataDir,
    basePort: 0,
    timings: { ...FAST_TIMINGS, ...options.timings },
    credentials: options.credentials,
    argocdWebhook: options.argocdWebhook,
    log: line => logs.push(line),
  });
  return {
    sandbox,
    dataDir,
    logs,
    close: async () => {
      await sandbox.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs a command with a clean environment (no user git config), resolving stdout. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; home?: string } = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: {
          PATH: process.env.PATH,
          HOME: options.home ?? os.tmpdir(),
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_TERMINAL_PROMPT: '0',
          GIT_AUTHOR_NAME: 'Test',
          GIT_AUTHOR_EMAIL: 'test@example.invalid',
          GIT_COMMITTER_NAME: 'Test',
          GIT_COMMITTER_EMAIL: 'test@example.invalid',
        },
        maxBuffer: 20 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          reject(Object.assign(error, { stdout, stderr }));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

/** Polls until the check returns a value (not undefined/false), or fails after the timeout. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    await new Promise(resolve =>
      setTimeout(resolve, options.intervalMs ?? 100),
    );
  }
  throw new Error(
    `timed out waiting for ${options.what ?? 'condition'}${
      last ? `: ${String(last)}` : ''
    }`,
  );
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export const GITHUB = { Authorization: 'token sandbox-github-token' };
export const ARGOCD = { Authorization: 'Bearer sandbox-argocd-token' };
/** The Argo CD account that may sync and terminate (the one above only reads). */
export const ARGOCD_WRITE = {
  Authorization: 'Bearer sandbox-argocd-write-token',
};
export const ADMIN = { Authorization: 'Bearer sandbox-admin-token' };
export const HARBOR = {
  Authorization: basic('admin', 'sandbox-harbor-password'),
};
export const SONAR = { Authorization: basic('sandbox-sonarqube-token', '') };

export async function getJson(
  url: string,
  headers: Record<string, string>,
): Promise<any> {
  const response = await fetch(url, { headers });
  if (!response.ok) {
    throw new Error(`GET ${url} → ${response.status} ${await response.text()}`);
  }
  return response.json();
}

export async function sendJson(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    headers: { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
}
