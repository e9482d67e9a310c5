/**
 * GitLab REST v4 payloads as GitLab serialises them (field names, nulls,
 * dates with milliseconds), built from the sandbox's records. Only what the
 * merge request endpoints answer.
 */

export interface GitlabUrls {
  /** e.g. http://127.0.0.1:7105/api/v4 */
  api: string;
  /** e.g. http://127.0.0.1:7105 */
  web: string;
}

/** The one account every sandbox token belongs to. */
const GITLAB_SANDBOX_USER = {
  id: 1,
  username: 'slipway-sandbox',
  name: 'Slipway Sandbox',
};

function userBasic(urls: GitlabUrls) {
  return {
    id: GITLAB_SANDBOX_USER.id,
    username: GITLAB_SANDBOX_USER.username,
    name: GITLAB_SANDBOX_USER.name,
    state: 'active',
    locked: false,
    avatar_url: null,
    web_url: `${urls.web}/${GITLAB_SANDBOX_USER.username}`,
  };
}

/** What a merge request looks like at the moment it is answered. */
export interface MergeRequestView {
  id: number;
  iid: number;
  projectId: number;
  project: string;
  title: string;
  description: string | undefined;
  state: 'opened' | 'closed' | 'merged';
  sourceBranch: string;
  targetBranch: string;
  /** Head of the source branch (frozen once closed or merged). */
  sha: string | undefined;
  baseSha: string | undefined;
  startSha: string | undefined;
  mergeable: boolean;
  changesCount: number;
  mergeCommitSha: string | undefined;
  createdAt: string;
  updatedAt: string;
  mergedAt: string | undefined;
  closedAt: string | undefined;
}

function detailedMergeStatus(view: MergeRequestView): string {
  if (view.state !== 'opened') return 'not_open';
  return view.mergeable ? 'mergeable' : 'conflict';
}

/** `API::Entities::MergeRequestBasic`: the items of a list. */
export function mergeRequestBasic(urls: GitlabUrls, view: MergeRequestView) {
  const user = userBasic(urls);
  const open = view.state === 'opened';
  return {
    id: view.id,
    iid: view.iid,
    project_id: view.projectId,
    title: view.title,
    description: view.description ?? null,
    state: view.state,
    created_at: view.createdAt,
    updated_at: view.updatedAt,
    merged_by: view.state === 'merged' ? user : null,
    merge_user: view.state === 'merged' ? user : null,
    merged_at: view.mergedAt ?? null,
    closed_by: view.state === 'closed' ? user : null,
    closed_at: view.closedAt ?? null,
    target_branch: view.targetBranch,
    source_branch: view.sourceBranch,
    user_notes_count: 0,
    upvotes: 0,
    downvotes: 0,
    author: user,
    assignees: [],
    assignee: null,
    reviewers: [],
    source_project_id: view.projectId,
    target_project_id: view.projectId,
    labels: [],
    draft: false,
    imported: false,
    imported_from: 'none',
    work_in_progress: false,
    milestone: null,
    merge_when_pipeline_succeeds: false,
    merge_status:
      open && !view.mergeable ? 'cannot_be_merged' : 'can_be_merged',
    detailed_merge_status: detailedMergeStatus(view),
    merge_after: null,
    sha: view.sha ?? null,
    merge_commit_sha: view.mergeCommitSha ?? null,
    squash_commit_sha: null,
    discussion_locked: null,
    should_remove_source_branch: null,
    force_remove_source_branch: false,
    prepared_at: view.createdAt,
    reference: `!${view.iid}`,
    references: {
      short: `!${view.iid}`,
      relative: `!${view.iid}`,
      full: `${view.project}!${view.iid}`,
    },
    web_url: `${urls.web}/${view.project}/-/merge_requests/${view.iid}`,
    time_stats: {
      time_estimate: 0,
      total_time_spent: 0,
      human_time_estimate: null,
      human_total_time_spent: null,
    },
    squash: false,
    squash_on_merge: false,
    task_completion_status: { count: 0, completed_count: 0 },
    has_conflicts: open && !view.mergeable,
    blocking_discussions_resolved: true,
  };
}

/** `API::Entities::MergeRequest`: a single merge request (create answers it). */
export function mergeRequest(urls: GitlabUrls, view: MergeRequestView) {
  return {
    ...mergeRequestBasic(urls, view),
    subscribed: true,
    // GitLab sends the count as a string ("1000+" when capped).
    changes_count: String(view.changesCount),
    latest_build_started_at: null,
    latest_build_finished_at: null,
    first_deployed_to_production_at: null,
    pipeline: null,
    head_pipeline: null,
    diff_refs: {
      base_sha: view.baseSha ?? null,
      head_sha: view.sha ?? null,
      start_sha: view.startSha ?? null,
    },
    merge_error: null,
    first_contribution: false,
    user: { can_merge: view.state === 'opened' },
  };
}
