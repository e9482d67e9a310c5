import { NextFunction, Request, RequestHandler, Response } from 'express';
import { Socket } from 'node:net';
import { SandboxVendor } from '../types';
import { FaultRule, PUSH_FAULT_MODES, PushRaceStage } from './faultRules';

interface ActiveRule {
  id: string;
  owner: string;
  rule: FaultRule;
  remaining: number | undefined;
}

/** Owner of rules set in-process (tests, benchmarks) without naming one. */
export const DEFAULT_FAULT_OWNER = 'default';

/** A rule as listed: its id, its owner and the uses left. */
export type ListedFaultRule = FaultRule & {
  id: string;
  owner: string;
  remaining?: number;
};

/**
 * Holds the fault rules set through the admin API and applies them to the
 * requests of each vendor before any other handling (including auth).
 */
export class FaultInjector {
  private active: ActiveRule[] = [];
  private nextId = 1;
  private readonly held = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(private readonly timeoutMs: number) {}

  static create(options: { timeoutMs: number }): FaultInjector {
    return new FaultInjector(options.timeoutMs);
  }

  private activate(rules: FaultRule[], owner: string): ActiveRule[] {
    return rules.map(rule => ({
      id: `fault-${this.nextId++}`,
      owner,
      rule,
      remaining: rule.times,
    }));
  }

  /** Replaces the owner's rules; other owners' rules stay. */
  setRules(rules: FaultRule[], owner = DEFAULT_FAULT_OWNER): ListedFaultRule[] {
    const added = this.activate(rules, owner);
    this.active = [...this.active.filter(e => e.owner !== owner), ...added];
    return added.map(toListed);
  }

  /** Adds rules for the owner after every existing rule. */
  addRules(rules: FaultRule[], owner = DEFAULT_FAULT_OWNER): ListedFaultRule[] {
    const added = this.activate(rules, owner);
    this.active.push(...added);
    return added.map(toListed);
  }

  /** Current rules with their ids, owners and remaining counts; one owner's when given. */
  list(owner?: string): ListedFaultRule[] {
    return this.active
      .filter(entry => owner === undefined || entry.owner === owner)
      .map(toListed);
  }

  /** Removes the owner's rules, or every rule when no owner is given (in-process use). */
  clear(owner?: string): void {
    this.active =
      owner === undefined ? [] : this.active.filter(e => e.owner !== owner);
  }

  /** Removes one rule if the owner holds it; false when there is no such rule of theirs. */
  remove(id: string, owner: string): boolean {
    const before = this.active.length;
    this.active = this.active.filter(e => !(e.id === id && e.owner === owner));
    return this.active.length < before;
  }

  /** Closes every held request; called on stop. */
  releaseAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.held) socket.destroy();
    this.held.clear();
  }

  /**
   * Picks the first HTTP-level rule matching the request, consuming one use
   * of it. Push faults are left for `takePushFault`.
   */
  take(
    vendor: SandboxVendor,
    method: string,
    path: string,
  ): FaultRule | undefined {
    return this.consume(
      ({ rule }) =>
        !PUSH_FAULT_MODES.includes(rule.mode) &&
        rule.vendor === vendor &&
        (!rule.method || rule.method === method.toUpperCase()) &&
        (!rule.pathPrefix || path.startsWith(rule.pathPrefix)),
    );
  }

  /**
   * Picks the first push fault for an authenticated receive-pack request at
   * `stage` (`advertise`: the ref advertisement a push starts with;
   * `update`: the request carrying the ref updates), consuming one use.
   * `push-reject` strikes at `update`, `push-race` at its `at` (default
   * `advertise`).
   */
  takePushFault(stage: PushRaceStage, path: string): FaultRule | undefined {
    return this.consume(({ rule }) => {
      if (rule.vendor !== 'git') return false;
      if (rule.pathPrefix && !path.startsWith(rule.pathPrefix)) return false;
      if (rule.mode === 'push-reject') return stage === 'update';
      if (rule.mode === 'push-race') return (rule.at ?? 'advertise') === stage;
      return false;
    });
  }

  private consume(
    matches: (entry: ActiveRule) => boolean,
  ): FaultRule | undefined {
    const entry = this.active.find(matches);
    if (!entry) return undefined;
    if (entry.remaining !== undefined) {
      entry.remaining -= 1;
      if (entry.remaining <= 0) {
        this.active = this.active.filter(other => other !== entry);
      }
    }
    return entry.rule;
  }

  /** Express middleware; `vendorOf` tells which vendor a request belongs to. */
  middleware(
    vendorOf: (req: Request) => SandboxVendor | undefined,
  ): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const vendor = vendorOf(req);
      const rule = vendor ? this.take(vendor, req.method, req.path) : undefined;
      if (!rule) {
        next();
        return;
      }
      this.apply(rule, req, res, next);
    };
  }

  private apply(
    rule: FaultRule,
    req: Request,
    res: Response,
    next: NextFunction,
  ): void {
    switch (rule.mode) {
      case 'latency': {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          next();
        }, rule.latencyMs ?? 0);
        this.timers.add(timer);
        return;
      }
      case 'error':
        res
          .status(rule.status ?? 503)
          .json({ message: 'Sandbox injected fault: service unavailable' });
        return;
      case 'malformed':
        res
          .status(200)
          .type('application/json')
          .send('{"sandbox": "malformed", "items": [{"name": "trunc');
        return;
      case 'rate-limit':
        this.rateLimit(rule, res);
        return;
      case 'timeout': {
        const socket = req.socket;
        this.held.add(socket);
        socket.on('close', () => this.held.delete(socket));
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.held.delete(socket);
          socket.destroy();
        }, this.timeoutMs);
        this.timers.add(timer);
        return;
      }
      default:
        next();
    }
  }

  private rateLimit(rule: FaultRule, res: Response): void {
    const now = Math.floor(Date.now() / 1000);
    const reset = rule.resetEpochSeconds ?? now + 60;
    res.setHeader('x-ratelimit-limit', '5000');
    res.setHeader('x-ratelimit-remaining', '0');
    res.setHeader('x-ratelimit-used', '5000');
    res.setHeader('x-ratelimit-reset', String(reset));
    res.setHeader('x-ratelimit-resource', 'core');
    if (rule.retryAfterSeconds !== undefined) {
      res.setHeader('retry-after', String(rule.retryAfterSeconds));
    }
    const secondary = rule.retryAfterSeconds !== undefined;
    res.status(rule.status ?? 403).json({
      message: secondary
        ? 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'
        : 'API rate limit exceeded for user ID 1.',
      documentation_url: secondary
        ? 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits'
        : 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      status: String(rule.status ?? 403),
    });
  }
}

function toListed({ id, owner, rule, remaining }: ActiveRule): ListedFaultRule {
  return { ...rule, id, owner, remaining };
}
