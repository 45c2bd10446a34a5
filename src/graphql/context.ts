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

export function createContext(services: AppServices, options: { subscription?: boolean } = {}): GqlContext {
  const em = services.orm.em.fork() as EntityManager;
  return { ...services, em, loaders: createLoaders(em, { cache: !options.subscription }) };
}
