import type { Logger } from 'pino';
import type { Database } from '../../db/client';
import { ocpiTokenByUid, tokenAuthorities, type TokenAuthority } from '../../db/ocpi-token-store';
import { findOcpiSettings } from '../../db/ocpi-settings-store';
import { recordOcpiRealtimeAuthorization } from '../../db/ocpi-realtime-authorization-store';
import type { Egress } from '../../outbound/egress';
import {
  authorizationInfo,
  cachedVerdict,
  ocppStatus,
  ocpiTokenType,
  tokenObject,
  type AllowedType,
  type OcpiToken,
} from '../../twins/ocpi/tokens';
import type { DeviceKey } from '../../twins/ids';
import type { GatewayMetrics } from '../metrics';

/** How long a station's Authorize waits for an eMSP's real-time answer. */
const REALTIME_TIMEOUT_MS = 5_000;

interface Entry {
  authorities: readonly TokenAuthority[];
  /** The tenant's setting: an idTag no eMSP answered about is accepted (else Invalid). */
  acceptUnanswered: boolean;
  loadedAt: number;
  refreshing: Promise<void> | null;
}

/** What an eMSP's ALLOWED brings besides the verdict: its Token and reference, when valid. */
interface Allowance {
  party: TokenAuthority;
  token: OcpiToken | null;
  reference: string | null;
}

/** An eMSP's verdict on one idTag: allowed or why not, unknown to it, or no answer. */
type RealtimeAnswer = { allowed: AllowedType; allowance: Allowance } | 'unknown' | 'no-answer';

/** Attempts to record a real-time ALLOWED (the database may be briefly away), 0.5 s doubling. */
const RECORD_ATTEMPTS = 6;

const tokenHeader = (token: string) => `Token ${Buffer.from(token, 'utf8').toString('base64')}`;

/**
 * Authorises stations' idTags for tenants that roam over OCPI (docs/ocpi.md, "Tokens
 * (Receiver)"): a token an eMSP pushed answers from the cache, an unknown one is asked of the
 * tenant's connected eMSPs in real time. A tenant without connected parties accepts every idTag
 * as before: its (empty) list of parties is cached here and refreshed every `maxAgeMs` in the
 * background, as the alarm rules are, so its stations cost no SQL per message.
 */
export class IdTagAuthorization {
  private readonly tenants = new Map<string, Entry>();
  /** Real-time ALLOWEDs being recorded, behind the stations' answers. */
  private readonly recording = new Set<Promise<void>>();

  constructor(
    private readonly opts: {
      database: Database;
      egress: Egress;
      metrics: GatewayMetrics;
      logger: Logger;
      maxAgeMs?: number;
      now?: () => number;
    },
  ) {}

  /** An idTag the server started a transaction for (station-session.ts): Accepted, counted. */
  remoteStarted(): string {
    this.opts.metrics.idTagAuthorizations.inc({ source: 'remote-start', status: 'Accepted' });
    return 'Accepted';
  }

