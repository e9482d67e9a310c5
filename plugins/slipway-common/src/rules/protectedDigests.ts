import { ProtectedImage, ProtectionReason } from '../retention';
import { HistoryEntry, ImageRef } from '../state';
import { rollbackTargets } from './rollbackTargets';

/** What is known of one environment of an entity, for image retention. @public */
export interface RetentionEnvironmentFacts {
  environment: string;
  /** The image the overlay sets at the head of the GitOps repository. */
  desired?: ImageRef;
  /** The entity's images the cluster runs now (the overlay's image at the live revision). */
  live?: ImageRef[];
  /** The environment's deployment history (any order): the overlay's changes. */
  history: HistoryEntry[];
}

/** What is known of one entity, for image retention. @public */
export interface RetentionEntityFacts {
  entityRef: string;
  /** `goharbor.io/repository-slug`: `project/repository`. */
  harborRepository?: string;
  environments: RetentionEnvironmentFacts[];
}

function identity(image: ImageRef): string | undefined {
  if (image.digest) return `${image.repository}@${image.digest}`;
  if (image.tag) return `${image.repository}:${image.tag}`;
  return undefined;
}

/**
 * The images no registry clean-up may delete: per entity and environment the
 * image the overlay sets, the images the cluster runs, and the first
 * `keepRollbackCandidates` rollback targets ({@link rollbackTargets}: the
 * digests the environment ran before, newest first). One entry per image and
 * environment, with every reason it is kept; images naming neither a tag nor
 * a digest are left out (there is nothing to keep).
 *
 * @public
 */
export function protectedDigests(
  entities: RetentionEntityFacts[],
  options: { keepRollbackCandidates: number },
): ProtectedImage[] {
  const keep = Math.max(0, Math.floor(options.keepRollbackCandidates));
  const result: ProtectedImage[] = [];
  for (const entity of entities) {
    for (const facts of entity.environments) {
      const byImage = new Map<string, ProtectedImage>();
      const add = (image: ImageRef, reason: ProtectionReason) => {
        const key = identity(image);
        if (!key) return;
        const found = byImage.get(key);
        if (found) {
          if (!found.reasons.includes(reason)) found.reasons.push(reason);
          return;
        }
        const entry: ProtectedImage = {
          entityRef: entity.entityRef,
          environment: facts.environment,
          reasons: [reason],
          image: { ...image },
        };
        if (entity.harborRepository)
          entry.harborRepository = entity.harborRepository;
        byImage.set(key, entry);
      };
      if (facts.desired) add(facts.desired, 'desired');
      for (const live of facts.live ?? []) add(live, 'live');
      const candidates = rollbackTargets(
        facts.history.filter(h => h.environment === facts.environment),
        facts.desired?.digest,
      ).slice(0, keep);
      for (const candidate of candidates) {
        if (candidate.image) add(candidate.image, 'rollback-candidate');
      }
      result.push(...byImage.values());
    }
  }
  return result;
}
