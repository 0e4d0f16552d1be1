/**
 * Payload validators: every write (twin, relationship, telemetry point, command request) is checked against
 * the model set before it reaches the store, with `ValidationFailed` errors that name each offending value
 * (a JSON Pointer), the rule it breaks and what to write instead.
 *
 * One instance per model set (the API rebuilds it with the GraphQL schema). Nothing is compiled up front:
 * a model set may hold thousands of interfaces (RealEstateCore: 767) and building the schema must stay fast,
 * so ajv is loaded and its instance created on first use and each model's, relationship's, telemetry's and command's
 * validator is compiled the first time a write needs it, then kept.
 *
 * The JSON Schemas themselves, and what they accept (null, formats, limits), are in ./json-schema.ts.
 */
import type { default as Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type {
  CommandContent,
  Content,
  InterfaceModel,
  ModelSet,
  RelationshipContent,
  Schema,
  TelemetryContent,
} from '../../dtdl';
import { modelNotFound, TwingraphError, type ErrorCode, type ErrorDetail, type ErrorSubject } from '../../errors';
import {
  commandRequestJsonSchema,
  commandResponseJsonSchema,
  COMPONENT_REF_PREFIX,
  DTDL_DURATION,
  FLOAT_MAX,
  INTEGER_MAX,
  INTEGER_MIN,
  LONG_MAX,
  relationshipJsonSchema,
  telemetryJsonSchema,
  twinJsonSchema,
  type DtdlAnnotation,
  type JSONSchema,
} from './json-schema';
import { GEOJSON_TYPE } from './geo';

/** Problems listed in an error's message; `details` holds up to MAX_DETAILS. */
const MAX_LISTED = 10;
const MAX_DETAILS = 100;
/** Names listed in a hint ("its properties are: …"). */
const MAX_NAMES = 20;
/** Longest problem in an error's message (`details` keeps the whole text), and longest pointer shown in one. */
const MAX_MESSAGE = 400;
const MAX_SHOWN_PATH = 80;

/** Which validators an instance has compiled so far (keys: model ids; content DTMIs for the others). */
export interface CompiledValidators {
  readonly twins: readonly string[];
  readonly relationships: readonly string[];
  readonly telemetry: readonly string[];
  readonly commands: readonly string[];
}

export class PayloadValidators {
  #ajv: Ajv | undefined;
  readonly #twins = new Map<string, ValidateFunction>();
  readonly #relationships = new Map<string, ValidateFunction>();
  readonly #telemetry = new Map<string, ValidateFunction>();
  readonly #commands = new Map<string, ValidateFunction | null>();
  readonly #responses = new Map<string, ValidateFunction | null>();
  /** Component interfaces registered with ajv: each is compiled once, for every model that uses it. */
  readonly #components = new Set<string>();

  constructor(readonly models: ModelSet) {}

  /**
   * Checks the body of a twin of `modelId` (as written, or as the store returns it). Throws `ModelNotFound`
   * when the set has no such interface, `ValidationFailed` listing every problem otherwise.
   */
  validateTwin(modelId: string, body: unknown, twinId?: string): void {
    const model = this.#model(modelId, twinId === undefined ? {} : { twinId });
    let validate = this.#twins.get(modelId);
    if (!validate) {
      validate = this.#compileTwin(twinJsonSchema(model, this.models));
      this.#twins.set(modelId, validate);
    }
    if (validate(body)) return;
    const head =
      twinId === undefined ? `The twin does not match ${modelId}` : `Twin '${twinId}' does not match ${modelId}`;
    throw failure('ValidationFailed', head, problems(validate.errors, 'the body'), {
      ...(twinId !== undefined && { twinId }),
      modelId,
    });
  }

  /**
   * Checks a relationship named `relationshipName` from a twin of `sourceModelId` to a twin of `targetModelId`
   * (undefined when unknown: the store reports a missing target). `InvalidRelationship` when the source model,
   * with what it inherits, has no such relationship, or when the relationship declares a target and the target
   * twin's model is neither it nor extends it (ADT refuses both); `ValidationFailed` for the properties.
   */
  validateRelationship(
    sourceModelId: string,
    relationshipName: string,
    properties: unknown,
    targetModelId: string | undefined,
    ids: { twinId: string; relationshipId: string },
  ): void {
    const subject = { twinId: ids.twinId, relationshipId: ids.relationshipId, modelId: sourceModelId };
    const model = this.#model(sourceModelId, subject);
    const content = model.contents.get(relationshipName);
    if (content?.kind !== 'Relationship') {
      const what = content
        ? `'${relationshipName}' is a ${content.kind} of ${model.id}, not a relationship`
        : `${model.id} has no relationship '${relationshipName}'`;
      throw new TwingraphError(
        'InvalidRelationship',
        `Relationship '${ids.relationshipId}' from twin '${ids.twinId}': ${what} (${namesOf(model, 'Relationship', 'relationships')}).`,
        {
          ...subject,
          path: '/$relationshipName',
        },
      );
    }
    if (
      content.target !== undefined &&
      targetModelId !== undefined &&
      !this.models.isOf(targetModelId, content.target)
    ) {
      throw new TwingraphError(
        'InvalidRelationship',
        `Relationship '${ids.relationshipId}' from twin '${ids.twinId}': '${relationshipName}' of ${model.id} targets twins of ${content.target} (or of models that extend it); the target twin is a ${targetModelId}.`,
        { ...subject, related: [content.target, targetModelId], path: '/$targetId' },
      );
    }
    const validate = this.#relationshipValidator(content);
    if (validate(properties)) return;
    throw failure(
      'ValidationFailed',
      `Relationship '${ids.relationshipId}' from twin '${ids.twinId}' does not match relationship '${relationshipName}' of ${model.id}`,
      problems(validate.errors, 'the body'),
      subject,
    );
  }

  /** Checks one telemetry value. Pointers are into ADT's telemetry message, `{ "<name>": value }`. */
  validateTelemetry(modelId: string, name: string, value: unknown, twinId: string): void {
    const model = this.#model(modelId, { twinId });
    const content = model.contents.get(name);
    const path = `/${escape(name)}`;
    if (content?.kind !== 'Telemetry') {
      const what = content
        ? `'${name}' is a ${content.kind} of ${model.id}, not a telemetry`
        : `${model.id} has no telemetry '${name}'`;
      throw unknownContent(
        `Twin '${twinId}': ${what} (${namesOf(model, 'Telemetry', 'telemetry')}).`,
        path,
        'unknownTelemetry',
        { twinId, modelId },
      );
    }
    const validate = this.#telemetryValidator(content);
    if (validate(value)) return;
    throw failure(
      'ValidationFailed',
      `Telemetry '${name}' of twin '${twinId}' does not match ${model.id}`,
      problems(validate.errors, path, path),
      { twinId, modelId },
    );
  }

  /**
   * Checks a command's request payload (undefined or null: none). A command that declares a request needs
   * one: DTDL v2 and v3 have no `nullable` (v4 adds it on CommandRequest). One that declares none takes none.
   */
  validateCommand(modelId: string, command: string, request: unknown, twinId: string): void {
    const model = this.#model(modelId, { twinId });
    const content = model.contents.get(command);
    if (content?.kind !== 'Command') {
      const what = content
        ? `'${command}' is a ${content.kind} of ${model.id}, not a command`
        : `${model.id} has no command '${command}'`;
      throw unknownContent(
        `Twin '${twinId}': ${what} (${namesOf(model, 'Command', 'commands')}).`,
        '',
        'unknownCommand',
        { twinId, modelId },
      );
    }
    const head = `The request of command '${command}' on twin '${twinId}' does not match ${model.id}`;
    const absent = request === undefined || request === null;
    if (!content.request) {
      if (absent) return;
      throw failure(
        'ValidationFailed',
        head,
        single({
          path: '',
          rule: 'noRequest',
          message: `command '${command}' takes no request (it is ${show(request)}): leave it out`,
        }),
        { twinId, modelId },
      );
    }
    if (absent) {
      const message = `the request is missing: command '${command}' takes '${content.request.name}' (${describe(content.request.schema)})`;
      throw failure('ValidationFailed', head, single({ path: '', rule: 'required', message }), { twinId, modelId });
    }
    const validate = this.#commandValidator(content)!;
    if (validate(request)) return;
    throw failure('ValidationFailed', head, problems(validate.errors, 'the request'), { twinId, modelId });
  }

  /**
   * Checks what a command's executor answered (a device, over MQTT) against the Command's response schema.
   * A command that declares no response has nothing to check.
   */
  validateCommandResponse(modelId: string, command: string, response: unknown, twinId: string): void {
    const content = this.#content(modelId, command, 'Command');
    let validate = this.#responses.get(content.id);
    if (validate === undefined) {
      const schema = commandResponseJsonSchema(content);
      validate = schema ? this.#compile(schema) : null;
      this.#responses.set(content.id, validate);
    }
    if (!validate || validate(response)) return;
    throw failure(
      'ValidationFailed',
      `The response of command '${command}' on twin '${twinId}' does not match ${modelId}`,
      problems(validate.errors, 'the response'),
      { twinId, modelId },
    );
  }

  /** The JSON Schema of a twin of the model (what `validateTwin` checks), for clients and documentation. */
  jsonSchemaOfTwin(modelId: string): JSONSchema {
    return twinJsonSchema(this.#model(modelId, {}), this.models);
  }

  jsonSchemaOfRelationship(modelId: string, relationshipName: string): JSONSchema {
    return relationshipJsonSchema(this.#content(modelId, relationshipName, 'Relationship'));
  }

  jsonSchemaOfTelemetry(modelId: string, name: string): JSONSchema {
    return telemetryJsonSchema(this.#content(modelId, name, 'Telemetry'));
  }

  /** Undefined when the command takes no request. */
  jsonSchemaOfCommandRequest(modelId: string, command: string): JSONSchema | undefined {
    return commandRequestJsonSchema(this.#content(modelId, command, 'Command'));
  }

  /** What has been compiled so far: nothing until the first validation. */
  compiled(): CompiledValidators {
    return {
      twins: [...this.#twins.keys()],
      relationships: [...this.#relationships.keys()],
      telemetry: [...this.#telemetry.keys()],
      commands: [...this.#commands.keys()],
    };
  }

  #model(modelId: string, subject: ErrorSubject): InterfaceModel {
    const model = this.models.interfaces.get(modelId);
    if (!model) {
      // The factory's words, with the ids of the payload that named the model.
      const notFound = modelNotFound(modelId);
      throw new TwingraphError(notFound.code, notFound.message, { ...subject, ...notFound.subject });
    }
    return model;
  }

  #content<K extends 'Relationship' | 'Telemetry' | 'Command'>(
    modelId: string,
    name: string,
    kind: K,
  ): Extract<Content, { kind: K }> {
    const model = this.#model(modelId, {});
    const content = model.contents.get(name);
    if (content?.kind !== kind) {
      throw new TwingraphError(
        'InvalidArgument',
        `${model.id} has no ${kind.toLowerCase()} '${name}' (${namesOf(model, kind, `${kind.toLowerCase()}s`)}).`,
        { modelId },
      );
    }
    return content as Extract<Content, { kind: K }>;
  }

  #relationshipValidator(content: RelationshipContent): ValidateFunction {
    let validate = this.#relationships.get(content.id);
    if (!validate) {
      validate = this.#compile(relationshipJsonSchema(content));
      this.#relationships.set(content.id, validate);
    }
    return validate;
  }

  #telemetryValidator(content: TelemetryContent): ValidateFunction {
    let validate = this.#telemetry.get(content.id);
    if (!validate) {
      validate = this.#compile(telemetryJsonSchema(content));
      this.#telemetry.set(content.id, validate);
    }
    return validate;
  }

  #commandValidator(content: CommandContent): ValidateFunction | null {
    let validate = this.#commands.get(content.id);
    if (validate === undefined) {
      const schema = commandRequestJsonSchema(content);
      validate = schema ? this.#compile(schema) : null;
      this.#commands.set(content.id, validate);
    }
    return validate;
  }

  #compile(schema: JSONSchema): ValidateFunction {
    this.#ajv ??= createAjv();
    return this.#ajv.compile(schema);
  }

  /**
   * A twin schema's components point into its `definitions`; here each component interface is registered with
   * ajv once instead (RealEstateCore: hundreds of models share a few component interfaces), and referenced by key.
   */
  #compileTwin(schema: JSONSchema): ValidateFunction {
    const { definitions, ...root } = schema;
    if (!definitions) return this.#compile(schema);
    const ajv = (this.#ajv ??= createAjv());
    const properties: Record<string, JSONSchema> = {};
    for (const [name, property] of Object.entries(root.properties ?? {})) {
      const id = componentInterfaceOf(property);
      if (id === undefined) {
        properties[name] = property;
        continue;
      }
      const key = COMPONENT_KEY + id;
      if (!this.#components.has(id)) {
        ajv.addSchema(definitions[id], key);
        this.#components.add(id);
      }
      properties[name] = { $ref: key };
    }
    return ajv.compile({ ...root, properties });
  }
}

/** The key a component interface's schema is registered under in an instance's ajv. */
const COMPONENT_KEY = 'twingraph:component:';

/** The interface of a component's schema (a `$ref` into a twin schema's definitions, or to a registered one). */
function componentInterfaceOf(schema: JSONSchema | undefined): string | undefined {
  const ref = schema?.$ref;
  if (ref?.startsWith(COMPONENT_REF_PREFIX))
    return ref.slice(COMPONENT_REF_PREFIX.length).replace(/~1/g, '/').replace(/~0/g, '~');
  if (ref?.startsWith(COMPONENT_KEY)) return ref.slice(COMPONENT_KEY.length);
  return undefined;
}

function createAjv(): Ajv {
  // Required here, on the first write that needs a validator: ajv and its formats are a tenth of the server's
  // modules, which a start, and a server that only reads, need not load.
  const { default: Ajv } = require('ajv') as typeof import('ajv');
  const { default: addFormats } = require('ajv-formats') as typeof import('ajv-formats');
  // verbose: errors carry the value and the schema they failed, which the messages are built from.
  // validateSchema off: the schemas are generated (and checked against the meta-schema by the tests).
  // inlineRefs off: a component interface compiles to one function however many components and models use it.
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    allowUnionTypes: true,
    strict: true,
    validateSchema: false,
    addUsedSchema: false,
    inlineRefs: false,
  });
  addFormats(ajv, ['date', 'date-time', 'iso-time']);
  ajv.addFormat('duration', DTDL_DURATION);
  ajv.addKeyword({
    keyword: 'maxBytes',
    type: 'string',
    schemaType: 'number',
    // A UTF-16 code unit is at most 3 bytes in UTF-8: short strings need no counting.
    validate: (limit: number, data: string) => data.length * 3 <= limit || Buffer.byteLength(data, 'utf8') <= limit,
  });
  ajv.addVocabulary(['x-dtdl']);
  return ajv;
}

/** A problem as reported: its detail, and how the error's message lists it (a hint given once is not repeated). */
interface Reported {
  readonly detail: ErrorDetail;
  readonly brief: string;
}

/** The error: a message listing the first MAX_LISTED problems (each shortened), and every problem in `details`. */
function failure(code: ErrorCode, head: string, reported: readonly Reported[], subject: ErrorSubject): TwingraphError {
  const listed = reported
    .slice(0, MAX_LISTED)
    .map((r) => (r.brief.length > MAX_MESSAGE ? `${r.brief.slice(0, MAX_MESSAGE - 1)}…` : r.brief));
  const more = reported.length > MAX_LISTED ? `; …and ${reported.length - MAX_LISTED} more` : '';
  const details = reported.map((r) => r.detail);
  return new TwingraphError(code, `${head}: ${listed.join('; ').replace(/\.$/, '')}${more}.`, {
    ...subject,
    path: details[0]?.path ?? '',
    details,
  });
}

function single(detail: ErrorDetail): Reported[] {
  return [{ detail, brief: detail.message }];
}

function unknownContent(message: string, path: string, rule: string, subject: ErrorSubject): TwingraphError {
  return new TwingraphError('ValidationFailed', message, {
    ...subject,
    path,
    details: [{ path, rule, message: message.replace(/\.$/, '') }],
  });
}

/** "its relationships are: a, b" / "it has no relationships". */
function namesOf(model: InterfaceModel, kind: Content['kind'], plural: string): string {
  const names = [...model.contents.values()].filter((c) => c.kind === kind).map((c) => c.name);
  return names.length === 0 ? `it has no ${plural}` : `its ${plural}: ${list(names)}`;
}

function list(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMES).join(', ');
  return names.length > MAX_NAMES ? `${shown}, … (${names.length} in all)` : shown;
}

