/**
 * predictProfit's closed sets (ServiceLine, ClientIndustry, LeadRole) are the demo models' Enums spelled as
 * they read: the same value names, standing for the same DTDL values, as the compiled enums of the properties
 * they copy. A model edited without them (or them without it) fails here.
 */
import { isEnumType } from 'graphql';
import { demoSchema } from './fixtures';

const COPIES: Record<string, string> = {
  ServiceLine: 'ServiceOfferingLine',
  ClientIndustry: 'Industry',
  LeadRole: 'EmployeeRole',
};

describe("predictProfit's enums", () => {
  const schema = demoSchema();
  it.each(Object.entries(COPIES))('%s has the values of %s, standing for the same DTDL values', (name, compiled) => {
    const [mine, theirs] = [schema.getType(name), schema.getType(compiled)];
    if (!isEnumType(mine) || !isEnumType(theirs)) throw new Error(`${name} or ${compiled} is not an enum`);
    const values = (t: typeof mine) => t.getValues().map((v) => [v.name, v.value]);
    expect(values(mine)).toEqual(values(theirs));
  });
});
