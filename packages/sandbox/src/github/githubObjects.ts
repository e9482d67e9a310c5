import { GitCommitInfo, GitTreeEntry } from '../git/GitRepositories';
import { CI_STEPS, WorkflowRunRecord } from '../ci/WorkflowRuns';
import { stableBytes } from '../harbor/digests';

/** Where the GitHub stand-in answers: API base, web base and git base. */
export interface GithubUrls {
  /** e.g. http://127.0.0.1:7101/api/v3 */
  api: string;
  /** e.g. http://127.0.0.1:7101 */
  web: string;
}

export interface RepoMetadata {
  owner: string;
  name: string;
  description: string | undefined;
  private: boolean;
  createdAt: string;
  pushedAt: string;
  updatedAt: string;
}

function stableId(kind: string, key: string): number {
  return 1 + (stableBytes(`${kind}:${key}`).readUInt32BE(0) % 2_000_000_000);
}

function nodeId(kind: string, id: number): string {
  return Buffer.from(`${kind}${id}`).toString('base64');
}

export function cloneUrl(
  urls: GithubUrls,
  owner: string,
  repo: string,
): string {
  return `${urls.web}/git/${owner}/${repo}.git`;
}

/** The sandbox's bot user (the identity behind every accepted token). */
export const SANDBOX_USER = 'slipway-sandbox-bot';

