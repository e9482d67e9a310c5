import { isoSeconds } from '../git/GitRepositories';
import { SeedScan } from '../seed/world';
import { HarborRetention } from './HarborRetention';
import {
  artifactDigest,
  platformDigest,
  signatureDigest,
  stableBytes,
} from './digests';

const VULNERABILITY_REPORT_MIME =
  'application/vnd.security.vulnerability.report; version=1.1';
const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Unknown'] as const;
type Severity = (typeof SEVERITIES)[number];
const TRIVY = { name: 'Trivy', vendor: 'Aqua Security', version: 'v0.58.1' };
const PACKAGES = [
  'openssl',
  'libcurl',
  'busybox',
  'zlib',
  'express',
  'semver',
  'cross-spawn',
  'musl',
];

export interface HarborProjectRecord {
  id: number;
  name: string;
  creationTime: string;
}

export interface HarborRepositoryRecord {
  id: number;
  projectId: number;
  project: string;
  name: string;
  creationTime: string;
  updateTime: string;
}

interface HarborScanRecord {
  reportId: string;
  summary: SeedScan;
  startTime: string;
  endTime: string;
}

export interface HarborArtifactRecord {
  id: number;
  project: string;
  projectId: number;
  repository: string;
  repositoryId: number;
  digest: string;
  manifestMediaType: string;
  mediaType: string;
  size: number;
  pushTime: string;
  tags: Array<{ id: number; name: string; pushTime: string }>;
  platform: { architecture: string; os: string } | undefined;
  references: Array<{
    childId: number;
    childDigest: string;
    architecture: string;
    os: string;
  }>;
  scan: HarborScanRecord | undefined;
  signature:
    | { id: number; digest: string; size: number; creationTime: string }
    | undefined;
  /** Untagged per-platform child of a multi-arch index. */
  child: boolean;
  commitSha: string | undefined;
}

export interface PublishRequest {
  project: string;
  repository: string;
  commitSha: string;
  pushTime: string;
  scan?: SeedScan;
  signed?: boolean;
  multiArch?: boolean;
}

/** Deterministic scan counts for a digest, for artifacts without a fixed scan. */
function derivedScan(digest: string): SeedScan {
  const bytes = stableBytes(`scan:${digest}`);
  return {
    Critical: bytes[0] % 4 === 0 ? 1 : 0,
    High: bytes[1] % 3,
    Medium: bytes[2] % 5,
    Low: bytes[3] % 7,
    Unknown: bytes[4] % 6 === 0 ? 1 : 0,
  };
}

function overallSeverity(summary: SeedScan): string {
  for (const severity of SEVERITIES) {
    if (summary[severity] > 0) return severity;
  }
  return 'None';
}

function total(summary: SeedScan): number {
  return SEVERITIES.reduce((sum, severity) => sum + summary[severity], 0);
}

/** The sandbox's Harbor: projects, repositories and artifacts built by sandbox CI. */
export class HarborRegistry {
  private readonly projects = new Map<string, HarborProjectRecord>();
  private readonly repositories = new Map<string, HarborRepositoryRecord>();
  private readonly artifacts: HarborArtifactRecord[] = [];
  private nextId = {
    project: 1,
    repository: 1,
    artifact: 1,
    tag: 1,
    accessory: 1,
  };

  /** Tag retention policies, executions and immutability rules. */
  readonly retention: HarborRetention;

  private constructor(now: () => number) {
    this.retention = HarborRetention.create(this, now);
  }

  static create(options: { now?: () => number } = {}): HarborRegistry {
    return new HarborRegistry(options.now ?? Date.now);
  }

  /** Deletes an artifact, and the platform manifests of an index with it. */
  deleteArtifact(id: number): boolean {
    const artifact = this.artifactById(id);
    if (!artifact) return false;
    const children = new Set(artifact.references.map(r => r.childId));
    for (let i = this.artifacts.length - 1; i >= 0; i--) {
      const candidate = this.artifacts[i];
      if (candidate.id === id || children.has(candidate.id)) {
        this.artifacts.splice(i, 1);
      }
    }
    return true;
  }

  ensureProject(name: string, creationTime: string): HarborProjectRecord {
    let project = this.projects.get(name);
    if (!project) {
      project = { id: this.nextId.project++, name, creationTime };
      this.projects.set(name, project);
    }
    return project;
  }

  listProjects(): HarborProjectRecord[] {
    return [...this.projects.values()];
  }

  getProject(nameOrId: string): HarborProjectRecord | undefined {
    return (
      this.projects.get(nameOrId) ??
      this.listProjects().find(p => String(p.id) === nameOrId)
    );
  }

