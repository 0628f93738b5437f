import type { OfflineReason } from './state';

/** What the outside world asks of a device twin. Time (`at`) is always an input. */
export type DeviceCommand =
  | {
      readonly type: 'register';
      readonly at: string;
      readonly actor: string;
      readonly model?: string;
    }
  | {
      readonly type: 'connect';
      readonly at: string;
      readonly sessionId: string;
      readonly gatewayNode: string;
      readonly seq: number;
      readonly model?: string;
      readonly firmware?: string;
    }
  | {
      readonly type: 'report';
      readonly at: string;
      readonly sessionId: string;
      readonly seq: number;
      readonly state: Readonly<Record<string, unknown>>;
    }
  | {
      readonly type: 'disconnect';
      readonly at: string;
      readonly sessionId: string;
      readonly reason: OfflineReason;
    };
