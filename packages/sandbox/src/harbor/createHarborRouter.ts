import express, { Request, Response, Router } from 'express';
import { matchesSecret, parseBasic } from '../http/auth';
import {
  HarborArtifactRecord,
  HarborProjectRecord,
  HarborRegistry,
} from './HarborRegistry';
import {
  HarborRequestError,
  RetentionExecutionRecord,
  RetentionTaskRecord,
} from './HarborRetention';

function harborError(
  res: Response,
  status: number,
  code: string,
  message: string,
) {
  res.status(status).json({ errors: [{ code, message }] });
}

function flag(value: unknown, fallback: boolean): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fallback;
}

function paginate<T>(req: Request, res: Response, items: T[]): T[] {
  const page = Math.max(Number(req.query.page) || 1, 1);
  const pageSize = Math.min(
    Math.max(Number(req.query.page_size) || 10, 1),
    100,
  );
  res.setHeader('X-Total-Count', String(items.length));
  const links: string[] = [];
  const base = req.baseUrl + req.path;
  if (page > 1)
    links.push(`<${base}?page=${page - 1}&page_size=${pageSize}>; rel="prev"`);
  if (page * pageSize < items.length)
    links.push(`<${base}?page=${page + 1}&page_size=${pageSize}>; rel="next"`);
  if (links.length) res.setHeader('Link', links.join(' , '));
  return items.slice((page - 1) * pageSize, page * pageSize);
}

/** Parses Harbor's `q` query: `tags=x`, `tags=~x`, `digest=sha256:...`, comma-separated. */
function matchesQuery(artifact: HarborArtifactRecord, q: unknown): boolean {
  if (typeof q !== 'string' || q === '') return true;
  for (const clause of q.split(',')) {
    const match = /^([a-z_]+)=(~?)(.*)$/.exec(clause.trim());
    if (!match) return false;
    const [, key, fuzzy, value] = match;
    if (key === 'tags') {
      const ok = artifact.tags.some(t =>
        fuzzy ? t.name.includes(value) : t.name === value,
      );
      if (!ok) return false;
    } else if (key === 'digest') {
      if (artifact.digest !== value) return false;
    } else {
      return false;
    }
  }
  return true;
}

