import { ImageRef, LiveState, SourceStatus } from '../state';
import { controllerWords, GitOpsController } from './controllerWords';
import { driftVerdict } from './driftVerdict';
import { settledVerdict } from './settledVerdict';

/**
 * The facts the "deployed" rule reads. Both the Deploy tab and the fleet
 * compute them the same way: the overlay folder's Git tree id at the head
 * and at the revision the controller (Argo CD, Flux) last synced.
 *
 * @public
 */
export interface DeployedFacts {
  /** The controller that deploys the environment, for the reasons' words; absent: Argo CD. */
  controller?: GitOpsController;
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
  /** What the controller reports. */
  live?: Pick<
    LiveState,
    | 'controller'
    | 'revision'
    | 'syncStatus'
    | 'healthStatus'
    | 'images'
    | 'operation'
    | 'reconciledAt'
  >;
  /**
   * The statuses of the GitOps and Argo CD sources in this answer. Anything
   * but `ok` is unknown: the verdict on the data is only last-known, and
   * unknown is never deployed (THREATS 12, 13, 34).
   */
  decidingSources?: { gitops?: SourceStatus; delivery?: SourceStatus };
}

/** Whether an environment runs what Git asks for, and why. @public */
export interface DeployedVerdict {
  /** True only on current data from both sources. */
  deployed: boolean;
  reason: string;
  /**
   * Set when a deciding source was not `ok`: the verdict the last-known data
   * gives, which must be shown as last-known, never as current.
   */
  lastKnown?: { deployed: boolean; reason: string; sources: string[] };
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
  const onData = verdictOnData(facts);
  const deciding = facts.decidingSources;
  if (!deciding) return onData;
  const unknown = (
    [
      ['GitOps', deciding.gitops],
      [
        controllerWords(facts.controller ?? facts.live?.controller).name,
        deciding.delivery,
      ],
    ] as const
  ).filter(([, status]) => status !== 'ok');
  if (unknown.length === 0) return onData;
  const said = unknown
    .map(([name, status]) => `the ${name} source is ${status ?? 'missing'}`)
    .join(' and ');
  return {
    deployed: false,
    reason: `Unknown: ${said}`,
    lastKnown: {
      deployed: onData.deployed,
      reason: onData.reason,
      sources: unknown.map(([name]) => name),
    },
  };
}

function verdictOnData(facts: DeployedFacts): DeployedVerdict {
  const { desired, live } = facts;
  const words = controllerWords(facts.controller ?? live?.controller);
  if (!live) {
    return notDeployed(`${words.name} has no ${words.object} here`);
  }
  if (!desired) return notDeployed('The GitOps overlay is not there');
  if (!desired.image) return notDeployed('The GitOps overlay sets no image');
  if (!live.revision) {
    return notDeployed(`${words.name} reports no ${words.synced} revision`);
  }
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
    return notDeployed(`${words.name} reports ${live.syncStatus}`);
  }
  if (live.healthStatus !== 'Healthy') {
    return notDeployed(`The ${words.object} is ${live.healthStatus}`);
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
