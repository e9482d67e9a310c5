import fc from 'fast-check';
import { evaluateDeployWindow } from './deployWindow';

const weekdays = { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as any };

describe('evaluateDeployWindow (THREATS 28)', () => {
  const berlin = {
    timeZone: 'Europe/Berlin',
    allow: [{ ...weekdays, start: '09:00', end: '17:00' }],
  };

  it('is open inside the window and says when it closes', () => {
    // Tue 2026-12-01 10:00 in Berlin is 09:00 UTC (CET, +01:00).
    const verdict = evaluateDeployWindow(
      berlin,
      new Date('2026-12-01T09:00:00Z'),
    );
    expect(verdict.open).toBe(true);
    expect(verdict.changesAt).toBe('2026-12-01T16:00:00.000Z');
    expect(verdict.reason).toContain('Europe/Berlin');
  });

  it('opens at the opening second and is closed at the closing second', () => {
    expect(
      evaluateDeployWindow(berlin, new Date('2026-12-01T08:00:00Z')).open,
    ).toBe(true);
    expect(
      evaluateDeployWindow(berlin, new Date('2026-12-01T07:59:59.999Z')).open,
    ).toBe(false);
    expect(
      evaluateDeployWindow(berlin, new Date('2026-12-01T15:59:59.999Z')).open,
    ).toBe(true);
    expect(
      evaluateDeployWindow(berlin, new Date('2026-12-01T16:00:00Z')).open,
    ).toBe(false);
  });

  it('is closed at the weekend and says when it opens next (Monday)', () => {
    // Sat 2026-12-05 12:00 Berlin.
    const verdict = evaluateDeployWindow(
      berlin,
      new Date('2026-12-05T11:00:00Z'),
    );
    expect(verdict.open).toBe(false);
    expect(verdict.changesAt).toBe('2026-12-07T08:00:00.000Z');
    expect(verdict.reason).toMatch(/Outside every deploy window/);
  });

  it('keeps local hours across the spring DST change (Berlin, 29 March 2026)', () => {
    // Monday 30 March 2026 is CEST (+02:00): 09:00 local = 07:00 UTC.
    expect(
      evaluateDeployWindow(berlin, new Date('2026-03-30T07:00:00Z')).open,
    ).toBe(true);
    expect(
      evaluateDeployWindow(berlin, new Date('2026-03-30T06:59:59Z')).open,
    ).toBe(false);
    // Friday before, still CET: 09:00 local = 08:00 UTC.
    expect(
      evaluateDeployWindow(berlin, new Date('2026-03-27T07:30:00Z')).open,
    ).toBe(false);
    // From Friday evening the next opening is Monday 07:00 UTC, not 08:00.
    expect(
      evaluateDeployWindow(berlin, new Date('2026-03-27T17:00:00Z')).changesAt,
    ).toBe('2026-03-30T07:00:00.000Z');
  });

  it('keeps local hours across the autumn DST change (New York, 1 November 2026)', () => {
    const ny = {
      timeZone: 'America/New_York',
      allow: [{ days: ['sun', 'mon'] as any, start: '00:30', end: '03:00' }],
    };
    // 01:30 happens twice on 1 Nov 2026; the window holds both.
    expect(
      evaluateDeployWindow(ny, new Date('2026-11-01T05:30:00Z')).open,
    ).toBe(true); // 01:30 EDT
    expect(
      evaluateDeployWindow(ny, new Date('2026-11-01T06:30:00Z')).open,
    ).toBe(true); // 01:30 EST
    // 03:00 EST = 08:00 UTC: closed at the closing second.
    expect(
      evaluateDeployWindow(ny, new Date('2026-11-01T08:00:00Z')).open,
    ).toBe(false);
    expect(
      evaluateDeployWindow(ny, new Date('2026-11-01T07:59:59Z')).open,
    ).toBe(true);
  });

  it('lets deny win where allow and deny overlap, and reports the deny window', () => {
    const options = {
      ...berlin,
      deny: [{ days: ['tue'] as any, start: '12:00', end: '14:00' }],
    };
    const verdict = evaluateDeployWindow(
      options,
      new Date('2026-12-01T11:30:00Z'), // Tue 12:30 Berlin
    );
    expect(verdict.open).toBe(false);
    expect(verdict.reason).toMatch(/deny window tue 12:00–14:00/);
    expect(verdict.changesAt).toBe('2026-12-01T13:00:00.000Z');
    // Before the deny window, the window is open until the deny starts.
    expect(
      evaluateDeployWindow(options, new Date('2026-12-01T10:00:00Z')).changesAt,
    ).toBe('2026-12-01T11:00:00.000Z');
  });

  it('handles windows that cross midnight, late-evening times included', () => {
    const night = {
      timeZone: 'UTC',
      allow: [{ days: ['fri'] as any, start: '20:00', end: '02:00' }],
    };
    expect(
      evaluateDeployWindow(night, new Date('2026-12-04T19:59:00Z')).open,
    ).toBe(false);
    expect(
      evaluateDeployWindow(night, new Date('2026-12-04T23:59:59Z')).open,
    ).toBe(true);
    expect(
      evaluateDeployWindow(night, new Date('2026-12-05T01:59:59Z')).open,
    ).toBe(true); // Saturday, in Friday's window
    expect(
      evaluateDeployWindow(night, new Date('2026-12-05T02:00:00Z')).open,
    ).toBe(false);
  });

  it('an unknown time zone is closed', () => {
    const verdict = evaluateDeployWindow(
      { timeZone: 'Mars/Olympus', allow: berlin.allow },
      new Date(),
    );
    expect(verdict.open).toBe(false);
    expect(verdict.reason).toMatch(/Unknown time zone/);
  });

  it('property: the verdict holds until changesAt and flips there', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2026-01-01T00:00:00Z'),
          max: new Date('2027-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom(
          'Europe/Berlin',
          'America/New_York',
          'Asia/Kolkata',
          'UTC',
        ),
        (at, timeZone) => {
          const options = {
            timeZone,
            allow: [{ ...weekdays, start: '09:00', end: '17:00' }],
            deny: [{ days: ['wed'] as any, start: '16:00', end: '18:00' }],
          };
          const verdict = evaluateDeployWindow(options, at);
          if (!verdict.changesAt) return true;
          const change = Date.parse(verdict.changesAt);
          if (change <= at.getTime()) return false;
          const justBefore = evaluateDeployWindow(
            options,
            new Date(change - 1),
          );
          const atChange = evaluateDeployWindow(options, new Date(change));
          return (
            justBefore.open === verdict.open && atChange.open !== verdict.open
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
