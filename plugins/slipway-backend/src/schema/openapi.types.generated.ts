// This file is generated from openapi.yaml by scripts/generate-openapi.js.
// Do not edit it by hand: run `yarn generate:openapi` in this package.

/* eslint-disable */
export interface paths {
  '/environments': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description The configured environments, in promotion order. */
    get: operations['GetEnvironments'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/entities/{kind}/{namespace}/{name}/config': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description What Slipway reads from an entity's annotations and the portal's configuration. Entities the caller may not see are not found. */
    get: operations['GetEntityConfig'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/policies': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description The latest version of every promotion policy. */
    get: operations['ListPolicies'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/policies/{policyName}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations['GetPolicy'];
    /** @description Creates a new version of a policy. `expectedVersion` is the version the change was made from (0 for a new policy); a mismatch is a 409. */
    put: operations['SavePolicy'];
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/policies/{policyName}/versions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description Every version of a policy, newest first. */
    get: operations['GetPolicyHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/entities/{kind}/{namespace}/{name}/state': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description Deploy state of an entity per environment: desired (GitOps), live (Argo CD), drift, artifact, CI and quality, with a report per upstream source. Entities the caller may not see are not found, and no upstream is asked. With `Accept: application/x-ndjson` the answer is streamed as newline-delimited JSON, each line a whole EntityState: a partial snapshot each time sources answered while others are still under way (those report `pending`, and the parts that depend on them are left out), then the complete state as the last line. Plain JSON (the complete state) is the default. */
    get: operations['GetEntityState'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/entities/{kind}/{namespace}/{name}/history': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description Deployments of an entity from the GitOps history of each overlay and Argo CD's history, newest first. */
    get: operations['GetEntityHistory'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/fleet': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description Every entity the caller may see, by environment. Upstream reads do not grow with the number of entities (one per Argo CD instance and GitOps repository). */
    get: operations['GetFleet'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/entities/{kind}/{namespace}/{name}/promotions/preview': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description What a promotion would do - the artifact resolved to one digest, every gate with its reason, the policy versions and the exact overlay diff. Reads fresh; writes nothing. */
    post: operations['PreviewPromotion'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/entities/{kind}/{namespace}/{name}/promotions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description Requests a promotion into an environment (permission slipway.promotion.create on the entity and environment). Idempotent on idempotencyKey. The promotion runs as far as its gates allow. */
    post: operations['RequestPromotion'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/entities/{kind}/{namespace}/{name}/rollbacks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description Rolls an environment back to a digest it ran before, with a reason - a new commit, never a history rewrite. */
    post: operations['RequestRollback'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/promotions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description Promotions, newest first, of entities the caller can see. */
    get: operations['ListPromotions'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/promotions/{promotionId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description One promotion with its gates, approvals, commit or pull request and timeline. */
    get: operations['GetPromotion'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/promotions/{promotionId}/decisions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description Approves or rejects a promotion. Counts only for members of the approval gate groups, never the requester, bound to the digest, environment and policy versions in force. */
    post: operations['DecidePromotion'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/promotions/{promotionId}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description Cancels a promotion that has not started writing (the requester, or someone with slipway.promotion.override). */
    post: operations['CancelPromotion'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/freezes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description Active freezes (global means stop the line). */
    get: operations['ListFreezes'];
    put?: never;
    /** @description Freezes an environment, a system, an owner, an entity or everything (slipway.freeze.manage). Frozen targets accept requests but execute nothing until lifted. */
    post: operations['CreateFreeze'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/freezes/{freezeId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** @description Lifts a freeze (slipway.freeze.manage). */
    delete: operations['LiftFreeze'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/retention': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description The last image retention run (slipway.retention.read, platform admins): the images kept because an environment runs them or may roll back to them, those no tag rule can keep, the Harbor retention policy written per project, and what Harbor's retention would delete. */
    get: operations['GetRetentionReport'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/webhooks/{source}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description Webhooks from GitHub (`X-Hub-Signature-256`), Argo CD notifications (`X-Slipway-Webhook-Secret`) and Harbor (`Authorization`, the webhook's auth header). Unauthenticated for Backstage, checked against the configured secret in constant time, at most 256 KiB. A valid webhook only invalidates cached state and signals the open pages; it never carries data into the state. */
    post: operations['PostWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    Error: {
      error: {
        name: string;
        message: string;
      };
    };
    /** @enum {string} */
    SyncMode: 'auto' | 'manual';
    /** @description SlipwayEnvironment in slipway-common. */
    Environment: {
      name: string;
      syncMode: components['schemas']['SyncMode'];
    };
    EnvironmentList: {
      items: components['schemas']['Environment'][];
    };
    /** @enum {string} */
    ProviderKind: 'ci' | 'artifacts' | 'quality' | 'delivery' | 'gitops';
    AnnotationFinding: {
      annotation: string;
      purpose: string;
      value?: string;
      problem?: string;
    };
    EntityDeployConfig: {
      entityRef: string;
      annotations: components['schemas']['AnnotationFinding'][];
      missing: string[];
      gitops?: {
        repo: string;
        path: string;
      };
      image?: string;
      argocd?: {
        appSelector?: string;
        appName?: string;
        instance?: string;
      };
      flux?: {
        selector: string;
        cluster?: string;
      };
      ci?: {
        /** @enum {string} */
        provider: 'github' | 'gitlab';
        projectSlug: string;
      };
      registry?: {
        harborRepositorySlug: string;
      };
      quality?: {
        sonarqubeProjectKey: string;
      };
      environments: components['schemas']['Environment'][];
      providers: {
        kind: components['schemas']['ProviderKind'];
        id: string;
      }[];
    };
    DnsLabel: string;
    /** @description A full entity reference, e.g. group:default/platform-admins. */
    EntityRef: string;
    /** @description HH:MM. */
    Clock: string;
    GateCount: number;
    DeployWindow: {
      days: ('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[];
      start: components['schemas']['Clock'];
      end: components['schemas']['Clock'];
    };
    /** @description A gate in a promotion policy. Mirrors gateSchema in slipway-common, which stays the validator (it also checks time zones and gives the messages people read). */
    PolicyGate:
      | {
          /** @enum {string} */
          type: 'ci-passed';
        }
      | {
          /** @enum {string} */
          type: 'scan';
          maxCritical?: components['schemas']['GateCount'];
          maxHigh?: components['schemas']['GateCount'];
          maxMedium?: components['schemas']['GateCount'];
          maxLow?: components['schemas']['GateCount'];
          maxUnknown?: components['schemas']['GateCount'];
        }
      | {
          /** @enum {string} */
          type: 'quality-gate';
        }
      | {
          /** @enum {string} */
          type: 'signature';
          identity: string;
          /** Format: uri */
          issuer: string;
        }
      | {
          /** @enum {string} */
          type: 'soak';
          upstream: components['schemas']['DnsLabel'];
          minutes: number;
        }
      | {
          /** @enum {string} */
          type: 'approvals';
          count: number;
          groups: components['schemas']['EntityRef'][];
        }
      | {
          /** @enum {string} */
          type: 'deploy-window';
          /** @description An IANA time zone, e.g. Europe/Berlin. */
          timeZone: string;
          allow: components['schemas']['DeployWindow'][];
          deny?: components['schemas']['DeployWindow'][];
        }
      | {
          /** @enum {string} */
          type: 'verification';
          check: string;
          environment?: components['schemas']['DnsLabel'];
        }
      | {
          /** @enum {string} */
          type: 'freeze';
          reason: string;
        };
    EnvironmentRule: {
      /** @enum {string} */
      mode: 'direct' | 'pull-request';
      autoPromote?: boolean;
      /** @description Manual-sync environments - ask Argo CD to sync once the commit lands. */
      sync?: boolean;
      gates: components['schemas']['PolicyGate'][];
    };
    /** @description The body of a promotion policy. Mirrors promotionPolicySchema in slipway-common (the validator of record). */
    PromotionPolicy: {
      description?: string;
      selector: {
        kinds?: string[];
        owners?: components['schemas']['EntityRef'][];
        systems?: components['schemas']['EntityRef'][];
        entities?: components['schemas']['EntityRef'][];
      };
      environments: {
        [key: string]: components['schemas']['EnvironmentRule'];
      };
    };
    /** @description PromotionPolicyVersion in slipway-common. */
    PolicyVersion: {
      name: string;
      version: number;
      policy: components['schemas']['PromotionPolicy'];
      comment?: string;
      createdBy: string;
      /** Format: date-time */
      createdAt: string;
    };
    PolicyList: {
      items: components['schemas']['PolicyVersion'][];
    };
    /** @enum {string} */
    SourceKind: 'gitops' | 'delivery' | 'ci' | 'artifacts' | 'quality';
    /**
     * @description `pending` appears only in the partial snapshots of a streamed state (`Accept: application/x-ndjson`): the source has not answered yet.
     * @enum {string}
     */
    SourceStatus:
      | 'ok'
      | 'error'
      | 'stale'
      | 'unconfigured'
      | 'rate-limited'
      | 'pending';
    /** @description How one upstream source fared; never contains credentials. */
    SourceReport: {
      source: string;
      kind: components['schemas']['SourceKind'];
      status: components['schemas']['SourceStatus'];
      /** Format: date-time */
      fetchedAt?: string;
      message?: string;
      /** Format: date-time */
      retryAt?: string;
    };
    ImageRef: {
      repository: string;
      tag?: string;
      digest?: string;
    };
    CommitInfo: {
      sha: string;
      message?: string;
      author?: string;
      committedAt?: string;
      url?: string;
    };
    /** @description What Git says should run in an environment. */
    DesiredState: {
      path: string;
      image?: components['schemas']['ImageRef'];
      commit?: components['schemas']['CommitInfo'];
      promotionId?: string;
    };
    BuildRun: {
      id: string;
      name?: string;
      number?: number;
      /** @enum {string} */
      status: 'queued' | 'in_progress' | 'completed';
      /** @enum {string} */
      conclusion?:
        | 'success'
        | 'failure'
        | 'cancelled'
        | 'skipped'
        | 'timed_out'
        | 'neutral'
        | 'action_required'
        | 'stale';
      commit: string;
      branch?: string;
      startedAt?: string;
      completedAt?: string;
      durationSeconds?: number;
      url?: string;
    };
    BlueGreenState: {
      activeService?: string;
      previewService?: string;
      activeSelector?: string;
      previewSelector?: string;
      currentPodHash?: string;
      autoPromotionEnabled?: boolean;
    };
    RolloutState: {
      /** @enum {string} */
      strategy: 'canary' | 'blueGreen' | 'deployment';
      phase?: string;
      currentStep?: number;
      totalSteps?: number;
      weight?: number;
      paused?: boolean;
      /** @enum {string} */
      analysis?:
        | 'Pending'
        | 'Running'
        | 'Successful'
        | 'Failed'
        | 'Error'
        | 'Inconclusive';
      pauseReason?: string;
      blueGreen?: components['schemas']['BlueGreenState'];
      message?: string;
    };
    /** @enum {string} */
    SyncStatus: 'Synced' | 'OutOfSync' | 'Unknown';
    /** @enum {string} */
    HealthStatus:
      | 'Healthy'
      | 'Progressing'
      | 'Degraded'
      | 'Suspended'
      | 'Missing'
      | 'Unknown';
    LiveState: {
      application: string;
      instance: string;
      syncStatus: components['schemas']['SyncStatus'];
      healthStatus: components['schemas']['HealthStatus'];
      revision?: string;
      images: string[];
      operation?: {
        /** @enum {string} */
        phase: 'Running' | 'Terminating' | 'Succeeded' | 'Failed' | 'Error';
        startedAt?: string;
        finishedAt?: string;
        message?: string;
        revision?: string;
      };
      lastSyncedAt?: string;
      reconciledAt?: string;
      rollout?: components['schemas']['RolloutState'];
      url?: string;
      /** @enum {string} */
      controller?: 'argocd' | 'flux';
      namespace?: string;
      secrets?: components['schemas']['SecretHealth'][];
    };
    /** @enum {string} */
    SecretKind:
      | 'ExternalSecret'
      | 'SealedSecret'
      | 'SecretStore'
      | 'ClusterSecretStore';
    SecretHealth: {
      kind: components['schemas']['SecretKind'];
      name: string;
      namespace?: string;
      health: components['schemas']['HealthStatus'];
      message?: string;
    };
    ScanSummary: {
      scanner: string;
      /** @enum {string} */
      status: 'Success' | 'Pending' | 'Running' | 'Error' | 'NotScanned';
      critical: number;
      high: number;
      medium: number;
      low: number;
      unknown: number;
      fixable?: number;
      completedAt?: string;
      reportUrl?: string;
    };
    QualityGate: {
      /** @enum {string} */
      status: 'OK' | 'WARN' | 'ERROR' | 'NONE';
      url?: string;
      conditions?: {
        metric: string;
        status: string;
        actual?: string;
        threshold?: string;
      }[];
    };
    /** @description Who made a cosign keyless signature, as its Fulcio certificate says: the Subject Alternative Name (a CI workflow URI or an email) and the OIDC issuer (extension 1.3.6.1.4.1.57264.1.8). Read from the registry, not cryptographically verified by Slipway. */
    SignerIdentity: {
      identity: string;
      issuer: string;
    };
    SignatureState: {
      signed: boolean;
      count: number;
      /** @description Who signed. Absent when not read (artifact lists) or not readable (unknown); empty only when the registry lists no signature. */
      signers?: components['schemas']['SignerIdentity'][];
    };
    ArtifactState: {
      image: components['schemas']['ImageRef'];
      sourceCommit?: string;
      pushedAt?: string;
      build?: components['schemas']['BuildRun'];
      scan?: components['schemas']['ScanSummary'];
      quality?: components['schemas']['QualityGate'];
      signature?: components['schemas']['SignatureState'];
      url?: string;
    };
    /** @description What last-known data says when the GitOps or Argo CD source was not ok in this answer; never shown as current. */
    LastKnownVerdict: {
      deployed: boolean;
      reason: string;
      sources: string[];
      /** Format: date-time */
      since?: string;
    };
    EnvironmentState: {
      environment: string;
      syncMode: components['schemas']['SyncMode'];
      /** @enum {string} */
      controller?: 'argocd' | 'flux';
      desired?: components['schemas']['DesiredState'];
      live?: components['schemas']['LiveState'];
      drift: {
        drifted: boolean;
        reasons: string[];
      };
      deployed: boolean;
      deployedReason?: string;
      lastKnown?: components['schemas']['LastKnownVerdict'];
      artifact?: components['schemas']['ArtifactState'];
    };
    EntityState: {
      entityRef: string;
      /** Format: date-time */
      generatedAt: string;
      environments: components['schemas']['EnvironmentState'][];
      builds: components['schemas']['BuildRun'][];
      sources: components['schemas']['SourceReport'][];
    };
    HistoryEntry: {
      environment: string;
      /** @enum {string} */
      source: 'gitops' | 'argocd';
      revision: string;
      image?: components['schemas']['ImageRef'];
      at: string;
      author?: string;
      message?: string;
      promotionId?: string;
    };
    HistoryPage: {
      items: components['schemas']['HistoryEntry'][];
      nextCursor?: string;
      sources: components['schemas']['SourceReport'][];
    };
    FleetCell: {
      tag?: string;
      digest?: string;
      syncStatus?: components['schemas']['SyncStatus'];
      healthStatus?: components['schemas']['HealthStatus'];
      deployed: boolean;
      lastKnown?: components['schemas']['LastKnownVerdict'];
      behind: boolean;
      drifted?: boolean;
      driftReasons?: string[];
      rollout?: components['schemas']['FleetRollout'];
      /** Format: date-time */
      since?: string;
      verdict: components['schemas']['EnvironmentVerdict'];
    };
    /** @enum {string} */
    EnvironmentVerdictKind:
      | 'awaiting-first-deploy'
      | 'awaiting-sync'
      | 'rolling-out'
      | 'deployed'
      | 'degraded'
      | 'drifted'
      | 'failed'
      | 'unknown';
    /** @enum {string} */
    VerdictTone: 'ok' | 'warning' | 'error' | 'progress' | 'unknown';
    /** @description The one verdict of an environment (the common environmentVerdict rule), worded as the Deploy tab words it. */
    EnvironmentVerdict: {
      kind: components['schemas']['EnvironmentVerdictKind'];
      label: string;
      reason: string;
      tone: components['schemas']['VerdictTone'];
      progress?: {
        text: string;
        percent?: number;
      };
      /** Format: date-time */
      lastKnownAt?: string;
      lastKnown?: {
        kind: components['schemas']['EnvironmentVerdictKind'];
        label: string;
      };
    };
    /** @enum {string} */
    FleetRollout: 'progressing' | 'paused' | 'failed';
    FleetBuild: {
      /** @enum {string} */
      status: 'passed' | 'failed' | 'running' | 'other';
      name?: string;
      url?: string;
      /** Format: date-time */
      at?: string;
      lastKnown?: boolean;
    };
    FleetScan: {
      /** @enum {string} */
      status: 'Success' | 'Pending' | 'Running' | 'Error' | 'NotScanned';
      critical: number;
      high: number;
      url?: string;
      lastKnown?: boolean;
    };
    FleetUnknownFilter: {
      /** @enum {string} */
      name: 'owner' | 'system' | 'environment';
      value: string;
    };
    FleetRow: {
      entityRef: string;
      title?: string;
      owner?: string;
      system?: string;
      cells: {
        [key: string]: components['schemas']['FleetCell'];
      };
      /** @enum {string} */
      controller?: 'argocd' | 'flux';
      notSetUp?: boolean;
      build?: components['schemas']['FleetBuild'];
      scan?: components['schemas']['FleetScan'];
    };
    FleetPage: {
      environments: components['schemas']['Environment'][];
      items: components['schemas']['FleetRow'][];
      totalItems: number;
      nextCursor?: string;
      sources: components['schemas']['SourceReport'][];
      facets?: {
        owners: string[];
        systems: string[];
      };
      unknownFilters?: components['schemas']['FleetUnknownFilter'][];
    };
    Digest: string;
    GateResult: {
      /** @enum {string} */
      type:
        | 'ci-passed'
        | 'scan'
        | 'quality-gate'
        | 'signature'
        | 'soak'
        | 'approvals'
        | 'deploy-window'
        | 'verification'
        | 'freeze';
      /** @enum {string} */
      status: 'pass' | 'fail' | 'pending' | 'unknown';
      reason: string;
      policy?: {
        name: string;
        version: number;
      };
      /** Format: date-time */
      changesAt?: string;
    };
    /** @enum {string} */
    GatesVerdict: 'ready' | 'awaiting-approval' | 'pending' | 'blocked';
    PolicyRef: {
      name: string;
      version: number;
    };
    /** @enum {string} */
    PromotionState:
      | 'requested'
      | 'blocked'
      | 'awaiting-approval'
      | 'executing'
      | 'committed'
      | 'pr-open'
      | 'syncing'
      | 'deployed'
      | 'failed'
      | 'cancelled'
      | 'superseded'
      | 'no-op';
    PromotionArtifact: {
      repository: string;
      digest: string;
      tag?: string;
      sourceCommit?: string;
    };
    PromotionEvent: {
      /** Format: date-time */
      at: string;
      actor: string;
      state: components['schemas']['PromotionState'];
      message?: string;
    };
    PromotionApproval: {
      approver: string;
      /** @enum {string} */
      decision: 'approve' | 'reject';
      comment?: string;
      /** Format: date-time */
      at: string;
    };
    Promotion: {
      id: string;
      entityRef: string;
      environment: string;
      /** @enum {string} */
      kind: 'promotion' | 'rollback';
      artifact: components['schemas']['PromotionArtifact'];
      state: components['schemas']['PromotionState'];
      /** @enum {string} */
      mode: 'direct' | 'pull-request';
      requester: string;
      reason?: string;
      breakGlass: boolean;
      policies: components['schemas']['PolicyRef'][];
      gates: components['schemas']['GateResult'][];
      verdict?: components['schemas']['GatesVerdict'];
      approvals: components['schemas']['PromotionApproval'][];
      commit?: {
        sha: string;
        url?: string;
      };
      pullRequest?: {
        number: number;
        url: string;
        branch: string;
        /** @enum {string} */
        state?: 'open' | 'merged' | 'closed';
      };
      error?: string;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      timeline: components['schemas']['PromotionEvent'][];
    };
    PromotionList: {
      items: components['schemas']['Promotion'][];
      nextCursor?: string;
    };
    PromotionRequest: {
      environment: components['schemas']['DnsLabel'];
      artifact:
        | {
            digest: components['schemas']['Digest'];
          }
        | {
            /** @enum {string} */
            from: 'upstream';
          };
      idempotencyKey?: string;
      breakGlass?: boolean;
      reason?: string;
    };
    RollbackRequest: {
      environment: components['schemas']['DnsLabel'];
      digest: components['schemas']['Digest'];
      reason: string;
      idempotencyKey?: string;
    };
    PromotionPreview: {
      entityRef: string;
      environment: string;
      artifact: components['schemas']['PromotionArtifact'];
      /** @enum {string} */
      mode: 'direct' | 'pull-request';
      policies: components['schemas']['PolicyRef'][];
      gates: components['schemas']['GateResult'][];
      verdict: components['schemas']['GatesVerdict'];
      overlay: {
        path: string;
        diff: string;
        changed: boolean;
      };
      current?: components['schemas']['ImageRef'];
    };
    Decision: {
      /** @enum {string} */
      decision: 'approve' | 'reject';
      comment?: string;
    };
    Freeze: {
      id: string;
      /** @enum {string} */
      scope: 'global' | 'environment' | 'system' | 'owner' | 'entity';
      target?: string;
      reason: string;
      createdBy: string;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      until?: string;
      liftedBy?: string;
      /** Format: date-time */
      liftedAt?: string;
    };
    FreezeList: {
      items: components['schemas']['Freeze'][];
    };
    FreezeRequest: {
      /** @enum {string} */
      scope: 'global' | 'environment' | 'system' | 'owner' | 'entity';
      target?: string;
      reason: string;
      /** Format: date-time */
      until?: string;
    };
    /** @enum {string} */
    ProtectionReason: 'desired' | 'live' | 'rollback-candidate';
    ProtectedImage: {
      entityRef: string;
      environment: string;
      reasons: components['schemas']['ProtectionReason'][];
      image: components['schemas']['ImageRef'];
      harborRepository?: string;
    };
    UnprotectableImage: {
      entityRef: string;
      environment: string;
      reasons: components['schemas']['ProtectionReason'][];
      image: components['schemas']['ImageRef'];
      harborRepository?: string;
      problem: string;
    };
    RetentionCandidate: {
      repository: string;
      digest: string;
      tags: string[];
      pushedAt?: string;
    };
    RetentionProjectReport: {
      project: string;
      retentionId?: number;
      /** @enum {string} */
      policy: 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed';
      protectedTags: string[];
      otherRules: number;
      repositories: string[];
      wouldDelete: components['schemas']['RetentionCandidate'][];
      message?: string;
    };
    RetentionReport: {
      enabled: boolean;
      /** @enum {string} */
      status: 'never-run' | 'ok' | 'partial' | 'failed';
      /** Format: date-time */
      startedAt?: string;
      /** Format: date-time */
      finishedAt?: string;
      keepLastPushed: number;
      keepRollbackCandidates: number;
      entities: number;
      protected: components['schemas']['ProtectedImage'][];
      unprotectable: components['schemas']['UnprotectableImage'][];
      projects: components['schemas']['RetentionProjectReport'][];
      problems: string[];
    };
  };
  responses: never;
  parameters: {
    /** @description The catalog's kind rule (a letter, then letters and digits). */
    kind: string;
    /** @description The catalog's namespace rule (a DNS-1123 label). */
    namespace: string;
    /** @description The catalog's name rule - letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit, at most 63 characters; `.` and `..` are refused. */
    name: string;
    limit: number;
    /** @description Opaque cursor from a previous page's nextCursor. */
    cursor: string;
    environment: components['schemas']['DnsLabel'];
    policyName: components['schemas']['DnsLabel'];
  };
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  GetEnvironments: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Environments. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EnvironmentList'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  GetEntityConfig: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The catalog's kind rule (a letter, then letters and digits). */
        kind: components['parameters']['kind'];
        /** @description The catalog's namespace rule (a DNS-1123 label). */
        namespace: components['parameters']['namespace'];
        /** @description The catalog's name rule - letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit, at most 63 characters; `.` and `..` are refused. */
        name: components['parameters']['name'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The entity's Slipway configuration. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EntityDeployConfig'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  ListPolicies: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Policies. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PolicyList'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  GetPolicy: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        policyName: components['parameters']['policyName'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The latest version of the policy. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PolicyVersion'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  SavePolicy: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        policyName: components['parameters']['policyName'];
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @description A PromotionPolicy. Checked by promotionPolicySchema in slipway-common, whose messages name the offending field. */
          policy: Record<string, unknown>;
          expectedVersion: number;
          comment?: string;
        };
      };
    };
    responses: {
      /** @description The new version. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PolicyVersion'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  GetPolicyHistory: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        policyName: components['parameters']['policyName'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Versions. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PolicyList'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  GetEntityState: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The catalog's kind rule (a letter, then letters and digits). */
        kind: components['parameters']['kind'];
        /** @description The catalog's namespace rule (a DNS-1123 label). */
        namespace: components['parameters']['namespace'];
        /** @description The catalog's name rule - letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit, at most 63 characters; `.` and `..` are refused. */
        name: components['parameters']['name'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The entity's deploy state. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['EntityState'];
          'application/x-ndjson': components['schemas']['EntityState'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  GetEntityHistory: {
    parameters: {
      query?: {
        environment?: components['parameters']['environment'];
        limit?: components['parameters']['limit'];
        /** @description Opaque cursor from a previous page's nextCursor. */
        cursor?: components['parameters']['cursor'];
      };
      header?: never;
      path: {
        /** @description The catalog's kind rule (a letter, then letters and digits). */
        kind: components['parameters']['kind'];
        /** @description The catalog's namespace rule (a DNS-1123 label). */
        namespace: components['parameters']['namespace'];
        /** @description The catalog's name rule - letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit, at most 63 characters; `.` and `..` are refused. */
        name: components['parameters']['name'];
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of history. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['HistoryPage'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  GetFleet: {
    parameters: {
      query?: {
        owner?: string;
        system?: string;
        environment?: components['parameters']['environment'];
        /** @description Part of the service's name or title (case-insensitive). */
        q?: string;
        /** @description Only services the common needsAttention rule flags. */
        attention?: boolean;
        /** @description name (default), owner, system, attention, or <environment>.state, <environment>.version, <environment>.age; ties are broken by the entity ref, so pages stay stable. */
        sort?: string;
        order?: 'asc' | 'desc';
        limit?: components['parameters']['limit'];
        /** @description Opaque cursor from a previous page's nextCursor. */
        cursor?: components['parameters']['cursor'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of the fleet. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['FleetPage'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  PreviewPromotion: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The catalog's kind rule (a letter, then letters and digits). */
        kind: components['parameters']['kind'];
        /** @description The catalog's namespace rule (a DNS-1123 label). */
        namespace: components['parameters']['namespace'];
        /** @description The catalog's name rule - letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit, at most 63 characters; `.` and `..` are refused. */
        name: components['parameters']['name'];
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['PromotionRequest'];
      };
    };
    responses: {
      /** @description The preview. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PromotionPreview'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  RequestPromotion: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The catalog's kind rule (a letter, then letters and digits). */
        kind: components['parameters']['kind'];
        /** @description The catalog's namespace rule (a DNS-1123 label). */
        namespace: components['parameters']['namespace'];
        /** @description The catalog's name rule - letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit, at most 63 characters; `.` and `..` are refused. */
        name: components['parameters']['name'];
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['PromotionRequest'];
      };
    };
    responses: {
      /** @description The promotion. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Promotion'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  RequestRollback: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description The catalog's kind rule (a letter, then letters and digits). */
        kind: components['parameters']['kind'];
        /** @description The catalog's namespace rule (a DNS-1123 label). */
        namespace: components['parameters']['namespace'];
        /** @description The catalog's name rule - letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit, at most 63 characters; `.` and `..` are refused. */
        name: components['parameters']['name'];
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['RollbackRequest'];
      };
    };
    responses: {
      /** @description The rollback. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Promotion'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  ListPromotions: {
    parameters: {
      query?: {
        entityRef?: string;
        environment?: components['parameters']['environment'];
        state?: components['schemas']['PromotionState'];
        limit?: components['parameters']['limit'];
        /** @description Opaque cursor from a previous page's nextCursor. */
        cursor?: components['parameters']['cursor'];
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of promotions. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['PromotionList'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  GetPromotion: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        promotionId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The promotion. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Promotion'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  DecidePromotion: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        promotionId: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['Decision'];
      };
    };
    responses: {
      /** @description The promotion after the decision. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Promotion'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  CancelPromotion: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        promotionId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The cancelled promotion. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Promotion'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  ListFreezes: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Active freezes. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['FreezeList'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  CreateFreeze: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': components['schemas']['FreezeRequest'];
      };
    };
    responses: {
      /** @description The freeze. */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Freeze'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  LiftFreeze: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        freezeId: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The lifted freeze. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Freeze'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  GetRetentionReport: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The last retention run. */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['RetentionReport'];
        };
      };
      /** @description Error. */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
  PostWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        source: 'argocd' | 'github' | 'harbor';
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': Record<string, unknown>;
      };
    };
    responses: {
      /** @description Accepted; cached state was invalidated. */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Error (401 bad signature, 413 too large). */
      default: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': components['schemas']['Error'];
        };
      };
    };
  };
}

/** `GET /environments` */
export type GetEnvironments = {
  response: operations['GetEnvironments']['responses'][200]['content']['application/json'];
};

/** `GET /entities/{kind}/{namespace}/{name}/config` */
export type GetEntityConfig = {
  path: operations['GetEntityConfig']['parameters']['path'];
  response: operations['GetEntityConfig']['responses'][200]['content']['application/json'];
};

/** `GET /policies` */
export type ListPolicies = {
  response: operations['ListPolicies']['responses'][200]['content']['application/json'];
};

/** `GET /policies/{policyName}` */
export type GetPolicy = {
  path: operations['GetPolicy']['parameters']['path'];
  response: operations['GetPolicy']['responses'][200]['content']['application/json'];
};

/** `PUT /policies/{policyName}` */
export type SavePolicy = {
  path: operations['SavePolicy']['parameters']['path'];
  body: NonNullable<
    operations['SavePolicy']['requestBody']
  >['content']['application/json'];
  response: operations['SavePolicy']['responses'][200]['content']['application/json'];
};

/** `GET /policies/{policyName}/versions` */
export type GetPolicyHistory = {
  path: operations['GetPolicyHistory']['parameters']['path'];
  response: operations['GetPolicyHistory']['responses'][200]['content']['application/json'];
};

/** `GET /entities/{kind}/{namespace}/{name}/state` */
export type GetEntityState = {
  path: operations['GetEntityState']['parameters']['path'];
  response: operations['GetEntityState']['responses'][200]['content']['application/json'];
};

/** `GET /entities/{kind}/{namespace}/{name}/history` */
export type GetEntityHistory = {
  path: operations['GetEntityHistory']['parameters']['path'];
  query: NonNullable<operations['GetEntityHistory']['parameters']['query']>;
  response: operations['GetEntityHistory']['responses'][200]['content']['application/json'];
};

/** `GET /fleet` */
export type GetFleet = {
  query: NonNullable<operations['GetFleet']['parameters']['query']>;
  response: operations['GetFleet']['responses'][200]['content']['application/json'];
};

/** `POST /entities/{kind}/{namespace}/{name}/promotions/preview` */
export type PreviewPromotion = {
  path: operations['PreviewPromotion']['parameters']['path'];
  body: NonNullable<
    operations['PreviewPromotion']['requestBody']
  >['content']['application/json'];
  response: operations['PreviewPromotion']['responses'][200]['content']['application/json'];
};

/** `POST /entities/{kind}/{namespace}/{name}/promotions` */
export type RequestPromotion = {
  path: operations['RequestPromotion']['parameters']['path'];
  body: NonNullable<
    operations['RequestPromotion']['requestBody']
  >['content']['application/json'];
  response: operations['RequestPromotion']['responses'][201]['content']['application/json'];
};

/** `POST /entities/{kind}/{namespace}/{name}/rollbacks` */
export type RequestRollback = {
  path: operations['RequestRollback']['parameters']['path'];
  body: NonNullable<
    operations['RequestRollback']['requestBody']
  >['content']['application/json'];
  response: operations['RequestRollback']['responses'][201]['content']['application/json'];
};

/** `GET /promotions` */
export type ListPromotions = {
  query: NonNullable<operations['ListPromotions']['parameters']['query']>;
  response: operations['ListPromotions']['responses'][200]['content']['application/json'];
};

/** `GET /promotions/{promotionId}` */
export type GetPromotion = {
  path: operations['GetPromotion']['parameters']['path'];
  response: operations['GetPromotion']['responses'][200]['content']['application/json'];
};

/** `POST /promotions/{promotionId}/decisions` */
export type DecidePromotion = {
  path: operations['DecidePromotion']['parameters']['path'];
  body: NonNullable<
    operations['DecidePromotion']['requestBody']
  >['content']['application/json'];
  response: operations['DecidePromotion']['responses'][200]['content']['application/json'];
};

/** `POST /promotions/{promotionId}/cancel` */
export type CancelPromotion = {
  path: operations['CancelPromotion']['parameters']['path'];
  response: operations['CancelPromotion']['responses'][200]['content']['application/json'];
};

/** `GET /freezes` */
export type ListFreezes = {
  response: operations['ListFreezes']['responses'][200]['content']['application/json'];
};

/** `POST /freezes` */
export type CreateFreeze = {
  body: NonNullable<
    operations['CreateFreeze']['requestBody']
  >['content']['application/json'];
  response: operations['CreateFreeze']['responses'][201]['content']['application/json'];
};

/** `DELETE /freezes/{freezeId}` */
export type LiftFreeze = {
  path: operations['LiftFreeze']['parameters']['path'];
  response: operations['LiftFreeze']['responses'][200]['content']['application/json'];
};

/** `GET /retention` */
export type GetRetentionReport = {
  response: operations['GetRetentionReport']['responses'][200]['content']['application/json'];
};

/** `POST /webhooks/{source}` */
export type PostWebhook = {
  path: operations['PostWebhook']['parameters']['path'];
  body: NonNullable<
    operations['PostWebhook']['requestBody']
  >['content']['application/json'];
  response: void;
};

/** Every operation, keyed as createValidatedOpenApiRouterFromGeneratedEndpointMap expects. */
export type EndpointMap = {
  '#get|/environments': GetEnvironments;
  '#get|/entities/{kind}/{namespace}/{name}/config': GetEntityConfig;
  '#get|/policies': ListPolicies;
  '#get|/policies/{policyName}': GetPolicy;
  '#put|/policies/{policyName}': SavePolicy;
  '#get|/policies/{policyName}/versions': GetPolicyHistory;
  '#get|/entities/{kind}/{namespace}/{name}/state': GetEntityState;
  '#get|/entities/{kind}/{namespace}/{name}/history': GetEntityHistory;
  '#get|/fleet': GetFleet;
  '#post|/entities/{kind}/{namespace}/{name}/promotions/preview': PreviewPromotion;
  '#post|/entities/{kind}/{namespace}/{name}/promotions': RequestPromotion;
  '#post|/entities/{kind}/{namespace}/{name}/rollbacks': RequestRollback;
  '#get|/promotions': ListPromotions;
  '#get|/promotions/{promotionId}': GetPromotion;
  '#post|/promotions/{promotionId}/decisions': DecidePromotion;
  '#post|/promotions/{promotionId}/cancel': CancelPromotion;
  '#get|/freezes': ListFreezes;
  '#post|/freezes': CreateFreeze;
  '#_delete|/freezes/{freezeId}': LiftFreeze;
  '#get|/retention': GetRetentionReport;
  '#post|/webhooks/{source}': PostWebhook;
};
