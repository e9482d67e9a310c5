import { InputError } from '@backstage/errors';
import {
  APP_LABEL,
  assertDnsLabel,
  ENVIRONMENT_LABEL,
  normalizeRepoPath,
  overlayPath,
} from '@slipway/plugin-slipway-common';
import { ContainedFile } from '@slipway/plugin-slipway-node';
import { Document, isSeq, parse, parseDocument } from 'yaml';
import { toYaml } from './yamlFiles';

/** How an application's secrets reach its pods. @public */
export type SecretsProvider =
  | 'none'
  | 'sops'
  | 'sealed-secrets'
  | 'external-secrets';

/** The secrets choices, in the order forms show them. @public */
export const SECRETS_PROVIDERS: SecretsProvider[] = [
  'none',
  'sops',
  'sealed-secrets',
  'external-secrets',
];

/** The repository file holding SOPS creation rules. @public */
export const SOPS_CONFIG_FILE = '.sops.yaml';

/** Which keys SOPS encrypts in a Secret (the rest stays readable). @public */
export const SOPS_ENCRYPTED_REGEX = '^(data|stringData)$';

/**
 * The placeholder every generated SOPS value carries: base64 of this text
 * stands where ciphertext would be, so the file is recognisably not real.
 *
 * @public
 */
export const SOPS_PLACEHOLDER = 'PLACEHOLDER-RE-ENCRYPT-WITH-SOPS';

/** File names the generator writes into each overlay. @public */
export const SECRET_FILES = {
  sops: 'secret.sops.yaml',
  sealedSecret: 'sealed-secret.yaml',
  secretStore: 'secret-store.yaml',
  externalSecret: 'external-secret.yaml',
} as const;

/** Name of the SecretStore in each environment namespace. @public */
export const VAULT_SECRET_STORE = 'vault';

/** Service account whose token the SecretStore presents to Vault. @public */
export const VAULT_SERVICE_ACCOUNT = 'vault-auth';

const AGE_RECIPIENT = /^age1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{58}$/;
const VAULT_MOUNT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}(\/[A-Za-z0-9_.-]+)*$/;

/** One environment an application deploys to. @public */
export interface SecretsEnvironment {
  name: string;
  /** The overlay's namespace. */
  namespace: string;
}

/** Vault settings of the External Secrets choice. @public */
export interface VaultSettings {
  /** Vault's address, e.g. `https://vault.example.com:8200`. */
  server: string;
  /** KV version 2 mount. Default `secret`. */
  kvMount?: string;
  /** Kubernetes auth mount. Default `kubernetes`. */
  authMount?: string;
}

/** What {@link buildAppSecretsFiles} generates. @public */
export interface AppSecretsOptions {
  app: string;
  /** Owning team (a DNS label): names the Vault role and path. */
  team: string;
  gitopsPath: string;
  provider: SecretsProvider;
  environments: SecretsEnvironment[];
  /** SOPS: age recipient (public key) per environment name. */
  ageRecipients?: Record<string, string>;
  /** External Secrets: where Vault is. */
  vault?: VaultSettings;
}

/** The generated files and the overlay resources to list. @public */
export interface AppSecretsFiles {
  files: ContainedFile[];
  /** Per environment, files to add to the overlay's `resources:`. */
  resources: Record<string, string[]>;
}

/** The Secret an application reads: `<app>-secrets`. @public */
export function appSecretName(app: string): string {
  return `${app}-secrets`;
}

/**
 * Flux: the Secret (in the team's namespace) holding an environment's age
 * private key, referenced by that environment's Kustomization.
 *
 * @public
 */
export function sopsKeySecretName(environment: string): string {
  return `sops-age-${environment}`;
}

/** The Vault Kubernetes-auth role of a team in an environment. @public */
export function vaultRole(team: string, environment: string): string {
  return `${team}-${environment}`;
}

/** The Vault KV path of an application's secrets in an environment. @public */
export function vaultSecretPath(
  team: string,
  app: string,
  environment: string,
): string {
  return `${team}/${app}/${environment}`;
}

/** Checks an age recipient (an `age1…` X25519 public key). @public */
export function assertAgeRecipient(value: string, what: string): string {
  if (!AGE_RECIPIENT.test(value)) {
    throw new InputError(
      `Invalid age recipient for ${what}: expected an age1… public key (a private AGE-SECRET-KEY is never accepted)`,
    );
  }
  return value;
}