export function simpleUser(urls: GithubUrls, login: string) {
  const type = login === SANDBOX_USER ? 'User' : 'Organization';
  const id = stableId('user', login);
  const api = `${urls.api}/users/${login}`;
  return {
    login,
    id,
    node_id: nodeId(type === 'User' ? 'U_' : 'O_', id),
    avatar_url: `${urls.web}/avatars/${login}`,
    gravatar_id: '',
    url: api,
    html_url: `${urls.web}/${login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type,
    site_admin: false,
  };
}

export function privateUser(urls: GithubUrls, login: string) {
  return {
    ...simpleUser(urls, login),
    name: 'Slipway Sandbox Bot',
    company: 'Acme',
    blog: '',
    location: null,
    email: 'sandbox@slipway.invalid',
    hireable: null,
    bio: 'Acts for every token the sandbox accepts.',
    public_repos: 0,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    private_gists: 0,
    total_private_repos: 0,
    owned_private_repos: 0,
    disk_usage: 0,
    collaborators: 0,
    two_factor_authentication: false,
  };
}

function minimalRepository(urls: GithubUrls, meta: RepoMetadata) {
  const fullName = `${meta.owner}/${meta.name}`;
  const api = `${urls.api}/repos/${fullName}`;
  const id = stableId('repo', fullName);
  return {
    id,
    node_id: nodeId('R_', id),
    name: meta.name,
    full_name: fullName,
    owner: simpleUser(urls, meta.owner),
    private: meta.private,
    html_url: `${urls.web}/${fullName}`,
    description: meta.description ?? null,
    fork: false,
    url: api,
    archive_url: `${api}/{archive_format}{/ref}`,
    assignees_url: `${api}/assignees{/user}`,
    blobs_url: `${api}/git/blobs{/sha}`,
    branches_url: `${api}/branches{/branch}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    comments_url: `${api}/comments{/number}`,
    commits_url: `${api}/commits{/sha}`,
    compare_url: `${api}/compare/{base}...{head}`,
    contents_url: `${api}/contents/{+path}`,
    contributors_url: `${api}/contributors`,
    deployments_url: `${api}/deployments`,
    downloads_url: `${api}/downloads`,
    events_url: `${api}/events`,
    forks_url: `${api}/forks`,
    git_commits_url: `${api}/git/commits{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    hooks_url: `${api}/hooks`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    issue_events_url: `${api}/issues/events{/number}`,
    issues_url: `${api}/issues{/number}`,
    keys_url: `${api}/keys{/key_id}`,
    labels_url: `${api}/labels{/name}`,
    languages_url: `${api}/languages`,
    merges_url: `${api}/merges`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    pulls_url: `${api}/pulls{/number}`,
    releases_url: `${api}/releases{/id}`,
    stargazers_url: `${api}/stargazers`,
    statuses_url: `${api}/statuses/{sha}`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    tags_url: `${api}/tags`,
    teams_url: `${api}/teams`,
    trees_url: `${api}/git/trees{/sha}`,
  };
}

export function fullRepository(urls: GithubUrls, meta: RepoMetadata) {
  return {
    ...minimalRepository(urls, meta),
    clone_url: cloneUrl(urls, meta.owner, meta.name),
    git_url: cloneUrl(urls, meta.owner, meta.name).replace(/^http/, 'git'),
    ssh_url: `git@127.0.0.1:${meta.owner}/${meta.name}.git`,
    svn_url: `${urls.web}/${meta.owner}/${meta.name}`,
    mirror_url: null,
    homepage: null,
    language: null,
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: 'main',
    open_issues_count: 0,
    open_issues: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: meta.private ? 'private' : 'internal',
    pushed_at: meta.pushedAt,
    created_at: meta.createdAt,
    updated_at: meta.updatedAt,
    permissions: {
      admin: true,
      maintain: true,
      push: true,
      triage: true,
      pull: true,
    },
    allow_rebase_merge: true,
    allow_squash_merge: true,
    allow_merge_commit: true,
    allow_auto_merge: false,
    delete_branch_on_merge: false,
    license: null,
    network_count: 0,
    subscribers_count: 0,
    organization: simpleUser(urls, meta.owner),
  };
}

function contentLinks(
  urls: GithubUrls,
  owner: string,
  repo: string,
  ref: string,
  entry: GitTreeEntry,
) {
  const api = `${urls.api}/repos/${owner}/${repo}`;
  const kind = entry.type === 'tree' ? 'tree' : 'blob';
  const self = `${api}/contents/${entry.path}?ref=${encodeURIComponent(ref)}`;
  const git = `${api}/git/${entry.type === 'tree' ? 'trees' : 'blobs'}/${
    entry.sha
  }`;
  const html = `${urls.web}/${owner}/${repo}/${kind}/${ref}/${entry.path}`;
  return {
    url: self,
    git_url: git,
    html_url: html,
    download_url:
      entry.type === 'blob'
        ? `${urls.web}/${owner}/${repo}/raw/${ref}/${entry.path}`
        : null,
    _links: { self, git, html },
  };
}

export function contentEntry(
  urls: GithubUrls,
  owner: string,
  repo: string,
  ref: string,
  entry: GitTreeEntry,
) {
  return {
    type: { tree: 'dir', commit: 'submodule', blob: 'file' }[entry.type],
    size: entry.size ?? 0,
    name: entry.name,
    path: entry.path,
    sha: entry.sha,
    ...contentLinks(urls, owner, repo, ref, entry),
  };
}

export function contentFile(
  urls: GithubUrls,
  owner: string,
  repo: string,
  ref: string,
  entry: GitTreeEntry,
  content: Buffer,
) {
  return {
    ...contentEntry(urls, owner, repo, ref, entry),
    type: 'file',
    encoding: 'base64',
    content: (content.toString('base64').match(/.{1,60}/g) ?? []).join('\n'),
  };
}

function gitPerson(person: GitCommitInfo['author']) {
  return { name: person.name, email: person.email, date: person.date };
}

const UNVERIFIED = {
  verified: false,
  reason: 'unsigned',
  signature: null,
  payload: null,
  verified_at: null,
};

export function gitCommit(
  urls: GithubUrls,
  owner: string,
  repo: string,
  commit: GitCommitInfo,
) {
  const api = `${urls.api}/repos/${owner}/${repo}`;
  return {
    sha: commit.sha,
    node_id: nodeId('C_', stableId('commit', commit.sha)),
    url: `${api}/git/commits/${commit.sha}`,
    html_url: `${urls.web}/${owner}/${repo}/commit/${commit.sha}`,
    author: gitPerson(commit.author),
    committer: gitPerson(commit.committer),
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    message: commit.message.replace(/\n$/, ''),
    parents: commit.parents.map(sha => ({
      sha,
      url: `${api}/git/commits/${sha}`,
      html_url: `${urls.web}/${owner}/${repo}/commit/${sha}`,
    })),
    verification: UNVERIFIED,
  };
}

export function commitObject(
  urls: GithubUrls,
  owner: string,
  repo: string,
  commit: GitCommitInfo,
) {
  const api = `${urls.api}/repos/${owner}/${repo}`;
  return {
    url: `${api}/commits/${commit.sha}`,
    sha: commit.sha,
    node_id: nodeId('C_', stableId('commit', commit.sha)),
    html_url: `${urls.web}/${owner}/${repo}/commit/${commit.sha}`,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${commit.sha}`,
      author: gitPerson(commit.author),
      committer: gitPerson(commit.committer),
      message: commit.message.replace(/\n$/, ''),
      comment_count: 0,
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      verification: UNVERIFIED,
    },
    author: null,
    committer: null,
    parents: commit.parents.map(sha => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${urls.web}/${owner}/${repo}/commit/${sha}`,
    })),
  };
}

export function gitRef(
  urls: GithubUrls,
  owner: string,
  repo: string,
  ref: string,
  sha: string,
) {
  const api = `${urls.api}/repos/${owner}/${repo}`;
  return {
    ref,
    node_id: nodeId('REF_', stableId('ref', `${owner}/${repo}:${ref}`)),
    url: `${api}/git/${ref}`,
    object: { type: 'commit', sha, url: `${api}/git/commits/${sha}` },
  };
}

function simpleCommit(commit: GitCommitInfo) {
  return {
    id: commit.sha,
    tree_id: commit.tree,
    message: commit.message.replace(/\n$/, ''),
    timestamp: commit.committer.date,
    author: { name: commit.author.name, email: commit.author.email },
    committer: { name: commit.committer.name, email: commit.committer.email },
  };
}

export function workflowRun(
  urls: GithubUrls,
  meta: RepoMetadata,
  run: WorkflowRunRecord,
) {
  const api = `${urls.api}/repos/${meta.owner}/${meta.name}`;
  const repository = minimalRepository(urls, meta);
  const checkSuiteId = run.id + 900_000;
  return {
    id: run.id,
    name: run.workflowName,
    node_id: nodeId('WFR_', run.id),
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: run.workflowPath,
    display_title: run.headCommit.message.split('\n')[0],
    run_number: run.runNumber,
    run_attempt: 1,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion ?? null,
    workflow_id: run.workflowId,
    check_suite_id: checkSuiteId,
    check_suite_node_id: nodeId('CS_', checkSuiteId),
    url: `${api}/actions/runs/${run.id}`,
    html_url: `${urls.web}/${meta.owner}/${meta.name}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    run_started_at: run.runStartedAt,
    actor: simpleUser(urls, SANDBOX_USER),
    triggering_actor: simpleUser(urls, SANDBOX_USER),
    referenced_workflows: [],
    jobs_url: `${api}/actions/runs/${run.id}/jobs`,
    logs_url: `${api}/actions/runs/${run.id}/logs`,
    check_suite_url: `${api}/check-suites/${checkSuiteId}`,
    artifacts_url: `${api}/actions/runs/${run.id}/artifacts`,
    cancel_url: `${api}/actions/runs/${run.id}/cancel`,
    rerun_url: `${api}/actions/runs/${run.id}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${api}/actions/workflows/${run.workflowId}`,
    head_commit: simpleCommit(run.headCommit),
    repository,
    head_repository: repository,
  };
}