/** The Harbor v2.0 subset, mounted at `/api/v2.0`. */
export function createHarborRouter(options: {
  registry: HarborRegistry;
  username: string;
  password: string;
}): Router {
  const { registry } = options;
  const router = Router();
  router.use((req: Request, res: Response, next) => {
    const credentials = parseBasic(req.headers);
    const ok =
      credentials !== undefined &&
      matchesSecret(credentials.username, [options.username]) &&
      matchesSecret(credentials.password, [options.password]);
    if (!ok) {
      res.setHeader('WWW-Authenticate', 'Basic realm="harbor"');
      harborError(res, 401, 'UNAUTHORIZED', 'unauthorized');
      return;
    }
    next();
  });

  const projectJson = (project: HarborProjectRecord) => ({
    project_id: project.id,
    owner_id: 1,
    name: project.name,
    creation_time: project.creationTime,
    update_time: project.creationTime,
    deleted: false,
    owner_name: 'admin',
    togglable: true,
    current_user_role_id: 1,
    current_user_role_ids: [1],
    repo_count: registry.listRepositories(project.name).length,
    metadata: {
      public: 'false',
      auto_scan: 'true',
      enable_content_trust: 'false',
      enable_content_trust_cosign: 'false',
      prevent_vul: 'false',
      severity: 'low',
      reuse_sys_cve_allowlist: 'true',
      ...(registry.retention.retentionIdOf(project.id) !== undefined
        ? {
            retention_id: String(registry.retention.retentionIdOf(project.id)),
          }
        : {}),
    },
    cve_allowlist: {
      id: project.id,
      project_id: project.id,
      items: [],
      creation_time: project.creationTime,
      update_time: project.creationTime,
    },
  });

  const accessoriesOf = (artifact: HarborArtifactRecord) =>
    artifact.signature
      ? [
          {
            id: artifact.signature.id,
            artifact_id: artifact.signature.id + 100_000,
            subject_artifact_id: artifact.id,
            subject_artifact_digest: artifact.digest,
            subject_artifact_repository: `${artifact.project}/${artifact.repository}`,
            size: artifact.signature.size,
            digest: artifact.signature.digest,
            type: 'signature.cosign',
            icon: 'sha256:20401d5b3a0f6dbc607c8d732eb08471af4ae6b19811a4efce8c6a724aed2882',
            creation_time: artifact.signature.creationTime,
          },
        ]
      : [];

  const artifactJson = (req: Request, artifact: HarborArtifactRecord) => {
    const base = `/api/v2.0/projects/${
      artifact.project
    }/repositories/${encodeURIComponent(artifact.repository)}/artifacts/${
      artifact.digest
    }`;
    const withTag = flag(req.query.with_tag, true);
    const withSignature = flag(req.query.with_signature, false);
    const withImmutable = flag(req.query.with_immutable_status, false);
    const json: Record<string, unknown> = {
      id: artifact.id,
      type: 'IMAGE',
      media_type: artifact.mediaType,
      manifest_media_type: artifact.manifestMediaType,
      project_id: artifact.projectId,
      repository_id: artifact.repositoryId,
      repository_name: `${artifact.project}/${artifact.repository}`,
      digest: artifact.digest,
      size: artifact.size,
      icon: 'sha256:0048162a053eef4d4ce3fe7518615bef084403614f8bca43b40ae2e762e11e06',
      push_time: artifact.pushTime,
      pull_time: '0001-01-01T00:00:00.000Z',
      extra_attrs: artifact.platform
        ? {
            architecture: artifact.platform.architecture,
            os: artifact.platform.os,
            author: '',
            created: artifact.pushTime,
            config: {
              Labels: {
                'org.opencontainers.image.revision': artifact.commitSha ?? '',
              },
            },
          }
        : {},
      annotations: {
        'org.opencontainers.image.revision': artifact.commitSha ?? '',
        'org.opencontainers.image.source': `acme/${artifact.repository}`,
      },
      addition_links: {
        ...(artifact.platform
          ? {
              build_history: {
                href: `${base}/additions/build_history`,
                absolute: false,
              },
            }
          : {}),
        vulnerabilities: {
          href: `${base}/additions/vulnerabilities`,
          absolute: false,
        },
      },
      labels: [],
    };
    if (artifact.references.length) {
      json.references = artifact.references.map(reference => ({
        parent_id: artifact.id,
        child_id: reference.childId,
        child_digest: reference.childDigest,
        platform: { architecture: reference.architecture, os: reference.os },
        urls: [],
      }));
    }
    if (withTag) {
      json.tags = artifact.tags.map(tag => ({
        id: tag.id,
        repository_id: artifact.repositoryId,
        artifact_id: artifact.id,
        name: tag.name,
        push_time: tag.pushTime,
        pull_time: '0001-01-01T00:00:00.000Z',
        immutable: withImmutable
          ? registry.retention.isImmutableTag(
              artifact.projectId,
              artifact.repository,
              tag.name,
            )
          : false,
        signed: withSignature ? artifact.signature !== undefined : false,
      }));
    }
    if (flag(req.query.with_scan_overview, false)) {
      const overview = registry.scanOverview(artifact);
      if (overview) json.scan_overview = overview;
    }
    if (flag(req.query.with_accessory, false)) {
      json.accessories = accessoriesOf(artifact);
    }
    return json;
  };

  const repositoryName = (req: Request) => {
    // Harbor wants slashes inside repository names encoded twice (a%252Fb).
    const raw = req.params.repository;
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  };

  const findArtifact = (
    req: Request,
    res: Response,
  ): HarborArtifactRecord | undefined => {
    const project = req.params.project;
    const repository = repositoryName(req);
    const artifact = registry.findArtifact(
      project,
      repository,
      req.params.reference,
    );
    if (!artifact) {
      harborError(
        res,
        404,
        'NOT_FOUND',
        `artifact ${project}/${repository}@${req.params.reference} not found`,
      );
    }
    return artifact;
  };

  router.get('/projects', (req, res) => {
    const name =
      typeof req.query.name === 'string' ? req.query.name : undefined;
    const projects = registry
      .listProjects()
      .filter(p => !name || p.name === name);
    res.json(paginate(req, res, projects).map(projectJson));
  });
  router.get('/projects/:project', (req, res) => {
    const project = registry.getProject(req.params.project);
    if (!project) {
      harborError(
        res,
        404,
        'NOT_FOUND',
        `project ${req.params.project} not found`,
      );
      return;
    }
    res.json(projectJson(project));
  });
  router.get('/projects/:project/repositories', (req, res) => {
    if (!registry.getProject(req.params.project)) {
      harborError(
        res,
        404,
        'NOT_FOUND',
        `project ${req.params.project} not found`,
      );
      return;
    }
    const repositories = registry.listRepositories(req.params.project);
    res.json(
      paginate(req, res, repositories).map(repository => ({
        id: repository.id,
        project_id: repository.projectId,
        name: `${repository.project}/${repository.name}`,
        description: '',
        artifact_count: registry.artifactCount(
          repository.project,
          repository.name,
        ),
        pull_count: 0,
        creation_time: repository.creationTime,
        update_time: repository.updateTime,
      })),
    );
  });
  router.get('/projects/:project/repositories/:repository', (req, res) => {
    const repository = registry.getRepository(
      req.params.project,
      repositoryName(req),
    );
    if (!repository) {
      harborError(
        res,
        404,
        'NOT_FOUND',
        `repository ${req.params.project}/${repositoryName(req)} not found`,
      );
      return;
    }
    res.json({
      id: repository.id,
      project_id: repository.projectId,
      name: `${repository.project}/${repository.name}`,
      description: '',
      artifact_count: registry.artifactCount(
        repository.project,
        repository.name,
      ),
      pull_count: 0,
      creation_time: repository.creationTime,
      update_time: repository.updateTime,
    });
  });
  router.get(
    '/projects/:project/repositories/:repository/artifacts',
    (req, res) => {
      const repository = registry.getRepository(
        req.params.project,
        repositoryName(req),
      );
      if (!repository) {
        // Harbor answers an empty list for a repository without artifacts.
        res.setHeader('X-Total-Count', '0');
        res.json([]);
        return;
      }
      const artifacts = registry
        .listArtifacts(repository.project, repository.name)
        .filter(a => matchesQuery(a, req.query.q));
      res.json(paginate(req, res, artifacts).map(a => artifactJson(req, a)));
    },
  );
  router.get(
    '/projects/:project/repositories/:repository/artifacts/:reference',
    (req, res) => {
      const artifact = findArtifact(req, res);
      if (artifact) res.json(artifactJson(req, artifact));
    },
  );
  router.get(
    '/projects/:project/repositories/:repository/artifacts/:reference/additions/vulnerabilities',
    (req, res) => {
      const artifact = findArtifact(req, res);
      if (!artifact) return;
      if (!artifact.scan) {
        res.json({});
        return;
      }
      res.json(registry.vulnerabilityReport(artifact));
    },
  );
  router.get(
    '/projects/:project/repositories/:repository/artifacts/:reference/accessories',
    (req, res) => {
      const artifact = findArtifact(req, res);
      if (!artifact) return;
      res.json(paginate(req, res, accessoriesOf(artifact)));
    },
  );
  router.get(
    '/projects/:project/repositories/:repository/artifacts/:reference/tags',
    (req, res) => {
      const artifact = findArtifact(req, res);
      if (!artifact) return;
      res.json(
        artifact.tags.map(tag => ({
          id: tag.id,
          repository_id: artifact.repositoryId,
          artifact_id: artifact.id,
          name: tag.name,
          push_time: tag.pushTime,
          pull_time: '0001-01-01T00:00:00.000Z',
          immutable: registry.retention.isImmutableTag(
            artifact.projectId,
            artifact.repository,
            tag.name,
          ),
          signed: artifact.signature !== undefined,
        })),
      );
    },
  );
  addRetentionRoutes(router, registry);
  router.use((_req: Request, res: Response) =>
    harborError(res, 404, 'NOT_FOUND', 'not found'),
  );
  return router;
}

