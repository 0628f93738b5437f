import type { DeviceCommand } from '../twins/device';
import type { DeviceInput } from '../workflows/device-twin/messages';

/** Numbers the batches this API process sends, so twins can drop a retried one. */
export class TwinSender {
  private batch = 0;

  constructor(readonly sender: string) {}

  next(commands: readonly DeviceCommand[]): DeviceInput {
    return { sender: this.sender, batch: ++this.batch, commands };
  }
}
