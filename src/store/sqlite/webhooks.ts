import type Database from 'better-sqlite3';
import type { WebhookDeliveryStore } from '../webhook-types.js';

export class SqliteWebhookDeliveries implements WebhookDeliveryStore {
  constructor(private readonly db: Database.Database) {}

  async claimDelivery(sender: string, deliveryId: string, receivedAt: string): Promise<boolean> {
    const info = this.db
      .prepare('INSERT OR IGNORE INTO webhook_deliveries (sender, delivery_id, received_at) VALUES (?, ?, ?)')
      .run(sender, deliveryId, receivedAt);
    return info.changes === 1;
  }
}
