import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  CumulocityError,
  hasAnyRole,
  uniqueViolationOf,
  type Paging,
  type Principal,
  type Role,
  type Page,
} from '@depot/common';
import { And, Like, Not, Repository, type FindOperator } from 'typeorm';
import { CredentialsInvalidationService } from './credentials-invalidation.service';
import { PasswordHasher } from './password-hasher.service';
import { TenantsService } from './tenants.service';
import type { ChangePasswordDto, CreateUserDto, UpdateCurrentUserDto, UpdateUserDto } from './user.dto';
import { UserEntity } from './user.entity';

/**
 * Users of a tenant. Every call names the tenant and is checked against the caller: a tenant sees
 * only its own users (another tenant is a 404), except the management tenant's tenant admin.
 */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly tenants: TenantsService,
    private readonly invalidation: CredentialsInvalidationService,
    private readonly hasher: PasswordHasher,
  ) {}

  async current(principal: Principal): Promise<UserEntity> {
    return this.find(principal.tenantId, principal.userName);
  }

  /**
   * A page of the tenant's users: those whose name starts with `userNamePrefix` if given; only
   * device users (`device_...`, what device bootstrap creates) or none of them if `onlyDevices` is given.
   */
  async list(
    principal: Principal,
    tenantId: string,
    paging: Paging,
    userNamePrefix?: string,
    onlyDevices?: boolean,
  ): Promise<Page<UserEntity>> {
    await this.tenants.getVisible(principal, tenantId);
    const conditions: FindOperator<string>[] = [];
    if (userNamePrefix) conditions.push(Like(likePrefix(userNamePrefix)));
    if (onlyDevices !== undefined) {
      const device = Like(likePrefix(DEVICE_USER_PREFIX));
      conditions.push(onlyDevices ? device : Not(device));
    }
    const userName = conditions.length > 0 ? And(...conditions) : undefined;
    const query = {
      where: { tenantId, userName },
      order: { userName: 'ASC' as const },
      skip: paging.offset,
      take: paging.pageSize,
    };
    if (!paging.wantsTotal) return { items: await this.users.find(query) };
    const [items, total] = await this.users.findAndCount(query);
    return { items, total };
  }

  async get(principal: Principal, tenantId: string, userName: string): Promise<UserEntity> {
    await this.tenants.getVisible(principal, tenantId);
    return this.find(tenantId, userName);
  }

  async create(principal: Principal, tenantId: string, input: CreateUserDto): Promise<UserEntity> {
    await this.tenants.getVisible(principal, tenantId);
    const user = this.users.create({
      tenantId,
      userName: input.userName,
      passwordHash: await this.hasher.hash(input.password),
      email: input.email ?? null,
      firstName: input.firstName ?? null,
      lastName: input.lastName ?? null,
      enabled: input.enabled,
      roles: [],
      lastPasswordChange: new Date(),
    });
    try {
      return await this.users.save(user);
    } catch (error) {
      if (uniqueViolationOf(error))
        throw CumulocityError.conflict(
          'users',
          `User ${input.userName} already exists in tenant ${tenantId}`,
          'Duplicate',
        );
      throw error;
    }
  }

  async update(
    principal: Principal,
    tenantId: string,
    userName: string,
    input: UpdateUserDto,
  ): Promise<UserEntity> {
    const user = await this.getManageable(principal, tenantId, userName);
    // Only the given columns: a whole-row save would undo a concurrent role change.
    const changes: Partial<UserEntity> = {};
    if (input.password !== undefined) {
      changes.passwordHash = await this.hasher.hash(input.password);
      changes.lastPasswordChange = new Date();
    }
    if (input.enabled !== undefined) changes.enabled = input.enabled;
    Object.assign(changes, profileChanges(input));
    if (Object.keys(changes).length > 0) await this.users.update({ id: user.id, tenantId }, changes);
    await this.invalidation.forgetUser(tenantId, userName);
    return Object.assign(user, changes);
  }

  async changeOwnPassword(principal: Principal, input: ChangePasswordDto): Promise<void> {
    const user = await this.current(principal);
    await this.updateOwn(user, { password: input });
  }

  /**
   * `PUT /user/currentUser`: the caller's own profile fields, and the password when the current one
   * is given. Only a password change ends the user's cached logins (a profile edit keeps them).
   */
  async updateCurrent(
    principal: Principal,
    parse: (current: UserEntity) => UpdateCurrentUserDto,
  ): Promise<UserEntity> {
    const user = await this.current(principal);
    return this.updateOwn(user, parse(user));
  }

  private async updateOwn(user: UserEntity, input: UpdateCurrentUserDto): Promise<UserEntity> {
    const changes: Partial<UserEntity> = profileChanges(input);
    if (input.password !== undefined) {
      if (!(await this.hasher.verify(input.password.currentUserPassword, user.passwordHash)))
        throw CumulocityError.invalidData('users', 'currentUserPassword is not correct');
      changes.passwordHash = await this.hasher.hash(input.password.newPassword);
      changes.lastPasswordChange = new Date();
    }
    if (Object.keys(changes).length > 0)
      await this.users.update({ id: user.id, tenantId: user.tenantId }, changes);
    if (input.password !== undefined) await this.invalidation.forgetUser(user.tenantId, user.userName);
    return Object.assign(user, changes);
  }

  async delete(principal: Principal, tenantId: string, userName: string): Promise<void> {
    const user = await this.getManageable(principal, tenantId, userName);
    if (user.tenantId === principal.tenantId && user.userName === principal.userName)
      throw CumulocityError.invalidData('users', 'You cannot delete yourself');
    await this.users.delete({ id: user.id, tenantId });
    await this.invalidation.forgetUser(tenantId, userName);
    this.logger.log(`Deleted user ${tenantId}/${userName} by ${principal.tenantId}/${principal.userName}`);
  }

  /** Grants a role; a caller can only grant roles it holds itself (no escalation). */
  async assignRole(
    principal: Principal,
    tenantId: string,
    userName: string,
    role: Role,
  ): Promise<UserEntity> {
    if (!hasAnyRole(principal, [role]))
      throw CumulocityError.forbidden(`You cannot grant ${role}, which you do not have`);
    const user = await this.getManageable(principal, tenantId, userName);
    // In SQL, so concurrent grants and revokes on one user do not undo each other.
    await this.users.query(
      `UPDATE users SET roles = array_append(roles, $3) WHERE id = $1 AND tenant_id = $2 AND NOT ($3 = ANY (roles))`,
      [user.id, tenantId, role],
    );
    await this.invalidation.forgetUser(tenantId, userName);
    if (!user.roles.includes(role)) user.roles = [...user.roles, role];
    return user;
  }

  async unassignRole(principal: Principal, tenantId: string, userName: string, role: Role): Promise<void> {
    const user = await this.getManageable(principal, tenantId, userName);
    const removed = await this.users.query<[unknown[], number]>(
      `UPDATE users SET roles = array_remove(roles, $3) WHERE id = $1 AND tenant_id = $2 AND $3 = ANY (roles) RETURNING id`,
      [user.id, tenantId, role],
    );
    if (removed[1] === 0)
      throw CumulocityError.notFound('users', `User ${userName} does not have role ${role}`);
    await this.invalidation.forgetUser(tenantId, userName);
  }

  /**
   * A user the caller may change: one holding no role the caller lacks. Otherwise a user admin could
   * reset the password of a more privileged user and log in as them.
   */
  private async getManageable(principal: Principal, tenantId: string, userName: string): Promise<UserEntity> {
    const user = await this.get(principal, tenantId, userName);
    const lacking = user.roles.filter((role) => !principal.roles.includes(role));
    if (lacking.length > 0)
      throw CumulocityError.forbidden(
        `You cannot change ${userName}, who has roles you do not have (${lacking.join(', ')})`,
      );
    return user;
  }

  private async find(tenantId: string, userName: string): Promise<UserEntity> {
    if (!tenantId || !userName) throw CumulocityError.notFound('users', 'User not found');
    const user = await this.users.findOne({ where: { tenantId, userName } });
    if (!user) throw CumulocityError.notFound('users', `User ${userName} not found`);
    return user;
  }
}

/** Device users' names start with this (Cumulocity's `onlyDevices` filter). */
const DEVICE_USER_PREFIX = 'device_';

/** A LIKE pattern for names starting with `prefix`: LIKE's own characters (and its escape) match only themselves. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
}

/** Profile columns to write; an empty value clears one. */
function profileChanges(input: UpdateCurrentUserDto | UpdateUserDto): Partial<UserEntity> {
  const changes: Partial<UserEntity> = {};
  if (input.email !== undefined) changes.email = input.email || null;
  if (input.firstName !== undefined) changes.firstName = input.firstName || null;
  if (input.lastName !== undefined) changes.lastName = input.lastName || null;
  if (input.phone !== undefined) changes.phone = input.phone || null;
  return changes;
}
