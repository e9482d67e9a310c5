import { ConfigReader } from '@backstage/config';
import {
  GitOpsGateway,
  GitOpsWriteRequest,
  readKustomizeImages,
  ScmCredentials,
  setKustomizeImage,
} from '@slipway/plugin-slipway-node';
import { createSandbox, Sandbox } from '@slipway/sandbox';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Integration test: a sandbox, git clones and pushes on a loaded 2-core machine.
jest.setTimeout(180_000);

const TOKEN = 'sandbox-gitlab-token';
const OVERLAY = 'apps/payments-api/overlays/prod/kustomization.yaml';
const BRANCH = 'slipway/promotion-gl-1';
const NEW_TAG = 'a'.repeat(40);
const NEW_DIGEST = `sha256:${'b'.repeat(64)}`;

function git(args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd,
        env: {
          PATH: process.env.PATH,
          HOME: os.tmpdir(),
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_TERMINAL_PROMPT: '0',
        },
      },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`${error.message}\n${stderr}`))
          : resolve(stdout),
    );
  });
}

interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

describe('GitOpsGateway pull-request mode against the sandbox GitLab', () => {
  let sandbox: Sandbox;
  let dataDir: string;
  let work: string;
  let repoUrl: string;
  let gateway: GitOpsGateway;
  const requests: RecordedRequest[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-gitlab-mr-'));
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'slipway-gitlab-work-'));
    sandbox = await createSandbox({ dataDir, basePort: 0, log: () => {} });
    repoUrl = `${sandbox.urls.gitlab}/acme/gitops-gl.git`;
    const config = new ConfigReader({
      integrations: {
        gitlab: [
          {
            host: new URL(sandbox.urls.gitlab).host,
            apiBaseUrl: sandbox.urls.gitlabApi,
            token: TOKEN,
          },
        ],
      },
    });
    // Records what the gateway sends, then lets it through.
    const recordingFetch: typeof fetch = async (input, init) => {
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, key) => {
        headers[key] = value;
      });
      requests.push({
        method: init?.method ?? 'GET',
        url: String(input),
        headers,
        body:
          typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      });
      return fetch(input, init);
    };
    gateway = GitOpsGateway.create({
      credentials: ScmCredentials.fromConfig(config),
      fetch: recordingFetch,
    });
  }, 120_000);

  afterAll(async () => {
    await sandbox?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  const request = (attempt: string): GitOpsWriteRequest => ({
    repoUrl,
    workDir: fs.mkdtempSync(path.join(work, `${attempt}-`)),
    mode: 'pull-request',
    branch: BRANCH,
    baseBranch: 'main',
    message: 'Promote payments-api to prod',
    idempotencyTrailer: { key: 'Slipway-Promotion', value: 'gl-1' },
    allowedPaths: ['apps/payments-api/overlays/prod'],
    pullRequest: {
      title: 'Promote payments-api to prod',
      body: 'Promotion gl-1, opened by Slipway.',
    },
    author: { name: 'Slipway', email: 'slipway@example.invalid' },
    edit: async tree => {
      const content = await tree.readFile(OVERLAY);
      if (content === undefined) throw new Error(`${OVERLAY} is missing`);
      const [image] = readKustomizeImages(content);
      const edited = setKustomizeImage(content, {
        name: image.name,
        newTag: NEW_TAG,
        digest: NEW_DIGEST,
      });
      return { write: [{ path: OVERLAY, content: edited.content }] };
    },
  });

  const mergeRequestPosts = () =>
    requests.filter(
      r => r.method === 'POST' && r.url.endsWith('/merge_requests'),
    );

  it('pushes the branch, opens one merge request, finds it again, and follows it to merged', async () => {
    const webUrl = `${sandbox.urls.gitlab}/acme/gitops-gl/-/merge_requests/1`;

    const first = await gateway.write(request('first'));
    expect(first).toMatchObject({
      branch: BRANCH,
      baseBranch: 'main',
      changed: true,
      alreadyApplied: false,
      pullRequestUrl: webUrl,
    });
    const branchHead = (
      await git(['ls-remote', repoUrl, `refs/heads/${BRANCH}`])
    ).split('\t')[0];
    expect(branchHead).toBe(first.commitSha);

    // What the gateway sent: the GitLab token as PRIVATE-TOKEN, and exactly
    // the body whose shape packages/sandbox/src/gitlabSchemas.test.ts checks
    // against GitLab's published description (postApiV4ProjectsIdMergeRequests).
    const posts = mergeRequestPosts();
    expect(posts).toHaveLength(1);
    expect(posts[0].url).toBe(
      `${sandbox.urls.gitlabApi}/projects/acme%2Fgitops-gl/merge_requests`,
    );
    expect(posts[0].headers['private-token']).toBe(TOKEN);
    expect(posts[0].body).toEqual({
      title: 'Promote payments-api to prod',
      source_branch: BRANCH,
      target_branch: 'main',
      description: 'Promotion gl-1, opened by Slipway.',
    });

    // A re-run finds the change and its merge request: nothing new.
    const again = await gateway.write(request('again'));
    expect(again).toMatchObject({
      alreadyApplied: true,
      commitSha: first.commitSha,
      pullRequestUrl: webUrl,
    });
    expect(mergeRequestPosts()).toHaveLength(1);
    const listed = await (
      await fetch(
        `${sandbox.urls.gitlabApi}/projects/acme%2Fgitops-gl/merge_requests?state=all`,
        { headers: { 'PRIVATE-TOKEN': TOKEN } },
      )
    ).json();
    expect(listed).toHaveLength(1);

    expect(await gateway.pullRequestStatus(repoUrl, BRANCH)).toEqual({
      state: 'open',
      url: webUrl,
    });

    // A maintainer merges it in GitLab.
    const merged = await fetch(
      `${sandbox.urls.admin}/admin/gitlab/projects/acme/gitops-gl/merge_requests/1/merge`,
      {
        method: 'POST',
        headers: {
          Authorization: 'Bearer sandbox-admin-token',
          'content-type': 'application/json',
        },
        body: '{}',
      },
    );
    expect(merged.status).toBe(200);

    const status = await gateway.pullRequestStatus(repoUrl, BRANCH);
    expect(status).toEqual({
      state: 'merged',
      url: webUrl,
      mergeCommitSha: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    const mainHead = (
      await git(['ls-remote', repoUrl, 'refs/heads/main'])
    ).split('\t')[0];
    expect(mainHead).toBe(status?.mergeCommitSha);

    // The merge commit is a real merge of the change into main.
    const clone = path.join(work, 'after-merge');
    await git(['clone', '--quiet', repoUrl, clone]);
    const parents = (
      await git(['rev-list', '--parents', '-n', '1', 'HEAD'], clone)
    )
      .trim()
      .split(' ');
    expect(parents[0]).toBe(status?.mergeCommitSha);
    expect(parents).toHaveLength(3);
    expect(parents[2]).toBe(first.commitSha);
    const overlay = fs.readFileSync(path.join(clone, OVERLAY), 'utf8');
    expect(readKustomizeImages(overlay)[0]).toMatchObject({
      newTag: NEW_TAG,
      digest: NEW_DIGEST,
    });
    const message = await git(
      ['log', '-1', '--format=%B', first.commitSha!],
      clone,
    );
    expect(message).toContain('Slipway-Promotion: gl-1');

    // Every call the gateway made went to the GitLab stand-in with its token.
    for (const call of requests) {
      expect(call.url.startsWith(sandbox.urls.gitlabApi)).toBe(true);
      expect(call.headers['private-token']).toBe(TOKEN);
    }
  });
});
