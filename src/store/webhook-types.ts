/** Webhook deliveries seen, so a delivery sent again (a retry, a replay) acts once; part of every Store as `store.webhooks`. */
export interface WebhookDeliveryStore {
  /** Records a delivery; false when this sender's id was recorded before. */
  claimDelivery(sender: string, deliveryId: string, receivedAt: string): Promise<boolean>;
}
