export interface Config {
  slipway?: {
    /**
     * Harbor, for `slipway:harbor:retention:ensure` (the same key the
     * backend reads; declared here too so the module stands alone).
     */
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
    retention?: {
      /** Most recently pushed tagged artifacts kept per repository. Default 10. */
      keepLastPushed?: number;
    };
    /** Settings of Slipway's scaffolder actions. */
    scaffolder?: {
      /**
       * Per-environment settings of generated overlays, layered over the
       * platform defaults (dev 1 replica 200m/256Mi; staging 2; prod 3 with
       * 500m–1000m CPU and 512Mi–1Gi). Environment names come from
       * `slipway.environments`.
       * @visibility backend
       */
      environments?: Array<{
        /** Environment name, one of `slipway.environments`. */
        name: string;
        /** Replicas (and HPA minimum). */
        replicas?: number;
        /** HPA maximum; defaults to 3 × replicas. */
        maxReplicas?: number;
        /** Namespace; defaults to `<app>-<env>`. */
        namespace?: string;
        /** Destination API server for Argo CD; defaults to in-cluster. */
        server?: string;
        /** Container resources. */
        resources?: {
          cpuRequest?: string;
          cpuLimit?: string;
          memoryRequest?: string;
          memoryLimit?: string;
        };
      }>;
      /**
       * Domain under which ingress hosts `<app>.<env>.<domain>` are generated.
       * @visibility backend
       */
      ingressDomain?: string;
      /**
       * Ingress class of generated ingresses.
       * @visibility backend
       */
      ingressClassName?: string;
      /** Tenancy rules for generated Argo CD objects. */
      argocd?: {
        /**
         * Namespace Argo CD runs in (Applications and AppProjects go there).
         * @visibility backend
         */
        namespace?: string;
        /**
         * Destinations generated Applications may use; `*` globs allowed.
         * Default: the in-cluster server, any namespace not denied.
         * @visibility backend
         */
        allowedDestinations?: Array<{ server: string; namespace: string }>;
        /**
         * Source repositories generated Applications may read; `*` globs.
         * Default: any (a warning is logged).
         * @visibility backend
         */
        allowedSourceRepos?: string[];
        /**
         * Projects generated objects may never use; `default` always is.
         * @visibility backend
         */
        forbiddenProjects?: string[];
        /**
         * Namespaces never allowed as destinations; `*` globs. Default:
         * kube-system, kube-public, kube-node-lease, default (and Argo CD's).
         * @visibility backend
         */
        deniedNamespaces?: string[];
      };
      /** Tenancy rules for generated Flux objects (slipway:flux:app:create). */
      flux?: {
        /**
         * Cluster whose entry point `flux/clusters/<cluster>/kustomization.yaml`
         * the action writes to. Default: the first of `slipway.flux.clusters`,
         * else `default`.
         * @visibility backend
         */
        cluster?: string;
        /**
         * GitRepository URLs generated sources may read; `*` globs.
         * Default: any (a warning is logged).
         * @visibility backend
         */
        allowedSourceRepos?: string[];
        /**
         * Target namespaces generated Kustomizations may deploy into; `*`
         * globs. Default: any namespace not denied.
         * @visibility backend
         */
        allowedTargetNamespaces?: string[];
        /**
         * Namespaces never allowed as target or team namespaces; `*` globs.
         * Default: kube-system, kube-public, kube-node-lease, default,
         * flux-system.
         * @visibility backend
         */
        deniedTargetNamespaces?: string[];
      };
    };
  };
}
