import { z } from 'zod';
import { isDnsLabel } from './conventions';
import { VERIFICATION_CHECK_PATTERN } from './promotion/verification';

const dnsLabel = z
  .string()
  .refine(isDnsLabel, { message: 'must be a DNS-1123 label' });

const entityRef = z
  .string()
  .regex(/^[a-z]+:[a-z0-9][a-z0-9._-]*\/[a-zA-Z0-9][a-zA-Z0-9._-]*$/, {
    message:
      'must be a full entity reference, e.g. group:default/platform-admins',
  });

const timeZone = z.string().refine(
  value => {
    try {
      return (
        new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions()
          .timeZone !== undefined
      );
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone, e.g. Europe/Berlin' },
);

const clock = z
  .string()
  .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, { message: 'must be HH:MM' });

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

const windowSchema = z.object({
  days: z.array(weekday).min(1),
  start: clock,
  end: clock,
});

const count = z.number().int().min(0).max(100000);

/** The gates a policy can put in front of an environment. @public */
export const gateSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ci-passed') }).strict(),
  z
    .object({
      type: z.literal('scan'),
      maxCritical: count.optional(),
      maxHigh: count.optional(),
      maxMedium: count.optional(),
      maxLow: count.optional(),
      maxUnknown: count.optional(),
    })
    .strict(),
  z.object({ type: z.literal('quality-gate') }).strict(),
  z
    .object({
      type: z.literal('signature'),
      identity: z.string().min(1).max(512),
      issuer: z.string().url(),
    })
    .strict(),
  z
    .object({
      type: z.literal('soak'),
      upstream: dnsLabel,
      minutes: z
        .number()
        .int()
        .min(1)
        .max(60 * 24 * 30),
    })
    .strict(),
  z
    .object({
      type: z.literal('approvals'),
      count: z.number().int().min(1).max(10),
      groups: z.array(entityRef).min(1).max(50),
    })
    .strict(),
  z
    .object({
      type: z.literal('deploy-window'),
      timeZone,
      allow: z.array(windowSchema).min(1).max(50),
      deny: z.array(windowSchema).max(50).optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('verification'),
      /** The check's name, e.g. `smoke` or `k6`: reported as `slipway/verify/<environment>/<check>`. */
      check: z.string().regex(VERIFICATION_CHECK_PATTERN, {
        message:
          'must be a lower-case name of letters, digits, "-" and "_", starting with a letter (at most 63 characters), e.g. smoke',
      }),
      /** Where the check ran; default: the environment the promotion comes from. */
      environment: dnsLabel.optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('freeze'),
      reason: z.string().min(1).max(500),
    })
    .strict(),
]);

/** A gate in a promotion policy. @public */
export type PolicyGate = z.infer<typeof gateSchema>;

/** Rules for promoting into one environment. @public */
export const environmentRuleSchema = z
  .object({
    mode: z.enum(['direct', 'pull-request']),
    autoPromote: z.boolean().optional(),
    /** Manual-sync environments: ask Argo CD to sync once the commit lands. */
    sync: z.boolean().optional(),
    gates: z.array(gateSchema).max(50),
  })
  .strict();

/** The body of a promotion policy, as an admin writes it. @public */
export const promotionPolicySchema = z
  .object({
    description: z.string().max(2000).optional(),
    selector: z
      .object({
        kinds: z.array(z.string().min(1).max(63)).max(50).optional(),
        owners: z.array(entityRef).max(200).optional(),
        systems: z.array(entityRef).max(200).optional(),
        entities: z.array(entityRef).max(1000).optional(),
      })
      .strict(),
    environments: z.record(dnsLabel, environmentRuleSchema),
  })
  .strict();

/** The body of a promotion policy. @public */
export type PromotionPolicy = z.infer<typeof promotionPolicySchema>;

/** A stored version of a policy: every change makes a new version. @public */
export interface PromotionPolicyVersion {
  name: string;
  version: number;
  policy: PromotionPolicy;
  comment?: string;
  createdBy: string;
  createdAt: string;
}
