/**
 * The scalars of DTDL's primitive schemas: what they accept (kept as written, never re-formatted), what they
 * refuse, and what the refusal says.
 */
import {
  GraphQLError,
  parse as parseDocument,
  parseValue as parseLiteralText,
  validate,
  type GraphQLScalarType,
} from 'graphql';
import { durationMs } from '../../src/graphql/metrics/duration';
import {
  DateScalar,
  DateTimeScalar,
  DurationScalar,
  LongScalar,
  PRIMITIVE_SCALARS,
  TimeScalar,
} from '../../src/graphql/scalars';
import { TwingraphError } from '../../src/errors';
import { compile, iface, property } from './fixtures';

/** The value a scalar gives for a JSON variable, an output value and a literal in the query text. */
function accepts<T>(scalar: GraphQLScalarType<T, T>, value: unknown, literal = JSON.stringify(value)): T {
  const parsed = scalar.parseValue(value);
  expect(scalar.serialize(value)).toEqual(parsed);
  expect(scalar.parseLiteral(parseLiteralText(literal))).toEqual(parsed);
  return parsed;
}

/** The message a scalar refuses a value with, the same for variables and outputs. */
function refusal(scalar: GraphQLScalarType, value: unknown): string {
  let message = '';
  try {
    scalar.parseValue(value);
  } catch (e) {
    expect(e).toBeInstanceOf(GraphQLError);
    message = (e as Error).message;
  }
  expect(() => scalar.serialize(value)).toThrow(message);
  return message;
}

describe('DateTime', () => {
  it.each([
    '2024-05-31T12:00:00Z',
    '2024-05-31T12:00:00+02:00',
    '2024-05-31T12:00:00.1234567-05:30',
    '2024-02-29T23:59:59Z',
    '2024-12-31T00:00:00+0100',
  ])('accepts %s as written', (value) => {
    expect(accepts(DateTimeScalar, value)).toBe(value);
  });

  it('refuses a date and time without an offset, saying how to write one', () => {
    expect(refusal(DateTimeScalar, '2024-05-31T12:00:00')).toBe(
      'DateTime cannot represent "2024-05-31T12:00:00": use ISO 8601, such as 2024-05-31T12:00:00Z.',
    );
  });

  it.each([
    '2024-05-31',
    '2024-05-31 12:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-05-31T24:00:00Z',
    '2023-02-29T12:00:00Z',
    '2024-04-31T12:00:00Z',
    'yesterday',
    '',
  ])('refuses %j', (value) => {
    expect(refusal(DateTimeScalar, value)).toMatch(
      /^DateTime cannot represent .*: use ISO 8601, such as 2024-05-31T12:00:00Z\.$/,
    );
  });

  it('refuses numbers (epoch milliseconds) and literals that are not strings', () => {
    expect(refusal(DateTimeScalar, 1717156800000)).toBe(
      'DateTime cannot represent 1717156800000: use ISO 8601, such as 2024-05-31T12:00:00Z.',
    );
    expect(() => DateTimeScalar.parseLiteral(parseLiteralText('1717156800000'))).toThrow(
      'DateTime is written as a string, such as "2024-05-31T12:00:00Z".',
    );
  });

  it('refuses a bad literal in an operation when the operation is validated', () => {
    const { schema } = compile([iface('dtmi:test:Meter;1', [property('readAt', 'dateTime')])]);
    const errors = validate(
      schema,
      parseDocument('{ meters(where: { readAt: { gt: "2024-05-31 12:00" } }) { totalCount } }'),
    );
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining(
        'DateTime cannot represent "2024-05-31 12:00": use ISO 8601, such as 2024-05-31T12:00:00Z.',
      ),
    ]);
  });
});

describe('Date', () => {
  it.each(['2024-05-31', '2024-02-29', '2000-02-29', '1999-12-31'])('accepts %s', (value) => {
    expect(accepts(DateScalar, value)).toBe(value);
  });

  it.each(['2024-5-31', '2024-05-31T00:00:00Z', '2023-02-29', '1900-02-29', '2024-06-31', '2024-00-10', '31/05/2024'])(
    'refuses %s, saying how to write a date',
    (value) => {
      expect(refusal(DateScalar, value)).toBe(
        `Date cannot represent ${JSON.stringify(value)}: use ISO 8601, such as 2024-05-31.`,
      );
    },
  );
});

