import { isValidId } from '../../../twins/ids';
import { apiError } from '../../errors';

export const NODE_TYPES = ['Customer', 'Site', 'Asset', 'Device'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export interface NodeRef {
  readonly type: NodeType;
  readonly tenantId: string;
  readonly id: string;
}

/**
 * A node's global id: base64 of `Type:tenant:id`. Tenant and ids never contain `:`, so the
 * id decodes unambiguously.
 *
 * @example globalId('Asset', 'acme', 'bay-3') // 'QXNzZXQ6YWNtZTpiYXktMw=='
 */
export function globalId(type: NodeType, tenantId: string, id: string): string {
  return Buffer.from(`${type}:${tenantId}:${id}`, 'utf8').toString('base64');
}

/** The node a global id names; refuses anything that is not one (`api:input.invalid-global-id`). */
export function parseGlobalId(value: string): NodeRef {
  const parts = Buffer.from(value, 'base64').toString('utf8').split(':');
  const [type, tenantId, id] = parts;
  if (
    parts.length !== 3 ||
    !NODE_TYPES.includes(type as NodeType) ||
    !isValidId(tenantId!) ||
    !isValidId(id!) ||
    globalId(type as NodeType, tenantId!, id!) !== value
  ) {
    throw apiError('api:input.invalid-global-id', `${value} is not the id of a node`);
  }
  return { type: type as NodeType, tenantId: tenantId!, id: id! };
}
