/**
 * Registers the fleet through the GraphQL API before anything connects, idempotently:
 * registerDevice shows a device's token once and refuses an existing device
 * (`twin:device.already-registered`), so tokens are kept in a local file
 * (.data/simulator/<tenant>.json by default). On a re-run, devices whose token is on file
 * and whose twin exists are reused; the rest are registered with a bounded pool of
 * concurrent calls. A device registered elsewhere (its token unknown here) is skipped.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DATA_DIR } from '../../deploy/embedded/paths';
import type { DeviceSpec, ReadyDevice } from './plan';
import { pool } from './pool';

interface TokenFile {
  tenant: string;
  api: string;
  tokens: Record<string, string>;
}

export interface Registration {
  devices: ReadyDevice[];
  registered: number;
  reused: number;
  /** Devices that exist without a token on file, or whose registration kept failing. */
  skipped: Array<{ deviceId: string; reason: string }>;
}

export interface RegistrationProgress {
  done: number;
  total: number;
}

type GraphqlAnswer = {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
};

/**
 * The API's credentials: DOPPEL_TOKEN (a JWT or API key allowed to register devices), else
 * the admin token `npm start` signed into its data folder.
 */
function authorization(): Record<string, string> {
  let token = process.env.DOPPEL_TOKEN;
  if (!token) {
    try {
      token = readFileSync(path.join(DATA_DIR, 'admin-token'), 'utf8').trim();
    } catch {
      return {};
    }
  }
  return { authorization: `Bearer ${token}` };
}

async function graphql(api: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(api, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...authorization(),
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  try {
    return JSON.parse(text) as GraphqlAnswer;
  } catch {
    throw new Error(`${api} answered ${response.status}: ${text.slice(0, 200)}`);
  }
}

const REGISTER = `mutation ($i: RegisterDeviceInput!) { registerDevice(input: $i) { token } }`;

async function loadTokens(file: string, tenant: string, api: string): Promise<TokenFile> {
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as TokenFile;
    if (stored.tenant === tenant && stored.tokens) return { ...stored, api };
  } catch {
    // no file yet, or unreadable: start afresh
  }
  return { tenant, api, tokens: {} };
}

async function saveTokens(file: string, tokens: TokenFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(tokens, null, 1), { mode: 0o600 });
  await rename(temporary, file);
}

/** Which of these devices have a twin (one aliased query per 100 devices). */
async function existing(api: string, tenant: string, ids: string[], concurrency: number) {
  const found = new Set<string>();
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += 100) chunks.push(ids.slice(i, i + 100));
  await pool(chunks, concurrency, async (chunk) => {
    const fields = chunk
      .map((id, i) => `d${i}: device(tenantId: $t, deviceId: ${JSON.stringify(id)}) { deviceId }`)
      .join('\n');
    const answer = await graphql(api, `query ($t: ID!) { ${fields} }`, { t: tenant });
    if (answer.errors?.length)
      throw new Error(`device lookup failed: ${answer.errors[0]!.message}`);
    chunk.forEach((id, i) => {
      if (answer.data?.[`d${i}`]) found.add(id);
    });
  });
  return found;
}

export async function registerFleet(
  specs: DeviceSpec[],
  options: {
    api: string;
    tenant: string;
    tokensFile: string;
    registerConcurrency: number;
    /** False: use only devices already registered with a token on file; register nothing. */
    registerMissing?: boolean;
  },
  onProgress: (progress: RegistrationProgress) => void = () => {},
): Promise<Registration> {
  const { api, tenant, tokensFile, registerConcurrency } = options;
  const file = await loadTokens(tokensFile, tenant, api);
  const known = specs.filter((s) => file.tokens[s.deviceId]);
  const present = await existing(
    api,
    tenant,
    known.map((s) => s.deviceId),
    registerConcurrency,
  );
  const result: Registration = { devices: [], registered: 0, reused: 0, skipped: [] };
  const todo: DeviceSpec[] = [];
  for (const spec of specs) {
    if (present.has(spec.deviceId)) {
      result.devices.push({ ...spec, token: file.tokens[spec.deviceId]! });
      result.reused++;
    } else if (options.registerMissing === false)
      result.skipped.push({ deviceId: spec.deviceId, reason: 'not registered yet' });
    else todo.push(spec);
  }
  // Kinds interleaved, so a registration cut short still leaves a mixed fleet.
  const kinds = new Map<string, number>();
  const rank = new Map(
    todo.map((spec) => {
      const n = kinds.get(spec.kind) ?? 0;
      kinds.set(spec.kind, n + 1);
      return [spec, n] as const;
    }),
  );
  todo.sort((a, b) => rank.get(a)! - rank.get(b)! || a.index - b.index);
  let done = result.reused;
  onProgress({ done, total: specs.length });
  let lastSave = Date.now();
  let saving: Promise<void> = Promise.resolve();
  await pool(todo, registerConcurrency, async (spec) => {
    for (let attempt = 1; ; attempt++) {
      let answer: GraphqlAnswer;
      try {
        answer = await graphql(api, REGISTER, {
          i: { tenantId: tenant, deviceId: spec.deviceId, model: spec.model },
        });
      } catch (error) {
        answer = { errors: [{ message: String(error) }] };
      }
      const token = answer.data?.registerDevice?.token as string | undefined;
      const error = answer.errors?.[0];
      if (token) {
        file.tokens[spec.deviceId] = token;
        result.devices.push({ ...spec, token });
        result.registered++;
        break;
      }
      const onFile = file.tokens[spec.deviceId];
      if (error?.extensions?.code === 'twin:device.already-registered' && onFile) {
        result.devices.push({ ...spec, token: onFile });
        result.reused++;
        break;
      }
      if (error?.extensions?.code === 'twin:device.already-registered' || attempt >= 4) {
        result.skipped.push({
          deviceId: spec.deviceId,
          reason: error?.extensions?.code ?? error?.message ?? 'no token',
        });
        break;
      }
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
    onProgress({ done: ++done, total: specs.length });
    if (Date.now() - lastSave > 2_000) {
      lastSave = Date.now();
      saving = saving.then(() => saveTokens(tokensFile, file));
    }
  });
  await saving;
  await saveTokens(tokensFile, file);
  return result;
}
