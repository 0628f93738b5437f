import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { newJwtSecret, signToken } from '../../graphql/auth/dev-token';
import { keptSecret } from '../kept-secret';

/**
 * `npm start` without an identity provider: a JWT secret kept in the data directory (made on
 * the first start, mode 0600) and a platform-admin token signed with it, written next to it
 * for the CLI (`npm run doppel -- login --token-file .data/admin-token`) and GraphiQL.
 */
export async function firstAdmin(dataDir: string): Promise<{ secret: string; tokenFile: string }> {
  const secret = keptSecret(
    path.join(dataDir, 'api-jwt-secret'),
    () => `${newJwtSecret()}\n`,
  ).trim();
  const token = await signToken(
    secret,
    { sub: 'admin', role: 'platform-admin' },
    { expiresIn: '30d' },
  );
  const tokenFile = path.join(dataDir, 'admin-token');
  await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
  await chmod(tokenFile, 0o600);
  return { secret, tokenFile };
}
