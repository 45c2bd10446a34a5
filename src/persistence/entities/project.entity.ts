import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';

@Entity({ tableName: 'project' })
export class Project {
  [OptionalProps]?: 'id' | 'createdAt' | 'paused';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'text', unique: true })
  name!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  /** While paused, claims take nothing from this project; everything else works. */
  @Property({ type: 'boolean' })
  paused: boolean = false;
}
