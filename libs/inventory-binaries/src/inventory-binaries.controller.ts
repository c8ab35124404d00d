import {
  buildCollection,
  CumulocityError,
  CurrentPrincipal,
  MediaType,
  parsePaging,
  requestBaseUrl,
  ResponseMediaType,
  Role,
  Roles,
  type Principal,
} from '@depot/common';
import {
  Controller,
  Delete,
  Get,
  Head,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { BinariesService, tooLarge } from './binaries.service';
import { BinaryUploadService } from './binary-upload.service';
import { downloadConditionsOf } from './plan-download';
import { parseBinaryListQuery } from './parse-binary-list-query';
import { sendBinary } from './send-binary';

const READERS = [Role.InventoryRead, Role.InventoryAdmin, Role.InventoryCreate];
const WRITERS = [Role.InventoryAdmin, Role.InventoryCreate];

/** `/inventory/binaries`: upload, list, download, replace, delete. */
@Controller('inventory/binaries')
export class InventoryBinariesController {
  constructor(
    private readonly binaries: BinariesService,
    private readonly uploads: BinaryUploadService,
  ) {}

  @Post()
  @Roles(...WRITERS)
  @ResponseMediaType(MediaType.managedObject)
  @HttpCode(HttpStatus.CREATED)
  async upload(
    @CurrentPrincipal() principal: Principal,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Record<string, unknown>> {
    const object = await this.uploads.upload(principal, request);
    const body = this.binaries.toRepresentation(object, requestBaseUrl(request));
    response.setHeader('Location', body.self as string);
    return body;
  }

  @Get()
  @Roles(...READERS)
  @ResponseMediaType(MediaType.managedObjectCollection)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
  ): Promise<unknown> {
    const paging = parsePaging(query, 'inventory');
    const { items, total } = await this.binaries.list(principal, parseBinaryListQuery(query, paging));
    const baseUrl = requestBaseUrl(request);
    return buildCollection({
      request,
      property: 'managedObjects',
      items: items.map((object) => this.binaries.toRepresentation(object, baseUrl)),
      paging,
      totalElements: total,
    });
  }

  // Declared before GET so Express does not answer HEAD through the GET route (which opens the blob).
  @Head(':id')
  @Roles(...READERS)
  async head(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await sendBinary(
      response,
      await this.binaries.openDownload(principal, id, downloadConditionsOf(request), false),
    );
  }

  @Get(':id')
  @Roles(...READERS)
  async download(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    await sendBinary(
      response,
      await this.binaries.openDownload(principal, id, downloadConditionsOf(request), true),
    );
  }

  @Put(':id')
  @Roles(...WRITERS)
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
      knownLength: declaredLength(request),
    });
    return this.binaries.toRepresentation(object, requestBaseUrl(request));
  }

  @Delete(':id')
  @Roles(...WRITERS)
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<void> {
    await this.binaries.remove(principal, id);
  }
}

/**
 * A request that fails before its body was read to the end (404, 403, 412, 413, bad multipart...)
 * gets `Connection: close`: the socket goes away after the answer instead of Node draining what may
 * be a gigabyte into the void to keep the connection alive.
 */
function declaredLength(request: Request): number | undefined {
  const declared = request.headers['content-length'];
  return declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
}

/** A replace needs content: an absent or empty body is a 400, a declared oversize one a 413 at once. */
function assertHasBody(request: Request, maxSize: number): void {
  const declared = request.headers['content-length'];
  const chunked = request.headers['transfer-encoding'] !== undefined;
  if (!chunked && (declared === undefined || Number(declared) === 0))
    throw CumulocityError.badRequest(
      'inventory',
      'PUT /inventory/binaries/{id} needs the new content as its body',
    );
  if (declared !== undefined && Number(declared) > maxSize) throw tooLarge(maxSize);
}
