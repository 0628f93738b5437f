import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';

/** PostgreSQL's text form of a timestamp with time zone: `2026-01-01 10:00:00.5+00`. */
const POSTGRES_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}(:?\d{2})?$/;

/**
 * RFC 3339 date-times (graphql-scalars' `DateTime`), which also answers for a timestamp column
 * read in PostgreSQL's text form, so no resolver can forget to convert one (a row's `at` went
 * out as an internal error before).
 */
export const DateTime = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  serialize(value) {
    if (typeof value === 'string' && POSTGRES_TIMESTAMP.test(value))
      return DateTimeResolver.serialize(new Date(value));
    return DateTimeResolver.serialize(value);
  },
});
