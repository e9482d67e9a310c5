import { Request, Response, Router } from 'express';
import { matchesSecret, parseBasic, parseToken } from '../http/auth';
import { SonarQubeProjects } from './SonarQubeProjects';

const GATE_CONDITIONS = [
  { metricKey: 'new_coverage', comparator: 'LT', errorThreshold: '80' },
  { metricKey: 'new_bugs', comparator: 'GT', errorThreshold: '0' },
  { metricKey: 'new_security_rating', comparator: 'GT', errorThreshold: '1' },
];

function sonarError(res: Response, status: number, message: string) {
  res.status(status).json({ errors: [{ msg: message }] });
}

/** The SonarQube Web API subset, mounted at `/api`. */
export function createSonarQubeRouter(options: {
  projects: SonarQubeProjects;
  tokens: string[];
}): Router {
  const { projects, tokens } = options;
  const router = Router();
  router.use((req: Request, res: Response, next) => {
    const token = parseBasic(req.headers)?.username ?? parseToken(req.headers);
    if (!matchesSecret(token, tokens)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="sonarqube"');
      res.status(401).end();
      return;
    }
    next();
  });

  router.get('/qualitygates/project_status', (req, res) => {
    const key = req.query.projectKey;
    if (typeof key !== 'string' || key === '') {
      sonarError(
        res,
        400,
        "Either 'analysisId', 'projectId' or 'projectKey' must be provided",
      );
      return;
    }
    const project = projects.get(key);
    if (!project) {
      sonarError(res, 404, `Project '${key}' not found`);
      return;
    }
    const conditions = GATE_CONDITIONS.map(condition => {
      const actual = Number(project.measures[condition.metricKey]);
      const threshold = Number(condition.errorThreshold);
      const failed =
        condition.comparator === 'LT' ? actual < threshold : actual > threshold;
      return {
        status: failed ? 'ERROR' : 'OK',
        metricKey: condition.metricKey,
        comparator: condition.comparator,
        errorThreshold: condition.errorThreshold,
        actualValue: project.measures[condition.metricKey],
      };
    });
    res.json({
      projectStatus: {
        status: conditions.some(c => c.status === 'ERROR') ? 'ERROR' : 'OK',
        conditions,
        ignoredConditions: false,
        caycStatus: 'compliant',
        period: { mode: 'PREVIOUS_VERSION', date: project.analysedAt },
      },
    });
  });

  router.get('/measures/component', (req, res) => {
    const key = req.query.component;
    const metricKeys = req.query.metricKeys;
    if (typeof key !== 'string' || key === '') {
      sonarError(res, 400, "The 'component' parameter is missing");
      return;
    }
    if (typeof metricKeys !== 'string' || metricKeys === '') {
      sonarError(res, 400, "The 'metricKeys' parameter is missing");
      return;
    }
    const project = projects.get(key);
    if (!project) {
      sonarError(res, 404, `Component key '${key}' not found`);
      return;
    }
    const requested = metricKeys
      .split(',')
      .map(k => k.trim())
      .filter(Boolean);
    const unknown = requested.filter(k => !(k in project.measures));
    if (unknown.length) {
      sonarError(
        res,
        404,
        `The following metric keys are not found: ${unknown.join(', ')}`,
      );
      return;
    }
    res.json({
      component: {
        key: project.key,
        name: project.name,
        qualifier: 'TRK',
        measures: requested.map(metric =>
          metric.startsWith('new_')
            ? {
                metric,
                period: {
                  index: 1,
                  value: project.measures[metric],
                  bestValue: false,
                },
              }
            : { metric, value: project.measures[metric], bestValue: false },
        ),
      },
    });
  });

  router.get('/system/status', (_req, res) => {
    res.json({ id: 'sandbox', version: '10.7.0.96327', status: 'UP' });
  });
  router.use((_req: Request, res: Response) =>
    sonarError(res, 404, 'Unknown url'),
  );
  return router;
}
