/**
 * The query limits (TWINGRAPH_MAX_DEPTH, TWINGRAPH_MAX_ALIASES) as validation rules, the same for both
 * transports: Apollo Server runs them on HTTP operations, ./ws.ts on WebSocket ones.
 */
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { Config } from '../config';

/**
 * graphql-armor throws from inside validation by default, which Apollo reports as an internal error and
 * graphql-ws answers by closing the whole connection; reported through the validation context instead, a
 * query over a limit is an ordinary GRAPHQL_VALIDATION_FAILED error that names the limit.
 */
export function limitRules(config: Config): ValidationRule[] {
  const report =
    (variable: string) =>
    (context: ValidationContext | null, error: GraphQLError): void =>
      context?.reportError(
        new GraphQLError(`${error.message.replace(/^Syntax Error: /, '')} (${variable})`, {
          extensions: { code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED },
        }),
      );
  return [
    maxDepthRule({
      n: config.limits.maxDepth,
      propagateOnRejection: false,
      onReject: [report('TWINGRAPH_MAX_DEPTH')],
    }) as unknown as ValidationRule,
    maxAliasesRule({
      n: config.limits.maxAliases,
      propagateOnRejection: false,
      onReject: [report('TWINGRAPH_MAX_ALIASES')],
    }) as unknown as ValidationRule,
  ];
}
