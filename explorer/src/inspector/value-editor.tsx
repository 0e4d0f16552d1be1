// Editing one value typed by its DTDL schema, for twin and relationship properties alike: a list for enums and
// booleans, a number or date field where the schema says so, JSON for objects, maps and arrays; and the text
// such a field holds, to and from the value it stands for (empty text means "remove the property").
import type { EnumValue } from './dtdl-schema';

const NUMERIC = new Set(['integer', 'long', 'float', 'double']);

export function toText(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The value a field's text stands for; undefined for "remove"; throws with a readable message when invalid. */
export function parse(text: string, schema: string | null): unknown {
  if (text === '') return undefined;
  if (schema && NUMERIC.has(schema)) {
    const n = Number(text);
    if (!Number.isFinite(n)) throw new Error(`'${text}' is not a number.`);
    return n;
  }
  if (schema === 'boolean') return text === 'true';
  if (schema && /^(string|date|dateTime|time|duration|Enum)$/.test(schema)) return text;
  // Objects, maps, arrays, geospatial: JSON.
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('This value is JSON: check its syntax.');
  }
}

export function ValueEditor(props: {
  id: string;
  /** The accessible name, e.g. "New value of title". */
  label: string;
  schema: string | null;
  enumValues: EnumValue[] | null;
  value: string;
  onInput: (text: string) => void;
}) {
  const { id, label, schema, enumValues, value, onInput } = props;
  if (enumValues)
    return (
      <select id={id} aria-label={label} value={value} onChange={(e) => onInput(e.currentTarget.value)} autoFocus>
        <option value="">(none)</option>
        {enumValues.map((v) => (
          <option key={v.name} value={String(v.value)}>
            {v.label}
          </option>
        ))}
      </select>
    );
  if (schema === 'boolean')
    return (
      <select id={id} aria-label={label} value={value} onChange={(e) => onInput(e.currentTarget.value)} autoFocus>
        <option value="">(none)</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  const type = schema && NUMERIC.has(schema) ? 'number' : schema === 'date' ? 'date' : 'text';
  return (
    <input
      id={id}
      aria-label={label}
      type={type}
      step={schema === 'integer' || schema === 'long' ? 1 : 'any'}
      value={value}
      onInput={(e) => onInput(e.currentTarget.value)}
      autoFocus
    />
  );
}
