import { Field, ID, InputType, ObjectType } from 'type-graphql';

@ObjectType('Project')
export class ProjectType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => Date)
  createdAt!: Date;
}

@InputType()
export class CreateProjectInput {
  @Field()
  name!: string;
}
