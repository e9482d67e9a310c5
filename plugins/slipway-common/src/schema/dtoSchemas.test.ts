import { PolicyGate, PromotionPolicy, PromotionPolicyVersion } from '../policy';
import {
  ArtifactState,
  BlueGreenState,
  BuildRun,
  CommitInfo,
  DesiredState,
  EntityState,
  EnvironmentState,
  FleetBuild,
  FleetCell,
  FleetPage,
  FleetQuery,
  FleetRollout,
  FleetRow,
  FleetScan,
  FleetUnknownFilter,
  HealthStatus,
  HistoryEntry,
  HistoryPage,
  ImageRef,
  LastKnownVerdict,
  LiveState,
  QualityGate,
  RolloutState,
  ScanSummary,
  SecretHealth,
  SecretKind,
  SignatureState,
  SourceKind,
  SourceReport,
  SourceStatus,
  SyncStatus,
} from '../state';
import {
  EnvironmentVerdict,
  EnvironmentVerdictKind,
  VerdictTone,
} from '../rules/environmentVerdict';
import {
  AnnotationFinding,
  EntityDeployConfig,
  ProviderKind,
  SlipwayEnvironment,
  SyncMode,
} from '../types';
import {
  Freeze,
  GateResult,
  GatesVerdict,
  Promotion,
  PromotionApproval,
  PromotionArtifact,
  PromotionEvent,
  PromotionPreview,
  PromotionRequest,
  PromotionState,
  SignerIdentity,
} from '../promotion';
import {
  ProtectedImage,
  ProtectionReason,
  RetentionCandidate,
  RetentionProjectReport,
  RetentionReport,
  UnprotectableImage,
} from '../retention';
import { components, operations } from './openapi.generated';

type Schemas = components['schemas'];

/** `true` when A and B are assignable to each other, else `false`. */
type Agree<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Each DTO of this package next to the spec's type for the same value. */
type Pairs = {
  SyncMode: [SyncMode, Schemas['SyncMode']];
  Environment: [SlipwayEnvironment, Schemas['Environment']];
  EnvironmentList: [
    { items: SlipwayEnvironment[] },
    Schemas['EnvironmentList'],
  ];
  ProviderKind: [ProviderKind, Schemas['ProviderKind']];
  AnnotationFinding: [AnnotationFinding, Schemas['AnnotationFinding']];
  EntityDeployConfig: [EntityDeployConfig, Schemas['EntityDeployConfig']];
  DeployWindow: [
    Extract<PolicyGate, { type: 'deploy-window' }>['allow'][number],
    Schemas['DeployWindow'],
  ];
  PolicyGate: [PolicyGate, Schemas['PolicyGate']];
  EnvironmentRule: [
    PromotionPolicy['environments'][string],
    Schemas['EnvironmentRule'],
  ];
  PromotionPolicy: [PromotionPolicy, Schemas['PromotionPolicy']];
  PolicyVersion: [PromotionPolicyVersion, Schemas['PolicyVersion']];
  PolicyList: [{ items: PromotionPolicyVersion[] }, Schemas['PolicyList']];
  SourceKind: [SourceKind, Schemas['SourceKind']];
  SourceStatus: [SourceStatus, Schemas['SourceStatus']];
  SourceReport: [SourceReport, Schemas['SourceReport']];
  ImageRef: [ImageRef, Schemas['ImageRef']];
  CommitInfo: [CommitInfo, Schemas['CommitInfo']];
  DesiredState: [DesiredState, Schemas['DesiredState']];
  BuildRun: [BuildRun, Schemas['BuildRun']];
  RolloutState: [RolloutState, Schemas['RolloutState']];
  BlueGreenState: [BlueGreenState, Schemas['BlueGreenState']];
  SyncStatus: [SyncStatus, Schemas['SyncStatus']];
  HealthStatus: [HealthStatus, Schemas['HealthStatus']];
  LiveState: [LiveState, Schemas['LiveState']];
  SecretKind: [SecretKind, Schemas['SecretKind']];
  SecretHealth: [SecretHealth, Schemas['SecretHealth']];
  ScanSummary: [ScanSummary, Schemas['ScanSummary']];
  QualityGate: [QualityGate, Schemas['QualityGate']];
  SignerIdentity: [SignerIdentity, Schemas['SignerIdentity']];
  SignatureState: [SignatureState, Schemas['SignatureState']];
  ArtifactState: [ArtifactState, Schemas['ArtifactState']];
  EnvironmentState: [EnvironmentState, Schemas['EnvironmentState']];
  LastKnownVerdict: [LastKnownVerdict, Schemas['LastKnownVerdict']];
  EntityState: [EntityState, Schemas['EntityState']];
  HistoryEntry: [HistoryEntry, Schemas['HistoryEntry']];
  HistoryPage: [HistoryPage, Schemas['HistoryPage']];
  FleetCell: [FleetCell, Schemas['FleetCell']];
  EnvironmentVerdict: [EnvironmentVerdict, Schemas['EnvironmentVerdict']];
  EnvironmentVerdictKind: [
    EnvironmentVerdictKind,
    Schemas['EnvironmentVerdictKind'],
  ];
  VerdictTone: [VerdictTone, Schemas['VerdictTone']];
  FleetRollout: [FleetRollout, Schemas['FleetRollout']];
  FleetBuild: [FleetBuild, Schemas['FleetBuild']];
  FleetScan: [FleetScan, Schemas['FleetScan']];
  FleetUnknownFilter: [FleetUnknownFilter, Schemas['FleetUnknownFilter']];
  FleetRow: [FleetRow, Schemas['FleetRow']];
  FleetPage: [FleetPage, Schemas['FleetPage']];
  FleetQuery: [
    FleetQuery,
    NonNullable<operations['GetFleet']['parameters']['query']>,
  ];
  HistoryQuery: [
    { environment?: string; limit?: number; cursor?: string },
    NonNullable<operations['GetEntityHistory']['parameters']['query']>,
  ];
  GateResult: [GateResult, Schemas['GateResult']];
  GatesVerdict: [GatesVerdict, Schemas['GatesVerdict']];
  PolicyRef: [{ name: string; version: number }, Schemas['PolicyRef']];
  PromotionState: [PromotionState, Schemas['PromotionState']];
  PromotionArtifact: [PromotionArtifact, Schemas['PromotionArtifact']];
  PromotionEvent: [PromotionEvent, Schemas['PromotionEvent']];
  PromotionApproval: [PromotionApproval, Schemas['PromotionApproval']];
  Promotion: [Promotion, Schemas['Promotion']];
  PromotionList: [
    { items: Promotion[]; nextCursor?: string },
    Schemas['PromotionList'],
  ];
  PromotionRequest: [PromotionRequest, Schemas['PromotionRequest']];
  RollbackRequest: [
    {
      environment: string;
      digest: string;
      reason: string;
      idempotencyKey?: string;
    },
    Schemas['RollbackRequest'],
  ];
  PromotionPreview: [PromotionPreview, Schemas['PromotionPreview']];
  Decision: [
    { decision: 'approve' | 'reject'; comment?: string },
    Schemas['Decision'],
  ];
  Freeze: [Freeze, Schemas['Freeze']];
  FreezeList: [{ items: Freeze[] }, Schemas['FreezeList']];
  FreezeRequest: [
    Pick<Freeze, 'scope' | 'target' | 'reason' | 'until'>,
    Schemas['FreezeRequest'],
  ];
  ProtectionReason: [ProtectionReason, Schemas['ProtectionReason']];
  ProtectedImage: [ProtectedImage, Schemas['ProtectedImage']];
  UnprotectableImage: [UnprotectableImage, Schemas['UnprotectableImage']];
  RetentionCandidate: [RetentionCandidate, Schemas['RetentionCandidate']];
  RetentionProjectReport: [
    RetentionProjectReport,
    Schemas['RetentionProjectReport'],
  ];
  RetentionReport: [RetentionReport, Schemas['RetentionReport']];
};