function assertVault(
  vault: VaultSettings | undefined,
): Required<VaultSettings> {
  if (!vault?.server) {
    throw new InputError('External Secrets needs the Vault server address');
  }
  let url: URL;
  try {
    url = new URL(vault.server);
  } catch {
    throw new InputError('Invalid Vault server address');
  }
  if (
    url.protocol !== 'https:' &&
    !(
      url.protocol === 'http:' &&
      ['127.0.0.1', 'localhost'].includes(url.hostname)
    )
  ) {
    throw new InputError('The Vault server address must be https');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new InputError(
      'The Vault server address must not carry credentials, a query or a fragment',
    );
  }
  const kvMount = vault.kvMount ?? 'secret';
  const authMount = vault.authMount ?? 'kubernetes';
  for (const [what, mount] of [
    ['KV mount', kvMount],
    ['auth mount', authMount],
  ]) {
    if (!VAULT_MOUNT.test(mount)) throw new InputError(`Invalid Vault ${what}`);
  }
  return { server: url.href.replace(/\/$/, ''), kvMount, authMount };
}

function recipientOf(
  recipients: Record<string, string> | undefined,
  environment: string,
): string {
  const recipient = recipients?.[environment];
  if (!recipient) {
    throw new InputError(
      `SOPS needs an age recipient for environment ${environment}`,
    );
  }
  return assertAgeRecipient(recipient, environment);
}

/** A value SOPS would write, with placeholder ciphertext. */
function placeholderCiphertext(): string {
  const data = Buffer.from(SOPS_PLACEHOLDER).toString('base64');
  const iv = Buffer.alloc(32).toString('base64');
  const tag = Buffer.alloc(16).toString('base64');
  return `ENC[AES256_GCM,data:${data},iv:${iv},tag:${tag},type:str]`;
}

/**
 * A SOPS-format Secret (age) whose values and data key are placeholders:
 * the shape `sops --encrypt` writes, with the environment's recipient, but
 * nothing any key decrypts. It is not listed in the overlay; the docs say to
 * replace it with `sops --encrypt` output before listing it.
 */
function sopsSecret(
  app: string,
  env: SecretsEnvironment,
  recipient: string,
): string {
  const document = new Document({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: appSecretName(app),
      namespace: env.namespace,
      labels: { [APP_LABEL]: app, [ENVIRONMENT_LABEL]: env.name },
    },
    type: 'Opaque',
    stringData: { EXAMPLE_KEY: placeholderCiphertext() },
    sops: {
      age: [
        {
          recipient,
          enc: `-----BEGIN AGE ENCRYPTED FILE-----\n${SOPS_PLACEHOLDER}\n-----END AGE ENCRYPTED FILE-----\n`,
        },
      ],
      lastmodified: '1970-01-01T00:00:00Z',
      mac: placeholderCiphertext(),
      encrypted_regex: SOPS_ENCRYPTED_REGEX,
      version: '3.9.4',
    },
  });
  document.commentBefore =
    ` PLACEHOLDER, not decryptable: nothing in this file is real ciphertext.\n` +
    ` Replace it with a real one (the repository's ${SOPS_CONFIG_FILE} picks the ${env.name} recipient):\n` +
    `   sops --encrypt --input-type yaml --output-type yaml secret.yaml > <this file>\n` +
    ` then list it in kustomization.yaml (Flux) or in a KSOPS generator (Argo CD). See docs/templates.md.`;
  return document.toString({ lineWidth: 0 });
}

function sealedSecret(app: string, env: SecretsEnvironment) {
  const metadata = {
    name: appSecretName(app),
    namespace: env.namespace,
  };
  return {
    apiVersion: 'bitnami.com/v1alpha1',
    kind: 'SealedSecret',
    // No scope annotation: strict scope, bound to this name and namespace.
    metadata,
    spec: {
      encryptedData: {},
      template: { metadata: { ...metadata }, type: 'Opaque' },
    },
  };
}

function secretStore(
  team: string,
  env: SecretsEnvironment,
  vault: Required<VaultSettings>,
) {
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: VAULT_SERVICE_ACCOUNT, namespace: env.namespace },
    },
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'SecretStore',
      metadata: { name: VAULT_SECRET_STORE, namespace: env.namespace },
      spec: {
        provider: {
          vault: {
            server: vault.server,
            path: vault.kvMount,
            version: 'v2',
            auth: {
              kubernetes: {
                mountPath: vault.authMount,
                role: vaultRole(team, env.name),
                serviceAccountRef: { name: VAULT_SERVICE_ACCOUNT },
              },
            },
          },
        },
      },
    },
  ];
}

function externalSecret(app: string, team: string, env: SecretsEnvironment) {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: appSecretName(app), namespace: env.namespace },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'SecretStore', name: VAULT_SECRET_STORE },
      target: { name: appSecretName(app), creationPolicy: 'Owner' },
      dataFrom: [{ extract: { key: vaultSecretPath(team, app, env.name) } }],
    },
  };
}

/**
 * Builds the per-overlay secret files of an application. `sops`: a
 * SOPS-format example `secret.sops.yaml` per overlay (placeholder
 * ciphertext, the environment's age recipient; not listed in the overlay).
 * `sealed-secrets`: a strict-scope `SealedSecret` `<app>-secrets` with no
 * data yet, listed in the overlay. `external-secrets`: a `SecretStore`
 * `vault` (Kubernetes auth, role `<team>-<env>`, service account
 * `vault-auth`) and an `ExternalSecret` `<app>-secrets` extracting
 * `<kv>/<team>/<app>/<env>`, both listed. No secret value is ever an input.
 *
 * @public
 */
