import { signToken } from '../../graphql/auth/dev-token';
import type { Role } from '../../graphql/auth/roles';

/** The JWT secret of every API the tests start. */
export const TEST_JWT_SECRET = 'doppel-test-secret-of-at-least-32-bytes-long';
export const TEST_AUTH = { secret: TEST_JWT_SECRET } as const;

/** A token of the tests' platform administrator: the default credentials of test requests. */
export const ADMIN_TOKEN = await signToken(
  TEST_JWT_SECRET,
  { sub: 'test-admin', role: 'platform-admin' },
  { expiresIn: '1d' },
);

/** Authorization header of a user with this role in this tenant. */
export async function bearer(role: Role, tenantId?: string, sub = `${role}-user`) {
  const token = await signToken(TEST_JWT_SECRET, {
    sub,
    role,
    ...(tenantId ? { tenant: tenantId } : {}),
  });
  return { authorization: `Bearer ${token}` };
}

/** The Ed25519 key every test worker signs ledger checkpoints with (a test key, public on purpose). */
export const TEST_LEDGER_KEY = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJhRfPJCDMS+Q0CTpOGvTce0FTnK1ROo9UXLOBprKJvz
-----END PRIVATE KEY-----
`;

/** Test workers sign checkpoints every second, so tests need not wait half a minute. */
export const TEST_CHECKPOINT_INTERVAL_S = 1;
