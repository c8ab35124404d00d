import { CreateApplications1764160000000 } from './1764160000000-create-applications';
import { CreateApplicationSubscriptions1764160000100 } from './1764160000100-create-application-subscriptions';
import { NotifyApplicationChanges1764180000000 } from './1764180000000-notify-application-changes';
import { CreateApplicationVersions1765000000000 } from './1765000000000-create-application-versions';
import { NotifyApplicationVersionChanges1765000000100 } from './1765000000100-notify-application-version-changes';

/** This library's migrations, in order (after the inventory's); the server adds them to its list. */
export const APPLICATIONS_MIGRATIONS = [
  CreateApplications1764160000000,
  CreateApplicationSubscriptions1764160000100,
  NotifyApplicationChanges1764180000000,
  CreateApplicationVersions1765000000000,
  NotifyApplicationVersionChanges1765000000100,
];
export {
  CreateApplications1764160000000,
  CreateApplicationSubscriptions1764160000100,
  NotifyApplicationChanges1764180000000,
  CreateApplicationVersions1765000000000,
  NotifyApplicationVersionChanges1765000000100,
};
