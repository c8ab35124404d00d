import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { firstValueFrom, map, of, throwError, type Observable } from 'rxjs';
import { ComposedInterceptor } from './composed-interceptor';

const context = {} as ExecutionContext;

/** Records when it runs and wraps the answer in its name. */
function wrapping(name: string, log: string[]): NestInterceptor {
  return {
    intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
      log.push(`${name} in`);
      return next.handle().pipe(
        map((value) => {
          log.push(`${name} out`);
          return `${name}(${String(value)})`;
        }),
      );
    },
  };
}

describe('ComposedInterceptor', () => {
  it('runs its parts outermost first around the handler, as Nest runs them registered in that order', async () => {
    const log: string[] = [];
    const handler: CallHandler = {
      handle: () => {
        log.push('handler');
        return of('answer');
      },
    };
    const composed = new ComposedInterceptor([wrapping('a', log), wrapping('b', log), wrapping('c', log)]);
    await expect(firstValueFrom(composed.intercept(context, handler))).resolves.toBe('a(b(c(answer)))');
    expect(log).toEqual(['a in', 'b in', 'c in', 'handler', 'c out', 'b out', 'a out']);
  });

  it('runs nothing past a part until that part subscribes to its handler', async () => {
    const log: string[] = [];
    const answersItself: NestInterceptor = {
      intercept: (_context, next) => {
        next.handle(); // asked for, never subscribed: as Nest's handlers, nothing runs
        return of('short-circuit');
      },
    };
    const composed = new ComposedInterceptor([wrapping('a', log), answersItself, wrapping('c', log)]);
    const handler: CallHandler = { handle: () => of(log.push('handler')) };
    await expect(firstValueFrom(composed.intercept(context, handler))).resolves.toBe('a(short-circuit)');
    expect(log).toEqual(['a in', 'a out']);
  });

  it('takes a part that answers with a promise of an observable', async () => {
    const later: NestInterceptor = {
      intercept: async (_context, next) => {
        await new Promise((resolve) => setImmediate(resolve));
        return next.handle().pipe(map((value) => `later(${String(value)})`));
      },
    };
    const composed = new ComposedInterceptor([later]);
    await expect(firstValueFrom(composed.intercept(context, { handle: () => of('x') }))).resolves.toBe(
      'later(x)',
    );
  });

  it('passes the handler error out through every part', async () => {
    const log: string[] = [];
    const composed = new ComposedInterceptor([wrapping('a', log), wrapping('b', log)]);
    const failing: CallHandler = { handle: () => throwError(() => new Error('refused')) };
    await expect(firstValueFrom(composed.intercept(context, failing))).rejects.toThrow('refused');
    expect(log).toEqual(['a in', 'b in']);
  });

  it('is the handler alone without parts', async () => {
    const composed = new ComposedInterceptor([]);
    await expect(firstValueFrom(composed.intercept(context, { handle: () => of('x') }))).resolves.toBe('x');
  });
});
