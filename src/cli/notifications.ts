import type { Logger } from 'pino';
import type { Project } from '../config/index.js';
import { createNotifier, type Notifier } from '../notify/index.js';
import type { NotificationEvent } from '../promote/index.js';
import type { Store } from '../store/types.js';

/**
 * Sends the events that matter to people (sync failed, drift, promotions, rollbacks) to the
 * sinks of the newest project's sluice.yaml, rebuilding the notifier when a commit changes them.
 */
export class NotificationRelay {
  private notifier: Notifier | undefined;
  private configKey = '';

  constructor(
    private readonly project: () => Project | undefined,
    private readonly dashboardUrl: () => string,
    private readonly log: Logger,
    private readonly store: Pick<Store, 'addEvent'>,
  ) {}

  notify(event: NotificationEvent): void {
    const notifier = this.current();
    if (!notifier) return;
    const { type, message, time, project, app, env, revision, ...details } = event;
    notifier.notify({
      type,
      message,
      time,
      project,
      ...(app ? { app } : {}),
      ...(env ? { env } : {}),
      ...(revision ? { revision } : {}),
      ...(Object.keys(details).length ? { details: details as Record<string, unknown> } : {}),
    });
  }

  async close(): Promise<void> {
    await this.notifier?.close();
  }

  /** The notifier for the project's current sinks; rebuilt when a commit changes them. */
  private current(): Notifier | undefined {
    const project = this.project();
    if (!project || project.notifications.length === 0) return undefined;
    const key = JSON.stringify(project.notifications);
    if (key !== this.configKey) {
      void this.notifier?.close();
      this.configKey = key;
      this.notifier = createNotifier(
        {
          project: project.name,
          sinks: project.notifications,
          dashboardUrl: this.dashboardUrl(),
          environments: project.environments.map((e) => e.name),
        },
        {
          log: this.log.child({ part: 'notify' }),
          onDeliveryFailed: (f) =>
            void this.store.addEvent({
              project: project.name,
              ...(f.event.app ? { app: f.event.app } : {}),
              ...(f.event.env ? { env: f.event.env } : {}),
              type: 'notification.failed',
              severity: 'warning',
              message: `notification "${f.sink}" gave up after ${f.attempts} attempts: ${f.error.message}`,
            }),
        },
      );
    }
    return this.notifier;
  }
}
