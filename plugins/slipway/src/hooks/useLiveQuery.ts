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
 */
export function useLiveQuery<T>(
  key: string,
  fetcher: () => Promise<T>,
): LiveQuery<T> {
  const [state, setState] = useState<{
    key: string;
    value?: T;
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
    fetcherRef.current().then(
      value => {
        if (mine !== generation.current) return;
        setState({ key, value, done: true, refreshing: false });
      },
      error => {
        if (mine !== generation.current) return;
        setState(previous => ({
          key,
          value: previous.key === key ? previous.value : undefined,
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
