import {
  answerCollection,
  BaseUrl,
  CurrentPrincipal,
  MediaType,
  ResponseMediaType,
  Roles,
  type Principal,
  INVENTORY_READERS,
  INVENTORY_WRITERS,
} from '@depot/common';
import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Put, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { InventoryService } from './inventory.service';
import { toManagedObjectRepresentation } from './managed-object.representation';
import { parseManagedObjectListQuery } from './query/parse-managed-object-list-query';

/** `/inventory/managedObjects[/{id}]` for the objects Depot keeps (binaries and their metadata). */
@Controller('inventory/managedObjects')
export class ManagedObjectsController {
  constructor(private readonly inventory: InventoryService) {}

  @Get()
  @Roles(...INVENTORY_READERS)
  @ResponseMediaType(MediaType.managedObjectCollection)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
  ): Promise<unknown> {
    return answerCollection(
      request,
      { resource: 'inventory', property: 'managedObjects', toJson: toManagedObjectRepresentation },
      (paging) => this.inventory.list(principal, parseManagedObjectListQuery(query, paging)),
    );
  }

  @Get(':id')
  @Roles(...INVENTORY_READERS)
  @ResponseMediaType(MediaType.managedObject)
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @BaseUrl() baseUrl: string,
  ): Promise<Record<string, unknown>> {
    const object = await this.inventory.findOne(principal, id);
    return toManagedObjectRepresentation(object, baseUrl);
  }

  @Put(':id')
  @Roles(...INVENTORY_WRITERS)
  @ResponseMediaType(MediaType.managedObject)
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Body() body: unknown,
    @BaseUrl() baseUrl: string,
  ): Promise<Record<string, unknown>> {
    const object = await this.inventory.update(principal, id, body);
    return toManagedObjectRepresentation(object, baseUrl);
  }

  @Delete(':id')
  @Roles(...INVENTORY_WRITERS)
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.inventory.remove(principal, id);
  }
}
