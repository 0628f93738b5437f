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

/** A selection of `type`'s leaf fields, `depth` levels deep. */
export function selection(type: GraphQLOutputType, depth: number): string {
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
  select: string = selection(field.type, depth),
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
    query: `${operation} ${vars} { ${field.name}${args} ${select} }`,
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

/**
 * Fields below the root that read what a root query gives to fewer roles than `everyone`
 * (`Device.auditEntries` answers what `auditEntries` does): each must be refused to the roles
 * its root field refuses, however a request reaches it.
 */
export function narrowerNestedFields(
  schema: GraphQLSchema,
  permissions: Record<string, readonly string[]>,
  everyone: readonly string[],
): Array<{ parent: string; field: GraphQLField<unknown, unknown>; root: string }> {
  const rootOf = new Map<string, string>();
  for (const root of Object.values(schema.getQueryType()!.getFields())) {
    const allowed = permissions[root.name] ?? [];
    if (allowed.length < everyone.length) rootOf.set(getNamedType(root.type).name, root.name);
  }
  const roots = new Set(
    [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].map(
      (t) => t?.name,
    ),
  );
  const found: Array<{ parent: string; field: GraphQLField<unknown, unknown>; root: string }> = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || roots.has(type.name) || !isObjectType(type)) continue;
    // A mutation's payload answers the caller of a mutation its rule already allows.
    if (type.name.endsWith('Payload') || type.name.endsWith('WithSecret')) continue;
    for (const field of Object.values(type.getFields())) {
      const root = rootOf.get(getNamedType(field.type).name);
      if (root) found.push({ parent: type.name, field, root });
    }
  }
  return found;
}

/**
 * The shortest chain of fields (none with a required argument) from each of `starts` to a
 * value of type `target`, at most `maxSteps` long: every way a request can reach that type.
 */
export function pathsTo(
  starts: Array<GraphQLField<unknown, unknown>>,
  target: string,
  maxSteps = 3,
): Array<{ start: GraphQLField<unknown, unknown>; steps: string[] }> {
  const paths: Array<{ start: GraphQLField<unknown, unknown>; steps: string[] }> = [];
  for (const start of starts) {
    let frontier = [{ type: getNamedType(start.type), steps: [] as string[] }];
    let found: string[] | null = null;
    for (let depth = 0; depth <= maxSteps && found === null && frontier.length > 0; depth++) {
      const next: typeof frontier = [];
      for (const { type, steps } of frontier) {
        if (type.name === target) {
          found = steps;
          break;
        }
        if (!isObjectType(type)) continue;
        for (const f of Object.values(type.getFields())) {
          if (f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
          next.push({ type: getNamedType(f.type), steps: [...steps, f.name] });
        }
      }
      frontier = next;
    }
    if (found !== null) paths.push({ start, steps: found });
  }
  return paths;
}

/** The values at a chain of fields below `data` (lists are walked through). */
export function valuesAt(data: unknown, steps: string[]): unknown[] {
  let values: unknown[] = [data];
  for (const step of steps)
    values = values
      .flatMap((v) => (Array.isArray(v) ? v : [v]))
      .filter((v): v is Record<string, unknown> => v !== null && typeof v === 'object')
      .map((v) => v[step]);
  return values.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

/** Whether an answer shows anything at all (a name, a count, a row), beyond type names. */
export function hasContent(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '')
    return false;
  if (Array.isArray(value)) return value.some(hasContent);
  if (typeof value === 'object')
    return Object.entries(value).some(
      ([k, v]) => k !== '__typename' && k !== 'pageInfo' && hasContent(v),
    );
  return true;
}
