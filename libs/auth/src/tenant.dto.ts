import { CumulocityError } from '@depot/common';
import { assertValidPassword, assertValidUserName } from './user.dto';

export interface CreateTenantDto {
  /** Generated (`t` + digits) when absent. */
  id?: string;
  company: string;
  domain: string;
  adminName: string;
  adminPass: string;
  adminEmail?: string;
}

/** Tenant ids: they appear in `tenant/user` logins and blob keys. */
export const TENANT_ID = /^[a-z][a-z0-9_-]{0,31}$/;
const DOMAIN = /^[a-z0-9]([a-z0-9.-]{0,254})$/i;

function invalid(message: string): CumulocityError {
  return CumulocityError.invalidData('tenants', message);
}

export function parseCreateTenantDto(raw: unknown): CreateTenantDto {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid('Request body must be a JSON object');
  const body = raw as Record<string, unknown>;
  const text = (name: string, max = 256): string => {
    const value = body[name];
    if (typeof value !== 'string' || value.trim() === '' || value.length > max)
      throw invalid(`${name} is required (a string of at most ${max} characters)`);
    return value;
  };
  if (body.id !== undefined && (typeof body.id !== 'string' || !TENANT_ID.test(body.id)))
    throw invalid('id must be lower-case letters, digits, "-" or "_", starting with a letter (max 32)');
  const domain = text('domain');
  if (!DOMAIN.test(domain)) throw invalid('domain must be a host name');
  let adminName: string;
  let adminPass: string;
  try {
    adminName = assertValidUserName(body.adminName);
    adminPass = assertValidPassword(body.adminPass, 'adminPass');
  } catch (error) {
    throw error instanceof CumulocityError ? invalid(error.message.replace('userName', 'adminName')) : error;
  }
  const adminEmail = body.adminEmail;
  if (adminEmail !== undefined && typeof adminEmail !== 'string')
    throw invalid('adminEmail must be a string');
  return {
    id: body.id,
    company: text('company'),
    domain: domain.toLowerCase(),
    adminName,
    adminPass,
    adminEmail,
  };
}
