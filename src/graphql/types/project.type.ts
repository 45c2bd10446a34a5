import { Field, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType('Project')
export class ProjectType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field({ description: 'While paused, claims take nothing from this project; everything else works' })
  paused!: boolean;
}

@InputType()
export class CreateProjectInput {
  @Field()
  name!: string;
}
