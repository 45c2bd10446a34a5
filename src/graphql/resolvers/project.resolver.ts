import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { CreateProjectInput, ProjectType } from '../types/project.type';
import { createProject, findProject, listProjects } from '../../scheduler/projects';
import type { GqlContext } from '../context';

@Resolver(() => ProjectType)
export class ProjectResolver {
  @Query(() => [ProjectType])
  projects(@Ctx() ctx: GqlContext) {
    return listProjects(ctx.em, ctx.principal.projectId);
  }

  @Query(() => ProjectType, { nullable: true })
  project(@Arg('id', () => ID) id: string, @Ctx() ctx: GqlContext) {
    return findProject(ctx.em, id);
  }

  @Mutation(() => ProjectType)
  createProject(@Arg('input', () => CreateProjectInput) input: CreateProjectInput, @Ctx() ctx: GqlContext) {
    return createProject(ctx.em, input);
  }
}
