import { execFileSync, spawn } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../../deploy/embedded/child-process';
import { USER_CACHE_DIR } from '../../deploy/embedded/paths';

/**
 * The independent eMSP of the OCPI tests: extrawest-ocpi (py_ocpi, FastAPI) from PyPI, pinned,
 * installed with its dependencies into ~/.cache/doppel once (as the deploy checks' PyPI tools
 * are), and run by test/support/ocpi-emsp.py.
 */
const PACKAGES = ['extrawest-ocpi==2025.7.16', 'uvicorn==0.30.6'];
const SITE = path.join(USER_CACHE_DIR, 'extrawest-ocpi-2025.7.16', 'site');

export function ensureExtrawestOcpi(): string {
  if (existsSync(SITE)) return SITE;
  // Installed beside, then renamed: an install stopped halfway leaves nothing that looks whole.
  const scratch = `${SITE}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  execFileSync(
    'python3',
    [
      ...['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-warn-conflicts'],
      ...['--target', scratch, ...PACKAGES],
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' },
    },
  );
  renameSync(scratch, SITE);
  return SITE;
}

export interface OcpiEmsp {
  /** The eMSP's versions URL. */
  readonly versionsUrl: string;
  /** The token A the eMSP accepts from a CPO registering with it. */
  readonly tokenA: string;
  /** What the eMSP holds: tokens, the CPOs registered and their endpoints. */
  state(): Promise<EmspState>;
  /** The eMSP registers with a CPO (versions, details, POST credentials), as the library's client. */
  register(versionsUrl: string, tokenA: string): Promise<EmspRegistration>;
  /** One request to the CPO, its raw status and body. */
  call(
    method: string,
    url: string,
    token: string,
    json?: unknown,
  ): Promise<{ status: number; body: any }>;
  /** Pulls a list (following Link), each object checked with the library's Location model. */
  pull(
    url: string,
    token: string,
    model?: 'Location' | 'Tariff' | 'Session' | 'Cdr',
  ): Promise<{ pages: PulledPage[]; objects: any[]; error?: string; body?: string }>;
  /** One object, checked with the library's model (Location, EVSE or Connector). */
  get(
    url: string,
    token: string,
    model: 'Location' | 'EVSE' | 'Connector',
  ): Promise<{ status: number; object?: any; body?: any; error?: string }>;
  /** Sends an OCPI command to the CPO (built with the library's model), its response_url this eMSP's. */
  command(
    commandsUrl: string,
    token: string,
    type: string,
    body: Record<string, unknown>,
  ): Promise<{ uid: string; status: number; response?: any; body?: any; error?: string }>;
  /**
   * A driver's token of the eMSP (the library's Token model) and the verdict its real-time
   * authorisation gives (`ALLOWED` by default, with `reference` as its authorization_reference);
   * PUT to the CPO when its tokens URL and token C are given.
   */
  token(
    token: Record<string, unknown>,
    options?: { verdict?: string; url?: string; auth?: string; reference?: string },
  ): Promise<{ token: any; status?: number; body?: any }>;
  /** Changes one of the eMSP's tokens and PATCHes the change to the CPO. */
  patchToken(
    url: string,
    auth: string,
    uid: string,
    patch: Record<string, unknown>,
  ): Promise<{ status: number; body: any }>;
  /** A token read back from the CPO, checked with the library's Token model. */
  getToken(
    url: string,
    auth: string,
  ): Promise<{ status: number; object?: any; body?: any; error?: string }>;
  /** Starts (true) or ends an outage of the eMSP's Sessions and CDRs receivers (HTTP 503). */
  refuse(on: boolean): Promise<unknown>;
  /** Drops a Location from the eMSP's copy, as if it had never pulled it. */
  forget(locationId: string): Promise<{ forgotten: boolean }>;
  stop(): Promise<void>;
}

export interface PulledPage {
  count: number;
  total: string | null;
  limit: string | null;
  link: string | null;
  from_party: string | null;
}

export interface EmspCredentials {
  token: string;
  url: string;
  roles: Array<{
    role: string;
    party_id: string;
    country_code: string;
    business_details: { name: string };
  }>;
}
export interface EmspRegistration {
  token_c: string;
  credentials: EmspCredentials;
  endpoints: Array<{ identifier: string; role: string; url: string }>;
}
export interface EmspState {
  tokens_a: string[];
  /** Locations as the eMSP holds them (pulled, then PATCHed): [evse uid, status] each. */
  locations: Record<string, Array<[string, string]>>;
  /** The Locations as the eMSP stores them (each checked with the library's Location model). */
  location_objects: Record<string, any>;
  log: Array<Record<string, unknown>>;
  /** CommandResults the CPO POSTed to this eMSP's response_url, by its uid. */
  command_results: Record<string, { result: string }>;
  /** The token uids CPOs asked this eMSP to authorise in real time (lower case). */
  authorized: string[];
  /** Sessions and CDRs the CPO pushed to this eMSP's receivers (checked by the library), by id. */
  sessions: Record<string, any>;
  cdrs: Record<string, any>;
  cpos: Array<{
    token_c: string;
    credentials: EmspCredentials | null;
    endpoints: EmspRegistration['endpoints'];
  }>;
}

async function control<T>(base: string, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${base}/control/${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`eMSP /control/${route}: HTTP ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Starts the eMSP on a free loopback port and waits until it answers. */
export async function startOcpiEmsp(
  tokenA = `emsp-token-a-${Date.now().toString(36)}`,
): Promise<OcpiEmsp> {
  const site = ensureExtrawestOcpi();
  const port = await freePort();
  const child = spawn(
    'python3',
    [path.join(import.meta.dirname, 'ocpi-emsp.py'), String(port), tokenA],
    {
      env: { ...process.env, PYTHONPATH: site, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the eMSP exited: ${output}`);
    try {
      await control(base, 'state');
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`the eMSP did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    versionsUrl: `${base}/ocpi/versions`,
    tokenA,
    state: () => control(base, 'state'),
    register: (versionsUrl, token) =>
      control(base, 'register', { versions_url: versionsUrl, token_a: token }),
    call: (method, url, token, json) => control(base, 'call', { method, url, token, json }),
    pull: (url, token, model = 'Location') => control(base, 'pull', { url, token, model }),
    get: (url, token, model) => control(base, 'get', { url, token, model }),
    command: (url, token, type, body) => control(base, 'command', { url, token, type, body }),
    token: (token, options = {}) => control(base, 'token', { token, ...options }),
    patchToken: (url, auth, uid, patch) => control(base, 'token-patch', { url, auth, uid, patch }),
    getToken: (url, auth) => control(base, 'token-get', { url, auth }),
    refuse: (on) => control(base, 'refuse', { on }),
    forget: (locationId) => control(base, 'forget', { location_id: locationId }),
    async stop() {
      // Stopped already (an exit, or the signal of an earlier stop): no 'exit' is coming.
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}
