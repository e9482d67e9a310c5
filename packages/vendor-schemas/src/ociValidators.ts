import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { SpecValidator } from './specValidators';

/*
 * The OCI image manifest as the Open Container Initiative's image-spec
 * describes it (opencontainers/image-spec, manifest.md and descriptor.md;
 * its JSON Schemas schema/image-manifest-schema.json,
 * schema/content-descriptor.json and schema/defs-descriptor.json, checked
 * at commit 13cff54902ec9ad6320cbc487a685b66fcd67171). Written out here with
 * the same rules: schemaVersion 2; `config` and every `layers` entry a
 * descriptor with mediaType, size and digest; at least one layer;
 * annotations a map of strings; the spec's patterns for media types and
 * digests.
 */
const MEDIA_TYPE = {
  type: 'string',
  pattern:
    '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$',
};
const ANNOTATIONS = {
  type: 'object',
  additionalProperties: { type: 'string' },
};
const DESCRIPTOR = {
  type: 'object',
  required: ['mediaType', 'size', 'digest'],
  properties: {
    mediaType: MEDIA_TYPE,
    size: { type: 'integer', minimum: 0 },
    digest: {
      type: 'string',
      pattern: '^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$',
    },
    urls: { type: 'array', items: { type: 'string', format: 'uri' } },
    data: { type: 'string' },
    artifactType: MEDIA_TYPE,
    annotations: ANNOTATIONS,
  },
};
const DEFINITIONS = {
  Descriptor: DESCRIPTOR,
  ImageManifest: {
    type: 'object',
    required: ['schemaVersion', 'config', 'layers'],
    properties: {
      schemaVersion: { type: 'integer', minimum: 2, maximum: 2 },
      mediaType: MEDIA_TYPE,
      artifactType: MEDIA_TYPE,
      config: { $ref: '#/definitions/Descriptor' },
      subject: { $ref: '#/definitions/Descriptor' },
      layers: {
        type: 'array',
        minItems: 1,
        items: { $ref: '#/definitions/Descriptor' },
      },
      annotations: ANNOTATIONS,
    },
  },
};

/** OCI image-spec validators: `ImageManifest`, `Descriptor`. */
export function ociValidator(): SpecValidator {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'oci', definitions: DEFINITIONS });
  return {
    errors(name, value) {
      const validate = ajv.getSchema(`oci#/definitions/${name}`);
      if (!validate) throw new Error(`no schema ${name} in oci`);
      if (validate(value)) return [];
      return (validate.errors ?? []).map(
        e =>
          `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
      );
    },
  };
}
