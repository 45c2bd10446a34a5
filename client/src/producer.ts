import { Connection } from './connection';
import { httpRequest } from './http';
import { authorization, endpoints } from './urls';
import { CreateTaskInput, Project, ProgressEvent, Task, TASK_FIELDS, TaskFilter, TaskStatus, TaskStatusEvent } from './types';

export interface ClientOptions {
  /** The /graphql endpoint, http(s):// or ws(s):// */
  url: string;
  /** An API token, sent as `Authorization: Bearer <token>` (HTTP) and connectionParams.authorization (WebSocket). */
  token?: string;
}

export interface TaskPage {
  tasks: Task[];
  endCursor: string | null;
  hasNextPage: boolean;
  totalCount: number;
}

/** Any async-iterable stream of subscription events that can be stopped. */
export interface EventStream<T> extends AsyncIterableIterator<T> {
  close(): void;
}

/**
 * The producer side: create tasks and DAGs, query, subscribe. Queries and mutations go over
 * HTTP; subscriptions open one WebSocket on first use (reconnecting, re-subscribing).
 */
export class TaskqClient {
  readonly httpUrl: string;
  readonly wsUrl: string;
  private readonly auth: string | undefined;
  private socket: Connection | null = null;

  constructor(options: ClientOptions) {
    const e = endpoints(options.url);
    this.httpUrl = e.http;
    this.wsUrl = e.ws;
    this.auth = authorization(options.token);
  }

  /** Any GraphQL operation over HTTP. Throws GraphQLRequestError with the server's code. */
  request<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T> {
    return httpRequest<T>(this.httpUrl, this.auth, query, variables);
  }

  async createProject(name: string): Promise<Project> {
    return (await this.request<{ createProject: Project }>(`mutation($n: String!) { createProject(input: { name: $n }) { id name createdAt } }`, { n: name })).createProject;
  }

  async projects(): Promise<Project[]> {
    return (await this.request<{ projects: Project[] }>(`{ projects { id name createdAt } }`)).projects;
  }

  async createTask(input: CreateTaskInput, fields = TASK_FIELDS): Promise<Task> {
    return (await this.request<{ createTask: Task }>(`mutation($i: CreateTaskInput!) { createTask(input: $i) { ${fields} } }`, { i: input })).createTask;
  }

  /**
   * A whole DAG in one transaction: inputs name each other by `key` / `dependencyKeys`. All or
   * nothing. Returns the tasks in input order.
   */
  async createTasks(inputs: CreateTaskInput[], fields = TASK_FIELDS): Promise<Task[]> {
    return (await this.request<{ createTasks: Task[] }>(`mutation($i: [CreateTaskInput!]!) { createTasks(inputs: $i) { ${fields} } }`, { i: inputs })).createTasks;
  }

  async task(id: string, fields = TASK_FIELDS): Promise<Task | null> {
    return (await this.request<{ task: Task | null }>(`query($id: ID!) { task(id: $id) { ${fields} } }`, { id })).task;
  }

