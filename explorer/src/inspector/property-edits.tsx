// Editing values in place, shared by a twin's properties and a relationship's: one value at a time, written with
// the ETag read when its edit began. When the server answers PreconditionFailed (someone wrote since), nothing was
// written, and both versions are shown to keep theirs or write ours over theirs with the ETag now current.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { GraphQLFailure } from '../api/graphql';
import { refusalMessage } from '../api/refusal';
import { errorMessage, formatValue } from '../ui/format';
import { ConflictNotice, type ConflictState } from './conflict';
import type { EnumValue } from './dtdl-schema';
import { parse, toText, ValueEditor } from './value-editor';

/** What the values edited belong to: a twin, or a relationship. */
export interface EditTarget {
  /** "this twin", "this relationship": the conflict notice's words. */
  readonly what: string;
  /** "Editing a twin": how a refusal (a role, a scope) names what was refused. */
  readonly action: string;
  /** Writes `value` to `name` with `etag` as ifMatch; `exists` says whether to replace or add it. */
  write(name: string, value: unknown, etag: string, exists: boolean): Promise<unknown>;
  /** What the server holds now, to show beside ours after a conflict (undefined when the target is gone). */
  reread(name: string): Promise<{ value: unknown; etag: string } | undefined>;
  onWritten(): void;
}

export interface PropertyEdits {
  /** The value being edited: its name, the text typed so far, the ETag read when the edit began. */
  readonly editing: { name: string; text: string; etag: string } | null;
  readonly saving: boolean;
  begin(name: string, value: unknown, etag: string): void;
  type(text: string): void;
  cancel(): void;
  /** Parses the text typed for `schema` and writes it; a text that does not parse is shown as the error. */
  submit(schema: string | null, exists: boolean): void;
  /** The error and conflict notices, to show above the values. */
  readonly notices: ComponentChildren;
}

export function usePropertyEdits(target: EditTarget): PropertyEdits {
  const [editing, setEditing] = useState<PropertyEdits['editing']>(null);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<ConflictState | null>(null);
  const [saving, setSaving] = useState(false);

  async function save(name: string, value: unknown, etag: string, exists: boolean): Promise<void> {
    setSaving(true);
    setError(null);
    try {
      await target.write(name, value, etag, exists);
      setEditing(null);
      setConflict(null);
      target.onWritten();
    } catch (e) {
      if (e instanceof GraphQLFailure && e.find('PreconditionFailed')) {
        const current = await target.reread(name);
        setConflict({ name, mine: value, theirs: current?.value, readEtag: etag, currentEtag: current?.etag ?? '' });
      } else setError(refusalMessage(e, target.action) ?? errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  const notices = (
    <>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {conflict && (
        <ConflictNotice
          what={target.what}
          conflict={conflict}
          saving={saving}
          onKeepTheirs={() => {
            setConflict(null);
            setEditing(null);
            target.onWritten();
          }}
          // Whether to add or replace follows what the server holds now, not what was read before.
          onWriteMine={() =>
            void save(conflict.name, conflict.mine, conflict.currentEtag, conflict.theirs !== undefined)
          }
        />
      )}
    </>
  );

  return {
    editing,
    saving,
    begin: (name, value, etag) => {
      setConflict(null);
      setEditing({ name, text: toText(value), etag });
    },
    type: (text) => setEditing((current) => current && { ...current, text }),
    cancel: () => setEditing(null),
    submit: (schema, exists) => {
      if (!editing) return;
      try {
        void save(editing.name, parse(editing.text, schema), editing.etag, exists);
      } catch (err) {
        setError(errorMessage(err));
      }
    },
    notices,
  };
}

/** One value's cell: shown with an edit button, or, while it is being edited, its editor with Save and Cancel. */
export function EditableValue(props: {
  edits: PropertyEdits;
  name: string;
  value: unknown;
  /** The ETag of what `value` was read from. */
  etag: string;
  schema: string | null;
  enumValues: EnumValue[] | null;
  /** The editor's element id. */
  editorId: string;
  /** Accessible names: of the editor ("New value of title") and of the edit button ("Edit title"). */
  editorLabel: string;
  editLabel: string;
  /** The shown value's data-testid. */
  testId: string;
}) {
  const { edits, name, value, enumValues } = props;
  if (edits.editing?.name === name)
    return (
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          edits.submit(props.schema, value !== undefined);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') edits.cancel();
        }}
      >
        <ValueEditor
          id={props.editorId}
          label={props.editorLabel}
          schema={props.schema}
          enumValues={enumValues}
          value={edits.editing.text}
          onInput={edits.type}
        />
        <button type="submit" disabled={edits.saving}>
          Save
        </button>
        <button type="button" onClick={edits.cancel}>
          Cancel
        </button>
      </form>
    );
  return (
    <div class="row value">
      <span class={value === undefined ? 'muted' : ''} data-testid={props.testId}>
        {enumValues ? (enumValues.find((v) => v.value === value)?.label ?? formatValue(value)) : formatValue(value)}
      </span>
      <button
        type="button"
        class="link"
        aria-label={props.editLabel}
        onClick={() => edits.begin(name, value, props.etag)}
      >
        edit
      </button>
    </div>
  );
}
