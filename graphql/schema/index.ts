import { createSchema } from 'graphql-yoga';
import { backendResolvers } from './backend-resolvers';
import { backendTypeDefs } from './backend-type-defs';
import { changeResolvers } from './changes/resolvers';
import { changeTypeDefs } from './changes/type-defs';
import { graphSchema } from './graph';
import { bulkProvisioningResolvers } from './fleet/bulk-resolvers';
import { bulkProvisioningTypeDefs } from './fleet/bulk-type-defs';
import { provisioningResolvers } from './fleet/resolvers';
import { provisioningTypeDefs } from './fleet/type-defs';
import { rolloutResolvers } from './fleet/rollout-resolvers';
import { rolloutTypeDefs } from './fleet/rollout-type-defs';
import { resolvers, type ApiContext } from './resolvers';
import { typeDefs } from './type-defs';

export type { ApiContext } from './resolvers';

/** Each part of the API brings its SDL and resolvers; they are merged here. */
export const schema = createSchema<ApiContext>({
  typeDefs: [
    typeDefs,
    changeTypeDefs,
    backendTypeDefs,
    provisioningTypeDefs,
    bulkProvisioningTypeDefs,
    rolloutTypeDefs,
    ...graphSchema.typeDefs,
  ],
  resolvers: [
    resolvers,
    changeResolvers,
    backendResolvers,
    provisioningResolvers,
    bulkProvisioningResolvers,
    rolloutResolvers,
    ...graphSchema.resolvers,
  ],
});
