import { applyDecorators, HttpCode, HttpStatus, UseInterceptors } from '@nestjs/common';
import { LocationInterceptor } from './location.interceptor';
import { ResponseMediaType } from './response-media-type.decorator';

/** A POST that creates a resource: 201, its media type, `Location` its `self`. */
export const Creates = (mediaType: string): MethodDecorator =>
  applyDecorators(
    HttpCode(HttpStatus.CREATED),
    ResponseMediaType(mediaType),
    UseInterceptors(LocationInterceptor),
  );
