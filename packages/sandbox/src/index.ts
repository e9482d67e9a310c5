export { createSandbox } from './createSandbox';
export type { Sandbox } from './createSandbox';
export type { FaultRule, FaultMode } from './faults/faultRules';
export type {
  SandboxOptions,
  SandboxTimings,
  SandboxCredentials,
  SandboxPorts,
  SandboxUrls,
  SandboxVendor,
} from './types';
export {
  DEFAULT_TIMINGS,
  DEFAULT_CREDENTIALS,
  SANDBOX_BANNER,
} from './defaults';
export { SEED_SERVICES } from './seed/world';
