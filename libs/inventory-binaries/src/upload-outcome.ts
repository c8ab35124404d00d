import { CumulocityError, IncompleteBodyError, type UploadOutcome } from '@depot/common';
import type { Readable } from 'node:stream';

/** How a failed upload or replace ended: the client went away, we refused it (4xx), or it failed. */
export function uploadOutcomeOf(error: unknown, body: Readable): UploadOutcome {
  if (error instanceof IncompleteBodyError || body.readableAborted) return 'aborted';
  if (error instanceof CumulocityError && Number(error.status) < 500) return 'rejected';
  return 'failed';
}
