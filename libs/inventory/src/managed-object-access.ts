import { CumulocityError, hasAnyRole, Role, type Principal } from '@depot/common';
import type { ManagedObjectEntity } from './managed-object.entity';

/**
 * Reading: ROLE_INVENTORY_READ or _ADMIN read anything in the tenant; a user with only
 * ROLE_INVENTORY_CREATE reads what it owns (the OAS's "READ or owner").
 */
export function canRead(principal: Principal, object: Pick<ManagedObjectEntity, 'owner'>): boolean {
  if (hasAnyRole(principal, [Role.InventoryRead, Role.InventoryAdmin])) return true;
  return hasAnyRole(principal, [Role.InventoryCreate]) && isOwner(principal, object);
}

/** Changing: ROLE_INVENTORY_ADMIN changes anything in the tenant, ROLE_INVENTORY_CREATE only what it owns. */
export function canModify(principal: Principal, object: Pick<ManagedObjectEntity, 'owner'>): boolean {
  if (hasAnyRole(principal, [Role.InventoryAdmin])) return true;
  return hasAnyRole(principal, [Role.InventoryCreate]) && isOwner(principal, object);
}

export function assertCanRead(principal: Principal, object: Pick<ManagedObjectEntity, 'owner'>): void {
  if (!canRead(principal, object)) throw CumulocityError.forbidden();
}

export function assertCanModify(principal: Principal, object: Pick<ManagedObjectEntity, 'owner'>): void {
  if (!canModify(principal, object)) throw CumulocityError.forbidden();
}

/** True when the caller may only see its own objects (lists are then filtered by owner). */
export function readsOnlyOwn(principal: Principal): boolean {
  return !hasAnyRole(principal, [Role.InventoryRead, Role.InventoryAdmin]);
}

function isOwner(principal: Principal, object: Pick<ManagedObjectEntity, 'owner'>): boolean {
  return object.owner === principal.userName;
}
