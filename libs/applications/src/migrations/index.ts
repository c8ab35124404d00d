import { CreateApplications1764160000000 } from './1764160000000-create-applications';
import { CreateApplicationSubscriptions1764160000100 } from './1764160000100-create-application-subscriptions';
import { CreateApplicationVersions1765000000000 } from './1765000000000-create-application-versions';

/** This library's migrations, in order (after the inventory's); the server adds them to its list. */
export const APPLICATIONS_MIGRATIONS = [
  CreateApplications1764160000000,
  CreateApplicationSubscriptions1764160000100,
  CreateApplicationVersions1765000000000,
];
export {
  CreateApplications1764160000000,
  CreateApplicationSubscriptions1764160000100,
  CreateApplicationVersions1765000000000,
};