  listRepositories(project: string): HarborRepositoryRecord[] {
    return [...this.repositories.values()].filter(r => r.project === project);
  }

  getRepository(
    project: string,
    name: string,
  ): HarborRepositoryRecord | undefined {
    return this.repositories.get(`${project}/${name}`);
  }

  /** Artifacts of a repository, newest push first (as Harbor lists them). */
  listArtifacts(project: string, repository: string): HarborArtifactRecord[] {
    return this.artifacts
      .filter(a => a.project === project && a.repository === repository)
      .sort((a, b) => b.pushTime.localeCompare(a.pushTime) || b.id - a.id);
  }

  findArtifact(
    project: string,
    repository: string,
    reference: string,
  ): HarborArtifactRecord | undefined {
    const candidates = this.listArtifacts(project, repository);
    if (reference.startsWith('sha256:')) {
      return candidates.find(a => a.digest === reference);
    }
    return candidates.find(a => a.tags.some(t => t.name === reference));
  }

  /** The artifact a cosign signature (by its digest) belongs to. */
  findBySignature(
    project: string,
    repository: string,
    digest: string,
  ): HarborArtifactRecord | undefined {
    return this.listArtifacts(project, repository).find(
      a => a.signature?.digest === digest,
    );
  }

  artifactById(id: number): HarborArtifactRecord | undefined {
    return this.artifacts.find(a => a.id === id);
  }

  artifactCount(project: string, repository: string): number {
    return this.listArtifacts(project, repository).length;
  }

  /** Publishes the image built from a commit, tagged with the full SHA. Idempotent per tag. */
  publish(request: PublishRequest): HarborArtifactRecord {
    const existing = this.findArtifact(
      request.project,
      request.repository,
      request.commitSha,
    );
    if (existing) {
      return existing;
    }
    const project = this.ensureProject(request.project, request.pushTime);
    const key = `${request.project}/${request.repository}`;
    let repository = this.repositories.get(key);
    if (!repository) {
      repository = {
        id: this.nextId.repository++,
        projectId: project.id,
        project: request.project,
        name: request.repository,
        creationTime: request.pushTime,
        updateTime: request.pushTime,
      };
      this.repositories.set(key, repository);
    }
    repository.updateTime = request.pushTime;
    const digest = artifactDigest(
      request.project,
      request.repository,
      request.commitSha,
      request.multiArch,
    );
    const scanFor = (
      artifactDigestValue: string,
      fixed?: SeedScan,
    ): HarborScanRecord => ({
      reportId: stableBytes(`report:${artifactDigestValue}`)
        .toString('hex')
        .slice(0, 32),
      summary: fixed ?? derivedScan(artifactDigestValue),
      startTime: request.pushTime,
      endTime: isoSeconds(Date.parse(request.pushTime) + 42_000),
    });
    const base = {
      project: request.project,
      projectId: project.id,
      repository: request.repository,
      repositoryId: repository.id,
      pushTime: request.pushTime,
      commitSha: request.commitSha,
      signature: undefined,
    };
    const references: HarborArtifactRecord['references'] = [];
    if (request.multiArch) {
      for (const architecture of ['amd64', 'arm64']) {
        const childDigest = platformDigest(digest, architecture);
        // The arm64 image carries one more finding than amd64: a client must
        // look at every platform to get the worst case.
        const childScan = request.scan
          ? {
              ...request.scan,
              High: request.scan.High + (architecture === 'arm64' ? 1 : 0),
            }
          : undefined;
        const child: HarborArtifactRecord = {
          ...base,
          id: this.nextId.artifact++,
          digest: childDigest,
          manifestMediaType: 'application/vnd.oci.image.manifest.v1+json',
          mediaType: 'application/vnd.oci.image.config.v1+json',
          size: 48_000_000 + stableBytes(childDigest)[0] * 1000,
          tags: [],
          platform: { architecture, os: 'linux' },
          references: [],
          scan: scanFor(childDigest, childScan),
          child: true,
        };
        this.artifacts.push(child);
        references.push({
          childId: child.id,
          childDigest,
          architecture,
          os: 'linux',
        });
      }
    }
    const artifact: HarborArtifactRecord = {
      ...base,
      id: this.nextId.artifact++,
      digest,
      manifestMediaType: request.multiArch
        ? 'application/vnd.oci.image.index.v1+json'
        : 'application/vnd.oci.image.manifest.v1+json',
      mediaType: request.multiArch
        ? 'application/vnd.oci.image.index.v1+json'
        : 'application/vnd.oci.image.config.v1+json',
      size: request.multiArch
        ? 1_024
        : 48_000_000 + stableBytes(digest)[0] * 1000,
      tags: [
        {
          id: this.nextId.tag++,
          name: request.commitSha,
          pushTime: request.pushTime,
        },
      ],
      platform: request.multiArch
        ? undefined
        : { architecture: 'amd64', os: 'linux' },
      references,
      scan: request.multiArch ? undefined : scanFor(digest, request.scan),
      child: false,
    };
    if (request.multiArch) {
      // Harbor reports an index's overview as the sum over its platforms.
      const summary: SeedScan = {
        Critical: 0,
        High: 0,
        Medium: 0,
        Low: 0,
        Unknown: 0,
      };
      for (const reference of references) {
        const child = this.artifactById(reference.childId);
        for (const severity of SEVERITIES) {
          summary[severity] += child?.scan?.summary[severity] ?? 0;
        }
      }
      artifact.scan = scanFor(digest, summary);
    }
    if (request.signed !== false) {
      const signature = signatureDigest(digest);
      artifact.signature = {
        id: this.nextId.accessory++,
        digest: signature,
        size: 1_243,
        creationTime: isoSeconds(Date.parse(request.pushTime) + 5_000),
      };
    }
    this.artifacts.push(artifact);
    return artifact;
  }

