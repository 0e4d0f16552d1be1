/**
 * Apollo Server over a schema that changes at run time: one ApolloServer per schema, started when the schema
 * arrives. New requests go to the newest; an older one is stopped once its last request has finished, so
 * operations keep the schema they started with.
 *
 * (Apollo's gateway interface also swaps schemas, but routes every request through a gateway executor and
 * context copy, which cost about a tenth of a simple query's time.)
 */
import {
  ApolloServer,
  type ApolloServerOptions,
  type HTTPGraphQLRequest,
  type HTTPGraphQLResponse,
} from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { GraphQLSchema } from 'graphql';

interface Instance<C extends object> {
  readonly apollo: ApolloServer<C>;
  readonly handler: RequestHandler;
  inFlight: number;
  retired: boolean;
}

export class LiveApollo<C extends object> {
  private current: Instance<C> | undefined;
  private readonly instances = new Set<Instance<C>>();
  private drained: (() => void) | undefined;

  constructor(
    /** The options of each server (called once per schema: plugins may keep per-server state). */
    private readonly options: () => Omit<ApolloServerOptions<C>, 'schema' | 'gateway' | 'typeDefs' | 'resolvers'>,
    /** The context of each operation, from its request (express5's context function). */
    private readonly context: (args: { req: Request; res: Response }) => Promise<C>,
  ) {}

  /** Starts an Apollo Server for `schema`; requests arriving after this resolves use it. */
  async use(schema: GraphQLSchema): Promise<void> {
    const apollo = new ApolloServer<C>({ ...this.options(), schema } as ApolloServerOptions<C>);
    await apollo.start();
    const instance: Instance<C> = {
      apollo,
      handler: expressMiddleware(apollo, { context: this.context }),
      inFlight: 0,
      retired: false,
    };
    this.instances.add(instance);
    const previous = this.current;
    this.current = instance;
    if (previous) this.retire(previous);
  }

  /** The Express handler that runs each request on the newest schema's server. */
  readonly handle = (req: Request, res: Response, next: NextFunction): void => {
    const instance = this.current;
    if (!instance) {
      next(new Error('The GraphQL server has no schema yet.'));
      return;
    }
    instance.inFlight += 1;
    // A response emits 'close' once, whatever ends it (sent in full, or its connection gone).
    res.once('close', () => this.finished(instance));
    void instance.handler(req, res, next);
  };

  /**
   * Runs one request on the newest schema's server outside Express (./direct-post.ts): it counts as running
   * until `done` is called, once its answer is written. Undefined before the first schema.
   */
  run(
    request: HTTPGraphQLRequest,
    context: () => Promise<C>,
  ): { readonly response: Promise<HTTPGraphQLResponse>; done(): void } | undefined {
    const instance = this.current;
    if (!instance) return undefined;
    instance.inFlight += 1;
    return {
      response: instance.apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: request, context }),
      done: () => this.finished(instance),
    };
  }

  private finished(instance: Instance<C>): void {
    instance.inFlight -= 1;
    if (instance.inFlight === 0) {
      if (instance.retired) void this.stop(instance);
      if (this.inFlight() === 0) this.drained?.();
    }
  }

  private inFlight(): number {
    let n = 0;
    for (const instance of this.instances) n += instance.inFlight;
    return n;
  }

  private retire(instance: Instance<C>): void {
    instance.retired = true;
    if (instance.inFlight === 0) void this.stop(instance);
  }

  private async stop(instance: Instance<C>): Promise<void> {
    if (!this.instances.delete(instance)) return;
    await instance.apollo.stop();
  }

  /** Resolves once no request is running (or after `timeoutMs`). */
  async drain(timeoutMs: number): Promise<void> {
    if (this.inFlight() === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.drained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Stops every server (after drain()). */
  async close(): Promise<void> {
    this.current = undefined;
    await Promise.all([...this.instances].map((instance) => this.stop(instance)));
  }
}
