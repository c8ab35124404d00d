import { Controller, Get, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { AUTHENTICATED_KEY, PUBLIC_KEY, Public, Roles, Role, ROLES_KEY } from '@depot/common';
import { startTestApp, type TestApp } from '../support/test-app';

/** Every route handler of `controllers` that declares neither @Roles, @Authenticated nor @Public. */
function undecidedRoutes(controllers: Type[]): string[] {
  const undecided: string[] = [];
  for (const controller of controllers) {
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = prototype[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue; // not a route
      const decided = [ROLES_KEY, AUTHENTICATED_KEY, PUBLIC_KEY].some(
        (key) =>
          Reflect.getMetadata(key, handler) !== undefined ||
          Reflect.getMetadata(key, controller) !== undefined,
      );
      const roles = (Reflect.getMetadata(ROLES_KEY, handler) ??
        Reflect.getMetadata(ROLES_KEY, controller)) as unknown[] | undefined;
      if (
        !decided ||
        (roles !== undefined && roles.length === 0 && !Reflect.getMetadata(PUBLIC_KEY, handler))
      )
        undecided.push(
          `${controller.name}.${name} (${String(Reflect.getMetadata(METHOD_METADATA, handler))})`,
        );
    }
  }
  return undecided;
}

@Controller('fixture')
class FixtureController {
  @Get('open')
  @Public()
  open() {}

  @Get('guarded')
  @Roles(Role.InventoryRead)
  guarded() {}

  @Get('forgotten')
  forgotten() {}
}

describe('route access decisions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('finds an undecorated route (the check itself works)', () => {
    expect(undecidedRoutes([FixtureController])).toEqual(['FixtureController.forgotten (0)']);
  });

  it('every registered route declares @Roles, @Authenticated or @Public', () => {
    const controllers = [...t.app.get(ModulesContainer).values()].flatMap((module) =>
      [...module.controllers.values()].map((wrapper) => wrapper.metatype as Type),
    );
    expect(controllers.length).toBeGreaterThanOrEqual(3);
    expect(undecidedRoutes(controllers)).toEqual([]);
  });
});
