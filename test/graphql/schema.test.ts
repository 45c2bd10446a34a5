import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSchema, GraphQLNamedType, isInputObjectType, isObjectType, isEnumType, GraphQLField, GraphQLInputField } from 'graphql';
import { buildAppSchema, printAppSchema } from '../../src/graphql/schema';

const root = path.resolve(__dirname, '../..');

describe('schema.graphql', () => {
  it('is exactly the schema generated from the code (run `npm run schema` after changing the API)', async () => {
    const committed = readFileSync(path.join(root, 'schema.graphql'), 'utf8');
    expect(committed).toBe(await printAppSchema());
  });
});

describe('the public contract (DESIGN.md SDL excerpt)', () => {
  const contract = buildSchema(readFileSync(path.join(root, 'test/fixtures/contract.graphql'), 'utf8'));
  const named = Object.values(contract.getTypeMap()).filter((t) => !t.name.startsWith('__'));

  it('every type, field, argument and enum value is still there with the same type', async () => {
    const schema = await buildAppSchema();
    const problems: string[] = [];
    for (const want of named as GraphQLNamedType[]) {
      const have = schema.getType(want.name);
      if (!have) {
        problems.push(`missing type ${want.name}`);
        continue;
      }
      if (isEnumType(want)) {
        const values = isEnumType(have) ? have.getValues().map((v) => v.name) : [];
        for (const v of want.getValues()) if (!values.includes(v.name)) problems.push(`missing enum value ${want.name}.${v.name}`);
      }
      if (isObjectType(want) || isInputObjectType(want)) {
        const haveFields = (isObjectType(have) || isInputObjectType(have) ? have.getFields() : {}) as Record<string, GraphQLField<unknown, unknown> | GraphQLInputField>;
        for (const [name, field] of Object.entries(want.getFields() as Record<string, GraphQLField<unknown, unknown> | GraphQLInputField>)) {
          const h = haveFields[name];
          if (!h) {
            problems.push(`missing field ${want.name}.${name}`);
            continue;
          }
          if (String(h.type) !== String(field.type)) problems.push(`${want.name}.${name}: ${h.type} instead of ${field.type}`);
          if ('args' in field && 'args' in h) {
            for (const arg of field.args) {
              const ha = h.args.find((a) => a.name === arg.name);
              if (!ha) problems.push(`missing argument ${want.name}.${name}(${arg.name})`);
              else if (String(ha.type) !== String(arg.type)) problems.push(`${want.name}.${name}(${arg.name}): ${ha.type} instead of ${arg.type}`);
            }
            for (const ha of h.args) {
              if (!field.args.some((a) => a.name === ha.name) && String(ha.type).endsWith('!')) problems.push(`new required argument ${want.name}.${name}(${ha.name}) breaks clients`);
            }
          }
          if ('deprecationReason' in field && field.deprecationReason && !('deprecationReason' in h && h.deprecationReason)) {
            problems.push(`${want.name}.${name} should be marked @deprecated`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
