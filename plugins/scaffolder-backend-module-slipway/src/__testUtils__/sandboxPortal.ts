import { TemplatePortal } from '../templates/serviceTemplates';

/** The sandbox (packages/sandbox) as the portal the checked-in template is for. */
export const SANDBOX_PORTAL: TemplatePortal = {
  gitHost: '127.0.0.1:7101',
  registryHost: '127.0.0.1:7103',
  argocdUrl: 'http://127.0.0.1:7102',
};
