// The API key or token field: stored for this tab only (sessionStorage) and used for HTTP (Authorization) and
// WebSocket (connection_init's authorization) alike; saving it reconnects and reloads with it.
import { useState } from 'preact/hooks';
import { credential, setCredential } from '../api/connection';

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
    >
      {open ? (
        <>
          <label>
            API key or token{' '}
            <input
              type="password"
              autoComplete="off"
              value={value}
              placeholder="tg_… or a JWT"
              onInput={(e) => setValue(e.currentTarget.value)}
              data-testid="credential"
            />
          </label>
          <button type="submit">Use</button>
          <button type="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </>
      ) : (
        <button type="button" onClick={() => setOpen(true)} aria-label="Set the API key or token">
          {saved ? 'Key set' : 'Key'}
        </button>
      )}
    </form>
  );
}
