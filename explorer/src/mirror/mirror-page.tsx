// The mirror status panel: whether this server mirrors to Azure Digital Twins, how far behind it is (pending
// changes, the oldest one's age), how it is doing (mirrored, retries, the last error) and its dead letters with
// ADT's errors and the retry and drop levers. Read every few seconds while the tab is visible. Off (no
// ADT_ENDPOINT), without the mirror feature, or for a key below admin, it says so plainly.
import { useEffect, useState } from 'preact/hooks';
import { hasField } from '../api/schema';
import { refusalMessage, refusalOf } from '../api/refusal';
import type { ServerInfo } from '../server-info';
import { errorMessage, formatNumber, formatTime } from '../ui/format';
import { DeadLetters } from './dead-letters';
import { readMirror, type MirrorStatus } from './mirror-data';

export interface MirrorPageProps {
  readonly info: ServerInfo;
}

const POLL_MS = 3000;

function age(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 90) return `${seconds.toFixed(1)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function Title() {
  return <h2 id="mirror-title">Mirror to Azure Digital Twins</h2>;
}

export function MirrorPage({ info }: MirrorPageProps) {
  const present = hasField(info.schema, 'Query', 'mirrorStatus');
  const [status, setStatus] = useState<MirrorStatus | null>(null);
  const [error, setError] = useState<{ message: string; refused: boolean } | null>(null);
  const [reads, setReads] = useState(0);

  useEffect(() => {
    if (!present) return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = () => {
      readMirror(abort.signal).then(
        (s) => {
          setStatus(s);
          setError(null);
          if (s.enabled) timer = setTimeout(read, POLL_MS);
        },
        (e: unknown) => {
          if (abort.signal.aborted) return;
          const refused = refusalOf(e) !== undefined;
          setError({ message: refusalMessage(e, "The mirror's status") ?? errorMessage(e), refused });
          // A refusal stays one until the key changes (which reloads the page); anything else may pass.
          if (!refused) timer = setTimeout(read, POLL_MS * 3);
        },
      );
    };
    // A hidden tab does not poll; it reads at once when shown again.
    const onVisibility = () => {
      clearTimeout(timer);
      if (document.visibilityState === 'visible') read();
    };
    document.addEventListener('visibilitychange', onVisibility);
    read();
    return () => {
      abort.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [present, reads]);

  if (!present)
    return (
      <section class="page-body empty" aria-labelledby="mirror-title" data-testid="mirror-absent">
        <Title />
        <p>This server runs without the mirror feature (TWINGRAPH_PLUGINS leaves out mirror): it mirrors nothing.</p>
      </section>
    );

  return (
    <section class="page-body mirror" aria-labelledby="mirror-title" data-testid="mirror">
      <div class="row spread">
        <Title />
        {status?.enabled !== false && (
          <button type="button" onClick={() => setReads((r) => r + 1)}>
            Refresh
          </button>
        )}
      </div>
      {error && (
        <div class={error.refused ? 'empty' : 'error'} role="alert" data-testid="mirror-error">
          <p>{error.message}</p>
        </div>
      )}
      {!status && !error && (
        <p class="muted" role="status">
          Reading the mirror's status…
        </p>
      )}
      {status && !status.enabled && (
        <div class="empty" data-testid="mirror-off">
          <h3>Mirroring is off</h3>
          <p>
            This server has no Azure Digital Twins instance to mirror to (ADT_ENDPOINT is not set): its changes stay in
            Twingraph, and there is nothing pending and no dead letter.
          </p>
          <p class="muted">
            Set ADT_ENDPOINT to an instance's URL and restart to mirror every change to it;{' '}
            <code>twingraph mirror</code> imports from one and reconciles.
          </p>
        </div>
      )}
      {status?.enabled && (
        <>
          <dl class="figures" data-testid="mirror-figures">
            <div>
              <dt>Instance</dt>
              <dd>
                <code>{status.endpoint}</code> <span class="muted">{status.running ? 'running' : 'stopped'}</span>
              </dd>
            </div>
            <div>
              <dt>Pending</dt>
              <dd data-testid="mirror-pending">{status.pending.toLocaleString('en')}</dd>
            </div>
            <div>
              <dt>Oldest pending waited</dt>
              <dd>{age(status.oldestPendingAgeSeconds)}</dd>
            </div>
            <div>
              <dt>Dead letters</dt>
              <dd data-testid="mirror-dead" class={status.dead > 0 ? 'error' : ''}>
                {status.dead.toLocaleString('en')}
              </dd>
            </div>
            <div>
              <dt>Mirrored since start</dt>
              <dd>
                {status.mirrored.toLocaleString('en')}{' '}
                <span class="muted">{formatNumber(status.mirroredPerSecond)}/s over the last minute</span>
              </dd>
            </div>
            <div>
              <dt>Requests, retries</dt>
              <dd>
                {status.requests.toLocaleString('en')}, {status.retries.toLocaleString('en')}
              </dd>
            </div>
          </dl>
          {status.lastError && (
            <p class="muted" data-testid="mirror-last-error">
              Last failure, {formatTime(status.lastError.time)} (change #{status.lastError.seq}):{' '}
              {status.lastError.message}
            </p>
          )}
          <DeadLetters letters={status.deadLetters} total={status.dead} onChanged={() => setReads((r) => r + 1)} />
        </>
      )}
    </section>
  );
}
