// A twin's history from the change log: the `changed` subscription filtered by the server to this twin
// (twin and relationship changes, not telemetry), replayed from the start of the log (`since: 0`) and then
// live, newest first. The log keeps what TWINGRAPH_CHANGE_RETENTION allows; older history is said to be gone.
import { useEffect, useState } from 'preact/hooks';
import { adtType, twinAndRelationshipTypes } from '../api/change-types';
import { LiveSubscription } from '../api/live';
import type { SchemaIndex } from '../api/schema';
import { formatTime } from '../ui/format';

interface ChangeEvent {
  seq: string;
  type: string;
  time: string;
  actor: string | null;
  subject: string;
  patch: { op: string; path: string; value?: unknown }[] | null;
}

const history = (schema: SchemaIndex) => `subscription ($id: ID!, $since: Long) {
  changed(twinIds: [$id], types: ${twinAndRelationshipTypes(schema)}, since: $since) { seq type time actor subject patch }
}`;

const SHOWN = 50;

export function History(props: { twinId: string; schema: SchemaIndex }) {
  const [changes, setChanges] = useState<ChangeEvent[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setChanges([]);
    const sub = new LiveSubscription(
      history(props.schema),
      { id: props.twinId },
      (e) => {
        const change = e as unknown as ChangeEvent;
        setChanges((list) => [{ ...change, type: adtType(change.type) }, ...list].slice(0, 500));
      },
      setError,
      '0',
    );
    return () => sub.stop();
  }, [props.twinId, props.schema]);
  return (
    <section aria-labelledby="history-title">
      <h3 id="history-title">History</h3>
      {error && <p class="error">{error}</p>}
      {changes.length === 0 && !error && <p class="muted">No changes in the log.</p>}
      <ol class="history" data-testid="history">
        {changes.slice(0, SHOWN).map((c) => (
          <li key={c.seq}>
            <span class="muted">
              #{c.seq} {formatTime(c.time)}
              {c.actor && ` · ${c.actor}`}
            </span>{' '}
            <strong>{c.type}</strong>
            {c.subject.includes('/relationships/') && <span> {c.subject.split('/relationships/')[1]}</span>}
            {c.patch && (
              <ul>
                {c.patch.slice(0, 5).map((p, i) => (
                  <li key={i}>
                    <code>
                      {p.op} {p.path}
                      {p.value !== undefined && ` = ${JSON.stringify(p.value)}`}
                    </code>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
