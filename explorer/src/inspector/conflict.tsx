// What an edit refused for a stale ETag shows: that someone changed the twin or relationship since it was read,
// both versions side by side, and the two ways on — keep theirs, or write yours over theirs knowingly (with the
// ETag now current, so that a third writer in between is caught again).
import { formatValue } from '../ui/format';

export interface ConflictState {
  readonly name: string;
  readonly mine: unknown;
  readonly theirs: unknown;
  readonly readEtag: string;
  readonly currentEtag: string;
}

export function ConflictNotice(props: {
  /** "this twin", "this relationship". */
  what: string;
  conflict: ConflictState;
  saving: boolean;
  onKeepTheirs: () => void;
  onWriteMine: () => void;
}) {
  const { conflict } = props;
  return (
    <div class="conflict" role="alert" data-testid="conflict">
      <h4>Someone changed {props.what} since you read it</h4>
      <p class="muted">
        You read ETag <code>{conflict.readEtag}</code>; it is now <code>{conflict.currentEtag || 'gone'}</code>. Nothing
        was written to <strong>{conflict.name}</strong>.
      </p>
      <table>
        <tbody>
          <tr>
            <th scope="row">Yours</th>
            <td data-testid="conflict-mine">{formatValue(conflict.mine)}</td>
          </tr>
          <tr>
            <th scope="row">Theirs (on the server)</th>
            <td data-testid="conflict-theirs">{formatValue(conflict.theirs)}</td>
          </tr>
        </tbody>
      </table>
      <div class="row">
        <button type="button" onClick={props.onKeepTheirs}>
          Keep theirs
        </button>
        <button type="button" disabled={props.saving || !conflict.currentEtag} onClick={props.onWriteMine}>
          Write mine over theirs
        </button>
      </div>
    </div>
  );
}
