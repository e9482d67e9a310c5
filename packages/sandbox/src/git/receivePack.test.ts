import {
  FLUSH_PKT,
  isCreate,
  isDelete,
  parseReceivePackRequest,
  pktLine,
  refusalResponse,
  targetBranches,
} from './receivePack';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const ZERO = '0'.repeat(40);

/** Splits a pkt-line stream into its payloads (undefined for a flush). */
function packets(buffer: Buffer): Array<Buffer | undefined> {
  const result: Array<Buffer | undefined> = [];
  let offset = 0;
  while (offset < buffer.length) {
    const length = parseInt(buffer.toString('latin1', offset, offset + 4), 16);
    result.push(
      length === 0 ? undefined : buffer.subarray(offset + 4, offset + length),
    );
    offset += length === 0 ? 4 : length;
  }
  return result;
}

describe('receive-pack command list', () => {
  it('reads commands and the capabilities of the first one, stopping at the flush before the pack', () => {
    const body = Buffer.concat([
      pktLine(`shallow ${A}\n`),
      pktLine(
        `${A} ${B} refs/heads/main\0 report-status side-band-64k agent=git/2.39\n`,
      ),
      pktLine(`${ZERO} ${B} refs/heads/promote/x\n`),
      pktLine(`${A} ${ZERO} refs/heads/old\n`),
      FLUSH_PKT,
      Buffer.from('PACK\0\0\0\x02garbage'),
    ]);
    const request = parseReceivePackRequest(body);
    expect(request).toEqual({
      commands: [
        { oldSha: A, newSha: B, ref: 'refs/heads/main' },
        { oldSha: ZERO, newSha: B, ref: 'refs/heads/promote/x' },
        { oldSha: A, newSha: ZERO, ref: 'refs/heads/old' },
      ],
      capabilities: ['report-status', 'side-band-64k', 'agent=git/2.39'],
    });
    expect(request!.commands.map(isCreate)).toEqual([false, true, false]);
    expect(request!.commands.map(isDelete)).toEqual([false, false, true]);
    expect(targetBranches(request!.commands)).toEqual([
      'main',
      'promote/x',
      'old',
    ]);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['only a flush', FLUSH_PKT],
    ['bad length', Buffer.from('zzzz')],
    ['truncated', Buffer.from('00ff0000')],
    ['not a command', Buffer.concat([pktLine('hello\n'), FLUSH_PKT])],
    [
      'a signed push',
      Buffer.concat([pktLine('push-cert\0report-status\n'), FLUSH_PKT]),
    ],
    [
      'a ref outside refs/',
      Buffer.concat([pktLine(`${A} ${B} HEAD\n`), FLUSH_PKT]),
    ],
    ['no flush', pktLine(`${A} ${B} refs/heads/main\n`)],
  ])('refuses a malformed list: %s', (_name, body) => {
    expect(parseReceivePackRequest(body)).toBeUndefined();
  });
});

describe('receive-pack refusal', () => {
  const commands = [
    { oldSha: A, newSha: B, ref: 'refs/heads/main' },
    { oldSha: A, newSha: B, ref: 'refs/heads/other' },
  ];

  it('with side-band-64k: messages on band 2, the report on band 1, then a flush', () => {
    const body = refusalResponse(
      { commands, capabilities: ['report-status', 'side-band-64k'] },
      {
        reason: c => `declined ${c.ref}`,
        messages: ['error: first', 'error: second\nline'],
      },
    );
    const outer = packets(body);
    expect(outer[outer.length - 1]).toBeUndefined();
    expect(outer[0]!.toString('latin1')).toBe('\x02error: first\n');
    expect(outer[1]!.toString('latin1')).toBe('\x02error: second line\n');
    expect(outer[2]![0]).toBe(1);
    const report = packets(outer[2]!.subarray(1));
    expect(report.map(p => p?.toString('utf8'))).toEqual([
      'unpack ok\n',
      'ng refs/heads/main declined refs/heads/main\n',
      'ng refs/heads/other declined refs/heads/other\n',
      undefined,
    ]);
  });

  it('without side-band: the bare report; without report-status: only the flush', () => {
    const bare = refusalResponse(
      { commands, capabilities: ['report-status-v2'] },
      { reason: () => 'no', messages: ['error: dropped'] },
    );
    expect(packets(bare).map(p => p?.toString('utf8'))).toEqual([
      'unpack ok\n',
      'ng refs/heads/main no\n',
      'ng refs/heads/other no\n',
      undefined,
    ]);
    const quiet = refusalResponse(
      { commands, capabilities: ['side-band-64k'] },
      { reason: () => 'no' },
    );
    expect(quiet.toString('latin1')).toBe('0000');
  });

  it('splits a long report into side-band packets of at most 1000 bytes with side-band', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      oldSha: A,
      newSha: B,
      ref: `refs/heads/branch-${i}`,
    }));
    const body = refusalResponse(
      { commands: many, capabilities: ['report-status', 'side-band'] },
      { reason: () => 'x'.repeat(50) },
    );
    const outer = packets(body);
    expect(outer.length).toBeGreaterThan(3);
    for (const packet of outer.slice(0, -1)) {
      expect(packet!.length + 4).toBeLessThanOrEqual(1000);
      expect(packet![0]).toBe(1);
    }
    const joined = Buffer.concat(
      outer.slice(0, -1).map(packet => packet!.subarray(1)),
    );
    expect(packets(joined)).toHaveLength(42);
  });
});
