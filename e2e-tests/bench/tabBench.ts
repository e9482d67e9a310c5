/* eslint-disable no-console */
/**
 * Slipway's Deploy tab vs Roadie's Argo CD overview card, in headless
 * Chromium, on the production build of the app served by the backend.
 * Started by run-tab-bench.sh (which starts a private sandbox + backend);
 * a script, not a test: it is no part of `yarn test:e2e`.
 *
 * One sample = a fresh page load of the entity's page in a signed-in browser
 * context (static assets in its HTTP cache, like a returning user), timed
 * inside the page by a MutationObserver installed before the app's scripts:
 *
 * - start: the entity header is in the DOM (an `h1` or `h2` whose text is
 *   the entity's name: the page header's level is being changed);
 * - Slipway done (`/catalog/default/component/<name>/deploy`): every
 *   environment's card (the `section` around its `h3` heading) shows its
 *   Argo CD state, i.e. both a `Sync: …` and a `Health: …` chip;
 * - Roadie done (`/catalog/default/component/<name>`, the Overview tab): the
 *   card titled "ArgoCD overview" has a table row with at least four cells
 *   for every application `<name>-<environment>`.
 *
 * Per entity and Argo CD latency (a sandbox fault rule on every Argo CD
 * answer), one discarded warm-up round, then BENCH_RUNS rounds alternating
 * which tool loads first. Prints a table of medians and writes every sample
 * to BENCH_OUT (JSON).
 */
import { chromium, Page, Request } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';

const BASE_URL = process.env.SLIPWAY_BENCH_URL ?? 'http://localhost:7007';
const SANDBOX_ADMIN = process.env.SANDBOX_ADMIN_URL ?? 'http://127.0.0.1:7100';
const SANDBOX_ADMIN_TOKEN =
  process.env.SANDBOX_ADMIN_TOKEN ?? 'sandbox-admin-token';
const CLIENT = `tab-bench-${process.pid}`;
const MODE = process.env.BENCH_MODE ?? 'cold';
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const LATENCIES = (process.env.BENCH_LATENCIES ?? '0,300')
  .split(',')
  .map(Number);
const ENTITIES = (
  process.env.BENCH_ENTITIES ??
  'payments-api,checkout-web,orders-service,inventory-api,notifications-worker'
).split(',');
/** The environments of app-config.yaml, in promotion order. */
const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const TIMEOUT_MS = 60_000;

type Tool = 'slipway' | 'roadie';

interface ApiCall {
  path: string;
  /** Start and end, ms after the entity header appeared. */
  start: number;
  end: number;
}

interface Sample {
  tool: Tool;
  entity: string;
  latencyMs: number;
  run: number;
  /** Entity header to all environments' state, ms. */
  ms: number;
  /** Navigation start to the entity header, ms. */
  headerMs: number;
  calls: ApiCall[];
}

interface Probe {
  tool: Tool;
  entity: string;
  environments: string[];
}

/** Runs in the page before the app's scripts (serialised by Playwright). */
function installProbe(probe: Probe) {
  const state: { header?: number; done?: number } = {};
  (window as any).__slipwayBench = state;
  const text = (el: Element | null | undefined) => el?.textContent ?? '';
  const headerShown = () =>
    Array.from(document.querySelectorAll('h1, h2')).some(
      h => text(h).trim() === probe.entity,
    );
  const slipwayDone = () =>
    probe.environments.every(env => {
      const heading = Array.from(document.querySelectorAll('h3')).find(
        h => text(h).trim() === env,
      );
      const card = text(heading?.closest('section'));
      return /Sync: \w/.test(card) && /Health: \w/.test(card);
    });
  const roadieDone = () => {
    const cards = Array.from(
      document.querySelectorAll('.MuiPaper-root'),
    ).filter(paper => text(paper).includes('ArgoCD overview'));
    // Document order puts ancestors first: the last one is the card itself.
    const card = cards[cards.length - 1];
    if (!card) return false;
    const rows = Array.from(card.querySelectorAll('tbody tr'));
    return probe.environments.every(env =>
      rows.some(
        row =>
          text(row).includes(`${probe.entity}-${env}`) &&
          row.querySelectorAll('td').length >= 4,
      ),
    );
  };
  const observer = new MutationObserver(() => {
    const now = performance.now();
    if (state.header === undefined && headerShown()) state.header = now;
    if (
      state.header !== undefined &&
      state.done === undefined &&
      (probe.tool === 'slipway' ? slipwayDone() : roadieDone())
    ) {
      state.done = now;
      observer.disconnect();
    }
  });
  observer.observe(document, {
    childList: true,
    subtree: true,
    characterData: true,
  });
}

