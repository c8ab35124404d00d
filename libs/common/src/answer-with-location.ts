import type { Response } from 'express';

/**
 * Points `Location` at what a request created (its `self` unless told otherwise) and hands the
 * representation back as the body.
 */
export function answerWithLocation<T extends { self?: unknown }>(
  response: Response,
  representation: T,
  location = String(representation.self),
): T {
  response.setHeader('Location', location);
  return representation;
}
