import { Role, type Principal } from '@depot/common';
import { canModify, canRead, readsOnlyOwn } from './managed-object-access';

const principal = (roles: Role[], userName = 'alice'): Principal => ({ tenantId: 't1', userName, roles });
const ownedByAlice = { owner: 'alice' };
const ownedByBob = { owner: 'bob' };

describe('managed object access', () => {
  it.each([
    [[Role.InventoryAdmin], ownedByBob, true, true],
    [[Role.InventoryRead], ownedByBob, true, false],
    [[Role.InventoryCreate], ownedByAlice, true, true],
    [[Role.InventoryCreate], ownedByBob, false, false],
    [[Role.InventoryRead, Role.InventoryCreate], ownedByBob, true, false],
    [[Role.ApplicationManagementAdmin], ownedByAlice, false, false],
  ])('roles %j on %j: read %s, modify %s', (roles, object, read, modify) => {
    expect(canRead(principal(roles), object)).toBe(read);
    expect(canModify(principal(roles), object)).toBe(modify);
  });

  it('limits lists to own objects only without READ or ADMIN', () => {
    expect(readsOnlyOwn(principal([Role.InventoryCreate]))).toBe(true);
    expect(readsOnlyOwn(principal([Role.InventoryRead]))).toBe(false);
    expect(readsOnlyOwn(principal([Role.InventoryAdmin]))).toBe(false);
  });
});
