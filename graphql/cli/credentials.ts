import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * Where `doppel login` keeps tokens, one per API URL, readable by the user only:
 * $DOPPEL_CONFIG_DIR, else $XDG_CONFIG_HOME/doppel, else ~/.config/doppel.
 */
export function credentialsFile(env = process.env): string {
  const dir =
    env.DOPPEL_CONFIG_DIR ??
    path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'doppel');
  return path.join(dir, 'credentials.json');
}

async function readAll(file: string): Promise<Record<string, string>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

export async function storedToken(apiUrl: string): Promise<string | undefined> {
  return (await readAll(credentialsFile()))[apiUrl];
}

/** Saves (or, with null, forgets) the token for an API URL. */
export async function storeToken(apiUrl: string, token: string | null): Promise<string> {
  const file = credentialsFile();
  const all = await readAll(file);
  if (token === null) delete all[apiUrl];
  else all[apiUrl] = token;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}
