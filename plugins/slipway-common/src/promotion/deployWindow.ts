import { DateTime } from 'luxon';

/** A weekly window, as a policy writes it. @public */
export interface WeeklyWindow {
  /** Days on which the window opens. */
  days: ('mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun')[];
  /** Opening wall-clock time, `HH:MM`, inclusive. */
  start: string;
  /** Closing wall-clock time, `HH:MM`, exclusive. At or before `start`: the window closes the next day. */
  end: string;
}

/** Where a moment sits in a set of allow and deny windows. @public */
export interface DeployWindowVerdict {
  open: boolean;
  reason: string;
  /** When the verdict next changes (ISO 8601, UTC); absent when it never does. */
  changesAt?: string;
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

interface Interval {
  from: DateTime;
  to: DateTime;
  window: WeeklyWindow;
}

function clockOf(value: string): { hour: number; minute: number } {
  const [hour, minute] = value.split(':').map(Number);
  return { hour, minute };
}

/**
 * The concrete intervals of windows that open on the days from `first` to
 * `last` (calendar days in the zone). Wall-clock times are resolved by luxon
 * in the zone, so a window keeps its local hours across DST changes; a time
 * that does not exist on a spring-forward day moves forward by the gap.
 */
function intervals(
  windows: WeeklyWindow[],
  zone: string,
  first: DateTime,
  days: number,
): Interval[] {
  const result: Interval[] = [];
  for (let offset = 0; offset < days; offset++) {
    const day = first.plus({ days: offset });
    const weekday = WEEKDAYS[day.weekday - 1];
    for (const window of windows) {
      if (!window.days.includes(weekday)) continue;
      const start = clockOf(window.start);
      const end = clockOf(window.end);
      const from = DateTime.fromObject(
        { year: day.year, month: day.month, day: day.day, ...start },
        { zone },
      );
      const overnight =
        end.hour * 60 + end.minute <= start.hour * 60 + start.minute;
      const endDay = overnight ? day.plus({ days: 1 }) : day;
      const to = DateTime.fromObject(
        { year: endDay.year, month: endDay.month, day: endDay.day, ...end },
        { zone },
      );
      if (to > from) result.push({ from, to, window });
    }
  }
  return result;
}

function describe(window: WeeklyWindow): string {
  return `${window.days.join(',')} ${window.start}–${window.end}`;
}

/**
 * Decides whether a deploy may happen at `at`: inside an allow window and in
 * no deny window (deny wins where they overlap). Windows open at `start`
 * (inclusive) and close at `end` (exclusive: at the closing second the window
 * is already closed), in the named IANA time zone.
 *
 * @public
 */
export function evaluateDeployWindow(
  options: { timeZone: string; allow: WeeklyWindow[]; deny?: WeeklyWindow[] },
  at: Date,
): DeployWindowVerdict {
  const zone = options.timeZone;
  const now = DateTime.fromJSDate(at, { zone });
  if (!now.isValid) {
    return { open: false, reason: `Unknown time zone ${zone}` };
  }
  // A window opening yesterday may still be open (overnight); look 8 days ahead.
  const first = now.startOf('day').minus({ days: 1 });
  const allow = intervals(options.allow, zone, first, 10);
  const deny = intervals(options.deny ?? [], zone, first, 10);
  const inside = (list: Interval[], t: DateTime) =>
    list.find(i => i.from <= t && t < i.to);
  const isOpen = (t: DateTime) =>
    inside(allow, t) !== undefined && inside(deny, t) === undefined;

  const open = isOpen(now);
  // The verdict can only change at a boundary: the next one after now where it flips.
  const boundaries = [...allow, ...deny]
    .flatMap(i => [i.from, i.to])
    .filter(t => t > now)
    .sort((a, b) => a.toMillis() - b.toMillis());
  const change = boundaries.find(t => isOpen(t) !== open);
  const changesAt = change?.toUTC().toISO() ?? undefined;
  const local = now.toFormat('ccc HH:mm ZZZZ');

  const denied = inside(deny, now);
  if (denied) {
    return {
      open: false,
      reason: `Inside the deny window ${describe(
        denied.window,
      )} (${zone}, now ${local})`,
      changesAt,
    };
  }
  const allowed = inside(allow, now);
  if (allowed) {
    return {
      open: true,
      reason: `Inside the deploy window ${describe(
        allowed.window,
      )} (${zone}, now ${local})`,
      changesAt,
    };
  }
  return {
    open: false,
    reason: `Outside every deploy window (${zone}, now ${local})`,
    changesAt,
  };
}
