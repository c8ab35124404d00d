import {
  BaseUrl,
  Creates,
  CurrentPrincipal,
  MediaType,
  Roles,
  singleQueryValue,
  type Principal,
  APPLICATION_ADMINS,
} from '@depot/common';
import { Controller, Param, Post, Query } from '@nestjs/common';
import { toApplicationRepresentation } from '../application.representation';
import { ApplicationCloneService } from './application-clone.service';

/** `POST /application/applications/{id}/clone[?version=]` (the body, if any, is ignored). */
@Controller('application/applications/:id/clone')
export class ApplicationCloneController {
  constructor(private readonly clones: ApplicationCloneService) {}

  @Post()
  @Roles(...APPLICATION_ADMINS)
  @Creates(MediaType.application)
  async clone(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @BaseUrl() baseUrl: string,
  ): Promise<Record<string, unknown>> {
    const version = singleQueryValue(query, 'version', 'applications') || undefined;
    return toApplicationRepresentation(await this.clones.clone(principal, id, version), baseUrl);
  }
}
