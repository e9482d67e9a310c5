import { stableBytes } from '../harbor/digests';

export interface SonarProjectRecord {
  key: string;
  name: string;
  qualityGate: 'OK' | 'ERROR';
  analysedAt: string;
  revision: string;
  measures: Record<string, string>;
}

/** The sandbox's SonarQube: one project per service repository that ran CI. */
export class SonarQubeProjects {
  private readonly projects = new Map<string, SonarProjectRecord>();

  private constructor() {}

  static create(): SonarQubeProjects {
    return new SonarQubeProjects();
  }

  /** Records an analysis; fixed gate and coverage for seeded services, derived otherwise. */
  recordAnalysis(options: {
    key: string;
    name: string;
    analysedAt: string;
    revision: string;
    qualityGate?: 'OK' | 'ERROR';
    coverage?: number;
  }): SonarProjectRecord {
    const bytes = stableBytes(`sonar:${options.key}:${options.revision}`);
    const coverage =
      options.coverage ?? 60 + (bytes[0] % 35) + (bytes[1] % 10) / 10;
    const qualityGate =
      options.qualityGate ?? (coverage >= 50 ? 'OK' : 'ERROR');
    const bugs = qualityGate === 'ERROR' ? 3 : bytes[2] % 2;
    const record: SonarProjectRecord = {
      key: options.key,
      name: options.name,
      qualityGate,
      analysedAt: options.analysedAt,
      revision: options.revision,
      measures: {
        coverage: coverage.toFixed(1),
        new_coverage: (qualityGate === 'ERROR'
          ? 38.2
          : Math.max(82, Math.min(100, coverage + 3))
        ).toFixed(1),
        bugs: String(bugs),
        new_bugs: String(qualityGate === 'ERROR' ? 2 : 0),
        vulnerabilities: String(bytes[3] % 2),
        code_smells: String(5 + (bytes[4] % 40)),
        security_hotspots: String(bytes[5] % 3),
        duplicated_lines_density: ((bytes[6] % 50) / 10).toFixed(1),
        ncloc: String(800 + bytes[7] * 10),
        alert_status: qualityGate,
        reliability_rating: bugs > 0 ? '3.0' : '1.0',
        security_rating: '1.0',
        sqale_rating: '1.0',
        new_reliability_rating: qualityGate === 'ERROR' ? '3.0' : '1.0',
        new_security_rating: '1.0',
        new_maintainability_rating: '1.0',
      },
    };
    this.projects.set(options.key, record);
    return record;
  }

  get(key: string): SonarProjectRecord | undefined {
    return this.projects.get(key);
  }

  list(): SonarProjectRecord[] {
    return [...this.projects.values()];
  }
}