  async tasks(filter: TaskFilter = {}, page: { first?: number; after?: string | null } = {}, fields = TASK_FIELDS): Promise<TaskPage> {
    const data = await this.request<{ tasks: { edges: { node: Task }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean }; totalCount: number } }>(
      `query($f: TaskFilter, $n: Int, $a: String) { tasks(filter: $f, first: $n, after: $a) { edges { node { ${fields} } } pageInfo { endCursor hasNextPage } totalCount } }`,
      { f: filter, n: page.first ?? 100, a: page.after ?? null },
    );
    return { tasks: data.tasks.edges.map((e) => e.node), endCursor: data.tasks.pageInfo.endCursor, hasNextPage: data.tasks.pageInfo.hasNextPage, totalCount: data.tasks.totalCount };
  }

  async cancelTask(id: string, reason: string, cascade = false): Promise<Task> {
    return (await this.request<{ cancelTask: Task }>(`mutation($id: ID!, $r: String!, $c: Boolean) { cancelTask(id: $id, reason: $r, cascade: $c) { ${TASK_FIELDS} } }`, { id, r: reason, c: cascade })).cancelTask;
  }

  async retryTask(id: string): Promise<Task> {
    return (await this.request<{ retryTask: Task }>(`mutation($id: ID!) { retryTask(id: $id) { ${TASK_FIELDS} } }`, { id })).retryTask;
  }

  /** Any subscription as an async iterator of its `data` (reconnects and re-subscribes by itself). */
  subscribe<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}, onArrival?: (data: T) => void): EventStream<T> {
    const queue: T[] = [];
    let wake: (() => void) | null = null;
    let failure: unknown = null;
    let done = false;
    const stop = this.connection().subscribe<T>(query, variables, {
      next: (v) => {
        onArrival?.(v);
        queue.push(v);
        wake?.();
      },
      error: (e) => {
        failure = e;
        wake?.();
      },
    });
    const close = () => {
      done = true;
      stop();
      wake?.();
    };
    const iterator: EventStream<T> = {
      close,
      async next() {
        for (;;) {
          if (queue.length) return { value: queue.shift()!, done: false };
          if (failure) {
            const e = failure;
            failure = null;
            close();
            throw e;
          }
          if (done) return { value: undefined, done: true };
          await new Promise<void>((r) => (wake = r));
          wake = null;
        }
      },
      async return() {
        close();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /**
   * taskStatusChanged as an async iterator of events. After a lost connection it subscribes again
   * from the cursor of the last event received, so nothing committed meanwhile is missed and
   * nothing is delivered twice.
   */
  taskStatusChanged(args: { projectId?: string; taskIds?: string[]; statuses?: TaskStatus[]; afterCursor?: string } = {}, taskFields = 'id status title attempt'): EventStream<TaskStatusEvent> {
    let after = args.afterCursor ?? null;
    // Read each time the subscription is (re)sent: graphql-ws serialises the same payload object
    // again when it re-subscribes after a reconnection.
    const variables = {
      p: args.projectId,
      ids: args.taskIds,
      s: args.statuses,
      get c() {
        return after;
      },
    };
    return mapStream(
      this.subscribe<{ taskStatusChanged: TaskStatusEvent }>(
        `subscription($p: ID, $ids: [ID!], $s: [TaskStatus!], $c: String) { taskStatusChanged(projectId: $p, taskIds: $ids, statuses: $s, afterCursor: $c) { cursor taskId projectId previousStatus status at task { ${taskFields} } } }`,
        variables,
        (d) => (after = d.taskStatusChanged.cursor),
      ),
      (d) => d.taskStatusChanged,
    );
  }

  taskProgress(projectId: string, taskIds?: string[]): EventStream<ProgressEvent> {
    return mapStream(
      this.subscribe<{ taskProgress: ProgressEvent }>(
        `subscription($p: ID!, $ids: [ID!]) { taskProgress(projectId: $p, taskIds: $ids) { taskId projectId attempt progress { percent message at } } }`,
        { p: projectId, ids: taskIds },
      ),
      (d) => d.taskProgress,
    );
  }

  private connection(): Connection {
    return (this.socket ??= new Connection({ url: this.wsUrl, authorization: this.auth }));
  }

  /** Closes the WebSocket if one was opened. */
  async close(): Promise<void> {
    await this.socket?.dispose();
    this.socket = null;
  }
}

function mapStream<A, B>(source: EventStream<A>, f: (a: A) => B): EventStream<B> {
  const mapped: EventStream<B> = {
    close: () => source.close(),
    async next() {
      const r = await source.next();
      return r.done ? { value: undefined, done: true } : { value: f(r.value), done: false };
    },
    async return() {
      source.close();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}

export function createClient(options: ClientOptions): TaskqClient {
  return new TaskqClient(options);
}
