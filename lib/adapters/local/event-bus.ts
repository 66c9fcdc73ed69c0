import type { EventBus } from '../../services/feed-delivery-ports.ts';

/**
 * LocalEventBus: the local stand-in for the stage's EventBridge bus (no emulator installs here).
 * It records what would be put (source, detail-type, detail) and logs the type and id only. Like
 * PutEvents it refuses a detail that is not a JSON object.
 */
export type PutEntry = { source: string; detailType: string; detail: string; id: string };

export class LocalEventBus implements EventBus {
  readonly entries: PutEntry[] = [];
  constructor(private readonly log: (line: string) => void = () => {}) {}

  async put(events: { id: string; type: string; detail: string }[]): Promise<void> {
    for (const event of events) {
      const parsed: unknown = JSON.parse(event.detail);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('an EventBridge detail is a JSON object');
    }
    for (const event of events) {
      this.entries.push({ source: 'hotmart-enrollments', detailType: event.type, detail: event.detail, id: event.id });
      this.log(`LocalEventBus: ${event.type} ${event.id}`);
    }
  }
}
