import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ROLES, Role } from '../../auth/principal';

export const RoleEnum = Object.fromEntries(ROLES.map((r) => [r, r])) as { [K in Role]: K };

registerEnumType(RoleEnum, {
  name: 'Role',
  description: 'ADMIN: everything (global when bound to no project). PRODUCER: create and manage tasks. WORKER: claim and work its own leases. VIEWER: read only.',
});

@ObjectType('ApiToken', { description: 'An API token; its secret is shown once, by createApiToken, and never stored.' })
export class ApiTokenType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => ID, { nullable: true, description: 'The one project the token may see; null for a global admin' })
  projectId!: string | null;

  @Field({ description: 'The first characters of the token, to tell tokens apart' })
  prefix!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'Updated at most once a minute' })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType('CreatedApiToken')
export class CreatedApiTokenType {
  @Field({ description: 'The secret: shown this once. Send it as "Authorization: Bearer <token>".' })
  token!: string;

  @Field(() => ApiTokenType)
  apiToken!: ApiTokenType;
}

@InputType()
export class CreateApiTokenInput {
  @Field()
  name!: string;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => ID, { nullable: true, description: 'Required for every role but a global ADMIN' })
  projectId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Default 90' })
  expiresInDays?: number | null;

  @Field(() => Boolean, { nullable: true })
  neverExpires?: boolean | null;
}

@ObjectType('Viewer', { description: 'Who the current token is' })
export class ViewerType {
  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => ID, { nullable: true })
  projectId!: string | null;

  @Field(() => String, { nullable: true })
  tokenName!: string | null;
}
