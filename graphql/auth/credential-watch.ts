import type { Credential } from './authenticate';
import type { CredentialCheck, CredentialEnd } from './credential-check';

/** How often watched API keys are checked for revocation, by default. */
export const DEFAULT_SWEEP_MS = 5_000;

/** setTimeout fires at once past this (about 24.8 days): later expiries are waited for in steps. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

interface Watched {
  readonly credential: Credential;
  readonly onEnd: (end: CredentialEnd) => void;
  timer?: NodeJS.Timeout;
}

/**
 * Ends what a credential keeps open once the credential is no longer good: a timer at a
 * JWT's `exp`, and a periodic sweep that asks whether watched API keys were revoked. The sweep
 * runs only while something is watched, and no timer keeps the process alive.
 *
 * @example
 * const stop = watch.watch(credential, (end) => socket.close(end.closeCode, end.error.message));
 * socket.once('close', stop);
 */
export class CredentialWatch {
  private readonly watched = new Set<Watched>();
  /** How many watched credentials are API keys: the sweep runs while there are any. */
  private keys = 0;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly check: CredentialCheck,
    private readonly sweepMs = DEFAULT_SWEEP_MS,
  ) {}

  /** Calls `onEnd` once, when the credential ends; the returned function stops watching. */
  watch(credential: Credential, onEnd: (end: CredentialEnd) => void): () => void {
    const entry: Watched = { credential, onEnd };
    this.watched.add(entry);
    if (credential.expiresAt !== null) this.timeExpiry(entry);
    if (credential.apiKey !== null) this.keys++;
    if (this.keys > 0 && !this.sweeper && this.sweepMs > 0) {
      this.sweeper = setInterval(() => void this.sweep(), this.sweepMs);
      this.sweeper.unref();
    }
    return () => this.forget(entry);
  }

  private timeExpiry(entry: Watched) {
    const wait = Math.min(Math.max(entry.credential.expiresAt! - Date.now(), 0), LONGEST_TIMER_MS);
    entry.timer = setTimeout(() => {
      if (entry.credential.expiresAt! > Date.now()) this.timeExpiry(entry);
      else void this.recheck(entry);
    }, wait);
    entry.timer.unref();
  }

  private async sweep() {
    await Promise.all(
      [...this.watched].filter((e) => e.credential.apiKey !== null).map((e) => this.recheck(e)),
    );
  }

  private async recheck(entry: Watched) {
    let end: CredentialEnd | null;
    try {
      end = await this.check(entry.credential);
    } catch {
      return; // the database is away: the next sweep asks again, as HTTP requests will
    }
    if (!end || !this.watched.has(entry)) return;
    this.forget(entry);
    entry.onEnd(end);
  }

  private forget(entry: Watched) {
    clearTimeout(entry.timer);
    if (!this.watched.delete(entry)) return;
    if (entry.credential.apiKey !== null) this.keys--;
    if (this.sweeper && this.keys === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** Stops every timer (the API is stopping); nothing watched is ended. */
  stop() {
    for (const entry of this.watched) clearTimeout(entry.timer);
    this.watched.clear();
    this.keys = 0;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
