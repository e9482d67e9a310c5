import { Entity } from '@backstage/catalog-model';
import {
  appSelector,
  defaultGitopsPath,
  EntityDeployConfig,
  SLIPWAY_ANNOTATIONS as A,
} from '@slipway/plugin-slipway-common';
import { Document } from 'yaml';

/** What to put where a value is not known: says what belongs there. */
const PLACEHOLDERS: Record<string, (name: string) => string> = {
  [A.gitopsRepo]: () => 'https://<git host>/<org>/<gitops repository>.git',
  [A.gitopsPath]: name => defaultGitopsPath(name),
  [A.image]: name => `<registry>/<org>/${name}`,
  [A.argocdAppSelector]: name => appSelector(name),
  [A.fluxSelector]: name => appSelector(name),
};

/**
 * A `catalog-info.yaml` to copy: the entity's kind, name and namespace, the
 * Slipway annotations it already has (valid ones as they are), and for each
 * missing one the value the conventions give (`argocd/app-selector:
 * slipway.dev/app=<name>`, `apps/<name>`) or a placeholder saying what goes
 * there. An entity with `argocd/app-name` keeps it (no selector added).
 * Built as a YAML tree and serialised, never by string concatenation.
 */
export function setupSnippet(
  entity: Entity,
  config: Pick<EntityDeployConfig, 'annotations' | 'missing'>,
): string {
  const name = entity.metadata.name;
  const annotations: Record<string, string> = {};
  for (const finding of config.annotations) {
    if (finding.value && !finding.problem) {
      annotations[finding.annotation] = finding.value;
    }
  }
  for (const missing of config.missing) {
    if (missing === A.argocdAppSelector && annotations[A.argocdAppName]) {
      continue;
    }
    const placeholder = PLACEHOLDERS[missing];
    annotations[missing] = placeholder ? placeholder(name) : `<${missing}>`;
  }
  const metadata: Record<string, unknown> = { name };
  if (entity.metadata.namespace && entity.metadata.namespace !== 'default') {
    metadata.namespace = entity.metadata.namespace;
  }
  metadata.annotations = annotations;
  const document = new Document({
    apiVersion: entity.apiVersion,
    kind: entity.kind,
    metadata,
  });
  return document.toString({ lineWidth: 0 });
}
