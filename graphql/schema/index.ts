import { createSchema } from 'graphql-yoga';
import { graphSchema } from './graph';
import { resolvers, type ApiContext } from './resolvers';
import { typeDefs } from './type-defs';

export type { ApiContext } from './resolvers';

/** Each part of the API brings its SDL and resolvers; they are merged here. */
export const schema = createSchema<ApiContext>({
  typeDefs: [typeDefs, ...graphSchema.typeDefs],
  resolvers: [resolvers, ...graphSchema.resolvers],
});
