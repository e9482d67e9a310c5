import { NextFunction, Request, RequestHandler, Response } from 'express';
import { Socket } from 'node:net';
import { SandboxVendor } from '../types';
import { FaultRule } from './faultRules';

interface ActiveRule {
  rule: FaultRule;
  remaining: number | undefined;
}

/**
 * Holds the fault rules set through the admin API and applies them to the
 * requests of each vendor before any other handling (including auth).
 */
export class FaultInjector {
  private active: ActiveRule[] = [];
  private readonly held = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(private readonly timeoutMs: number) {}

  static create(options: { timeoutMs: number }): FaultInjector {
    return new FaultInjector(options.timeoutMs);
  }

  setRules(rules: FaultRule[]): void {
    this.active = rules.map(rule => ({ rule, remaining: rule.times }));
  }

  addRules(rules: FaultRule[]): void {
    this.active.push(...rules.map(rule => ({ rule, remaining: rule.times })));
  }

  /** Current rules with their remaining counts. */
  list(): Array<FaultRule & { remaining?: number }> {
    return this.active.map(({ rule, remaining }) => ({ ...rule, remaining }));
  }

  clear(): void {
    this.active = [];
  }

  /** Closes every held request; called on stop. */
  releaseAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.held) socket.destroy();
    this.held.clear();
  }

  /** Picks the first rule matching the request, consuming one use of it. */
  take(
    vendor: SandboxVendor,
    method: string,
    path: string,
  ): FaultRule | undefined {
    for (const entry of this.active) {
      const { rule } = entry;
      if (rule.vendor !== vendor) continue;
      if (rule.method && rule.method !== method.toUpperCase()) continue;
      if (rule.pathPrefix && !path.startsWith(rule.pathPrefix)) continue;
      if (entry.remaining !== undefined) {
        entry.remaining -= 1;
        if (entry.remaining <= 0) {
          this.active = this.active.filter(other => other !== entry);
        }
      }
      return rule;
    }
    return undefined;
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
