import type { AssetCommand, AssetTwinState } from '../../twins/asset';
import type { Rejection } from '../../twins/errors';

export interface Queued {
  readonly command: AssetCommand;
  /** Set for commands that came as an update: the caller waits for the outcome. */
  readonly reply?: (outcome: AssetTwinState | Rejection) => void;
}

/**
 * The asset twin's commands in arrival order. Device statuses (signals) have no reply and
 * survive continue-as-new; updates always finish before it.
 */
export class AssetInbox {
  private readonly items: Queued[] = [];
  private inProgress: Queued[] = [];

  constructor(pending: readonly AssetCommand[] = []) {
    this.items.push(...pending.map((command) => ({ command })));
  }

  get length(): number {
    return this.items.length;
  }

  push(item: Queued): void {
    this.items.push(item);
  }

  /** The commands not yet applied, oldest first: in progress, then waiting. */
  peek(): readonly AssetCommand[] {
    return [...this.inProgress, ...this.items].map((i) => i.command);
  }

  /** Takes every waiting command; they count as in progress until `done()`. */
  takeAll(): Queued[] {
    this.inProgress = this.items.splice(0);
    return this.inProgress;
  }

  done(): void {
    this.inProgress = [];
  }

  /** What continue-as-new carries over. */
  snapshot(): { pending: AssetCommand[] } {
    return { pending: this.items.map((i) => i.command) };
  }
}