describe('Time', () => {
  it.each(['12:30:00', '00:00:00.5', '23:59:59.999999', '12:30:00Z', '12:30:00+02:00'])('accepts %s', (value) => {
    expect(accepts(TimeScalar, value)).toBe(value);
  });

  it.each(['12:30', '24:00:00', '12:60:00', '1:30:00', 'noon'])('refuses %s, saying how to write a time', (value) => {
    expect(refusal(TimeScalar, value)).toBe(
      `Time cannot represent ${JSON.stringify(value)}: use ISO 8601, such as 12:30:00.`,
    );
  });
});

describe('Duration', () => {
  it.each(['PT1H30M', 'P2D', 'P1W', 'P1Y2M3DT4H5M6S', 'PT1.5S', 'P0D'])('accepts %s', (value) => {
    expect(accepts(DurationScalar, value)).toBe(value);
  });

  it.each(['P', 'PT', 'P1DT', '1H', 'PT1H30', '-P1D', 'P1H', 'pt1h'])(
    'refuses %s, saying how to write a duration',
    (value) => {
      expect(refusal(DurationScalar, value)).toBe(
        `Duration cannot represent ${JSON.stringify(value)}: use ISO 8601, such as PT1H30M.`,
      );
    },
  );
});

describe('Long', () => {
  const MAX = 2 ** 53 - 1;

  it('accepts whole numbers up to ±(2^53 − 1), beyond the 32 bits of Int', () => {
    expect(accepts(LongScalar, 2 ** 31)).toBe(2 ** 31);
    expect(accepts(LongScalar, MAX)).toBe(MAX);
    expect(accepts(LongScalar, -MAX)).toBe(-MAX);
    expect(accepts(LongScalar, 0)).toBe(0);
  });

  it('accepts them as strings too, giving numbers', () => {
    expect(LongScalar.parseValue('9007199254740991')).toBe(MAX);
    expect(LongScalar.parseValue('-42')).toBe(-42);
    expect(LongScalar.parseLiteral(parseLiteralText('"9007199254740991"'))).toBe(MAX);
  });

  it.each([2 ** 53, -(2 ** 53), '9007199254740993', '9007199254740992'])(
    'refuses %p: beyond 2^53 − 1 it is not exact',
    (value) => {
      expect(refusal(LongScalar, value)).toBe(
        `Long cannot represent ${JSON.stringify(value)}: a whole number between -(2^53 - 1) and 2^53 - 1.`,
      );
    },
  );

  it('refuses a literal beyond 2^53 − 1, which a JavaScript number would silently round', () => {
    expect(() => LongScalar.parseLiteral(parseLiteralText('9007199254740993'))).toThrow(
      'Long cannot represent "9007199254740993": a whole number between -(2^53 - 1) and 2^53 - 1.',
    );
  });

  it.each([1.5, '1.5', '12abc', '', true, null])('refuses %p, which is not a whole number', (value) => {
    expect(refusal(LongScalar, value)).toBe(
      `Long cannot represent ${JSON.stringify(value)}: a whole number between -(2^53 - 1) and 2^53 - 1.`,
    );
  });

  it('refuses literals that are neither whole numbers nor strings', () => {
    expect(() => LongScalar.parseLiteral(parseLiteralText('1.5'))).toThrow('Long is written as a whole number.');
    expect(() => LongScalar.parseLiteral(parseLiteralText('true'))).toThrow('Long is written as a whole number.');
  });
});

describe('PRIMITIVE_SCALARS', () => {
  it('maps every DTDL primitive schema to its GraphQL scalar', () => {
    expect(PRIMITIVE_SCALARS).toEqual({
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
    });
  });
});

describe('durationMs (metric aggregation windows)', () => {
  it.each([
    ['PT1H', 3_600_000],
    ['PT15M', 900_000],
    ['P1D', 86_400_000],
    ['P1W', 604_800_000],
    ['P1DT12H', 129_600_000],
    ['PT0.5S', 500],
    ['PT1.5H', 5_400_000],
  ])('%s is %d ms', (duration, ms) => {
    expect(durationMs(duration)).toBe(ms);
  });

  it.each(['P1M', 'P1Y', 'P', 'PT', 'P1DT', 'one hour'])('refuses %s: only fixed lengths make windows', (duration) => {
    expect(() => durationMs(duration)).toThrow(TwingraphError);
    expect(() => durationMs(duration)).toThrow(
      `'${duration}' is not a duration of fixed length: use weeks, days, hours, minutes and seconds, such as PT1H or P1D (months and years vary).`,
    );
  });

  it('refuses a window shorter than a millisecond', () => {
    expect(() => durationMs('PT0.0001S')).toThrow("'PT0.0001S' is shorter than a millisecond.");
  });
});