export function workflowJob(
  urls: GithubUrls,
  meta: RepoMetadata,
  run: WorkflowRunRecord,
) {
  const api = `${urls.api}/repos/${meta.owner}/${meta.name}`;
  const started = run.status !== 'queued';
  const failedStep = run.plannedConclusion === 'failure' ? 2 : -1;
  const steps = CI_STEPS.map((name, index) => {
    let status: 'queued' | 'in_progress' | 'completed' = 'queued';
    let conclusion: string | null = null;
    if (run.status === 'completed') {
      status = 'completed';
      conclusion = 'success';
      if (failedStep >= 0 && index === failedStep) conclusion = 'failure';
      if (failedStep >= 0 && index > failedStep) conclusion = 'skipped';
    } else if (run.status === 'in_progress') {
      status = 'queued';
      if (index < 3) status = 'completed';
      if (index === 3) status = 'in_progress';
      conclusion = index < 3 ? 'success' : null;
    }
    return {
      name,
      status,
      conclusion,
      number: index + 1,
      started_at: status === 'queued' ? null : run.runStartedAt,
      completed_at:
        status === 'completed' ? run.completedAt ?? run.updatedAt : null,
    };
  });
  return {
    id: run.jobId,
    run_id: run.id,
    run_url: `${api}/actions/runs/${run.id}`,
    run_attempt: 1,
    node_id: nodeId('CR_', run.jobId),
    head_sha: run.headSha,
    url: `${api}/actions/jobs/${run.jobId}`,
    html_url: `${urls.web}/${meta.owner}/${meta.name}/actions/runs/${run.id}/job/${run.jobId}`,
    status: run.status,
    conclusion: run.conclusion ?? null,
    created_at: run.createdAt,
    started_at: run.runStartedAt,
    completed_at: run.completedAt ?? null,
    name: 'build',
    steps,
    check_run_url: `${api}/check-runs/${run.jobId}`,
    labels: ['ubuntu-latest'],
    runner_id: started ? 7 : null,
    runner_name: started ? 'sandbox-runner-1' : null,
    runner_group_id: started ? 1 : null,
    runner_group_name: started ? 'Default' : null,
    workflow_name: run.workflowName,
    head_branch: run.headBranch,
  };
}

export interface PullRequestView {
  number: number;
  title: string;
  body: string | undefined;
  state: 'open' | 'closed';
  draft: boolean;
  head: string;
  base: string;
  headSha: string;
  baseSha: string;
  merged: boolean;
  mergeable: boolean | undefined;
  mergeCommitSha: string | undefined;
  createdAt: string;
  updatedAt: string;
  closedAt: string | undefined;
  mergedAt: string | undefined;
  commits: number;
  changedFiles: number;
}

