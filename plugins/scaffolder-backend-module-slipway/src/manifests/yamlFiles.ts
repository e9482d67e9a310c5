import { Document } from 'yaml';

/**
 * Serialises one object as a YAML document. Manifests are always built as
 * objects and serialised here, never assembled from strings, so a value can
 * only ever become a single scalar.
 *
 * @public
 */
export function toYaml(value: unknown): string {
  return new Document(value).toString({ lineWidth: 0 });
}

/**
 * Serialises several objects as a multi-document YAML stream.
 *
 * @public
 */
export function toYamlStream(values: unknown[]): string {
  return values.map(value => toYaml(value)).join('---\n');
}
