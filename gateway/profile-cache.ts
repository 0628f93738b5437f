import type { DeviceProfile } from '../twins/profiles';

type Load = (tenantId: string, model: string) => Promise<{ profile: DeviceProfile } | null>;

/**
 * Device profiles by tenant and model, read from the database at most once per `ttlMs`, so a
 * changed profile reaches every gateway within that time without a read per message.
 */
export class ProfileCache {
  private readonly entries = new Map<
    string,
    { profile: DeviceProfile | null; expires: number; loading?: Promise<DeviceProfile | null> }
  >();

  constructor(
    private readonly load: Load,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(tenantId: string, model: string): Promise<DeviceProfile | null> {
    const key = `${tenantId}\u0000${model}`;
    const entry = this.entries.get(key);
    if (entry && entry.expires > this.now()) return entry.profile;
    if (entry?.loading) return entry.loading;
    const loading = this.load(tenantId, model).then((row) => row?.profile ?? null);
    this.entries.set(key, { profile: entry?.profile ?? null, expires: 0, loading });
    try {
      const profile = await loading;
      this.entries.set(key, { profile, expires: this.now() + this.ttlMs });
      return profile;
    } catch (error) {
      this.entries.delete(key);
      throw error;
    }
  }
}
