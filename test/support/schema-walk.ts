import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';

/**
 * Builds a request for any root field of the schema, so tests can walk every operation
 * without a hand-written list that could miss one: arguments from their types (ids from
 * `ids` by argument name), and a selection of the leaf fields two levels deep.
 */
export interface WalkIds {
  tenantId: string;
  [argName: string]: unknown;
}

function valueFor(name: string, type: GraphQLInputType, ids: WalkIds): unknown {
  if (name in ids) return ids[name];
  if (isNonNullType(type)) return valueFor(name, type.ofType, ids);
  if (isListType(type)) return [];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) || field.name in ids)
        value[field.name] = valueFor(field.name, field.type, ids);
    }
    return value;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return 1;
      case 'Float':
        return 1;
      case 'Boolean':
        return false;
      case 'JSONObject':
        return {};
      case 'DateTime':
        return new Date(0).toISOString();
      default:
        return `walk-${name}`;
    }
  }
  return null;
}

function selection(type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (!(isObjectType(named) || isInterfaceType(named)) || depth === 0) return '{ __typename }';
  const fields = Object.values(named.getFields()).filter((f) =>
    f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined),
  );
  const parts = fields.flatMap((f) => {
    const inner = getNamedType(f.type);
    if (isLeafType(inner)) return [f.name];
    return depth > 1 ? [`${f.name} ${selection(f.type, depth - 1)}`] : [];
  });
  return `{ __typename ${parts.join(' ')} }`;
}

/** A document and its variables that call `field` of `operation` with ids from `ids`. */
export function requestFor(
  operation: 'query' | 'mutation' | 'subscription',
  field: GraphQLField<unknown, unknown>,
  ids: WalkIds,
  depth = 2,
): { query: string; variables: Record<string, unknown> } {
  const variables: Record<string, unknown> = {};
  const declared: string[] = [];
  const passed: string[] = [];
  for (const arg of field.args) {
    const value = valueFor(arg.name, arg.type, ids);
    if (value === null && !isNonNullType(arg.type)) continue;
    if (!isNonNullType(arg.type) && !(arg.name in ids)) continue;
    variables[arg.name] = value;
    declared.push(`$${arg.name}: ${String(arg.type)}`);
    passed.push(`${arg.name}: $${arg.name}`);
  }
  const vars = declared.length ? `(${declared.join(', ')})` : '';
  const args = passed.length ? `(${passed.join(', ')})` : '';
  return {
    query: `${operation} ${vars} { ${field.name}${args} ${selection(field.type, depth)} }`,
    variables,
  };
}

/** Every root field of the schema, by operation. */
export function rootFields(schema: GraphQLSchema) {
  return {
    query: Object.values(schema.getQueryType()!.getFields()),
    mutation: Object.values(schema.getMutationType()!.getFields()),
    subscription: Object.values(schema.getSubscriptionType()!.getFields()),
  };
}
