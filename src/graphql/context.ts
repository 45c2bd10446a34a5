import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Scheduler } from '../scheduler/scheduler';
import type { EventStream } from '../events/event-stream';
import type { AppConfig } from '../config';
import { createLoaders, Loaders } from './loaders';
import type { ComplexityWeights } from '../domain/complexity';

/** What the server wires once; every request/operation gets its own context from it. */
export interface AppServices {
  orm: MikroORM;
  scheduler: Scheduler;
  stream: EventStream;
  config: AppConfig;
  complexityWeights?: ComplexityWeights;
  now: () => Date;
}

export interface GqlContext extends AppServices {
  /** A fork per request or subscription: never shared across operations. */
  em: EntityManager;
  loaders: Loaders;
}

/**
 * The fork and the loaders are made on first use: a claim or a completion only runs explained
 * SQL and never touches either, and forking per request showed in the W1 profile.
 */
export function createContext(services: AppServices, options: { subscription?: boolean } = {}): GqlContext {
  let em: EntityManager | null = null;
  let loaders: Loaders | null = null;
  const context = { ...services } as GqlContext;
  Object.defineProperties(context, {
    em: { get: () => (em ??= services.orm.em.fork() as EntityManager), enumerable: true },
    loaders: { get: () => (loaders ??= createLoaders(context.em, { cache: !options.subscription })), enumerable: true },
  });
  return context;
}
