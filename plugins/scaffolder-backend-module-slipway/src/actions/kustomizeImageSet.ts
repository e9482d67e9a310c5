import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { normalizeRepoPath } from '@slipway/plugin-slipway-common';
import { setKustomizeImage } from '@slipway/plugin-slipway-node';
import fs from 'fs/promises';
import path from 'path';
import { examples } from './kustomizeImageSet.examples';

const KUSTOMIZATION_FILES = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
];

/**
 * `slipway:kustomize:image:set`: the semantics of `kustomize edit set image`
 * on a kustomization in the task workspace, editing the parsed YAML so
 * comments and layout are kept. Idempotent.
 *
 * @public
 */
export function createKustomizeImageSetAction() {
  return createTemplateAction({
    id: 'slipway:kustomize:image:set',
    description:
      'Sets an image override (newName, newTag, digest) in a kustomization in the workspace, keeping comments and layout',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        path: z =>
          z
            .string()
            .default('.')
            .describe(
              'Folder of the kustomization, relative to the workspace (e.g. apps/x/overlays/dev)',
            ),
        name: z =>
          z
            .string()
            .describe('Image name to match, as written in the manifests'),
        newName: z =>
          z.string().optional().describe('Replacement image repository'),
        newTag: z =>
          z.string().optional().describe('Tag to set (OCI tag grammar)'),
        digest: z =>
          z.string().optional().describe('Digest to pin, sha256:<64 hex>'),
      },
      output: {
        changed: z =>
          z.boolean().describe('False when the image was already set so'),
        file: z =>
          z.string().describe('The edited file, relative to the workspace'),
      },
    },
    async handler(ctx) {
      // The scaffolder validates inputs but does not apply schema defaults.
      const inputPath = ctx.input.path ?? '.';
      const folder =
        inputPath === '.' ? '.' : normalizeRepoPath(inputPath, 'path');
      const dir = resolveSafeChildPath(ctx.workspacePath, folder);
      let file: string | undefined;
      for (const candidate of KUSTOMIZATION_FILES) {
        const full = resolveSafeChildPath(dir, candidate);
        const stat = await fs.lstat(full).catch(() => undefined);
        if (stat?.isSymbolicLink()) {
          throw new InputError(`${candidate} in ${folder} is a symbolic link`);
        }
        if (stat?.isFile()) {
          file = full;
          break;
        }
      }
      if (!file) {
        throw new InputError(`No kustomization file in ${folder}`);
      }
      const content = await fs.readFile(file, 'utf8');
      const result = setKustomizeImage(content, {
        name: ctx.input.name,
        newName: ctx.input.newName,
        newTag: ctx.input.newTag,
        digest: ctx.input.digest,
      });
      if (result.changed) {
        await fs.writeFile(file, result.content, 'utf8');
      }
      const relative = path.relative(ctx.workspacePath, file);
      ctx.logger.info(
        result.changed
          ? `Set image ${ctx.input.name} in ${relative}`
          : `Image ${ctx.input.name} in ${relative} already up to date`,
      );
      ctx.output('changed', result.changed);
      ctx.output('file', relative);
    },
  });
}
