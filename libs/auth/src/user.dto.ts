import { CumulocityError, isRole, type Role } from '@depot/common';

export interface CreateUserDto {
  userName: string;
  password: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  enabled: boolean;
}

export type UpdateUserDto = Partial<Omit<CreateUserDto, 'userName'>> & { phone?: string };

type ProfileChanges = Pick<UpdateUserDto, 'email' | 'firstName' | 'lastName' | 'phone'>;

/** What a user may change of themself (`PUT /user/currentUser`). */
export type UpdateCurrentUserDto = ProfileChanges & {
  /** A new password, only with the current one. */
  password?: ChangePasswordDto;
};

export interface ChangePasswordDto {
  currentUserPassword: string;
  newPassword: string;
}

// Cumulocity: no whitespace, slashes, "+", "$" or ":" in user names.
const USER_NAME = /^[^\s/+$:\\]{1,1000}$/;

function invalid(message: string): CumulocityError {
  return CumulocityError.invalidData('users', message);
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('Request body must be a JSON object');
  return body as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, name: string, max = 256): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max)
    throw invalid(`${name} must be a string of at most ${max} characters`);
  return value;
}

export function assertValidUserName(userName: unknown): string {
  if (typeof userName !== 'string' || !USER_NAME.test(userName))
    throw invalid('userName must be 1-1000 characters without whitespace, "/", "\\", "+", "$" or ":"');
  return userName;
}

/** Cumulocity's minimum; the bootstrap password is held to it too. */
export const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 256;

export function assertValidPassword(password: unknown, name = 'password'): string {
  if (
    typeof password !== 'string' ||
    password.length < MIN_PASSWORD_LENGTH ||
    password.length > MAX_PASSWORD_LENGTH
  )
    throw invalid(`${name} must be ${MIN_PASSWORD_LENGTH}-${MAX_PASSWORD_LENGTH} characters`);
  return password;
}

export function parseCreateUserDto(raw: unknown): CreateUserDto {
  const body = asObject(raw);
  const enabled = body.enabled;
  if (enabled !== undefined && typeof enabled !== 'boolean') throw invalid('enabled must be true or false');
  return {
    userName: assertValidUserName(body.userName),
    password: assertValidPassword(body.password),
    email: optionalString(body, 'email'),
    firstName: optionalString(body, 'firstName'),
    lastName: optionalString(body, 'lastName'),
    enabled: enabled ?? true,
  };
}

export function parseUpdateUserDto(raw: unknown): UpdateUserDto {
  const body = asObject(raw);
  const update: UpdateUserDto = {};
  if (body.password !== undefined) update.password = assertValidPassword(body.password);
  if (body.enabled !== undefined) {
    if (typeof body.enabled !== 'boolean') throw invalid('enabled must be true or false');
    update.enabled = body.enabled;
  }
  readProfile(body, update);
  if (body.userName !== undefined && body.userName !== null) throw invalid('userName cannot be changed');
  return update;
}

/** The fields of a user's profile; an empty or `null` value clears one. */
function readProfile(body: Record<string, unknown>, into: ProfileChanges): void {
  for (const name of ['email', 'firstName', 'lastName', 'phone'] as const) {
    if (name in body) into[name] = optionalString(body, name) ?? '';
  }
}

/**
 * What a user cannot give themself. What GET /user/currentUser shows (`effectiveRoles` included) is
 * read-only and ignored, so a client may send back what it read.
 */
const NOT_ONESELF = ['roles', 'groups', 'devicePermissions', 'applications'] as const;

/**
 * `PUT /user/currentUser`: `email`, `firstName`, `lastName`, `phone`, and `password` with
 * `currentUserPassword`. Read-only fields a client sends back as it read them (`id`, `self`,
 * `userName`, `enabled`, `lastPasswordChange`, ...) are ignored; changing `userName` or `enabled`,
 * or sending roles, groups or permissions, is a 422 (a user cannot grant themself anything).
 */
export function parseUpdateCurrentUserDto(
  raw: unknown,
  current: { userName: string; enabled: boolean },
): UpdateCurrentUserDto {
  const body = asObject(raw);
  const refused = NOT_ONESELF.find((name) => body[name] !== undefined);
  if (refused !== undefined) throw invalid(`${refused} cannot be changed through currentUser`);
  if (body.userName !== undefined && body.userName !== current.userName)
    throw invalid('userName cannot be changed');
  if (body.enabled !== undefined && body.enabled !== current.enabled)
    throw invalid('enabled cannot be changed through currentUser');
  const update: UpdateCurrentUserDto = {};
  readProfile(body, update);
  if (body.password !== undefined) {
    if (typeof body.currentUserPassword !== 'string')
      throw invalid('Changing the password needs currentUserPassword');
    update.password = {
      currentUserPassword: body.currentUserPassword,
      newPassword: assertValidPassword(body.password),
    };
  }
  return update;
}

export function parseChangePasswordDto(raw: unknown): ChangePasswordDto {
  const body = asObject(raw);
  if (typeof body.currentUserPassword !== 'string') throw invalid('currentUserPassword is required');
  return {
    currentUserPassword: body.currentUserPassword,
    newPassword: assertValidPassword(body.newPassword, 'newPassword'),
  };
}

/** `{"role":{"self":".../user/roles/ROLE_X"}}` (or `{"role":{"id":"ROLE_X"}}`) → the role. */
export function parseRoleReference(raw: unknown): Role {
  const body = asObject(raw);
  const role = body.role;
  if (typeof role !== 'object' || role === null)
    throw invalid('Body must be {"role":{"self":".../user/roles/<ROLE>"}}');
  const { self, id, name } = role as Record<string, unknown>;
  let candidate: unknown = id ?? name;
  if (typeof self === 'string')
    candidate = decodeURIComponent(self.replace(/\/+$/, '').split('/').pop() ?? '');
  if (typeof candidate !== 'string' || !isRole(candidate))
    throw invalid(`Unknown role ${JSON.stringify(candidate)}`);
  return candidate;
}
