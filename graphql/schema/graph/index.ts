import { graphEdgeResolvers } from './edge-resolvers';
import { listingTypeDefs } from './listing-type-defs';
import { graphMutationResolvers } from './mutation-resolvers';
import { graphMutationTypeDefs } from './mutation-type-defs';
import { graphQueryResolvers } from './query-resolvers';
import { graphTypeDefs } from './type-defs';

/** The twin graph's part of the API: SDL and resolvers, merged into the schema by its index. */
export const graphSchema = {
  typeDefs: [graphTypeDefs, listingTypeDefs, graphMutationTypeDefs],
  resolvers: [graphQueryResolvers, graphEdgeResolvers, graphMutationResolvers],
};