  /**
   * The OCPP status for an idTag a station presents (Authorize, 1.6 StartTransaction, 2.0.1
   * TransactionEvent). `ocppType` is 2.0.1's idToken type.
   */
  async authorize(
    key: DeviceKey,
    protocol: string,
    idTag: string,
    ocppType?: string,
  ): Promise<string> {
    if (ocppType === 'NoAuthorization') return 'Accepted';
    const { authorities, acceptUnanswered } = await this.tenantOf(key.tenantId);
    if (authorities.length === 0) return 'Accepted';
    const unanswered = acceptUnanswered ? 'Accepted' : 'Invalid';
    const { database, metrics } = this.opts;
    const count = (source: string, status: string) => {
      metrics.idTagAuthorizations.inc({ source, status });
      return status;
    };
    const type = ocpiTokenType(ocppType);
    const found = await ocpiTokenByUid(database, key.tenantId, idTag);
    // A token of a party no longer connected vouches for nothing: asked about as unknown.
    const cached = authorities.some((a) => a.partyId === found?.ocpiPartyId) ? found : null;
    if (cached) {
      const verdict = cachedVerdict(cached.token);
      if (verdict === 'accept') return count('cache', 'Accepted');
      if (verdict === 'blocked') return count('cache', 'Blocked');
      const owner = authorities.filter((a) => a.partyId === cached.ocpiPartyId);
      // The eMSP knows the token by its own uid and type (the idTag may be its first 20 characters).
      const { uid, type: ownType } = cached.token as { uid?: unknown; type?: unknown };
      const answer = await this.ask(
        owner,
        typeof uid === 'string' ? uid : idTag,
        typeof ownType === 'string' ? ownType : type,
      );
      // The eMSP no longer knowing its own token is a refusal, not an outage.
      if (answer === 'unknown') return count('realtime', 'Invalid');
      if (answer !== 'no-answer') {
        this.allowed(key, idTag, answer);
        return count('realtime', ocppStatus(protocol, answer.allowed));
      }
      // ALLOWED_OFFLINE: the card may charge while its eMSP cannot be asked.
      return verdict === 'ask-then-accept'
        ? count('offline', 'Accepted')
        : count('offline', unanswered);
    }
    const answer = await this.ask(authorities, idTag, type);
    if (answer === 'unknown') return count('realtime', 'Invalid');
    if (answer === 'no-answer') return count('offline', unanswered);
    this.allowed(key, idTag, answer);
    return count('realtime', ocppStatus(protocol, answer.allowed));
  }

  /** Resolves once every real-time ALLOWED answered so far is recorded (or given up): shutdown. */
  async drained(): Promise<void> {
    while (this.recording.size > 0) await Promise.allSettled([...this.recording]);
  }