/** Harbor's answer to a refused request; anything else is a 500. */
function refused(res: Response, error: unknown) {
  if (error instanceof HarborRequestError) {
    harborError(res, error.status, error.code, error.message);
    return;
  }
  harborError(res, 500, 'INTERNAL_SERVER_ERROR', String(error));
}

function positiveId(value: string): number | undefined {
  return /^[1-9][0-9]{0,9}$/.test(value) ? Number(value) : undefined;
}

const executionJson = (execution: RetentionExecutionRecord) => ({
  id: execution.id,
  policy_id: execution.policyId,
  start_time: execution.startTime,
  end_time: execution.endTime,
  status: execution.status,
  trigger: execution.trigger,
  dry_run: execution.dryRun,
});

const taskJson = (task: RetentionTaskRecord) => ({
  id: task.id,
  execution_id: task.executionId,
  repository: task.repository,
  job_id: `retention-${task.executionId}-${task.id}`,
  status: 'Success',
  status_code: 3,
  status_revision: 1,
  start_time: task.startTime,
  end_time: task.endTime,
  total: task.total,
  retained: task.retained,
});

/**
 * Tag retention (`/retentions`) and tag immutability
 * (`/projects/{p}/immutabletagrules`), as Harbor v2.0 answers them.
 */
function addRetentionRoutes(router: Router, registry: HarborRegistry) {
  const retention = registry.retention;
  const json = express.json({ limit: '1mb' });
  const policyId = (req: Request, res: Response) => {
    const id = positiveId(req.params.id);
    if (id === undefined || !retention.getPolicy(id)) {
      harborError(
        res,
        404,
        'NOT_FOUND',
        `retention ${req.params.id} not found`,
      );
      return undefined;
    }
    return id;
  };

  router.post('/retentions', json, (req, res) => {
    try {
      const id = retention.createPolicy(req.body);
      res.setHeader('Location', `/api/v2.0/retentions/${id}`);
      res.status(201).end();
    } catch (error) {
      refused(res, error);
    }
  });
  router.get('/retentions/:id', (req, res) => {
    const id = policyId(req, res);
    if (id !== undefined) res.json(retention.getPolicy(id));
  });
  router.put('/retentions/:id', json, (req, res) => {
    const id = policyId(req, res);
    if (id === undefined) return;
    try {
      retention.updatePolicy(id, req.body);
      res.status(200).end();
    } catch (error) {
      refused(res, error);
    }
  });
  router.delete('/retentions/:id', (req, res) => {
    const id = policyId(req, res);
    if (id === undefined) return;
    retention.deletePolicy(id);
    res.status(200).end();
  });
  router.post('/retentions/:id/executions', json, (req, res) => {
    const id = policyId(req, res);
    if (id === undefined) return;
    try {
      const execution = retention.execute(id, req.body?.dry_run === true);
      res.setHeader(
        'Location',
        `/api/v2.0/retentions/${id}/executions/${execution.id}`,
      );
      res.status(201).end();
    } catch (error) {
      refused(res, error);
    }
  });
  router.get('/retentions/:id/executions', (req, res) => {
    const id = policyId(req, res);
    if (id === undefined) return;
    res.json(
      paginate(req, res, retention.listExecutions(id)).map(executionJson),
    );
  });
  const execution = (req: Request, res: Response) => {
    const id = policyId(req, res);
    if (id === undefined) return undefined;
    const eid = positiveId(req.params.eid);
    const found =
      eid === undefined ? undefined : retention.getExecution(id, eid);
    if (!found) {
      harborError(
        res,
        404,
        'NOT_FOUND',
        `execution ${req.params.eid} not found`,
      );
    }
    return found;
  };
  router.get('/retentions/:id/executions/:eid/tasks', (req, res) => {
    const found = execution(req, res);
    if (found) res.json(paginate(req, res, found.tasks).map(taskJson));
  });
  router.get('/retentions/:id/executions/:eid/tasks/:tid', (req, res) => {
    const found = execution(req, res);
    if (!found) return;
    const task = found.tasks.find(t => String(t.id) === req.params.tid);
    if (!task) {
      harborError(res, 404, 'NOT_FOUND', `task ${req.params.tid} not found`);
      return;
    }
    res.type('text/plain').send(task.log);
  });

  const project = (req: Request, res: Response) => {
    const found = registry.getProject(req.params.project);
    if (!found) {
      harborError(
        res,
        404,
        'NOT_FOUND',
        `project ${req.params.project} not found`,
      );
    }
    return found;
  };
  router.get('/projects/:project/immutabletagrules', (req, res) => {
    const found = project(req, res);
    if (found) {
      res.json(paginate(req, res, retention.listImmutableRules(found.id)));
    }
  });
  router.post('/projects/:project/immutabletagrules', json, (req, res) => {
    const found = project(req, res);
    if (!found) return;
    try {
      const id = retention.createImmutableRule(found.id, req.body);
      res.setHeader(
        'Location',
        `/api/v2.0/projects/${found.id}/immutabletagrules/${id}`,
      );
      res.status(201).end();
    } catch (error) {
      refused(res, error);
    }
  });
  router.put(
    '/projects/:project/immutabletagrules/:ruleId',
    json,
    (req, res) => {
      const found = project(req, res);
      if (!found) return;
      try {
        retention.updateImmutableRule(
          found.id,
          Number(req.params.ruleId),
          req.body,
        );
        res.status(200).end();
      } catch (error) {
        refused(res, error);
      }
    },
  );
  router.delete('/projects/:project/immutabletagrules/:ruleId', (req, res) => {
    const found = project(req, res);
    if (!found) return;
    try {
      retention.deleteImmutableRule(found.id, Number(req.params.ruleId));
      res.status(200).end();
    } catch (error) {
      refused(res, error);
    }
  });
}
