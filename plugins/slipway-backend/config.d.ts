export interface Config {
  /** Configuration of the Slipway plugins. */
  slipway?: {
    /**
     * Environments in promotion order. Defaults to dev (auto sync), staging
     * (manual) and prod (manual). An entity can narrow the list with the
     * `slipway.dev/environments` annotation.
     */
    environments?: Array<{
      /**
       * DNS-1123 label, e.g. `staging`.
       */
      name: string;
      /**
       * How Argo CD applies changes in this environment.
       */
      syncMode?: 'auto' | 'manual';
    }>;
    /**
     * Groups whose members may change promotion policies, as full entity
     * refs. Read by the portal's permission policy (packages/backend); an
     * adopter's own policy decides `slipway.policy.update` its own way.
     * Defaults to group:default/platform-admins.
     */
    platformAdminGroups?: string[];
  };
}