  /** Harbor's Trivy report for an artifact, keyed by MIME type. */
  vulnerabilityReport(artifact: HarborArtifactRecord): Record<string, unknown> {
    const vulnerabilities: Array<Record<string, unknown>> = [];
    const summary = artifact.scan?.summary;
    if (summary) {
      let counter = 0;
      for (const severity of SEVERITIES) {
        for (let n = 0; n < summary[severity]; n++) {
          const bytes = stableBytes(`${artifact.digest}:${severity}:${n}`);
          counter += 1;
          const id = `CVE-2025-${String(
            10_000 + ((bytes[0] << 8) | bytes[1]),
          ).padStart(5, '0')}`;
          const fixable = bytes[2] % 2 === 0;
          vulnerabilities.push({
            id,
            package: PACKAGES[bytes[3] % PACKAGES.length],
            version: `1.${bytes[4] % 9}.${bytes[5] % 20}`,
            fix_version: fixable ? `1.${(bytes[4] % 9) + 1}.0` : '',
            severity,
            description: `Sandbox finding ${counter} (${severity.toLowerCase()}) for ${
              artifact.repository
            }.`,
            links: [`https://avd.aquasec.com/nvd/${id.toLowerCase()}`],
            artifact_digests: [artifact.digest],
            preferred_cvss:
              severity === 'Unknown'
                ? {}
                : { score_v3: cvss(severity as Severity) },
            cwe_ids: ['CWE-20'],
            vendor_attributes: {},
          });
        }
      }
    }
    return {
      [VULNERABILITY_REPORT_MIME]: {
        generated_at: artifact.scan?.endTime ?? artifact.pushTime,
        artifact: {
          repository_name: `${artifact.project}/${artifact.repository}`,
          digest: artifact.digest,
          tag: artifact.tags[0]?.name ?? '',
          mime_type: artifact.manifestMediaType,
        },
        scanner: TRIVY,
        severity: summary ? overallSeverity(summary) : 'None',
        vulnerabilities,
      },
    };
  }

  /** `scan_overview` as Harbor returns it with `with_scan_overview=true`. */
  scanOverview(
    artifact: HarborArtifactRecord,
  ): Record<string, unknown> | undefined {
    const scan = artifact.scan;
    if (!scan) return undefined;
    const report = this.vulnerabilityReport(artifact)[
      VULNERABILITY_REPORT_MIME
    ] as {
      vulnerabilities: Array<{ fix_version: string }>;
    };
    const bySeverity: Record<string, number> = {};
    for (const severity of SEVERITIES) {
      if (scan.summary[severity] > 0)
        bySeverity[severity] = scan.summary[severity];
    }
    return {
      [VULNERABILITY_REPORT_MIME]: {
        report_id: scan.reportId,
        scan_status: 'Success',
        severity: overallSeverity(scan.summary),
        duration: 42,
        summary: {
          total: total(scan.summary),
          fixable: report.vulnerabilities.filter(v => v.fix_version !== '')
            .length,
          summary: bySeverity,
        },
        start_time: scan.startTime,
        end_time: scan.endTime,
        complete_percent: 100,
        scanner: TRIVY,
      },
    };
  }
}

function cvss(severity: Severity): number {
  switch (severity) {
    case 'Critical':
      return 9.8;
    case 'High':
      return 7.5;
    case 'Medium':
      return 5.3;
    default:
      return 3.1;
  }
}
