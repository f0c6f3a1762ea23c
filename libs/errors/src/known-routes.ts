import { Injectable } from '@nestjs/common';

interface RoutePattern {
  readonly method: string;
  readonly regex: RegExp;
}

/**
 * The routes the server has, so that a request on a known path with a method
 * the path does not serve can be answered 405 instead of 404.
 */
@Injectable()
export class KnownRoutes {
  private readonly patterns: RoutePattern[] = [];

  /** Records a route as registered with the HTTP server (`/v2/users/:userId/otp_sms`). */
  add(method: string | string[], url: string): void {
    const source = url
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const regex = new RegExp(`^${source}/?$`);
    for (const m of Array.isArray(method) ? method : [method]) this.patterns.push({ method: m.toUpperCase(), regex });
  }

  /** Whether some route serves this path with any method. */
  hasPath(path: string): boolean {
    return this.patterns.some((p) => p.regex.test(path));
  }
}
