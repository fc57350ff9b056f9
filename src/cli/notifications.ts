import type { Logger } from 'pino';
import type { Project } from '../config/index.js';
import { commitLink } from '../hosted/index.js';
import { createNotifier, type Notifier, type NotifyEvent } from '../notify/index.js';
import { selfHostedBase, type NotificationEvent } from '../promote/index.js';
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
    /** The config repo's remote URL, so events link the commit on its forge; undefined for a local repo. */
    private readonly remoteUrl?: string,
  ) {}

  notify(event: NotificationEvent): void {
    const notifier = this.current();
    if (!notifier) return;
    notifier.notify(toNotifyEvent(event, this.commitUrl(event.revision)));
  }

  private commitUrl(revision: string | undefined): string | undefined {
    if (!revision || !this.remoteUrl) return undefined;
    return commitLink(this.remoteUrl, revision, selfHostedBase(this.project()?.repository));
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

/**
 * What the promote part says, as the notifier's event: the facts every event has (actor,
 * artifacts, links, correlating ids) in their own fields, the rest in `details`.
 */
export function toNotifyEvent(event: NotificationEvent, commitUrl?: string): NotifyEvent {
  const { type, message, time, project, app, env, revision, actor, artifacts, syncId, promotionId } = event;
  const { verificationId, requestUrl, trigger, error, fromEnv } = event;
  const details: Record<string, unknown> = {
    ...(fromEnv ? { fromEnv } : {}),
    ...(trigger ? { trigger } : {}),
    ...(error ? { error } : {}),
    ...event.details,
  };
  return {
    type,
    message,
    time,
    project,
    ...(app ? { app } : {}),
    ...(env ? { env } : {}),
    ...(revision ? { revision } : {}),
    ...(actor ? { actor } : {}),
    ...(artifacts?.length
      ? { artifacts: artifacts.map(({ name, ref, tag, digest }) => ({ name, ref, tag, digest })) }
      : {}),
    ...(commitUrl ? { commitUrl } : {}),
    ...(requestUrl ? { requestUrl } : {}),
    ...(syncId !== undefined ? { syncId } : {}),
    ...(promotionId !== undefined ? { promotionId } : {}),
    ...(verificationId !== undefined ? { verificationId } : {}),
    ...(Object.keys(details).length ? { details } : {}),
  };
}