function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A value, shortly, for messages. */
function show(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** A DTDL schema in a few words: `double`, `point`, `TemperatureUnit`, `Object dtmi:…`. */
function describe(schema: Schema): string {
  return schema.kind === 'primitive' ||
    schema.kind === 'geospatial' ||
    schema.kind === 'unitType' ||
    schema.kind === 'scaledDecimal'
    ? schema.name
    : `${schema.kind} ${schema.id}`;
}

/**
 * ajv's errors as problems: one per offending value, with a message that says what to write. `prefix` is put
 * before every pointer (telemetry: `/<name>`); `rootLabel` names the value at the root.
 */
function problems(errors: readonly ErrorObject[] | null | undefined, rootLabel: string, prefix = ''): Reported[] {
  const out: Reported[] = [];
  const seen = new Set<string>();
  const hints = new Set<string>();
  for (const error of errors ?? []) {
    const problem = explain(error);
    if (!problem) continue;
    const path = prefix + problem.path;
    const key = `${path}\u0000${problem.rule}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const shown =
      path === '' ? rootLabel : path.length > MAX_SHOWN_PATH ? `${path.slice(0, MAX_SHOWN_PATH - 1)}…` : path;
    const brief = `${shown} ${problem.text}`;
    const message = problem.hint ? `${brief} ${problem.hint}` : brief;
    const repeated = problem.hint !== undefined && hints.has(problem.hint);
    if (problem.hint) hints.add(problem.hint);
    out.push({ detail: { path, rule: problem.rule, message }, brief: repeated ? brief : message });
    if (out.length === MAX_DETAILS) break;
  }
  return out;
}

interface Problem {
  path: string;
  rule: string;
  text: string;
  /** What the level allows ("(its properties are: …)"): in every detail, once in the error's message. */
  hint?: string;
}

/** The first segment of a pointer (a component's name, for errors inside a component). */
function firstSegment(pointer: string): string {
  return (pointer.split('/')[1] ?? '').replace(/~1/g, '/').replace(/~0/g, '~');
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  number: 'a number',
  integer: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

const FORMAT_WORDS: Readonly<Record<string, string>> = {
  date: 'a date such as 2024-05-31 (DTDL date: RFC 3339 full-date)',
  'date-time':
    'a date and time with an offset, such as 2024-05-31T12:00:00Z or 2024-05-31T14:00:00+02:00 (DTDL dateTime: RFC 3339)',
  'iso-time': 'a time of day such as 12:30:00 or 12:30:00.5+02:00 (DTDL time)',
  duration: 'an ISO 8601 duration such as PT1H30M, P2D or P1W (DTDL duration)',
};

function explain(error: ErrorObject): Problem | undefined {
  const at = error.instancePath;
  const parent = error.parentSchema as JSONSchema | undefined;
  const dtdl = parent?.['x-dtdl'];
  const params = error.params as Record<string, unknown>;
  const it = `(it is ${show(error.data)})`;
  // Errors inside `propertyNames` are about a Map key; the `propertyNames` error itself repeats them.
  const key = (error as { propertyName?: string }).propertyName;
  if (key !== undefined) {
    const path = `${at}/${escape(key)}`;
    if (error.keyword === 'maxBytes')
      return {
        path,
        rule: 'maxBytes',
        text: `has a key of ${Buffer.byteLength(key, 'utf8')} bytes in UTF-8; a key may have at most ${String(error.schema)}`,
      };
    if (error.keyword === 'pattern')
      return { path, rule: 'pattern', text: `has a key that starts with '$', which is reserved: rename the key` };
    return { path, rule: error.keyword, text: `has an invalid key (${error.message ?? error.keyword})` };
  }
  if (error.keyword === 'propertyNames') return undefined;
  if (dtdl?.kind === 'Enum' && dtdl.names.length === 0) {
    return { path: at, rule: 'enum', text: `cannot be given a value: ${dtdl.id} has no enum values ${it}` };
  }
  switch (error.keyword) {
    case 'type': {
      const types = (Array.isArray(params.type) ? params.type : String(params.type).split(',')) as string[];
      const wanted = types.filter((t) => t !== 'null').map((t) => TYPE_WORDS[t] ?? t);
      const orNull = types.includes('null') ? ', or null to unset it' : '';
      if (dtdl?.kind === 'component')
        return {
          path: at,
          rule: 'type',
          text: `must be an object with its own $metadata (component '${firstSegment(at)}', ${dtdl.interface}) ${it}`,
        };
      if (dtdl?.kind === 'twin' || dtdl?.kind === 'relationship')
        return { path: at, rule: 'type', text: `must be a JSON object ${it}` };
      return { path: at, rule: 'type', text: `must be ${wanted.join(' or ')}${orNull} ${it}` };
    }
    case 'minimum':
    case 'maximum': {
      const limit = params.limit as number;
      const side = error.keyword === 'minimum' ? 'at least' : 'at most';
      const range =
        Math.abs(limit) === LONG_MAX
          ? ': a DTDL long, within ±(2^53 − 1), the whole numbers JSON carries exactly'
          : limit === INTEGER_MAX || limit === INTEGER_MIN
            ? ': a DTDL integer is 32 bits'
            : Math.abs(limit) === FLOAT_MAX
              ? ': the range of a DTDL float'
              : '';
      return { path: at, rule: error.keyword, text: `must be ${side} ${limit}${range} ${it}` };
    }
    case 'format': {
      const format = String(params.format);
      return { path: at, rule: 'format', text: `must be ${FORMAT_WORDS[format] ?? `in the format ${format}`} ${it}` };
    }
    case 'enum':
      return { path: at, rule: 'enum', text: enumText(error, dtdl) };
    case 'const': {
      const allowed = params.allowedValue;
      if (at === '/$metadata/$model')
        return { path: at, rule: 'const', text: `must be ${String(allowed)}, the model being validated against ${it}` };
      return { path: at, rule: 'const', text: `must be ${show(allowed)} ${it}` };
    }
    case 'required':
      return requiredProblem(at, String(params.missingProperty), parent, dtdl);
    case 'additionalProperties':
      return additionalProblem(at, String(params.additionalProperty), parent, dtdl);
    case 'minItems':
    case 'maxItems': {
      const limit = params.limit as number;
      const count = Array.isArray(error.data) ? error.data.length : 0;
      const hint = parent?.description ? `: ${parent.description}` : '';
      return {
        path: at,
        rule: error.keyword,
        text: `must have ${error.keyword === 'minItems' ? 'at least' : 'at most'} ${limit} items (it has ${count})${hint}`,
      };
    }
    case 'maxBytes': {
      const bytes = typeof error.data === 'string' ? Buffer.byteLength(error.data, 'utf8') : 0;
      return {
        path: at,
        rule: 'maxBytes',
        text: `is ${bytes} bytes long in UTF-8; a string may have at most ${String(error.schema)} (Azure Digital Twins' limit)`,
      };
    }
    case 'not':
      return { path: at, rule: 'not', text: `is not allowed here ${it}` };
    case 'pattern':
      // DTDL v4's textual primitives (decimal, bytes, uuid) say in words what their pattern means.
      if (parent?.description) return { path: at, rule: 'pattern', text: `must be ${parent.description} ${it}` };
      return { path: at, rule: 'pattern', text: `${error.message ?? 'does not match its pattern'} ${it}` };
    default:
      return { path: at, rule: error.keyword, text: `${error.message ?? `breaks the rule ${error.keyword}`} ${it}` };
  }
}

