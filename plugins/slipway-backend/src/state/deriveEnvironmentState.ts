import {
  ArtifactState,
  BuildRun,
  deployedVerdict,
  DeployedFacts,
  driftVerdict,
  EnvironmentState,
  ImageRef,
  LiveState,
  QualityGate,
  SlipwayEnvironment,
} from '@slipway/plugin-slipway-common';
import { GitOpsChange, GitOpsOverlay } from '@slipway/plugin-slipway-node';

/** Everything read about one environment, before any verdict. */
export interface EnvironmentFacts {
  environment: SlipwayEnvironment;
  /** The controller the entity's annotations name; absent: Argo CD. */
  controller?: EnvironmentState['controller'];
  /** Overlay folder, when the entity names a GitOps repository. */
  path?: string;
  /** Head revision of the GitOps repository, when it was read. */
  headRevision?: string;
  overlay?: GitOpsOverlay;
  lastChange?: GitOpsChange;
  /** Tree id of the overlay folder at the live revision (when not the head). */
  liveTreeId?: string;
  /** Live state, with the rollout when one was read. */
  live?: LiveState;
  /** The artifact the desired image points at, as the registry knows it. */
  artifact?: ArtifactState;
  runs: BuildRun[];
  quality?: QualityGate;
  /** The statuses of the sources "deployed" must see `ok`. */
  decidingSources?: DeployedFacts['decidingSources'];
  /** When the oldest of the not-`ok` deciding sources' data was fetched. */
  lastKnownSince?: string;
}

/** The artifact of a list that is the image: by digest when it has one, else by tag. */
export function findArtifact(
  artifacts: ArtifactState[],
  image: ImageRef | undefined,
): ArtifactState | undefined {
  if (!image) return undefined;
  return artifacts.find(a =>
    image.digest ? a.image.digest === image.digest : a.image.tag === image.tag,
  );
}

/**
 * What is shown about the desired image: the registry's artifact joined
 * with its CI run and quality gate, or, without one, the image and the run
 * of the commit its tag names.
 */
function describeArtifact(
  image: ImageRef | undefined,
  artifact: ArtifactState | undefined,
  runs: BuildRun[],
  quality: QualityGate | undefined,
): ArtifactState | undefined {
  if (artifact) {
    const commit = artifact.sourceCommit ?? image?.tag;
    return {
      ...artifact,
      image: {
        ...artifact.image,
        repository: image?.repository ?? artifact.image.repository,
        tag: image?.tag ?? artifact.image.tag,
      },
      build: runs.find(r => r.commit === commit),
      quality,
    };
  }
  if (!image) return undefined;
  return {
    image,
    sourceCommit: image.tag,
    build: runs.find(r => r.commit === image.tag),
  };
}

/** The state of one environment: the facts, and the verdicts of the common rules. */
export function deriveEnvironmentState(
  facts: EnvironmentFacts,
): EnvironmentState {
  const { environment, path, overlay, lastChange, live } = facts;
  const image = overlay?.image;
  const state: EnvironmentState = {
    environment: environment.name,
    syncMode: environment.syncMode,
    drift: { drifted: false, reasons: [] },
    deployed: false,
  };
  if (facts.controller) state.controller = facts.controller;
  if (path) {
    state.desired = {
      path,
      image,
      commit: lastChange?.commit,
      promotionId: lastChange?.promotionId,
    };
  }
  if (live) state.live = live;
  const artifact = describeArtifact(
    image,
    facts.artifact,
    facts.runs,
    facts.quality,
  );
  if (artifact) state.artifact = artifact;
  if (live) {
    state.drift = driftVerdict({ desired: image, live });
    const verdict = deployedVerdict({
      controller: facts.controller,
      desired:
        overlay && facts.headRevision
          ? {
              revision: facts.headRevision,
              treeId: overlay.treeId,
              image,
            }
          : undefined,
      liveTreeId: facts.liveTreeId,
      live,
      decidingSources: facts.decidingSources,
    });
    state.deployed = verdict.deployed;
    state.deployedReason = verdict.reason;
    if (verdict.lastKnown) {
      state.lastKnown = { ...verdict.lastKnown, since: facts.lastKnownSince };
    }
  }
  return state;
}
