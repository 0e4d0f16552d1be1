// Whether live updates are flowing: the graphql-ws connection's state, announced to screen readers on change.
import { useEffect, useState } from 'preact/hooks';
import { onLiveState, type LiveState } from '../api/live';

const TEXT: Record<LiveState, string> = {
  connecting: 'connecting',
  live: 'live',
  retrying: 'reconnecting…',
  unauthorized: 'not live: key required',
};

export function LiveIndicator() {
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => onLiveState(setState), []);
  return (
    <span class={`live live-${state}`} role="status" aria-live="polite" data-testid="live-state">
      ● {TEXT[state]}
    </span>
  );
}