async function setArgoLatency(latencyMs: number) {
  const headers = {
    authorization: `Bearer ${SANDBOX_ADMIN_TOKEN}`,
    'x-sandbox-client': CLIENT,
    'content-type': 'application/json',
  };
  const response = latencyMs
    ? await fetch(`${SANDBOX_ADMIN}/admin/faults`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({
          rules: [
            { vendor: 'argocd', mode: 'latency', latencyMs, times: 1_000_000 },
          ],
        }),
      })
    : await fetch(`${SANDBOX_ADMIN}/admin/faults`, {
        method: 'DELETE',
        headers,
      });
  if (!response.ok) {
    throw new Error(`sandbox faults: HTTP ${response.status}`);
  }
}

function urlOf(tool: Tool, entity: string) {
  const page = `/catalog/default/component/${entity}`;
  return tool === 'slipway' ? `${page}/deploy` : page;
}

async function measure(
  page: Page,
  tool: Tool,
  entity: string,
): Promise<Omit<Sample, 'latencyMs' | 'run'>> {
  const requests: { path: string; start: number; end: number }[] = [];
  // The browser's own timing of each API call (epoch ms), not the time
  // Playwright's events reach this process.
  const onFinished = (request: Request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/api/')) return;
    const timing = request.timing();
    requests.push({
      path: url.pathname + url.search,
      start: timing.startTime,
      end: timing.startTime + Math.max(timing.responseEnd, 0),
    });
  };
  page.on('requestfinished', onFinished);
  page.on('requestfailed', onFinished);
  await page.addInitScript(installProbe, {
    tool,
    entity,
    environments: ENVIRONMENTS,
  });
  try {
    await page.goto(urlOf(tool, entity), { waitUntil: 'commit' });
    await page.waitForFunction(
      () => (window as any).__slipwayBench?.done !== undefined,
      undefined,
      { timeout: TIMEOUT_MS, polling: 100 },
    );
  } catch (error) {
    const headings = await page
      .locator('h1, h2, h3')
      .allTextContents()
      .catch(() => []);
    const shot = path.join(
      path.dirname(process.env.BENCH_OUT ?? '.'),
      `failed-${tool}-${entity}.png`,
    );
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    throw new Error(
      `${tool} ${entity}: state not shown within ${TIMEOUT_MS} ms (${error}); headings: ${headings.join(
        ' | ',
      )}; screenshot ${shot}`,
    );
  } finally {
    page.off('requestfinished', onFinished);
    page.off('requestfailed', onFinished);
  }
  const timing = await page.evaluate(() => {
    const s = (window as any).__slipwayBench;
    return {
      header: s.header as number,
      done: s.done as number,
      origin: performance.timeOrigin,
    };
  });
  const headerAt = timing.origin + timing.header;
  const doneAt = timing.origin + timing.done;
  return {
    tool,
    entity,
    ms: timing.done - timing.header,
    headerMs: timing.header,
    calls: requests
      .filter(r => r.start <= doneAt)
      .map(r => ({
        path: r.path,
        start: Math.round(r.start - headerAt),
        end: Math.round(r.end - headerAt),
      })),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `/api/slipway/entities/default/component/x/state` → `/api/slipway/…/state`. */
function callPattern(apiPath: string, entity: string): string {
  return apiPath
    .split('?')[0]
    .replace(`default/component/${entity}`, '{entity}')
    .replace(`component:default/${entity}`, '{entity}')
    .replace(encodeURIComponent(`component:default/${entity}`), '{entity}')
    .replace(entity, '{name}');
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({
    baseURL: BASE_URL,
    viewport: { width: 1440, height: 900 },
  });
  // Keeps the guest sign-in across page loads. The dev sign-in page
  // (packages/app/src/modules/signIn/DevSignInPage.tsx) re-renders Backstage's
  // SignInPage when the example users arrive; SignInPage builds its provider
  // map anew on every render, so its auto sign-in effect restarts and the
  // cancelled first attempt removes this key: a later reload, now and then,
  // lands on the sign-in page although the session cookie is still valid.
  await context.addInitScript(() => {
    const key = '@backstage/core:SignInPage:provider';
    try {
      if (!window.localStorage.getItem(key)) {
        window.localStorage.setItem(key, 'guest');
      }
    } catch {
      // about:blank has no storage.
    }
  });
  const samples: Sample[] = [];
  try {
    const signIn = await context.newPage();
    await signIn.goto('/');
    const enter = signIn.getByRole('button', { name: 'Enter' });
    const catalog = signIn.getByRole('heading', { name: 'Acme Catalog' });
    await enter.or(catalog).first().waitFor({ timeout: TIMEOUT_MS });
    if (await enter.isVisible()) await enter.click();
    await catalog.waitFor({ timeout: TIMEOUT_MS });
    await signIn.close();

    for (const latencyMs of LATENCIES) {
      await setArgoLatency(latencyMs);
      // Round 0 is the warm-up (browser cache; in warm mode, Slipway's).
      for (let run = 0; run <= RUNS; run++) {
        for (const entity of ENTITIES) {
          const order: Tool[] =
            run % 2 ? ['roadie', 'slipway'] : ['slipway', 'roadie'];
          for (const tool of order) {
            const page = await context.newPage();
            try {
              const sample = await measure(page, tool, entity);
              if (run > 0) samples.push({ ...sample, latencyMs, run });
            } finally {
              await page.close();
            }
          }
        }
        process.stdout.write(
          run ? `${latencyMs} ms: round ${run}/${RUNS}\n` : '',
        );
      }
    }
  } finally {
    await setArgoLatency(0).catch(() => {});
    await browser.close();
  }

  const rows: string[][] = [];
  for (const entity of ENTITIES) {
    for (const latencyMs of LATENCIES) {
      const of = (tool: Tool) =>
        samples.filter(
          s =>
            s.tool === tool && s.entity === entity && s.latencyMs === latencyMs,
        );
      const slipway = of('slipway').map(s => s.ms);
      const roadie = of('roadie').map(s => s.ms);
      const range = (values: number[]) =>
        `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`;
      rows.push([
        entity,
        String(latencyMs),
        String(Math.round(median(slipway))),
        String(Math.round(median(roadie))),
        (median(slipway) / median(roadie)).toFixed(2),
        range(slipway),
        range(roadie),
      ]);
    }
  }
  const header = [
    'entity',
    'Argo CD latency ms',
    'Slipway median ms',
    'Roadie median ms',
    'ratio',
    'Slipway min–max',
    'Roadie min–max',
  ];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => r[i].length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(
    `\nMode ${MODE}: entity header → all environments' state, median of ${RUNS}`,
  );
  console.log(line(header));
  console.log(line(widths.map(w => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));

  // What each tool waits for: its API calls before "done", median end time
  // after the entity header (ms) and median duration.
  for (const tool of ['slipway', 'roadie'] as Tool[]) {
    for (const latencyMs of LATENCIES) {
      const byPattern = new Map<string, { end: number[]; took: number[] }>();
      for (const s of samples.filter(
        x => x.tool === tool && x.latencyMs === latencyMs,
      )) {
        for (const call of s.calls) {
          const key = callPattern(call.path, s.entity);
          const entry = byPattern.get(key) ?? { end: [], took: [] };
          entry.end.push(call.end);
          entry.took.push(call.end - call.start);
          byPattern.set(key, entry);
        }
      }
      console.log(`\n${tool}, ${latencyMs} ms: API calls before done`);
      for (const [key, entry] of [...byPattern].sort(
        (a, b) => median(a[1].end) - median(b[1].end),
      )) {
        console.log(
          `  ${key}  n=${entry.end.length}  ends at ${Math.round(
            median(entry.end),
          )} ms  takes ${Math.round(median(entry.took))} ms`,
        );
      }
    }
  }
  const headerMs = (tool: Tool) =>
    Math.round(
      median(samples.filter(s => s.tool === tool).map(s => s.headerMs)),
    );
  console.log(
    `\nNavigation → entity header, median: Slipway tab ${headerMs(
      'slipway',
    )} ms, Roadie (Overview) ${headerMs('roadie')} ms`,
  );

  if (process.env.BENCH_OUT) {
    fs.mkdirSync(path.dirname(process.env.BENCH_OUT), { recursive: true });
    fs.writeFileSync(
      process.env.BENCH_OUT,
      JSON.stringify({ mode: MODE, runs: RUNS, rows, samples }, undefined, 2),
    );
    console.log(`Samples: ${process.env.BENCH_OUT}`);
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
