import { CreateApplications1764160000000 } from './1764160000000-create-applications';
import { NotifyApplicationChanges1764180000000 } from './1764180000000-notify-application-changes';

/** This library's migrations, in order (after the inventory's); the server adds them to its list. */
export const APPLICATIONS_MIGRATIONS = [
  CreateApplications1764160000000,
  NotifyApplicationChanges1764180000000,
];
export { CreateApplications1764160000000, NotifyApplicationChanges1764180000000 };