/**
 * Schemas that describe no DTO of their own: the error envelope (Backstage's)
 * and constrained scalars, which are plain strings and numbers here.
 */
type NoDto =
  | 'Error'
  | 'DnsLabel'
  | 'EntityRef'
  | 'Clock'
  | 'GateCount'
  | 'Digest';

/**
 * Fails to compile when a DTO and the spec drift apart (a field added,
 * dropped, made optional or retyped on one side only), or when the spec gains
 * a schema that is neither paired with a DTO here nor listed in NoDto.
 */
const agreement: {
  [Name in keyof Pairs]: Agree<Pairs[Name][0], Pairs[Name][1]>;
} & {
  [Name in Exclude<keyof Schemas, keyof Pairs | NoDto>]: never;
} = {
  SyncMode: true,
  Environment: true,
  EnvironmentList: true,
  ProviderKind: true,
  AnnotationFinding: true,
  EntityDeployConfig: true,
  DeployWindow: true,
  PolicyGate: true,
  EnvironmentRule: true,
  PromotionPolicy: true,
  PolicyVersion: true,
  PolicyList: true,
  SourceKind: true,
  SourceStatus: true,
  SourceReport: true,
  ImageRef: true,
  CommitInfo: true,
  DesiredState: true,
  BuildRun: true,
  RolloutState: true,
  BlueGreenState: true,
  SyncStatus: true,
  HealthStatus: true,
  LiveState: true,
  SecretKind: true,
  SecretHealth: true,
  ScanSummary: true,
  QualityGate: true,
  SignerIdentity: true,
  SignatureState: true,
  ArtifactState: true,
  EnvironmentState: true,
  LastKnownVerdict: true,
  EntityState: true,
  HistoryEntry: true,
  HistoryPage: true,
  FleetCell: true,
  EnvironmentVerdict: true,
  EnvironmentVerdictKind: true,
  VerdictTone: true,
  FleetRollout: true,
  FleetBuild: true,
  FleetScan: true,
  FleetUnknownFilter: true,
  FleetRow: true,
  FleetPage: true,
  FleetQuery: true,
  HistoryQuery: true,
  GateResult: true,
  GatesVerdict: true,
  PolicyRef: true,
  PromotionState: true,
  PromotionArtifact: true,
  PromotionEvent: true,
  PromotionApproval: true,
  Promotion: true,
  PromotionList: true,
  PromotionRequest: true,
  RollbackRequest: true,
  PromotionPreview: true,
  Decision: true,
  Freeze: true,
  FreezeList: true,
  FreezeRequest: true,
  ProtectionReason: true,
  ProtectedImage: true,
  UnprotectableImage: true,
  RetentionCandidate: true,
  RetentionProjectReport: true,
  RetentionReport: true,
};

describe('the DTOs of slipway-common and the OpenAPI schemas', () => {
  it('agree (checked by the compiler; see the type of `agreement`)', () => {
    expect(Object.values(agreement).every(value => value === true)).toBe(true);
  });
});
