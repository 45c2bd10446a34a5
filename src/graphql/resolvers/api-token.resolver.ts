import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { ApiTokenType, CreateApiTokenInput, CreatedApiTokenType, ViewerType } from '../types/api-token.type';
import { createApiToken } from '../../scheduler/create-api-token';
import { revokeApiToken } from '../../scheduler/revoke-api-token';
import { listApiTokens } from '../../scheduler/list-api-tokens';
import type { GqlContext } from '../context';

/** Token management (ADMIN only, see src/auth/permissions.ts) and `viewer`. */
@Resolver()
export class ApiTokenResolver {
  @Query(() => ViewerType, { description: 'The role and project of the token making this request' })
  viewer(@Ctx() ctx: GqlContext): ViewerType {
    return { role: ctx.principal.role, projectId: ctx.principal.projectId, tokenName: ctx.principal.tokenName };
  }

  @Query(() => [ApiTokenType])
  apiTokens(@Ctx() ctx: GqlContext, @Arg('projectId', () => ID, { nullable: true }) projectId?: string) {
    return listApiTokens(ctx.statementEm, projectId);
  }

  @Mutation(() => CreatedApiTokenType, { description: 'The token is in the answer, once; only its hash is stored.' })
  createApiToken(@Arg('input', () => CreateApiTokenInput) input: CreateApiTokenInput, @Ctx() ctx: GqlContext) {
    return createApiToken(ctx.statementEm, ctx.principal, input, ctx.now());
  }

  @Mutation(() => ApiTokenType, { description: "Revokes at once on every instance; the token's WebSockets are closed with 4403." })
  revokeApiToken(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext) {
    return revokeApiToken(ctx.em, ctx.principal, id, ctx.tokenRevoked);
  }
}
