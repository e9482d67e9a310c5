import { useCallback, useEffect, useRef, useState } from 'react';

/** State of a query that refreshes in place. */
export interface LiveQuery<T> {
  value?: T;
  error?: Error;
  /** True only until the first answer (or error). */
  loading: boolean;
  /** True while a refresh runs; the last value stays on screen. */
  refreshing: boolean;
  refresh: () => void;
}

/**
 * Runs `fetcher` when `key` changes and on `refresh()`. Unlike a plain
 * async hook, a failed refresh keeps the last value (with the error beside
 * it), so a live update never blanks the page.
 *
 * A fetcher that answers in parts calls `partial` with each part before
 * its promise answers the whole: parts are shown while nothing whole is
 * (the first load), never in place of a whole answer (a refresh keeps the
 * last whole value until the new one arrives).
 */
export function useLiveQuery<T>(
  key: string,
  fetcher: (partial: (value: T) => void) => Promise<T>,
): LiveQuery<T> {
  const [state, setState] = useState<{
    key: string;
    value?: T;
    /** The value shown is a part, not yet the whole answer. */
    partial?: boolean;
    error?: Error;
    done: boolean;
    refreshing: boolean;
  }>({ key, done: false, refreshing: true });
  const generation = useRef(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;

  const run = useCallback(() => {
    const mine = ++generation.current;
    setState(previous =>
      previous.key === key
        ? { ...previous, refreshing: true }
        : { key, done: false, refreshing: true },
    );
    const partial = (value: T) => {
      if (mine !== generation.current) return;
      setState(previous =>
        previous.key === key &&
        previous.value !== undefined &&
        !previous.partial
          ? previous
          : { key, value, partial: true, done: true, refreshing: true },
      );
    };
    fetcherRef.current(partial).then(
      value => {
        if (mine !== generation.current) return;
        setState({ key, value, done: true, refreshing: false });
      },
      error => {
        if (mine !== generation.current) return;
        setState(previous => ({
          key,
          // A part is no answer: a failed first load shows the error.
          value:
            previous.key === key && !previous.partial
              ? previous.value
              : undefined,
          error,
          done: true,
          refreshing: false,
        }));
      },
    );
  }, [key]);

  useEffect(() => {
    run();
  }, [run]);

  const current = state.key === key;
  return {
    value: current ? state.value : undefined,
    error: current ? state.error : undefined,
    loading: !current || !state.done,
    refreshing: current && state.refreshing,
    refresh: run,
  };
}
