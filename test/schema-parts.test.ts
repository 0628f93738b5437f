import { Kind, parse, print, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { API_TYPE_DEFS } from '../graphql/schema';

/**
 * The API's SDL comes in parts that are merged by name: two parts that each define a type of
 * the same name (rather than one `extend`ing the other) merge silently into one type with both
 * sets of fields, and queries of either break at run time. Each name is defined once.
 */
const DEFINITIONS = new Set<string>([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.INPUT_OBJECT_TYPE_DEFINITION,
  Kind.ENUM_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.UNION_TYPE_DEFINITION,
  Kind.SCALAR_TYPE_DEFINITION,
]);

const documentOf = (part: unknown): DocumentNode =>
  typeof part === 'string' ? parse(part) : parse(print(part as DocumentNode));

describe('the API schema parts', () => {
  it('define each type once (the rest extend it)', () => {
    const definedIn = new Map<string, number[]>();
    API_TYPE_DEFS.forEach((part, i) => {
      for (const d of documentOf(part).definitions)
        if (DEFINITIONS.has(d.kind) && 'name' in d && d.name)
          definedIn.set(d.name.value, [...(definedIn.get(d.name.value) ?? []), i]);
    });
    expect(definedIn.size).toBeGreaterThan(50);
    const twice = [...definedIn].filter(([, parts]) => parts.length > 1).map(([name]) => name);
    expect(twice).toEqual([]);
  });
});
