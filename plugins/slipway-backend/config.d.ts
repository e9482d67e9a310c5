import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

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
    /** The portal's permission policy (packages/backend) for promotions. */
    permissions?: {
      /**
       * Environments an owning team may promote into without being a
       * platform admin. Default: every configured environment.
       */
      teamEnvironments?: string[];
    };
    /** The promotion engine's scheduled work. */
    promotions?: {
      /** How often open promotions are re-evaluated and followed. Default 15. */
      reconcileIntervalSeconds?: number;
      /** A syncing promotion not deployed within this many minutes fails. Default 30. */
      deployTimeoutMinutes?: number;
    };
    /** How deploy state is read from the upstreams. */
    state?: {
      /** Time budget of one upstream read, in milliseconds. Default 3000. */
      sourceTimeoutMs?: number;
      /** How long an upstream answer is served without asking again. Default 30. */
      cacheTtlSeconds?: number;
      /** How long an answer is kept to be served (as `stale`) when the upstream fails. Default 3600. */
      staleTtlSeconds?: number;
    };
    /** Argo CD instances; an entity picks one with `argocd/instance-name` (default: the first). */
    argocd?: {
      instances?: Array<{
        /** Name used by the `argocd/instance-name` annotation. */
        name: string;
        /** Base URL of the Argo CD server (the API is under /api/v1). */
        url: string;
        /**
         * Argo CD API token (read-only account recommended).
         * @visibility secret
         */
        token: string;
        /**
         * A separate token allowed to sync applications, used only by
         * promotions into manual-sync environments whose policy sets
         * `sync: true`. Without it, such promotions wait for a manual sync.
         * @visibility secret
         */
        writeToken?: string;
      }>;
    };
    /**
     * Flux clusters, read over the Kubernetes API. An entity with the
     * `slipway.dev/flux-selector` annotation reads its live state from one
     * (`slipway.dev/flux-cluster`; default: the first). See docs/flux.md.
     */
    flux?: {
      clusters?: Array<{
        /** Name used by the `slipway.dev/flux-cluster` annotation. */
        name: string;
        /** Kubernetes API server URL, e.g. `https://k8s.example.com:6443`. */
        url: string;
        /** Base64-encoded PEM of the API server's certificate authority. */
        caData?: string;
        /** Accept any server certificate (development only). */
        skipTLSVerify?: boolean;
        /**
         * Bearer token of the reader's service account (get/list
         * Kustomizations, GitRepositories, HelmReleases; get Deployments).
         * @visibility secret
         */
        serviceAccountToken: string;
        /**
         * A separate token allowed to patch Kustomizations and
         * GitRepositories, used only by promotions into manual-sync
         * environments whose policy sets `sync: true` (the reconcile
         * request). Without it, such promotions wait for Flux's interval.
         * @visibility secret
         */
        reconcileToken?: string;
        /** Read only these namespaces (default: all). */
        namespaces?: string[];
        /**
         * Link to an object in a Flux UI (Weave GitOps, Capacitor…), with
         * `{cluster}`, `{namespace}`, `{name}` and `{kind}` replaced.
         * Without it, the Deploy tab shows `<namespace>/<name>` as text.
         */
        uiUrl?: string;
      }>;
    };
    /** Harbor: artifacts, scans and signatures. */
    harbor?: {
      /** Base URL of Harbor (the API is under /api/v2.0). */
      url: string;
      /** Robot account or user name. */
      username: string;
      /**
       * Password or robot secret.
       * @visibility secret
       */
      password: string;
    };
    /**
     * Registries reached over the OCI distribution API (digest of a tag with
     * `HEAD /v2/<name>/manifests/<tag>`), for images not served by Harbor.
     */
    registries?: Array<{
      /** Host (and port) as written in image names, e.g. `ghcr.io`. */
      host: string;
      username?: string;
      /**
       * Password or token.
       * @visibility secret
       */
      password?: string;
      /** Plain HTTP; local registries only. */
      insecure?: boolean;
    }>;
    /** SonarQube quality gates. */
    sonarqube?: {
      /** Base URL of SonarQube. */
      url: string;
      /**
       * User token.
       * @visibility secret
       */
      token: string;
    };
    /** Which `integrations.github` host CI runs are read from. Default github.com, else the first. */
    github?: {
      host?: string;
    };
    /** Which `integrations.gitlab` host CI pipelines are read from. Default gitlab.com, else the first. */
    gitlab?: {
      host?: string;
    };
    /** The plain-git GitOps reader (credentials come from `integrations`). */
    gitops?: {
      /** Folder for bare clones. Default: `<tmp>/slipway-gitops-cache`. */
      cacheDir?: string;
      /** Least time between two fetches of a repository, in milliseconds. Default 2000. */
      minFetchIntervalMs?: number;
      /**
       * Hosts GitOps repositories may be read from besides the hosts of
       * `integrations.github` and `integrations.gitlab` (the only ones by
       * default), e.g. `git.example.com:8443`.
       */
      allowedHosts?: string[];
    };
    /**
     * Image retention (docs/retention.md): a scheduled task that keeps in
     * Harbor every image an environment runs or may roll back to, through
     * each concerned project's tag retention policy, and reports what
     * Harbor's retention would delete (`GET /api/slipway/retention`). Uses
     * the `slipway.harbor` credentials. Backend only: no key is secret or
     * needed by the browser.
     */
    retention?: {
      /** Run the task. Default false. */
      enabled?: boolean;
      /**
       * When it runs (one runner across replicas). Default: every 24 hours,
       * first after 5 minutes, 30 minutes timeout.
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /** Rollback targets kept per environment, besides what runs. Default 5. */
      keepRollbackCandidates?: number;
      /** Most recently pushed tagged artifacts kept per repository. Default 10. */
      keepLastPushed?: number;
    };
    /** Secrets of the webhooks under /api/slipway/webhooks/*. A webhook without a secret is refused. */
    webhooks?: {
      /**
       * Secret of the GitHub webhook (X-Hub-Signature-256).
       * @visibility secret
       */
      githubSecret?: string;
      /**
       * Value Argo CD notifications send in `X-Slipway-Webhook-Secret`.
       * @visibility secret
       */
      argocdSecret?: string;
      /**
       * Value of the Harbor webhook's auth header (sent as `Authorization`).
       * @visibility secret
       */
      harborSecret?: string;
      /**
       * Webhooks within this many milliseconds are coalesced: each cache
       * scope they name is invalidated once per window. Default 500.
       */
      coalesceMs?: number;
    };
  };
}
