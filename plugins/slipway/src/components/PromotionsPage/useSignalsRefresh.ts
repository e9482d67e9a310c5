import { useApiHolder } from '@backstage/core-plugin-api';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { useEffect, useRef } from 'react';

/** Calls `refresh` (debounced) when a message arrives on any of `channels`. */
export function useSignalsRefresh(
  channels: string[],
  refresh: () => void,
  debounceMs = 500,
): void {
  const signalApi = useApiHolder().get(signalApiRef);
  const latest = useRef(refresh);
  latest.current = refresh;
  const key = [...new Set(channels)].sort().join('\n');

  useEffect(() => {
    if (!signalApi || !key) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const subscriptions = key.split('\n').map(channel =>
      signalApi.subscribe(channel, () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => latest.current(), debounceMs);
      }),
    );
    return () => {
      if (timer) clearTimeout(timer);
      subscriptions.forEach(subscription => subscription.unsubscribe());
    };
  }, [signalApi, key, debounceMs]);
}
