/**
 * Live updates: the server's `/api/events` stream says which runs' files changed (a new
 * generation, a new replay, a stress report), and the page reloads just those. The browser
 * reconnects by itself when `propamine view` restarts; after a reconnection everything is
 * reloaded, since changes made meanwhile were not announced.
 */
export interface Changes {
  runs: string[];
  list: boolean;
}

export function listen(onChange: (c: Changes) => void, onReconnect: () => void, onStatus: (msg: string | null) => void): EventSource | null {
  if (typeof EventSource === 'undefined') return null;
  const es = new EventSource('api/events');
  let lost = false;
  es.addEventListener('change', (e) => {
    try {
      onChange(JSON.parse((e as MessageEvent<string>).data) as Changes);
    } catch {
      // A garbled event is dropped; the next one names the run again if it keeps changing.
    }
  });
  es.addEventListener('open', () => {
    if (lost) {
      lost = false;
      onStatus(null);
      onReconnect();
    }
  });
  es.addEventListener('error', () => {
    lost = true;
    onStatus('live updates: lost the connection to propamine view (stopped?); retrying');
  });
  return es;
}
