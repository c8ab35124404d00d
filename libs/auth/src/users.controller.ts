import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Req } from '@nestjs/common';
import {
  ALL_ROLES,
  answerCollection,
  Authenticated,
  BaseUrl,
  Creates,
  CurrentPrincipal,
  MediaType,
  parseBooleanFilter,
  type Principal,
  readListFilters,
  ResponseMediaType,
  Role,
  Roles,
} from '@depot/common';
import type { Request } from 'express';
import { currentUserJson, roleJson, roleReferenceJson, userJson } from './auth.representation';
import {
  parseChangePasswordDto,
  parseCreateUserDto,
  parseRoleReference,
  parseUpdateCurrentUserDto,
  parseUpdateUserDto,
} from './user.dto';
import { UsersService } from './users.service';

const READ = [Role.UserManagementRead, Role.UserManagementAdmin];

/**
 * `username` is a prefix match, as in Cumulocity; `onlyDevices` keeps (`true`) or drops (`false`)
 * the `device_` users. Depot has no groups and records no user's owner: `groups` and `owner` are a
 * 422. `withSubusersCount` only decorates the answer (and every count would be 0): ignored.
 */
const USER_FILTERS = {
  resource: 'users',
  implemented: ['username', 'onlyDevices'] as const,
  refused: ['groups', 'owner'],
};

/** Cumulocity's user API: the current user, a tenant's users and their global roles. */
@Controller('user')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('currentUser')
  @Authenticated()
  @ResponseMediaType(MediaType.currentUser)
  async currentUser(@CurrentPrincipal() principal: Principal, @BaseUrl() baseUrl: string) {
    return currentUserJson(await this.users.current(principal), baseUrl);
  }

  @Put('currentUser')
  @Authenticated()
  @ResponseMediaType(MediaType.currentUser)
  async updateCurrentUser(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @BaseUrl() baseUrl: string,
  ) {
    const user = await this.users.updateCurrent(principal, (current) =>
      parseUpdateCurrentUserDto(body, current),
    );
    return currentUserJson(user, baseUrl);
  }

  @Put('currentUser/password')
  @Authenticated()
  @HttpCode(200)
  async changePassword(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<void> {
    await this.users.changeOwnPassword(principal, parseChangePasswordDto(body));
  }

  @Get('roles')
  @Roles(...READ)
  @ResponseMediaType(MediaType.roleCollection)
  roles(@Req() request: Request) {
    return answerCollection(request, { resource: 'users', property: 'roles', toJson: roleJson }, (paging) =>
      Promise.resolve({
        items: ALL_ROLES.slice(paging.offset, paging.offset + paging.pageSize),
        total: ALL_ROLES.length,
      }),
    );
  }

  @Get(':tenant/users')
  @Roles(...READ)
  @ResponseMediaType(MediaType.userCollection)
  list(@CurrentPrincipal() principal: Principal, @Param('tenant') tenant: string, @Req() request: Request) {
    const { username, onlyDevices } = readListFilters(request.query, USER_FILTERS);
    const devices = parseBooleanFilter('users', 'onlyDevices', onlyDevices);
    return answerCollection(request, { resource: 'users', property: 'users', toJson: userJson }, (paging) =>
      this.users.list(principal, tenant, paging, username, devices),
    );
  }

  @Post(':tenant/users')
  @Roles(Role.UserManagementAdmin)
  @Creates(MediaType.user)
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('tenant') tenant: string,
    @Body() body: unknown,
    @BaseUrl() baseUrl: string,
  ) {
    const user = await this.users.create(principal, tenant, parseCreateUserDto(body));
    return userJson(user, baseUrl);
  }

  @Get(':tenant/users/:userName')
  @Roles(...READ)
  @ResponseMediaType(MediaType.user)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('tenant') tenant: string,
    @Param('userName') userName: string,
    @BaseUrl() baseUrl: string,
  ) {
    return userJson(await this.users.get(principal, tenant, userName), baseUrl);
  }

  @Put(':tenant/users/:userName')
  @Roles(Role.UserManagementAdmin)
  @ResponseMediaType(MediaType.user)
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('tenant') tenant: string,
    @Param('userName') userName: string,
    @Body() body: unknown,
    @BaseUrl() baseUrl: string,
  ) {
    const user = await this.users.update(principal, tenant, userName, parseUpdateUserDto(body));
    return userJson(user, baseUrl);
  }

  @Delete(':tenant/users/:userName')
  @Roles(Role.UserManagementAdmin)
  @HttpCode(204)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('tenant') tenant: string,
    @Param('userName') userName: string,
  ): Promise<void> {
    await this.users.delete(principal, tenant, userName);
  }

  @Post(':tenant/users/:userName/roles')
  @Roles(Role.UserManagementAdmin)
  @Creates(MediaType.roleReference)
  async assignRole(
    @CurrentPrincipal() principal: Principal,
    @Param('tenant') tenant: string,
    @Param('userName') userName: string,
    @Body() body: unknown,
    @BaseUrl() baseUrl: string,
  ) {
    const role = parseRoleReference(body);
    const user = await this.users.assignRole(principal, tenant, userName, role);
    return roleReferenceJson(user, role, baseUrl);
  }

  @Delete(':tenant/users/:userName/roles/:role')
  @Roles(Role.UserManagementAdmin)
  @HttpCode(204)
  async unassignRole(
    @CurrentPrincipal() principal: Principal,
    @Param('tenant') tenant: string,
    @Param('userName') userName: string,
    @Param('role') role: string,
  ): Promise<void> {
    await this.users.unassignRole(principal, tenant, userName, parseRoleReference({ role: { id: role } }));
  }
}
