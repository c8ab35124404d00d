import { SetMetadata } from '@nestjs/common';

export const RESPONSE_MEDIA_TYPE_KEY = 'depot:response-media-type';

/**
 * The `Content-Type` of the route's JSON response, e.g. `@ResponseMediaType(MediaType.user)`.
 * Applied by `CumulocityResponseInterceptor`.
 */
export const ResponseMediaType = (mediaType: string): MethodDecorator & ClassDecorator =>
  SetMetadata(RESPONSE_MEDIA_TYPE_KEY, mediaType);
