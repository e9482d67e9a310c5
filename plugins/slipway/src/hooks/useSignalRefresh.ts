import { useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { useEffect, useRef } from 'react';

/**
 * Calls `refresh` (debounced) whenever a message arrives on a signal
 * channel. Does nothing when the app has no signals API installed.
 */
export function useSignalRefresh(
  channel: string,
  refresh: () => void,
  debounceMs = 750,
): void {
  const signalApi = useApiHolder().get(signalApiRef);
  const latest = useRef(refresh);
  latest.current = refresh;

  useEffect(() => {
    if (!signalApi) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const subscription = signalApi.subscribe(channel, () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => latest.current(), debounceMs);
    });
    return () => {
      if (timer) clearTimeout(timer);
      subscription.unsubscribe();
    };
  }, [signalApi, channel, debounceMs]);
}
