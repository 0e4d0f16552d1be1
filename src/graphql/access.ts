/**
 * The role each root field needs, kept on the field itself (`extensions.role`), so that the authorization
 * check reads it from whatever schema is current, models uploaded a second ago included, and a field added
 * later falls under its root type's default rather than under no rule at all: queries and subscriptions
 * need a reader, mutations a writer. Fields that need more say so where they are declared, with
 * `@Extensions(needsRole('modeler'))` on a type-graphql resolver.
 */
import type { GraphQLField, GraphQLObjectType, GraphQLSchema, OperationTypeNode } from 'graphql';
import { isRole, type Role } from '../access/identity';

const DEFAULT_ROLE: Readonly<Record<OperationTypeNode, Role>> = {
  query: 'reader',
  subscription: 'reader',
  mutation: 'writer',
};

/** The field extension that raises a root field's role above its type's default. */
export function needsRole(role: Role): { role: Role } {
  return { role };
}

/** The role a root field of `operation` needs. */
export function roleOfField(operation: OperationTypeNode, field: GraphQLField<unknown, unknown>): Role {
  const declared = (field.extensions as { role?: unknown } | undefined)?.role;
  return isRole(declared) ? declared : DEFAULT_ROLE[operation];
}

/** The root type of an operation kind in `schema`, if the schema has one. */
export function rootTypeOf(schema: GraphQLSchema, operation: OperationTypeNode): GraphQLObjectType | undefined {
  return schema.getRootType(operation) ?? undefined;
}
