/**
 * Harbor's selector patterns (bmatcuk/doublestar, as Harbor's retention and
 * immutability selectors use it): `**` any text including `/`, `*` any text
 * but `/`, `?` one character but `/`, `{a,b}` one of the alternatives (which
 * may hold patterns and nest), `\x` a literal `x`. The whole text must match.
 */
function doublestarRegExp(pattern: string): RegExp {
  let index = 0;
  const parse = (insideBraces: boolean): string => {
    let out = '';
    while (index < pattern.length) {
      const c = pattern[index];
      if (insideBraces && (c === ',' || c === '}')) return out;
      index += 1;
      if (c === '*') {
        if (pattern[index] === '*') {
          index += 1;
          out += '.*';
        } else {
          out += '[^/]*';
        }
      } else if (c === '?') {
        out += '[^/]';
      } else if (c === '\\' && index < pattern.length) {
        out += escape(pattern[index]);
        index += 1;
      } else if (c === '{') {
        const alternatives: string[] = [];
        for (;;) {
          alternatives.push(parse(true));
          const end = pattern[index];
          index += 1;
          if (end !== ',') break;
        }
        out += `(?:${alternatives.join('|')})`;
      } else {
        out += escape(c);
      }
    }
    return out;
  };
  return new RegExp(`^${parse(false)}$`);
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** True when `text` matches the doublestar `pattern`. */
export function doublestarMatch(pattern: string, text: string): boolean {
  return doublestarRegExp(pattern).test(text);
}
