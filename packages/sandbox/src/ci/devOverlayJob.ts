import path from 'node:path';
import YAML from 'yaml';
import { isValidRepoPath } from '../git/GitRepositories';
import { readKustomizeImages, setKustomizeImage } from '../seed/manifests';

/** How the generated workflow's last job hands the overlay change to Git. */
type DevOverlayMode =
  | { kind: 'direct' }
  | {
      kind: 'pull-request';
      branch: string;
      title: string;
      /** With `${{ github.sha }}` still in it; filled in per run. */
      commitMessage: string;
    };

/**
 * What the generated workflow's "Update the dev overlay" job does, read from
 * the workflow file: which image it sets, in which repository and overlay,
 * and whether it commits or opens a pull request.
 */
export interface DevOverlayJob {
  /** The workflow's `env.IMAGE`: the `images:` entry to set. */
  image: string;
  /** `owner/repo` checked out by the job; undefined: the service repository itself. */
  repository: string | undefined;
  /** Folder of the overlay's kustomization.yaml inside that repository. */
  overlayPath: string;
  mode: DevOverlayMode;
}

const SLUG = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const SHA = /^[0-9a-f]{40}$/;

function steps(job: Record<string, any>): Array<Record<string, any>> {
  return Array.isArray(job.steps)
    ? job.steps.filter((s: unknown) => s && typeof s === 'object')
    : [];
}

function uses(step: Record<string, any>, action: string): boolean {
  return typeof step.uses === 'string' && step.uses.startsWith(`${action}@`);
}

/**
 * Finds the job that runs `kustomize edit set image` on an overlay (the
 * generated workflow's `deploy-dev`); undefined for any other workflow
 * (the seeded example services), so those keep their behaviour.
 */
export function readDevOverlayJob(
  workflowYaml: string,
): DevOverlayJob | undefined {
  let workflow: Record<string, any> | undefined;
  try {
    workflow = YAML.parse(workflowYaml);
  } catch {
    return undefined;
  }
  const image = workflow?.env?.IMAGE;
  const jobs = workflow?.jobs;
  if (typeof image !== 'string' || !jobs || typeof jobs !== 'object') {
    return undefined;
  }
  for (const job of Object.values<Record<string, any>>(jobs)) {
    if (!job || typeof job !== 'object') continue;
    const jobSteps = steps(job);
    const setsImage = jobSteps.some(
      s =>
        typeof s.run === 'string' && s.run.includes('kustomize edit set image'),
    );
    const overlay = job.env?.OVERLAY;
    if (!setsImage || typeof overlay !== 'string') continue;

    const checkout = jobSteps.find(s => uses(s, 'actions/checkout'));
    const repository = checkout?.with?.repository;
    const checkoutPath = path.posix.normalize(
      String(checkout?.with?.path ?? '.'),
    );
    const overlayPath = path.posix.relative(
      checkoutPath,
      path.posix.normalize(overlay),
    );
    if (
      (repository !== undefined &&
        (typeof repository !== 'string' || !SLUG.test(repository))) ||
      !isValidRepoPath(overlayPath)
    ) {
      return undefined;
    }
    const pullRequest = jobSteps.find(s =>
      uses(s, 'peter-evans/create-pull-request'),
    );
    let mode: DevOverlayMode = { kind: 'direct' };
    if (pullRequest) {
      const options = pullRequest.with ?? {};
      const branch = String(
        options.branch ?? 'create-pull-request/patch',
      ).trim();
      if (!isValidRepoPath(branch)) return undefined;
      mode = {
        kind: 'pull-request',
        branch,
        title: String(options.title ?? 'Changes by create-pull-request action'),
        commitMessage: String(
          options['commit-message'] ?? '[create-pull-request] automated change',
        ).trim(),
      };
    }
    return { image, repository, overlayPath, mode };
  }
  return undefined;
}

/**
 * Points an overlay's `images:` entry for `name` at one build, tag and digest
 * together, with the semantics of `kustomize edit set image
 * <name>=<name>:<tag>@<digest>` as Slipway applies them (the entry is added
 * when missing, `newName` is kept), on the parsed tree. Returns undefined
 * when the overlay already names that build.
 */
export function setOverlayImage(
  content: string,
  image: { name: string; tag: string; digest: string },
): string | undefined {
  if (!SHA.test(image.tag) || !DIGEST.test(image.digest)) {
    throw new Error(`not a build: ${image.tag}@${image.digest}`);
  }
  const entries = readKustomizeImages(content).filter(
    entry => entry.name === image.name,
  );
  if (entries.length > 1) {
    throw new Error(`kustomization.yaml lists ${image.name} more than once`);
  }
  if (entries[0]?.newTag === image.tag && entries[0]?.digest === image.digest) {
    return undefined;
  }
  return setKustomizeImage(content, image.name, {
    newTag: image.tag,
    digest: image.digest,
  });
}
