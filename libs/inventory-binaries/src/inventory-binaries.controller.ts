import {
  answerCollection,
  Creates,
  CumulocityError,
  CurrentPrincipal,
  declaredBodyLength,
  MediaType,
  requestBaseUrl,
  ResponseMediaType,
  Roles,
  sendDownload,
  StreamedBody,
  type Principal,
  INVENTORY_READERS,
  INVENTORY_WRITERS,
} from '@depot/common';
import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { parseManagedObjectListQuery, toManagedObjectRepresentation } from '@depot/inventory';
import type { Request, Response } from 'express';
import { BinariesService, tooLarge } from './binaries.service';
import { BinaryUploadService } from './binary-upload.service';

/** `/inventory/binaries`: upload, list, download, replace, delete. */
@Controller('inventory/binaries')
export class InventoryBinariesController {
  constructor(
    private readonly binaries: BinariesService,
    private readonly uploads: BinaryUploadService,
  ) {}

  @Post()
  @Roles(...INVENTORY_WRITERS)
  @Creates(MediaType.managedObject)
  async upload(
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
  ): Promise<Record<string, unknown>> {
    const object = await this.uploads.upload(principal, request);
    return toManagedObjectRepresentation(object, requestBaseUrl(request));
  }

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
      (paging) => this.binaries.list(principal, parseManagedObjectListQuery(query, paging)),
    );
  }

  // Express routes HEAD here too; the sender answers it without opening the blob.
  @Get(':id')
  @Roles(...INVENTORY_READERS)
  async download(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await sendDownload(request, response, await this.binaries.download(principal, id));
  }

  @Put(':id')
  @Roles(...INVENTORY_WRITERS)
  // The new content, whatever its type (JSON included), streams into storage.
  @StreamedBody()
  @ResponseMediaType(MediaType.managedObject)
  @HttpCode(HttpStatus.CREATED)
  async replace(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Req() request: Request,
  ): Promise<Record<string, unknown>> {
    assertHasBody(request, this.binaries.maxBinarySize);
    const object = await this.binaries.replace(principal, id, request, {
      contentType: request.headers['content-type'],
      ifMatch: request.headers['if-match'],
      declaredLength: declaredBodyLength(request),
    });
    return toManagedObjectRepresentation(object, requestBaseUrl(request));
  }

  @Delete(':id')
  @Roles(...INVENTORY_WRITERS)
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.binaries.remove(principal, id);
  }
}

/** A replace needs content: an absent or empty body is a 400, a declared oversize one a 413 at once. */
function assertHasBody(request: Request, maxSize: number): void {
  const declared = declaredBodyLength(request);
  const chunked = request.headers['transfer-encoding'] !== undefined;
  if (!chunked && !declared)
    throw CumulocityError.badRequest(
      'inventory',
      'PUT /inventory/binaries/{id} needs the new content as its body',
    );
  if (declared !== undefined && declared > maxSize) throw tooLarge(maxSize);
}
