import { spawn } from 'node:child_process';

export interface RunGitOptions {
  /** The environment built by `gitEnvironment`, plus per-call additions. */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  input?: Buffer | string;
  /** Exit codes that are not errors (for example 1 for `merge-base --is-ancestor`). */
  allowedExitCodes?: number[];
}

export interface RunGitResult {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

export class GitCommandError extends Error {
  readonly exitCode: number;
  readonly stderr: string;

  constructor(args: string[], exitCode: number, stderr: string) {
    super(
      `git ${
        args[0] ?? ''
      } failed with exit code ${exitCode}: ${stderr.trim()}`,
    );
    this.name = 'GitCommandError';
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/**
 * Hardening flags put in front of every git command: hooks are never run,
 * whatever a repository's config says.
 */
export const GIT_SAFETY_ARGS = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'protocol.file.allow=never',
  '-c',
  'core.fsmonitor=false',
];

/** A clean environment for git: no system or user config, HOME inside the data dir. */
export function gitEnvironment(homeDir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: homeDir,
    XDG_CONFIG_HOME: homeDir,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ATTR_NOSYSTEM: '1',
    LANG: 'C',
    LC_ALL: 'C',
    TZ: 'UTC',
  };
}

/** Runs git with the safety flags and a clean environment. */
export function runGit(
  args: string[],
  options: RunGitOptions,
): Promise<RunGitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...GIT_SAFETY_ARGS, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', chunk => stdout.push(chunk));
    child.stderr.on('data', chunk => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', code => {
      const exitCode = code ?? 1;
      const result = {
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode,
      };
      if (exitCode === 0 || options.allowedExitCodes?.includes(exitCode)) {
        resolve(result);
      } else {
        reject(new GitCommandError(args, exitCode, result.stderr));
      }
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input);
  });
}
