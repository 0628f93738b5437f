import { createSchema } from 'graphql-yoga';
import { resolvers, type ApiContext } from './resolvers';
import { typeDefs } from './type-defs';

export type { ApiContext } from './resolvers';

export const schema = createSchema<ApiContext>({ typeDefs, resolvers });
