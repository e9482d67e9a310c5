/** Parses an equality label selector `a=b,c=d` (or `a` for "exists"). */
export function parseSelector(
  selector: string,
): { key: string; value?: string }[] {
  return selector
    .split(',')
    .map(term => term.trim())
    .filter(Boolean)
    .map(term => {
      const [key, value] = term.split('=').map(s => s.trim());
      return value === undefined ? { key } : { key, value };
    });
}
