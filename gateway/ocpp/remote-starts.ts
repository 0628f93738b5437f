/** How long an idTag the server started a transaction for is taken as authorised. */
const REMOTE_START_TTL_MS = 10 * 60_000;

/**
 * The idTags this connection's server sent in RemoteStartTransaction (1.6) and
 * RequestStartTransaction (2.0.1): whoever asked for the start — an eMSP's START_SESSION
 * (authorised by the eMSP: OCPI asks the CPO not to authorise it again) or an operator — vouched
 * for it, so the station's Authorize and StartTransaction with it are Accepted for a while. A
 * start the station refused is forgotten.
 */
export class RemoteStarts {
  private readonly idTags = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The idTag a start call carries, or null for any other call. */
  static idTagOf(action: string, params: Record<string, unknown>): string | null {
    if (action === 'RemoteStartTransaction' && typeof params.idTag === 'string')
      return params.idTag;
    const token = params.idToken as { idToken?: unknown } | undefined;
    if (action === 'RequestStartTransaction' && typeof token?.idToken === 'string')
      return token.idToken;
    return null;
  }

  remember(idTag: string): void {
    this.idTags.set(idTag.toUpperCase(), this.now() + REMOTE_START_TTL_MS);
  }

  forget(idTag: string): void {
    this.idTags.delete(idTag.toUpperCase());
  }

  has(idTag: string): boolean {
    const key = idTag.toUpperCase();
    const until = this.idTags.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.idTags.delete(key);
    return false;
  }
}
