/**
 * Remembers the results of a pure function of a string, at most `limit` of
 * them (the oldest forgotten first). A computation that throws is not
 * remembered, so it throws again, with its own message, on the next call.
 */
export function boundedMemo<T>(
  limit: number,
): (key: string, compute: () => T) => T {
  const entries = new Map<string, T>();
  return (key, compute) => {
    if (entries.has(key)) return entries.get(key) as T;
    const value = compute();
    if (entries.size >= limit) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    entries.set(key, value);
    return value;
  };
}
