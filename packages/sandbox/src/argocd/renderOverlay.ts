import path from 'node:path';
import YAML from 'yaml';
import { GitRepositories } from '../git/GitRepositories';
import {
  KustomizeImage,
  readKustomizeImages,
  renderImage,
} from '../seed/manifests';

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  spec?: Record<string, any>;
  [key: string]: unknown;
}

export interface RenderedOverlay {
  objects: KubernetesObject[];
  images: KustomizeImage[];
}

/** Splits `host:port/path:tag@digest` into its repository name. */
function imageName(reference: string): string {
  const withoutDigest = reference.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  return lastColon > lastSlash
    ? withoutDigest.slice(0, lastColon)
    : withoutDigest;
}

function containersOf(object: KubernetesObject): Array<{ image?: string }> {
  const podSpec = object.spec?.template?.spec;
  if (!podSpec) return [];
  return [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])];
}

/** The images of an object's pod template. */
export function objectImages(object: KubernetesObject): string[] {
  return containersOf(object)
    .map(container => container.image)
    .filter((image): image is string => typeof image === 'string');
}

/**
 * A small Kustomize: `resources` (files and folders), `namespace` and
 * `images`, enough for the layout Slipway writes. Throws on missing files.
 */
export async function renderOverlay(
  repos: GitRepositories,
  owner: string,
  repo: string,
  commit: string,
  folder: string,
  depth = 0,
): Promise<RenderedOverlay> {
  if (depth > 5) throw new Error('kustomization nesting too deep');
  const source = await repos.readFile(
    owner,
    repo,
    commit,
    `${folder}/kustomization.yaml`,
  );
  if (!source) throw new Error(`${folder}/kustomization.yaml: no such file`);
  const kustomization = YAML.parse(source.toString('utf8')) ?? {};
  const objects: KubernetesObject[] = [];
  const resources: unknown[] = Array.isArray(kustomization.resources)
    ? kustomization.resources
    : [];
  for (const resource of resources) {
    if (typeof resource !== 'string') continue;
    const target = path.posix.normalize(path.posix.join(folder, resource));
    if (target.startsWith('..') || target.startsWith('/'))
      throw new Error(`resource ${resource} leaves the repository`);
    const file = await repos.readFile(owner, repo, commit, target);
    if (file) {
      for (const document of YAML.parseAllDocuments(file.toString('utf8'))) {
        const value = document.toJS();
        if (value && typeof value === 'object' && value.kind)
          objects.push(value);
      }
    } else {
      objects.push(
        ...(await renderOverlay(repos, owner, repo, commit, target, depth + 1))
          .objects,
      );
    }
  }
  const images = readKustomizeImages(source.toString('utf8'));
  for (const object of objects) {
    if (typeof kustomization.namespace === 'string') {
      object.metadata = {
        ...object.metadata,
        namespace: kustomization.namespace,
      };
    }
    for (const container of containersOf(object)) {
      if (typeof container.image !== 'string') continue;
      const entry = images.find(
        image => image.name === imageName(container.image ?? ''),
      );
      if (entry) container.image = renderImage(entry);
    }
  }
  return { objects, images };
}