  /**
   * An eMSP allowed the idTag in real time: records it (party, station, Token,
   * authorization_reference) and caches its Token, so the session the station opens is that
   * eMSP's (docs/ocpi.md, "Whose session"). Behind the station's answer, which does not wait
   * for it; retried while the database is away, so what the station was told is not lost.
   */
  private allowed(key: DeviceKey, idTag: string, answer: RealtimeAnswer): void {
    if (typeof answer !== 'object' || answer.allowed !== 'ALLOWED') return;
    const { party, token, reference } = answer.allowance;
    const log = this.opts.logger.child({ ocpiParty: party.partyId, deviceId: key.deviceId });
    if (!token) {
      log.warn("real-time ALLOWED without a valid Token of the eMSP: its session stays nobody's");
      return;
    }
    const record = async () => {
      for (let attempt = 1; ; attempt++)
        try {
          return await recordOcpiRealtimeAuthorization(this.opts.database, {
            tenantId: key.tenantId,
            partyId: party.partyId,
            deviceId: key.deviceId,
            idTag,
            token,
            authorizationReference: reference,
          });
        } catch (error) {
          if (attempt >= RECORD_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** (attempt - 1)));
        }
    };
    const recording: Promise<void> = record()
      .catch((error: unknown) => {
        log.error({ err: error }, "real-time authorisation not recorded: its session is nobody's");
      })
      .finally(() => this.recording.delete(recording));
    this.recording.add(recording);
  }

  /**
   * Asks the parties at once: one that allows it decides; otherwise the first that refuses it;
   * `unknown` when every party answered that it does not know it.
   */
  private async ask(
    parties: readonly TokenAuthority[],
    uid: string,
    type: string,
  ): Promise<RealtimeAnswer> {
    const answers = await Promise.all(parties.map((p) => this.askOne(p, uid, type)));
    const known = answers.filter((a) => typeof a === 'object');
    const allowed = known.find((a) => a.allowed === 'ALLOWED');
    if (allowed) return allowed;
    if (known.length > 0) return known[0]!;
    return answers.length > 0 && answers.every((a) => a === 'unknown') ? 'unknown' : 'no-answer';
  }

  /** `POST {tokens}/{uid}/authorize?type=` to one eMSP (mod_tokens 12.1.2), token B, egress rules. */
  private async askOne(party: TokenAuthority, uid: string, type: string): Promise<RealtimeAnswer> {
    if (!party.tokensUrl) return 'no-answer';
    const url = `${party.tokensUrl.replace(/\/+$/, '')}/${encodeURIComponent(uid)}/authorize?type=${type}`;
    const log = this.opts.logger.child({ ocpiParty: party.partyId });
    let status: number;
    let text: string;
    try {
      const response = await this.opts.egress.fetch(url, {
        method: 'POST',
        headers: {
          authorization: tokenHeader(party.tokenB),
          'x-request-id': crypto.randomUUID(),
          'x-correlation-id': crypto.randomUUID(),
          'ocpi-from-country-code': party.cpoCountryCode,
          'ocpi-from-party-id': party.cpoPartyId,
          'ocpi-to-country-code': party.countryCode ?? '',
          'ocpi-to-party-id': party.partyCode ?? '',
        },
        signal: AbortSignal.timeout(REALTIME_TIMEOUT_MS),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      log.warn({ reason: cause ?? (error as Error).message }, 'real-time authorisation failed');
      return 'no-answer';
    }
    let body: { status_code?: unknown; data?: unknown } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON: judged by the HTTP status alone.
    }
    // OCPI: an unknown token is 404 with 2004 (some eMSPs send the 404 without an envelope).
    if (status === 404 || body.status_code === 2004) return 'unknown';
    if (
      status < 200 ||
      status > 299 ||
      typeof body.status_code !== 'number' ||
      body.status_code >= 2000
    ) {
      log.warn({ status, statusCode: body.status_code }, 'real-time authorisation refused');
      return 'no-answer';
    }
    // One AuthorizationInfo; extrawest-ocpi sends it as a one-element list.
    const data = Array.isArray(body.data) ? body.data[0] : body.data;
    const info = authorizationInfo.safeParse(data);
    if (!info.success) {
      log.warn(
        { data: text.slice(0, 200) },
        'real-time authorisation answered no AuthorizationInfo',
      );
      return 'no-answer';
    }
    // OCPI: `token` is the complete Token object; only the eMSP's own is cached.
    const token = tokenObject.safeParse(info.data.token);
    const own =
      token.success &&
      token.data.country_code.toUpperCase() === (party.countryCode ?? '').toUpperCase() &&
      token.data.party_id.toUpperCase() === (party.partyCode ?? '').toUpperCase();
    return {
      allowed: info.data.allowed,
      allowance: {
        party,
        token: own ? token.data : null,
        reference: info.data.authorization_reference ?? null,
      },
    };
  }

  /** The tenant's connected parties: read first for a tenant not seen, then refreshed behind. */
  private async tenantOf(tenantId: string): Promise<Omit<Entry, 'loadedAt' | 'refreshing'>> {
    const entry = this.tenants.get(tenantId);
    const now = this.opts.now?.() ?? Date.now();
    if (!entry) await this.refresh(tenantId);
    else if (now - entry.loadedAt >= (this.opts.maxAgeMs ?? 2_000) && !entry.refreshing)
      void this.refresh(tenantId).catch((error: unknown) => {
        // Kept: the parties in hand; the next idTag tries again.
        this.opts.logger.warn({ err: error, tenantId }, 'OCPI parties not re-read');
      });
    return this.tenants.get(tenantId) ?? { authorities: [], acceptUnanswered: false };
  }

  /** A tenant's parties, and its setting when it has any (others need none). */
  private async load(tenantId: string) {
    const authorities = await tokenAuthorities(this.opts.database, tenantId);
    const settings =
      authorities.length > 0 ? await findOcpiSettings(this.opts.database, tenantId) : null;
    return { authorities, acceptUnanswered: settings?.unansweredAuthorization === 'ACCEPT' };
  }

  private refresh(tenantId: string): Promise<void> {
    const entry = this.tenants.get(tenantId);
    if (entry?.refreshing) return entry.refreshing;
    const refreshing = this.load(tenantId).then(
      ({ authorities, acceptUnanswered }) => {
        this.tenants.set(tenantId, {
          authorities,
          acceptUnanswered,
          loadedAt: this.opts.now?.() ?? Date.now(),
          refreshing: null,
        });
      },
      (error: unknown) => {
        const kept = this.tenants.get(tenantId);
        if (kept) kept.refreshing = null;
        throw error;
      },
    );
    if (entry) entry.refreshing = refreshing;
    return refreshing;
  }
}
