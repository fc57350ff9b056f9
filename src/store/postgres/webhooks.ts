import type { WebhookDeliveryStore } from '../webhook-types.js';
import type { PgDb } from './db.js';

/** Webhook deliveries seen (migration 7): the primary key makes a repeated id lose, on any instance. */
export class PgWebhookDeliveries implements WebhookDeliveryStore {
  constructor(private readonly db: PgDb) {}

  async claimDelivery(sender: string, deliveryId: string, receivedAt: string): Promise<boolean> {
    const n = await this.db.count(
      `INSERT INTO webhook_deliveries (sender, delivery_id, received_at) VALUES ($1, $2, $3)
       ON CONFLICT (sender, delivery_id) DO NOTHING`,
      [sender, deliveryId, receivedAt],
    );
    return n === 1;
  }
}