export function buildAppSecretsFiles(
  options: AppSecretsOptions,
): AppSecretsFiles {
  const app = assertDnsLabel(options.app, 'app name');
  const team = assertDnsLabel(options.team, 'team');
  const gitopsPath = normalizeRepoPath(options.gitopsPath, 'GitOps path');
  if (!SECRETS_PROVIDERS.includes(options.provider)) {
    throw new InputError(`Unknown secrets provider ${options.provider}`);
  }
  const files: ContainedFile[] = [];
  const resources: Record<string, string[]> = {};
  if (options.provider === 'none') return { files, resources };
  const vault =
    options.provider === 'external-secrets'
      ? assertVault(options.vault)
      : undefined;
  for (const env of options.environments) {
    assertDnsLabel(env.name, 'environment');
    assertDnsLabel(env.namespace, 'namespace');
    const overlay = overlayPath(gitopsPath, env.name);
    const add = (name: string, content: string, listed: boolean) => {
      files.push({ path: `${overlay}/${name}`, content });
      if (listed) (resources[env.name] ??= []).push(name);
    };
    if (options.provider === 'sops') {
      const recipient = recipientOf(options.ageRecipients, env.name);
      add(SECRET_FILES.sops, sopsSecret(app, env, recipient), false);
    } else if (options.provider === 'sealed-secrets') {
      add(SECRET_FILES.sealedSecret, toYaml(sealedSecret(app, env)), true);
    } else {
      add(
        SECRET_FILES.secretStore,
        secretStore(team, env, vault!)
          .map(o => toYaml(o))
          .join('---\n'),
        true,
      );
      add(
        SECRET_FILES.externalSecret,
        toYaml(externalSecret(app, team, env)),
        true,
      );
    }
  }
  return { files, resources };
}

/**
 * Adds files to an overlay kustomization's `resources:` (parsed, edited,
 * serialised; comments and order kept; entries already there not repeated).
 *
 * @public
 */
export function addOverlayResources(
  content: string,
  entries: string[],
): string {
  const document = parseDocument(content);
  let resources = document.get('resources');
  if (!isSeq(resources)) {
    document.set('resources', document.createNode([]));
    resources = document.get('resources');
  }
  const seq = resources as { items: unknown[]; add(value: unknown): void };
  const present = new Set(
    (document.toJS().resources ?? []).map((r: unknown) => String(r)),
  );
  for (const entry of entries) {
    if (!present.has(entry)) seq.add(entry);
  }
  return document.toString({ lineWidth: 0 });
}

/** The path regex of an environment's SOPS creation rule. @public */
export function sopsPathRegex(environment: string): string {
  return `(^|/)overlays/${assertDnsLabel(
    environment,
    'environment',
  )}/[^/]+\\.sops\\.yaml$`;
}

/**
 * `.sops.yaml` with one creation rule per environment (path regex on
 * `overlays/<env>/*.sops.yaml`, that environment's age recipient, only
 * `data`/`stringData` encrypted). Merged into an existing file: rules for
 * paths it does not cover yet go first (SOPS takes the first match), its
 * own rules are kept as they are.
 *
 * @public
 */
export function sopsConfig(
  ageRecipients: Record<string, string>,
  existing?: string,
): { content: string; added: string[] } {
  const rules = Object.entries(ageRecipients).map(([env, recipient]) => ({
    path_regex: sopsPathRegex(env),
    encrypted_regex: SOPS_ENCRYPTED_REGEX,
    age: assertAgeRecipient(recipient, env),
  }));
  if (rules.length === 0) {
    throw new InputError('SOPS needs at least one age recipient');
  }
  if (existing === undefined) {
    const document = new Document({ creation_rules: rules });
    document.commentBefore =
      ' SOPS creation rules, one age recipient (public key) per environment.\n' +
      ' Private keys never live in this repository. See docs/templates.md.';
    return {
      content: document.toString({ lineWidth: 0 }),
      added: rules.map(r => r.path_regex),
    };
  }
  const document = parseDocument(existing);
  const current = parse(existing)?.creation_rules;
  const known = new Set(
    (Array.isArray(current) ? current : []).map((r: any) => r?.path_regex),
  );
  const missing = rules.filter(r => !known.has(r.path_regex));
  const seq = document.get('creation_rules');
  if (!isSeq(seq)) {
    document.set('creation_rules', document.createNode(missing));
  } else {
    seq.items.unshift(...missing.map(r => document.createNode(r)));
  }
  return {
    content: document.toString({ lineWidth: 0 }),
    added: missing.map(r => r.path_regex),
  };
}
