import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLInputType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bulkCommandConfigSchema, rolloutConfigSchema } from '../../../twins/rollout/config';
import { rolloutInputTypeDefs } from './rollout-input-type-defs';

/**
 * The GraphQL input types mirror the zod schemas, which judge every configuration: the same
 * fields, required where zod requires them, of the same kinds, with the same enum values. A
 * field added to one side only fails here.
 */
type Shape =
  | { kind: 'object'; fields: Record<string, { required: boolean; shape: Shape }> }
  | { kind: 'list'; of: Shape }
  | { kind: 'enum'; values: string[] }
  | { kind: 'int' | 'float' | 'string' | 'json' };

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: string[];
  const?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/** A discriminated union reads as one object: every variant's fields, required in all. */
function merge(variants: Shape[]): Shape {
  if (variants.length === 1) return variants[0]!;
  if (variants.every((v) => v.kind === 'enum'))
    return { kind: 'enum', values: [...new Set(variants.flatMap((v) => v.values))].sort() };
  const objects = variants as Array<Extract<Shape, { kind: 'object' }>>;
  const names = [...new Set(objects.flatMap((o) => Object.keys(o.fields)))];
  return {
    kind: 'object',
    fields: Object.fromEntries(
      names.map((name) => [
        name,
        {
          required: objects.every((o) => o.fields[name]?.required),
          shape: merge(objects.flatMap((o) => (o.fields[name] ? [o.fields[name].shape] : []))),
        },
      ]),
    ),
  };
}

function fromZod(schema: JsonSchema): Shape {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return merge(variants.map(fromZod));
  if (schema.const !== undefined) return { kind: 'enum', values: [schema.const] };
  if (schema.enum) return { kind: 'enum', values: [...schema.enum].sort() };
  switch (schema.type) {
    case 'object':
      if (!schema.properties) return { kind: 'json' };
      return {
        kind: 'object',
        fields: Object.fromEntries(
          Object.entries(schema.properties).map(([name, field]) => [
            name,
            { required: schema.required?.includes(name) ?? false, shape: fromZod(field) },
          ]),
        ),
      };
    case 'array':
      return { kind: 'list', of: fromZod(schema.items!) };
    case 'integer':
      return { kind: 'int' };
    case 'number':
      return { kind: 'float' };
    case 'string':
      return { kind: 'string' };
    default:
      throw new Error(`no GraphQL counterpart for ${JSON.stringify(schema)}`);
  }
}

function fromGraphql(type: GraphQLInputType): Shape {
  const named = isNonNullType(type) ? type.ofType : type;
  if (isListType(named)) return { kind: 'list', of: fromGraphql(named.ofType) };
  if (isEnumType(named))
    return {
      kind: 'enum',
      values: named
        .getValues()
        .map((v) => v.name)
        .sort(),
    };
  if (isInputObjectType(named))
    return {
      kind: 'object',
      fields: Object.fromEntries(
        Object.values(named.getFields()).map((field) => [
          field.name,
          { required: isNonNullType(field.type), shape: fromGraphql(field.type) },
        ]),
      ),
    };
  const scalars: Record<string, Shape> = {
    Int: { kind: 'int' },
    Float: { kind: 'float' },
    String: { kind: 'string' },
    ID: { kind: 'string' },
    JSONObject: { kind: 'json' },
  };
  return scalars[named.name] ?? { kind: 'string' };
}

const schema = buildSchema(`scalar JSONObject\ntype Query { _: Int }\n${rolloutInputTypeDefs}`);

describe('the rollout input types', () => {
  it.each([
    ['RolloutConfigInput', rolloutConfigSchema],
    ['BulkCommandConfigInput', bulkCommandConfigSchema],
  ] as const)('%s has the fields of the zod schema that judges it', (name, zod) => {
    const json = z.toJSONSchema(zod, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    expect(fromGraphql(schema.getType(name) as GraphQLInputType)).toEqual(fromZod(json));
  });
});
