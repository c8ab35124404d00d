import { SetMetadata } from '@nestjs/common';

export const STREAMED_BODY_KEY = 'depot:streamed-body';

/**
 * The route's request body is its payload and streams to the handler untouched, whatever its
 * Content-Type (e.g. `PUT /inventory/binaries/{id}`, whose new content may well be JSON).
 * Honoured by `JsonBodyInterceptor`.
 */
export const StreamedBody = (): MethodDecorator & ClassDecorator => SetMetadata(STREAMED_BODY_KEY, true);
