// The dead letters: each change ADT refused for good, with ADT's error, and the two levers — retry (put back in
// line; the mirror then sends the twin or model as it is now, not the old change) and drop (forget it; ADT then
// misses it until `twingraph mirror reconcile` repairs it). Dropping asks first, in the page rather than in a
// browser dialog, with the focus on keeping them: Enter on a question not read keeps the dead letters.
import { useEffect, useState } from 'preact/hooks';
import { refusalMessage } from '../api/refusal';
import { href } from '../route';
import { errorMessage, formatTime } from '../ui/format';
import { dropDeadLetters, retryDeadLetters, subjectLink, type DeadLetter } from './mirror-data';

type Seq = string | number;

export function DeadLetters(props: { letters: readonly DeadLetter[]; total: number; onChanged: () => void }) {
  const { letters, total, onChanged } = props;
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [confirming, setConfirming] = useState<{ seqs?: Seq[]; count: number } | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // A dead letter retried or dropped elsewhere leaves the list: its selection goes with it.
  useEffect(() => {
    const present = new Set(letters.map((l) => String(l.seq)));
    setSelected((s) => ([...s].every((k) => present.has(k)) ? s : new Set([...s].filter((k) => present.has(k)))));
  }, [letters]);

  const chosen = letters.filter((l) => selected.has(String(l.seq))).map((l) => l.seq);
  const toggle = (seq: Seq) =>
    setSelected((s) => {
      const next = new Set(s);
      if (!next.delete(String(seq))) next.add(String(seq));
      return next;
    });

  async function act(what: 'retry' | 'drop', seqs?: Seq[]): Promise<void> {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const n = what === 'retry' ? await retryDeadLetters(seqs) : await dropDeadLetters(seqs);
      const letters = `${n} dead letter${n === 1 ? '' : 's'}`;
      setResult(
        what === 'retry'
          ? `${letters} put back in line: the mirror sends their twins and models as they are now.`
          : `${letters} dropped. Run twingraph mirror reconcile to bring ADT level with Twingraph.`,
      );
      setSelected(new Set());
      setConfirming(null);
      onChanged();
    } catch (e) {
      setError(
        refusalMessage(e, what === 'retry' ? 'Retrying dead letters' : 'Dropping dead letters') ?? errorMessage(e),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="dead-title" data-testid="dead-letters">
      <h3 id="dead-title">Dead letters</h3>
      <p role="status" class="ok" data-testid="mirror-result">
        {result}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {letters.length === 0 ? (
        <p class="empty" data-testid="no-dead-letters">
          No dead letters: ADT has taken every change the mirror sent, or it is still sending them.
        </p>
      ) : (
        <>
          <div class="row" role="group" aria-label="What to do with dead letters">
            <button type="button" disabled={busy || chosen.length === 0} onClick={() => act('retry', chosen)}>
              Retry selected ({chosen.length})
            </button>
            <button
              type="button"
              disabled={busy || chosen.length === 0}
              onClick={() => setConfirming({ seqs: chosen, count: chosen.length })}
            >
              Drop selected ({chosen.length})
            </button>
            <button type="button" disabled={busy} onClick={() => act('retry')}>
              Retry all ({total})
            </button>
            <button type="button" disabled={busy} onClick={() => setConfirming({ count: total })}>
              Drop all ({total})
            </button>
          </div>
          {confirming && (
            <div class="conflict" role="alertdialog" aria-labelledby="drop-title" data-testid="confirm-drop">
              <h4 id="drop-title">
                Drop {confirming.count} dead letter{confirming.count === 1 ? '' : 's'} for good?
              </h4>
              <p>
                ADT will not get {confirming.count === 1 ? 'this change' : 'these changes'} from the mirror; run{' '}
                <code>twingraph mirror reconcile</code> afterwards to repair ADT.
              </p>
              <div class="row">
                <button type="button" disabled={busy} onClick={() => act('drop', confirming.seqs)}>
                  Drop {confirming.count === 1 ? 'it' : 'them'}
                </button>
                <button type="button" onClick={() => setConfirming(null)} autoFocus>
                  Keep {confirming.count === 1 ? 'it' : 'them'}
                </button>
              </div>
            </div>
          )}
          {total > letters.length && (
            <p class="muted">
              The {letters.length} oldest of {total} are listed; Retry all and Drop all act on every one.
            </p>
          )}
          <div class="table-scroll">
            <table class="grid-table cards" data-testid="dead-letter-table">
              <caption class="visually-hidden">Dead letters, oldest first, with ADT's error</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label="Select every dead letter listed"
                      checked={chosen.length === letters.length}
                      onChange={(e) =>
                        setSelected(e.currentTarget.checked ? new Set(letters.map((l) => String(l.seq))) : new Set())
                      }
                    />
                  </th>
                  <th scope="col">Change</th>
                  <th scope="col">Subject</th>
                  <th scope="col">ADT's error</th>
                  <th scope="col">Committed, attempts</th>
                </tr>
              </thead>
              <tbody>
                {letters.map((l) => {
                  const link = subjectLink(l.subject);
                  return (
                    <tr key={String(l.seq)} data-seq={String(l.seq)}>
                      <td data-label="Select">
                        <input
                          type="checkbox"
                          aria-label={`Select dead letter ${l.seq} (${l.type} of ${l.subject})`}
                          checked={selected.has(String(l.seq))}
                          onChange={() => toggle(l.seq)}
                        />
                      </td>
                      <th scope="row" data-label="Change">
                        #{l.seq} {l.type}
                        {l.patch !== null && l.patch !== undefined && (
                          <details>
                            <summary>patch</summary>
                            <pre>{JSON.stringify(l.patch, null, 1)}</pre>
                          </details>
                        )}
                      </th>
                      <td data-label="Subject">
                        <a href={href(link.view, link.params)}>{l.subject}</a>
                      </td>
                      <td data-label="ADT's error" class="reason" data-testid="adt-error">
                        {l.error ?? <span class="muted">none recorded</span>}
                      </td>
                      <td data-label="Committed, attempts">
                        {formatTime(l.time)}
                        <span class="type">
                          {l.attempts} attempt{l.attempts === 1 ? '' : 's'}
                        </span>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
