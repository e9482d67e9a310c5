import { Request, Response, Router } from 'express';
import { matchesSecret, parseBasic } from '../http/auth';
import { HarborRegistry } from './HarborRegistry';
import { OCI_MANIFEST, SignatureAuthority } from './SignatureAuthority';

/** An error in the OCI distribution spec's shape. */
function registryError(
  res: Response,
  status: number,
  code: string,
  message: string,
) {
  res.status(status).json({ errors: [{ code, message }] });
}

/**
 * The registry API subset Harbor serves beside its own API, mounted at
 * `/v2`: `GET`/`HEAD /v2/<project>/<repository>/manifests/<digest>` for the
 * cosign signature manifests of signed artifacts. Basic credentials, as
 * Harbor accepts them on `/v2`.
 */
export function createRegistryRouter(options: {
  registry: HarborRegistry;
  authority: SignatureAuthority;
  username: string;
  password: string;
}): Router {
  const router = Router();
  router.use((req: Request, res: Response, next) => {
    res.setHeader('Docker-Distribution-Api-Version', 'registry/2.0');
    const credentials = parseBasic(req.headers);
    const ok =
      credentials !== undefined &&
      matchesSecret(credentials.username, [options.username]) &&
      matchesSecret(credentials.password, [options.password]);
    if (!ok) {
      res.setHeader('WWW-Authenticate', 'Basic realm="harbor"');
      registryError(res, 401, 'UNAUTHORIZED', 'unauthorized');
      return;
    }
    next();
  });
  router.get('/', (_req, res) => {
    res.json({});
  });
  // GET also answers HEAD (express), with the same headers and no body.
  router.get(
    /^\/([a-z0-9][a-z0-9._/-]*)\/manifests\/([^/]+)$/,
    async (req: Request, res: Response) => {
      const name = req.params[0];
      const digest = req.params[1];
      const slash = name.indexOf('/');
      // Only signature manifests, by digest: a tag or image digest is unknown here.
      const artifact =
        slash > 0 && /^sha256:[a-f0-9]{64}$/.test(digest)
          ? options.registry.findBySignature(
              name.slice(0, slash),
              name.slice(slash + 1),
              digest,
            )
          : undefined;
      if (!artifact) {
        registryError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
        return;
      }
      try {
        const body = await options.authority.signatureManifest(artifact);
        res.setHeader('Content-Type', OCI_MANIFEST);
        res.setHeader('Docker-Content-Digest', digest);
        res.setHeader('Content-Length', String(body.length));
        res.status(200).end(req.method === 'HEAD' ? undefined : body);
      } catch {
        registryError(res, 500, 'UNKNOWN', 'could not make the manifest');
      }
    },
  );
  router.use((_req: Request, res: Response) =>
    registryError(res, 404, 'NAME_UNKNOWN', 'repository name not known'),
  );
  return router;
}
