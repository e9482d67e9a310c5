import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { createArgoCdAppCreateAction } from '../actions/argocdAppCreate';
import { createFluxAppCreateAction } from '../actions/fluxAppCreate';
import { createGitOpsAppCreateAction } from '../actions/gitopsAppCreate';
import { createGitOpsCommitAction } from '../actions/gitopsCommit';
import { createHarborRetentionEnsureAction } from '../actions/harborRetentionEnsure';
import { createKustomizeImageSetAction } from '../actions/kustomizeImageSet';
import { createSecretsCreateAction } from '../actions/secretsCreate';
import { createTerraformCreateAction } from '../actions/terraformCreate';

/** Every action of the module, in the order the reference lists them. */
function allActions(): TemplateAction<any, any, any>[] {
  return [
    createGitOpsAppCreateAction(),
    createArgoCdAppCreateAction(),
    createFluxAppCreateAction(),
    createSecretsCreateAction(),
    createTerraformCreateAction(),
    createHarborRetentionEnsureAction(),
    createGitOpsCommitAction(),
    createKustomizeImageSetAction(),
  ];
}

function typeOf(schema: any): string {
  if (!schema) return 'unknown';
  if (schema.enum)
    return schema.enum.map((v: unknown) => `\`${v}\``).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' | ');
  if (schema.type === 'array') return `${typeOf(schema.items)}[]`;
  if (schema.type === 'object') {
    if (schema.properties) {
      return `{ ${Object.keys(schema.properties).join(', ')} }`;
    }
    return 'object';
  }
  if (schema.type === 'integer') return 'integer';
  return String(schema.type ?? 'unknown');
}

function escapeHtml(text: string): string {
  return text.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cell(text: unknown): string {
  return escapeHtml(String(text ?? ''))
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');
}

function table(schema: any, withRequired: boolean): string {
  const properties = schema?.properties ?? {};
  const required = new Set<string>(schema?.required ?? []);
  const rows = Object.entries<any>(properties).map(([name, property]) => {
    const columns = [
      `\`${name}\``,
      cell(typeOf(property)),
      ...(withRequired
        ? [
            required.has(name) && property.default === undefined ? 'yes' : '',
            property.default === undefined
              ? ''
              : `\`${JSON.stringify(property.default)}\``,
          ]
        : []),
      cell(property.description),
    ];
    return `| ${columns.join(' | ')} |`;
  });
  const header = withRequired
    ? '| Input | Type | Required | Default | Description |\n|---|---|---|---|---|'
    : '| Output | Type | Description |\n|---|---|---|';
  return [header, ...rows].join('\n');
}

/**
 * Renders docs/scaffolder.md from the actions' schemas and examples.
 */
export function renderActionsReference(): string {
  const parts: string[] = [
    '# Slipway scaffolder actions',
    '',
    '<!-- Generated from the action schemas by',
    '     plugins/scaffolder-backend-module-slipway/src/docs/actionsReference.ts.',
    '     Regenerate with `yarn generate` in that package; a test fails when stale. -->',
    '',
    'Module `@slipway/plugin-scaffolder-backend-module-slipway` adds these actions to',
    "the scaffolder (`backend.add(import('@slipway/plugin-scaffolder-backend-module-slipway'))`).",
    'Every action validates names as DNS-1123 labels, tags with the OCI grammar and',
    'paths with `normalizeRepoPath` (no `..`, absolute paths, percent-encoded dots or',
    'control characters), refuses symbolic links, and builds YAML as objects.',
    '',
    '## Configuration (`config.d.ts` of the module)',
    '',
    '- `slipway.environments[]` (`name`, `syncMode`): the environments overlays and Applications are generated for; default dev (auto), staging, prod (manual).',
    '- `slipway.scaffolder.environments[]`: per-environment `replicas`, `maxReplicas`, `namespace`, `server`, `resources.{cpuRequest,cpuLimit,memoryRequest,memoryLimit}` over the defaults (dev 1 replica 200m/256Mi; staging 2; prod 3 with 500m–1000m CPU, 512Mi–1Gi).',
    '- `slipway.scaffolder.ingressDomain`, `slipway.scaffolder.ingressClassName`.',
    '- `slipway.scaffolder.argocd.namespace` (default `argocd`), `allowedDestinations[]` (`server`, `namespace`, `*` globs; default in-cluster, any namespace not denied), `allowedSourceRepos[]` (globs; unset = any, with a warning), `forbiddenProjects[]` (`default` always), `deniedNamespaces[]` (default kube-system, kube-public, kube-node-lease, default and the Argo CD namespace).',
    "- `slipway.harbor` (`url`, `username`, `password`) and `slipway.retention.keepLastPushed` (default 10): the Harbor account and the default count of `slipway:harbor:retention:ensure`, the same keys the backend's retention task reads.",
    '- `slipway.scaffolder.flux.cluster` (default: the first of `slipway.flux.clusters`, else `default`), `allowedSourceRepos[]` (globs; unset = any, with a warning), `allowedTargetNamespaces[]` (globs; default any namespace not denied), `deniedTargetNamespaces[]` (default kube-system, kube-public, kube-node-lease, default, flux-system; also checked for the team namespace).',
    '',
    'Argo CD or Flux: `slipway:argocd:app:create` and `slipway:flux:app:create` are separate actions rather than one action with a controller input, because their inputs differ (AppProject, destinations and previews against cluster entry point, source and target namespaces); a template runs one of them (`if:`) and commits the result with `slipway:gitops:commit` (`extraPaths: [flux]` for Flux), the one write path.',
    '',
    "Not implemented: applying Argo CD or Flux objects through the controllers' APIs (they are written to Git and picked up by the app-of-apps or the Flux cluster entry point of the GitOps repository template). The scaffolder does not apply schema defaults to action inputs, so every action applies its own defaults.",
    '',
  ];
  for (const action of allActions()) {
    parts.push(`## \`${action.id}\``, '');
    parts.push(escapeHtml(action.description ?? ''), '');
    parts.push(
      `Dry run: ${action.supportsDryRun ? 'supported' : 'not supported'}.`,
      '',
    );
    parts.push('### Inputs', '', table(action.schema?.input, true), '');
    parts.push('### Outputs', '', table(action.schema?.output, false), '');
    for (const example of action.examples ?? []) {
      parts.push(
        `### Example: ${example.description}`,
        '',
        '```yaml',
        example.example.trimEnd(),
        '```',
        '',
      );
    }
  }
  return `${parts.join('\n').trimEnd()}\n`;
}