export function pullRequest(
  urls: GithubUrls,
  meta: RepoMetadata,
  pr: PullRequestView,
  full: boolean,
) {
  const fullName = `${meta.owner}/${meta.name}`;
  const api = `${urls.api}/repos/${fullName}`;
  const html = `${urls.web}/${fullName}/pull/${pr.number}`;
  const id = stableId('pull', `${fullName}#${pr.number}`);
  const repository = fullRepository(urls, meta);
  const owner = simpleUser(urls, meta.owner);
  const branch = (ref: string, sha: string) => ({
    label: `${meta.owner}:${ref}`,
    ref,
    sha,
    user: owner,
    repo: repository,
  });
  const simple = {
    url: `${api}/pulls/${pr.number}`,
    id,
    node_id: nodeId('PR_', id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${pr.number}`,
    commits_url: `${api}/pulls/${pr.number}/commits`,
    review_comments_url: `${api}/pulls/${pr.number}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${pr.number}/comments`,
    statuses_url: `${api}/statuses/${pr.headSha}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: simpleUser(urls, SANDBOX_USER),
    body: pr.body ?? null,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: pr.createdAt,
    updated_at: pr.updatedAt,
    closed_at: pr.closedAt ?? null,
    merged_at: pr.mergedAt ?? null,
    merge_commit_sha: pr.mergeCommitSha ?? null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: branch(pr.head, pr.headSha),
    base: branch(pr.base, pr.baseSha),
    _links: {
      self: { href: `${api}/pulls/${pr.number}` },
      html: { href: html },
      issue: { href: `${api}/issues/${pr.number}` },
      comments: { href: `${api}/issues/${pr.number}/comments` },
      review_comments: { href: `${api}/pulls/${pr.number}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${api}/pulls/${pr.number}/commits` },
      statuses: { href: `${api}/statuses/${pr.headSha}` },
    },
    author_association: 'MEMBER',
    auto_merge: null,
    draft: pr.draft,
  };
  if (!full) {
    return simple;
  }
  let mergeableState = pr.mergeable === false ? 'dirty' : 'clean';
  if (pr.state === 'closed') mergeableState = 'unknown';
  return {
    ...simple,
    merged: pr.merged,
    mergeable: pr.state === 'open' ? pr.mergeable ?? null : null,
    rebaseable: pr.state === 'open' ? pr.mergeable ?? null : null,
    mergeable_state: mergeableState,
    merged_by: pr.merged ? simpleUser(urls, SANDBOX_USER) : null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: pr.commits,
    additions: pr.changedFiles * 3,
    deletions: pr.changedFiles,
    changed_files: pr.changedFiles,
  };
}

/**
 * `GET /repos/{o}/{r}/branches/{b}/protection` of a protected branch: changes
 * through pull requests with one approval, no force pushes, no deletions,
 * enforced for admins too.
 */
export function branchProtection(
  urls: GithubUrls,
  owner: string,
  repo: string,
  branch: string,
) {
  const url = `${urls.api}/repos/${owner}/${repo}/branches/${branch}/protection`;
  return {
    url,
    required_signatures: { url: `${url}/required_signatures`, enabled: false },
    enforce_admins: { url: `${url}/enforce_admins`, enabled: true },
    required_pull_request_reviews: {
      url: `${url}/required_pull_request_reviews`,
      dismiss_stale_reviews: false,
      require_code_owner_reviews: false,
      required_approving_review_count: 1,
      require_last_push_approval: false,
    },
    required_linear_history: { enabled: false },
    allow_force_pushes: { enabled: false },
    allow_deletions: { enabled: false },
    block_creations: { enabled: false },
    required_conversation_resolution: { enabled: false },
    lock_branch: { enabled: false },
    allow_fork_syncing: { enabled: false },
  };
}

/** A commit status (`#/components/schemas/status`). */
export function commitStatus(
  urls: GithubUrls,
  record: {
    id: number;
    owner: string;
    repo: string;
    sha: string;
    state: string;
    context: string;
    description: string | undefined;
    targetUrl: string | undefined;
    createdAt: string;
    updatedAt: string;
  },
) {
  const creator = simpleUser(urls, SANDBOX_USER);
  return {
    url: `${urls.api}/repos/${record.owner}/${record.repo}/statuses/${record.sha}`,
    avatar_url: creator.avatar_url,
    id: record.id,
    node_id: nodeId('SC_', record.id),
    state: record.state,
    description: record.description ?? null,
    target_url: record.targetUrl ?? null,
    context: record.context,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    creator,
  };
}
