import { ImageRef, LiveState, SourceStatus } from '../state';
import { driftVerdict } from './driftVerdict';
import { settledVerdict } from './settledVerdict';

/**
 * The facts the "deployed" rule reads. Both the Deploy tab and the fleet
 * compute them the same way: the overlay folder's Git tree id at the head
 * and at the revision Argo CD last synced.
 *
 * @public
 */
export interface DeployedFacts {
  /** What Git wants: the overlay at the head of the GitOps repository. */
  desired?: {
    /** The head revision the overlay was read at. */
    revision: string;
    /** Git tree id of the overlay folder at the head. */
    treeId?: string;
    image?: ImageRef;
  };
  /**
   * Git tree id of the overlay folder at the live revision, when that
   * revision is not the head; undefined when unknown to the reader.
   */
  liveTreeId?: string;
  /** What Argo CD reports. */
  live?: Pick<
    LiveState,
    | 'revision'
    | 'syncStatus'
    | 'healthStatus'
    | 'images'
    | 'operation'
    | 'reconciledAt'
  >;
  /**
   * Set for reads that decide (fresh reads, promotion gates): the statuses of
   * the GitOps and Argo CD sources in this answer. Anything but `ok` is
   * unknown, and unknown is not deployed.
   */
  decidingSources?: { gitops?: SourceStatus; delivery?: SourceStatus };
}

/** Whether an environment runs what Git asks for, and why. @public */
export interface DeployedVerdict {
  deployed: boolean;
  reason: string;
}

function notDeployed(reason: string): DeployedVerdict {
  return { deployed: false, reason };
}

function short(revision: string): string {
  return revision.slice(0, 7);
}

/**
 * Deployed (THREATS 14): the live revision carries the desired overlay (it
 * is the head, or the overlay folder's tree there is the head's), Argo CD
 * reconciled after the last operation, the application is Synced and
 * Healthy, the cluster runs the desired image, and — for deciding reads —
 * both the GitOps and the Argo CD source answered `ok`.
 *
 * @public
 */
export function deployedVerdict(facts: DeployedFacts): DeployedVerdict {
  const deciding = facts.decidingSources;
  if (deciding) {
    for (const [name, status] of [
      ['GitOps', deciding.gitops],
      ['Argo CD', deciding.delivery],
    ] as const) {
      if (status !== 'ok') {
        return notDeployed(`The ${name} source is ${status ?? 'missing'}`);
      }
    }
  }
  const { desired, live } = facts;
  if (!live) return notDeployed('Argo CD has no application here');
  if (!desired) return notDeployed('The GitOps overlay is not there');
  if (!desired.image) return notDeployed('The GitOps overlay sets no image');
  if (!live.revision) return notDeployed('Argo CD reports no synced revision');
  const carries =
    live.revision === desired.revision ||
    (desired.treeId !== undefined && facts.liveTreeId === desired.treeId);
  if (!carries) {
    return notDeployed(
      `The live revision ${short(
        live.revision,
      )} does not carry the desired overlay`,
    );
  }
  if (live.syncStatus !== 'Synced') {
    return notDeployed(`Argo CD reports ${live.syncStatus}`);
  }
  if (live.healthStatus !== 'Healthy') {
    return notDeployed(`The application is ${live.healthStatus}`);
  }
  const settled = settledVerdict(live);
  if (!settled.settled) return notDeployed(settled.reason);
  const drift = driftVerdict({ desired: desired.image, live });
  if (drift.drifted) return notDeployed(drift.reasons.join('; '));
  return {
    deployed: true,
    reason: `The live revision ${short(
      live.revision,
    )} carries the desired overlay, Synced, Healthy and settled`,
  };
}
