import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { estimateComplexity } from '../../domain/complexity';
import { ComplexityEstimateType, ComplexityInput } from '../types/complexity.type';
import type { GqlContext } from '../context';

@Resolver()
export class ComplexityResolver {
  @Query(() => ComplexityEstimateType, { description: 'The complexity estimator over a description, without storing anything' })
  estimateComplexity(@Arg('input', () => ComplexityInput) input: ComplexityInput, @Ctx() ctx: GqlContext): ComplexityEstimateType {
    // Refuses bad input (validateComplexityInput) with BAD_USER_INPUT naming the field.
    return ComplexityEstimateType.from(estimateComplexity(input, { weights: ctx.complexityWeights, now: ctx.now() }));
  }
}
