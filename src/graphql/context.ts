import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Scheduler } from '../scheduler/scheduler';
import type { EventStream } from '../events/event-stream';
import type { AppConfig } from '../config';
import { createLoaders, Loaders } from './loaders';
import type { ComplexityWeights } from '../domain/complexity';
import { visibilityOf, type Principal } from '../auth/principal';

/** What the server wires once; every request/operation gets its own context from it. */
export interface AppServices {
  orm: MikroORM;
  scheduler: Scheduler;
  stream: EventStream;
  config: AppConfig;
  complexityWeights?: ComplexityWeights;
  now: () => Date;
  /** After a revocation committed here: forget the token, close its sockets (other instances hear NOTIFY). */
  tokenRevoked: (tokenId: string) => void;
}

export interface GqlContext extends AppServices {
  /** A fork per request or subscription: never shared across operations. */
  em: EntityManager;
  /**
   * The root EntityManager, for use cases that run single autocommit statements of explained
   * SQL and never touch an identity map (claim, complete, heartbeat): forking per operation
   * cost ~40 µs of the ~450 µs a claim spent in the server (W1 profile). Entity operations on
   * it throw (allowGlobalContext: false), so misuse cannot go unnoticed.
   */
  statementEm: EntityManager;
  loaders: Loaders;
  /** Who is calling (src/auth): checked by the permission table before any root resolver runs. */
  principal: Principal;
  /**
   * What this caller's subscriptions may receive, as a value a fan-out can key on: '*' or one
   * project id (src/auth/principal.ts visibilityOf). Subscription arguments are already
   * restricted to it by the permission table before `subscribe` runs.
   */
  readonly visibility: string;
}

/**
 * The fork and the loaders are made on first use: a claim or a completion only runs explained
 * SQL and never touches either, and forking per request showed in the W1 profile. A class (not
 * an object spread plus defineProperties) because one is built per operation.
 */
class OperationContext implements GqlContext {
  readonly orm: MikroORM;
  readonly scheduler: Scheduler;
  readonly stream: EventStream;
  readonly config: AppConfig;
  readonly complexityWeights?: ComplexityWeights;
  readonly now: () => Date;
  readonly tokenRevoked: (tokenId: string) => void;
  readonly statementEm: EntityManager;
  private forked: EntityManager | null = null;
  private batched: Loaders | null = null;

  constructor(
    services: AppServices,
    private readonly subscription: boolean,
    readonly principal: Principal,
  ) {
    this.orm = services.orm;
    this.scheduler = services.scheduler;
    this.stream = services.stream;
    this.config = services.config;
    this.complexityWeights = services.complexityWeights;
    this.now = services.now;
    this.tokenRevoked = services.tokenRevoked;
    this.statementEm = services.orm.em as EntityManager;
  }

  get visibility(): string {
    return visibilityOf(this.principal);
  }

  get em(): EntityManager {
    return (this.forked ??= this.orm.em.fork() as EntityManager);
  }

  get loaders(): Loaders {
    // Subscriptions live long: their loaders batch but never cache (a cached task would go stale).
    return (this.batched ??= createLoaders(this.em, { cache: !this.subscription, projectId: this.principal.projectId }));
  }
}

export function createContext(services: AppServices, principal: Principal, options: { subscription?: boolean } = {}): GqlContext {
  return new OperationContext(services, options.subscription ?? false, principal);
}
