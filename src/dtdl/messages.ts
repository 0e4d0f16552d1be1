/**
 * Human-readable cause and action for each validation id. Written for modelers: say what is wrong
 * with which element and property, then what to change.
 */
import type { ErrorFields } from './errors';

type Template = (f: Required<Pick<ErrorFields, never>> & ErrorFields & { el: string }) => readonly [cause: string, action: string];

const TEMPLATES: Record<string, Template> = {};

export function describeError(code: string, fields: ErrorFields): { cause: string; action: string } {
  const el = fields.primaryId ? `Element ${fields.primaryId}` : 'The document';
  const template = TEMPLATES[code];
  if (template) {
    const [cause, action] = template({ ...fields, el });
    return { cause, action };
  }
  const parts = [`${el} fails DTDL rule '${code}'`];
  if (fields.property) parts.push(`in property '${fields.property}'`);
  if (fields.value !== undefined) parts.push(`(value '${String(fields.value)}')`);
  if (fields.type) parts.push(`(type ${fields.type})`);
  if (fields.secondaryId) parts.push(`involving ${fields.secondaryId}`);
  return { cause: parts.join(' ') + '.', action: 'Correct the element so that it follows the DTDL specification.' };
}

export function registerTemplates(templates: Record<string, Template>): void {
  Object.assign(TEMPLATES, templates);
}
