/** The NOTIFY channel for project changes (pause / resume); the payload is the project id. */
export const PROJECT_CHANGED_CHANNEL = 'project_changed';

/**
 * Fans "project X changed" out to this instance's `projectChanged` subscribers. The signal comes
 * from PostgreSQL (pauseProject / resumeProject NOTIFY inside their transaction, so every
 * instance hears it, this one included, and only once it has committed); subscribers then read
 * the project row: events are hints, the row is the truth. Changes are rare (an operator's
 * click), so each subscriber keeps a small bounded queue and drops the oldest beyond it (a later
 * read of the row shows the newest state anyway).
 */
export class ProjectChanges {
  private readonly subscribers = new Set<ProjectChangeSubscriber>();

  publish(projectId: string): void {
    for (const s of this.subscribers) s.push(projectId);
  }

  subscribe(projectId: string | null): ProjectChangeSubscriber {
    const sub = new ProjectChangeSubscriber(projectId, (s) => this.subscribers.delete(s));
    this.subscribers.add(sub);
    return sub;
  }

  close(): void {
    for (const s of [...this.subscribers]) void s.return();
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}

const QUEUE_LIMIT = 100;

export class ProjectChangeSubscriber implements AsyncIterableIterator<string> {
  private readonly queue: string[] = [];
  private waiter: ((r: IteratorResult<string>) => void) | null = null;
  private done = false;

  constructor(
    private readonly projectId: string | null,
    private readonly onClose: (s: ProjectChangeSubscriber) => void,
  ) {}

  push(projectId: string): void {
    if (this.done || (this.projectId !== null && this.projectId !== projectId)) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      return w({ value: projectId, done: false });
    }
    this.queue.push(projectId);
    if (this.queue.length > QUEUE_LIMIT) this.queue.shift();
  }

  async next(): Promise<IteratorResult<string>> {
    if (this.queue.length > 0) return { value: this.queue.shift()!, done: false };
    if (this.done) return { value: undefined, done: true };
    return new Promise((resolve) => (this.waiter = resolve));
  }

  async return(): Promise<IteratorResult<string>> {
    if (!this.done) {
      this.done = true;
      this.queue.length = 0;
      this.onClose(this);
      this.waiter?.({ value: undefined, done: true });
      this.waiter = null;
    }
    return { value: undefined, done: true };
  }

  async throw(): Promise<IteratorResult<string>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
