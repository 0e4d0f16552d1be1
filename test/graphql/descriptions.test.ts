/**
 * Every part of the demo's schema is described — types, fields, arguments, input fields and enum values,
 * the root types included — whether written by hand (the core and the plugins) or compiled from DTDL (from
 * its description and displayName where the model gives them, a generated sentence where not). A front-end
 * team reads the schema in GraphiQL and in their editor: an undescribed field is a question they have to ask.
 */
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLSchema,
} from 'graphql';
import { demoSchema } from './fixtures';

/** The parts of a schema without a description, each as `Type.field(argument)` or `Type.VALUE`. */
function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const blank = (text: string | null | undefined): boolean => !text || text.trim() === '';
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    if (blank(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args)
          if (blank(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields()))
        if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) if (blank(value.description)) missing.push(`${type.name}.${value.name}`);
    }
  }
  return missing;
}

describe('descriptions in the demo schema', () => {
  it('describe every type, field, argument, input field and enum value, the root types included', () => {
    const schema = demoSchema();
    const missing = undescribed(schema);
    if (process.env.LIST_UNDESCRIBED) console.log(missing.join('\n'));
    expect({ count: missing.length, first: missing.slice(0, 40) }).toEqual({ count: 0, first: [] });
  });
});
