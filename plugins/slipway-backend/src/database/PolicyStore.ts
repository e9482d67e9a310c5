import {
  PromotionPolicy,
  PromotionPolicyVersion,
} from '@slipway/plugin-slipway-common';

/** Versioned storage of promotion policies. */
export interface PolicyStore {
  /** The latest version of every policy, by name. */
  listLatest(): Promise<PromotionPolicyVersion[]>;
  /** The latest version of one policy, or undefined. */
  getLatest(name: string): Promise<PromotionPolicyVersion | undefined>;
  /** Every version of one policy, newest first. */
  getHistory(name: string): Promise<PromotionPolicyVersion[]>;
  /**
   * Saves a new version. Throws ConflictError when the latest stored version
   * is not `expectedVersion` (0 when creating), so concurrent editors never
   * overwrite each other.
   */
  save(options: {
    name: string;
    policy: PromotionPolicy;
    expectedVersion: number;
    createdBy: string;
    comment?: string;
  }): Promise<PromotionPolicyVersion>;
}