function enumText(error: ErrorObject, dtdl: DtdlAnnotation | undefined): string {
  const allowed = ((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).filter((v) => v !== null);
  const orNull = ((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).includes(null)
    ? ' (or null to unset it)'
    : '';
  const values = list(allowed.map((v) => JSON.stringify(v)));
  const it = `(it is ${show(error.data)})`;
  if (dtdl?.kind === 'unitType') return `must be a unit of ${dtdl.name}: ${values}${orNull} ${it}`;
  if (dtdl?.kind === 'Enum') {
    const index = dtdl.names.indexOf(error.data as string);
    const byName =
      typeof error.data === 'string' && index >= 0
        ? `; ${JSON.stringify(error.data)} is the name of the value ${JSON.stringify(allowed[index])}: write the value, not the name`
        : '';
    return `must be one of the values of ${dtdl.id}: ${values}${orNull} ${it}${byName}`;
  }
  return `must be one of ${values}${orNull} ${it}`;
}

function requiredProblem(
  at: string,
  missing: string,
  parent: JSONSchema | undefined,
  dtdl: DtdlAnnotation | undefined,
): Problem {
  const path = `${at}/${escape(missing)}`;
  let why = '';
  if (dtdl?.kind === 'twin' && missing === '$metadata') why = ': a twin says its model in $metadata.$model';
  else if (dtdl?.kind === 'twin') {
    const component = componentInterfaceOf(parent?.properties?.[missing]);
    const iface = component === undefined ? '' : ` (${component})`;
    why = `: component '${missing}'${iface} must be present, even as an empty one: { "$metadata": {} }`;
  } else if (dtdl?.kind === 'component') why = `: a component carries its own $metadata ({} will do)`;
  else if (dtdl?.kind === 'metadata') why = ": the id of the twin's model";
  else if (dtdl?.kind === 'Object') why = `: field '${missing}' of ${dtdl.id} is Required`;
  else if (dtdl?.kind === 'geospatial') why = `: a GeoJSON ${GEOJSON_TYPE[dtdl.name]} has a type and coordinates`;
  return { path, rule: 'required', text: `is missing${why}` };
}

function additionalProblem(
  at: string,
  name: string,
  parent: JSONSchema | undefined,
  dtdl: DtdlAnnotation | undefined,
): Problem {
  const path = `${at}/${escape(name)}`;
  const own = Object.keys(parent?.properties ?? {}).filter((n) => !n.startsWith('$'));
  const suggest = (names: readonly string[]): string => {
    const near = names.find((n) => n.toLowerCase() === name.toLowerCase());
    return near ? ` (did you mean '${near}'?)` : '';
  };
  switch (dtdl?.kind) {
    case 'twin':
    case 'component': {
      const where = dtdl.kind === 'twin' ? dtdl.interface : `component '${firstSegment(at)}' (${dtdl.interface})`;
      if (name.startsWith('$')) {
        const fields =
          dtdl.kind === 'twin'
            ? 'the only $-fields of a twin are $dtId, $etag and $metadata'
            : 'the only $-field of a component is $metadata';
        return { path, rule: 'unknownProperty', text: `is not allowed: ${fields}` };
      }
      const kind = dtdl.contents[name];
      if (kind === 'Telemetry')
        return { path, rule: 'notAProperty', text: `is a Telemetry of ${where}, not a property: send it as telemetry` };
      if (kind === 'Relationship')
        return {
          path,
          rule: 'notAProperty',
          text: `is a Relationship of ${where}, not a property: create it as a relationship`,
        };
      if (kind === 'Command')
        return { path, rule: 'notAProperty', text: `is a Command of ${where}, not a property: invoke it as a command` };
      const properties = Object.entries(dtdl.contents)
        .filter(([, k]) => k === 'Property')
        .map(([n]) => n);
      const components = Object.entries(dtdl.contents)
        .filter(([, k]) => k === 'Component')
        .map(([n]) => n);
      const known =
        properties.length === 0 && components.length === 0
          ? 'it has no properties'
          : [
              properties.length > 0 && `its properties are: ${list(properties)}`,
              components.length > 0 && `its components: ${list(components)}`,
            ]
              .filter(Boolean)
              .join('; ');
      return {
        path,
        rule: 'unknownProperty',
        text: `is not a property of ${where}${suggest([...properties, ...components])}`,
        hint: `(${known})`,
      };
    }
    case 'metadata': {
      const where = dtdl.component ? `component '${firstSegment(at)}' (${dtdl.interface})` : dtdl.interface;
      if (name.startsWith('$')) {
        const fields = dtdl.component ? '$lastUpdateTime' : '$model, $lastUpdateTime';
        return {
          path,
          rule: 'unknownProperty',
          text: `is not allowed: $metadata holds ${fields} and one entry per property`,
        };
      }
      const known = own.length === 0 ? 'it has no properties' : `its properties are: ${list(own)}`;
      return {
        path,
        rule: 'unknownProperty',
        text: `describes no property of ${where}${suggest(own)}`,
        hint: `(${known})`,
      };
    }
    case 'propertyMetadata':
      return {
        path,
        rule: 'additionalProperties',
        text: 'is not property metadata: only sourceTime (and lastUpdateTime, which Twingraph keeps) may be given',
      };
    case 'relationship': {
      if (name.startsWith('$')) {
        return {
          path,
          rule: 'unknownProperty',
          text: 'is not allowed: the $-fields of a relationship are $targetId, $relationshipName, $relationshipId, $sourceId and $etag',
        };
      }
      const known = own.length === 0 ? 'it has no properties' : `its properties are: ${list(own)}`;
      return {
        path,
        rule: 'unknownProperty',
        text: `is not a property of relationship '${dtdl.name}' of ${dtdl.definedIn}${suggest(own)}`,
        hint: `(${known})`,
      };
    }
    case 'Object': {
      const known = own.length === 0 ? 'it has no fields' : `its fields are: ${list(own)}`;
      return {
        path,
        rule: 'additionalProperties',
        text: `is not a field of ${dtdl.id}${suggest(own)}`,
        hint: `(${known})`,
      };
    }
    case 'geospatial':
      return {
        path,
        rule: 'additionalProperties',
        text: `is not a member of a GeoJSON ${GEOJSON_TYPE[dtdl.name]}: it has type, coordinates and an optional bbox`,
      };
    case 'scaledDecimal':
      return { path, rule: 'additionalProperties', text: 'is not a member of a scaledDecimal: it has scale and value' };
    default:
      return { path, rule: 'additionalProperties', text: 'is not allowed here' };
  }
}
