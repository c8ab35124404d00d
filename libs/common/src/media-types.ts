/** Cumulocity media types (`application/vnd.com.nsn.cumulocity.<type>+json;ver=0.9;charset=UTF-8`). */
export function cumulocityMediaType(type: string): string {
  return `application/vnd.com.nsn.cumulocity.${type}+json;ver=0.9;charset=UTF-8`;
}

export const MediaType = {
  error: cumulocityMediaType('error'),
  managedObject: cumulocityMediaType('managedObject'),
  managedObjectCollection: cumulocityMediaType('managedObjectCollection'),
  application: cumulocityMediaType('application'),
  applicationCollection: cumulocityMediaType('applicationCollection'),
  applicationBinaries: cumulocityMediaType('applicationbinaries'),
  applicationReference: cumulocityMediaType('applicationReference'),
  applicationReferenceCollection: cumulocityMediaType('applicationReferenceCollection'),
  applicationVersion: cumulocityMediaType('applicationVersion'),
  applicationVersionCollection: cumulocityMediaType('applicationVersionCollection'),
  option: cumulocityMediaType('option'),
  user: cumulocityMediaType('user'),
  userCollection: cumulocityMediaType('userCollection'),
  currentUser: cumulocityMediaType('currentUser'),
  tenant: cumulocityMediaType('tenant'),
  tenantCollection: cumulocityMediaType('tenantCollection'),
  loginOptionCollection: cumulocityMediaType('loginOptionCollection'),
  currentTenant: cumulocityMediaType('currentTenant'),
  roleCollection: cumulocityMediaType('roleCollection'),
  roleReference: cumulocityMediaType('roleReference'),
} as const;
