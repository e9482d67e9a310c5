/** One ref update of a push: `<old-sha> <new-sha> <ref>`. */
export interface ReceivePackCommand {
  oldSha: string;
  newSha: string;
  ref: string;
}

/** The command list of a receive-pack request and the capabilities the client asked for. */
export interface ReceivePackRequest {
  commands: ReceivePackCommand[];
  capabilities: string[];
}

const OID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** True when the command creates the ref. */
export function isCreate(command: ReceivePackCommand): boolean {
  return /^0+$/.test(command.oldSha);
}

/** True when the command deletes the ref. */
export function isDelete(command: ReceivePackCommand): boolean {
  return /^0+$/.test(command.newSha);
}

/**
 * Reads the command list at the start of a `git-receive-pack` request body
 * (pack-protocol: `*shallow` lines, then `old new ref\0capabilities`, more
 * commands, a flush packet; the pack follows). Returns undefined when the
 * body is not a command list this sandbox understands (signed pushes are
 * never offered, so a `push-cert` block counts as malformed).
 */
export function parseReceivePackRequest(
  body: Buffer,
): ReceivePackRequest | undefined {
  const commands: ReceivePackCommand[] = [];
  let capabilities: string[] = [];
  let offset = 0;
  for (;;) {
    if (offset + 4 > body.length) return undefined;
    const lengthText = body.toString('latin1', offset, offset + 4);
    if (!/^[0-9a-f]{4}$/.test(lengthText)) return undefined;
    const length = parseInt(lengthText, 16);
    if (length === 0) break;
    if (length < 4 || offset + length > body.length) return undefined;
    let line = body.subarray(offset + 4, offset + length);
    offset += length;
    if (line[line.length - 1] === 0x0a) line = line.subarray(0, -1);
    const nul = line.indexOf(0);
    const text = line.toString('utf8', 0, nul >= 0 ? nul : line.length);
    if (nul >= 0 && commands.length === 0) {
      capabilities = line
        .toString('utf8', nul + 1)
        .split(' ')
        .filter(Boolean);
    }
    if (text.startsWith('shallow ') && commands.length === 0) continue;
    const [oldSha, newSha, ref, ...extra] = text.split(' ');
    if (
      extra.length > 0 ||
      !OID.test(oldSha ?? '') ||
      !OID.test(newSha ?? '') ||
      !ref?.startsWith('refs/')
    ) {
      return undefined;
    }
    commands.push({ oldSha, newSha, ref });
  }
  return commands.length > 0 ? { commands, capabilities } : undefined;
}

/** One pkt-line: four hex digits of length (including themselves), then the data. */
export function pktLine(data: Buffer | string): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const length = payload.length + 4;
  if (length > 65520) throw new Error('pkt-line too long');
  return Buffer.concat([
    Buffer.from(length.toString(16).padStart(4, '0'), 'latin1'),
    payload,
  ]);
}

export const FLUSH_PKT = Buffer.from('0000', 'latin1');

/** A reason that fits on a report-status line (one line, bounded). */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 1000);
}

/**
 * The body of a receive-pack answer that refuses every command of the push,
 * as git's receive-pack writes it when a hook declines: the `remote:` lines
 * on side-band 2, then the report-status (`unpack ok`, one `ng <ref>
 * <reason>` per command) on side-band 1, then a flush. Without side-band the
 * messages are dropped (as git does) and the report is sent bare; without
 * report-status only the side-band flush remains.
 */
export function refusalResponse(
  request: ReceivePackRequest,
  options: {
    reason: (command: ReceivePackCommand) => string;
    messages?: string[];
  },
): Buffer {
  const caps = new Set(
    request.capabilities.map(capability => capability.split('=')[0]),
  );
  const wantsReport = caps.has('report-status') || caps.has('report-status-v2');
  const report = wantsReport
    ? Buffer.concat([
        pktLine('unpack ok\n'),
        ...request.commands.map(command =>
          pktLine(`ng ${command.ref} ${oneLine(options.reason(command))}\n`),
        ),
        FLUSH_PKT,
      ])
    : Buffer.alloc(0);
  let chunkSize = 0;
  if (caps.has('side-band-64k')) chunkSize = 65515;
  else if (caps.has('side-band')) chunkSize = 995;
  if (chunkSize === 0) return report;
  const parts: Buffer[] = [];
  for (const message of options.messages ?? []) {
    const text = `${oneLine(message)}\n`;
    parts.push(pktLine(Buffer.concat([Buffer.from([2]), Buffer.from(text)])));
  }
  for (let start = 0; start < report.length; start += chunkSize) {
    parts.push(
      pktLine(
        Buffer.concat([
          Buffer.from([1]),
          report.subarray(start, start + chunkSize),
        ]),
      ),
    );
  }
  parts.push(FLUSH_PKT);
  return Buffer.concat(parts);
}

/** Branch names (without `refs/heads/`) the commands update, in order, without duplicates. */
export function targetBranches(commands: ReceivePackCommand[]): string[] {
  const branches = commands
    .filter(command => command.ref.startsWith('refs/heads/'))
    .map(command => command.ref.slice('refs/heads/'.length));
  return [...new Set(branches)];
}
