/**
 * Scalars for DTDL's primitive schemas. Values travel as ADT keeps them, as strings and numbers: a DateTime
 * is the ISO 8601 text the twin holds (not re-formatted through a JS Date, which would drop precision past
 * milliseconds and change time zones), so what a client writes is what it reads back.
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';

/**
 * How deep a JSON argument may nest (twin properties, DTDL documents, patch values, command requests). DTDL's
 * deepest legal documents nest about 55 levels; a value nested far deeper would only reach the recursive code
 * behind the scalar (JSON.stringify, the validators, the DTDL parser) to overflow its stack.
 */
export const MAX_JSON_DEPTH = 100;

/**
 * Whether a JSON value nests deeper than `limit` levels. Recursive, but never more than `limit` calls deep
 * (it stops there), and with nothing allocated per value: it runs over every item of a batch write's list.
 */
export function jsonDepthOver(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (limit <= 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (jsonDepthOver(value[i], limit - 1)) return true;
    return false;
  }
  for (const key in value)
    if (hasOwn.call(value, key) && jsonDepthOver((value as Record<string, unknown>)[key], limit - 1)) return true;
  return false;
}

const hasOwn = Object.prototype.hasOwnProperty;

/** The same for a literal in the query text. */
function literalDepthOver(node: ValueNode, limit: number): boolean {
  const stack: [ValueNode, number][] = [[node, 0]];
  while (stack.length > 0) {
    const [n, depth] = stack.pop()!;
    if (n.kind !== Kind.LIST && n.kind !== Kind.OBJECT) continue;
    if (depth + 1 > limit) return true;
    if (n.kind === Kind.LIST) for (const child of n.values) stack.push([child, depth + 1]);
    else for (const field of n.fields) stack.push([field.value, depth + 1]);
  }
  return false;
}

const tooDeep = (): GraphQLError =>
  new GraphQLError(`JSON value nested deeper than ${MAX_JSON_DEPTH} levels: flatten it.`);

/** graphql-scalars' JSON, refusing values nested deeper than MAX_JSON_DEPTH before anything recurses over them. */
export const JSONScalar = new GraphQLScalarType({
  ...GraphQLJSON.toConfig(),
  parseValue: (value) => {
    if (jsonDepthOver(value, MAX_JSON_DEPTH)) throw tooDeep();
    return GraphQLJSON.parseValue(value);
  },
  parseLiteral: (node, variables) => {
    if (literalDepthOver(node, MAX_JSON_DEPTH)) throw tooDeep();
    return GraphQLJSON.parseLiteral(node, variables);
  },
});

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$/;
const DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)$/;
const DURATION =
  /^P(?!$)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$/;

/** Whether a value's leading YYYY-MM-DD is a day of the calendar: Date.parse rolls 2023-02-29 over to March 1st. */
function calendarDay(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function stringScalar(
  name: string,
  pattern: RegExp,
  description: string,
  example: string,
): GraphQLScalarType<string, string> {
  const dated = name === 'Date' || name === 'DateTime';
  const check = (value: unknown): string => {
    if (
      typeof value !== 'string' ||
      !pattern.test(value) ||
      (dated && (!calendarDay(value) || Number.isNaN(Date.parse(name === 'Date' ? `${value}T00:00:00Z` : value))))
    ) {
      throw new GraphQLError(`${name} cannot represent ${JSON.stringify(value)}: use ISO 8601, such as ${example}.`);
    }
    return value;
  };
  return new GraphQLScalarType<string, string>({
    name,
    description,
    serialize: check,
    parseValue: check,
    parseLiteral: (ast: ValueNode) => {
      if (ast.kind !== Kind.STRING)
        throw new GraphQLError(`${name} is written as a string, such as "${example}".`, { nodes: ast });
      return check(ast.value);
    },
    specifiedByURL: 'https://www.iso.org/iso-8601-date-and-time-format.html',
  });
}

export const DateTimeScalar = stringScalar(
  'DateTime',
  DATE_TIME,
  'A date and time in ISO 8601 with an offset (DTDL dateTime), e.g. 2024-05-31T12:00:00Z.',
  '2024-05-31T12:00:00Z',
);
export const DateScalar = stringScalar(
  'Date',
  DATE,
  'A calendar date in ISO 8601 (DTDL date), e.g. 2024-05-31.',
  '2024-05-31',
);
export const TimeScalar = stringScalar(
  'Time',
  TIME,
  'A time of day in ISO 8601 (DTDL time), e.g. 12:30:00.',
  '12:30:00',
);
export const DurationScalar = stringScalar(
  'Duration',
  DURATION,
  'A duration in ISO 8601 (DTDL duration), e.g. PT1H30M or P2D.',
  'PT1H30M',
);

const LONG_LIMIT = Number.MAX_SAFE_INTEGER;

function toLong(value: unknown): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || Math.abs(n) > LONG_LIMIT) {
    throw new GraphQLError(
      `Long cannot represent ${JSON.stringify(value)}: a whole number between -(2^53 - 1) and 2^53 - 1.`,
    );
  }
  return n;
}

/** DTDL long (and change sequence numbers): a whole number beyond Int's 32 bits, exact up to 2^53 − 1. */
export const LongScalar = new GraphQLScalarType<number, number>({
  name: 'Long',
  description: 'A whole number up to ±(2^53 − 1) (DTDL long); GraphQL Int holds only 32 bits.',
  serialize: toLong,
  parseValue: toLong,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.INT && ast.kind !== Kind.STRING)
      throw new GraphQLError('Long is written as a whole number.', { nodes: ast });
    // The literal's text, not Number(text): a refusal then quotes what the client wrote, not its rounding.
    return toLong(ast.value);
  },
});

/** Maps a DTDL primitive schema name to its GraphQL scalar name. */
export const PRIMITIVE_SCALARS: Readonly<Record<string, string>> = {
  boolean: 'Boolean',
  date: 'Date',
  dateTime: 'DateTime',
  double: 'Float',
  duration: 'Duration',
  float: 'Float',
  integer: 'Int',
  long: 'Long',
  string: 'String',
  time: 'Time',
};
