import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { finalize, Observable } from 'rxjs';
import { InFlightRequests } from './in-flight-requests';

/** Keeps a request counted until its handler has settled, even after its client went away. */
@Injectable()
export class HandlerTrackingInterceptor implements NestInterceptor {
  constructor(private readonly inFlight: InFlightRequests) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.inFlight.handlerStarted();
    return next.handle().pipe(finalize(() => this.inFlight.handlerSettled()));
  }
}
