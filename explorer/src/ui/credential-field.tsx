// The API key or token: stored for this tab only (sessionStorage) and used for HTTP (Authorization) and
// WebSocket (connection_init's authorization) alike; saving it reconnects and reloads with it. In the header
// as a Key button that opens the field; on a server that wants a key and has none, as a sign-in form.
import { useState } from 'preact/hooks';
import { credential, setCredential } from '../api/connection';

function KeyInput(props: { id: string; value: string; onInput: (value: string) => void; autoFocus?: boolean }) {
  return (
    <input
      id={props.id}
      type="password"
      autoComplete="off"
      value={props.value}
      placeholder="tgk_… or a JWT"
      onInput={(e) => props.onInput(e.currentTarget.value)}
      autoFocus={props.autoFocus}
      data-testid={props.id}
    />
  );
}

export function CredentialField() {
  const [value, setValue] = useState(credential());
  const [open, setOpen] = useState(false);
  const saved = credential();
  return (
    <form
      class="credential"
      onSubmit={(e) => {
        e.preventDefault();
        setCredential(value);
        setOpen(false);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setOpen(false);
      }}
    >
      {open ? (
        <>
          <label for="credential">API key or token</label>
          <KeyInput id="credential" value={value} onInput={setValue} autoFocus />
          <button type="submit">Use</button>
          <button type="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </>
      ) : (
        <button type="button" onClick={() => (setValue(credential()), setOpen(true))} data-testid="open-credential">
          {saved ? 'Key set' : 'Key'}
          <span class="visually-hidden"> — set the API key or token</span>
        </button>
      )}
    </form>
  );
}

/** The sign-in form of a server that refused the Explorer for want of a (valid) key. */
export function SignIn(props: { refused: boolean }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="sign-in"
      aria-labelledby="sign-in-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) setCredential(value);
      }}
    >
      <h3 id="sign-in-title">Sign in with a key</h3>
      <label for="sign-in-key">API key or token</label>
      <div class="row">
        <KeyInput id="sign-in-key" value={value} onInput={setValue} autoFocus />
        <button type="submit">Sign in</button>
      </div>
      <p class="muted">
        {props.refused
          ? 'The key this tab holds was refused: enter another.'
          : 'Ask an administrator for a key (twingraph keys create makes one); a token from your identity provider works too.'}{' '}
        The key stays in this tab only.
      </p>
    </form>
  );
}
