import { InputError } from '@backstage/errors';
import { APP_LABEL } from '@slipway/plugin-slipway-common';
import {
  assertRepositoryUrl,
  ContainedFile,
} from '@slipway/plugin-slipway-node';
import {
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
  parseDocument,
  YAMLMap,
  YAMLSeq,
} from 'yaml';
import { readAppOwners } from '../manifests/appOwnership';
import { mergeAppProject } from '../manifests/argoCd';
import { TEAM_LABEL } from '../manifests/flux';

/** The result of merging a generated file into an existing one. */
export interface MergedFile {
  content: string;
  changed: boolean;
}

const KUSTOMIZATION_FILES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

function documentsOf(content: string): any[] | undefined {
  try {
    const documents = parseAllDocuments(content);
    if (!Array.isArray(documents)) return undefined;
    if (documents.some(d => d.errors.length > 0)) return undefined;
    return documents.map(d => d.toJS()).filter(Boolean);
  } catch {
    return undefined;
  }
}

/**
 * True for a kustomize configuration file (not a Flux Kustomization object).
 * Given its path, a kustomization file without `kind` counts too (kustomize
 * accepts it).
 */
export function isKustomizeConfig(content: string, path?: string): boolean {
  const documents = documentsOf(content) ?? [];
  const [root] = documents;
  if (documents.length !== 1 || typeof root !== 'object') return false;
  if (root.kind === undefined && root.apiVersion === undefined) {
    return (
      path !== undefined && KUSTOMIZATION_FILES.includes(path.split('/').pop()!)
    );
  }
  return (
    root.kind === 'Kustomization' &&
    (root.apiVersion === undefined ||
      String(root.apiVersion).startsWith('kustomize.config.k8s.io/'))
  );
}

function identity(object: any): string {
  return `${object?.apiVersion} ${object?.kind} ${
    object?.metadata?.namespace ?? ''
  }/${object?.metadata?.name}`;
}

/**
 * Adds the entries of `resources` missing from an existing kustomize file,
 * on the parsed tree (comments, order and everything else kept). Never
 * removes.
 */
function mergeKustomizationResources(
  existing: string,
  resources: string[],
): MergedFile {
  const doc = parseDocument(existing, { uniqueKeys: true });
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    throw new InputError('The existing kustomization does not parse');
  }
  const root = doc.contents as YAMLMap;
  let list: unknown = root.get('resources', true);
  if (!isSeq(list)) {
    if (list !== undefined && !(isScalar(list) && list.value === null)) {
      throw new InputError('The existing kustomization has no resources list');
    }
    list = doc.createNode([]);
    root.set('resources', list);
  }
  const seq = list as YAMLSeq;
  let changed = false;
  for (const resource of resources) {
    if (!seq.items.some(item => isScalar(item) && item.value === resource)) {
      seq.items.push(doc.createNode(resource) as any);
      changed = true;
    }
  }
  return changed
    ? { content: doc.toString({ lineWidth: 0 }), changed }
    : { content: existing, changed };
}

/**
 * What kustomize-controller would build from a folder without a
 * kustomization file: its YAML files and its sub-folders that hold a
 * kustomization. A kustomization.yaml written into a folder that already has
 * content (for example `flux-system/` from `flux bootstrap`) lists these too,
 * so writing it never drops anything from the build.
 */
export function folderEntries(
  folder: string,
  files: ContainedFile[],
): string[] {
  const relative = files
    .map(f => f.path)
    .filter(p => p.startsWith(`${folder}/`))
    .map(p => p.slice(folder.length + 1));
  const entries: string[] = [];
  for (const path of relative) {
    const [first, ...rest] = path.split('/');
    if (rest.length === 0) {
      if (/\.ya?ml$/.test(first) && !KUSTOMIZATION_FILES.includes(first)) {
        entries.push(first);
      }
    } else if (
      rest.length === 1 &&
      KUSTOMIZATION_FILES.includes(rest[0]) &&
      !entries.includes(first)
    ) {
      entries.push(first);
    }
  }
  return entries.sort();
}

/**
 * Merges a generated file into one that already exists outside the
 * application's own folder, or refuses with InputError:
 * - an AppProject: missing sources and destinations added;
 * - a kustomize configuration: missing `resources` entries added;
 * - a team's shared objects (labelled `slipway.dev/team`, no app): the
 *   existing file is kept when it holds the same objects, a GitRepository
 *   must point at the same repository;
 * - objects of this application (`slipway.dev/app`): replaced when the
 *   existing file belongs to the same application only.
 */
export function mergeScaffoldedFile(options: {
  path: string;
  existing: string;
  generated: string;
  app: string;
}): MergedFile {
  const { path, existing, generated, app } = options;
  if (existing === generated) return { content: existing, changed: false };
  const refuse = (why = "already exists outside the application's folder") =>
    new InputError(`${path} ${why}; refusing to overwrite it`);
  const documents = documentsOf(generated);
  if (!documents || documents.length === 0) throw refuse();

  if (documents.length === 1 && documents[0].kind === 'AppProject') {
    return mergeAppProject(existing, documents[0]);
  }
  if (isKustomizeConfig(generated)) {
    if (!isKustomizeConfig(existing, path)) throw refuse();
    return mergeKustomizationResources(
      existing,
      (documents[0].resources ?? []).map(String),
    );
  }
  const current = documentsOf(existing);
  if (!current) throw refuse('already exists and does not parse');
  const labels = (o: any) => o?.metadata?.labels ?? {};
  if (documents.every(o => labels(o)[TEAM_LABEL] && !labels(o)[APP_LABEL])) {
    const same =
      current.map(identity).sort().join('\n') ===
      documents.map(identity).sort().join('\n');
    if (!same) throw refuse('holds other objects');
    for (const object of documents.filter(o => o.kind === 'GitRepository')) {
      const found = current.find(o => identity(o) === identity(object));
      let url: string | undefined;
      try {
        url = assertRepositoryUrl(String(found?.spec?.url), 'source URL');
      } catch {
        url = undefined;
      }
      if (url !== object.spec.url) {
        throw new InputError(
          `${path}: the team's GitRepository ${
            object.metadata.name
          } reads ${String(found?.spec?.url).slice(0, 200)}, not ${
            object.spec.url
          }`,
        );
      }
    }
    return { content: existing, changed: false };
  }
  if (documents.every(o => labels(o)[APP_LABEL] === app)) {
    const owners = readAppOwners([{ path, content: existing }]);
    const foreign = [...owners].filter(owner => owner !== app);
    if (foreign.length > 0) {
      throw refuse(`belongs to application ${foreign.join(', ')}, not ${app}`);
    }
    if (owners.size === 0) throw refuse();
    return { content: generated, changed: true };
  }
  throw refuse();
}
