/** A tiny method + path router: `/api/cameras/:id/mjpeg` patterns, params URL-decoded. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly params: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export interface RouteOptions {
  /** Requires the bearer token (mutating endpoints). */
  auth?: 'always' | 'streams' | 'never';
}

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
  opts: RouteOptions;
}

export type Match = { kind: 'found'; handler: Handler; params: Record<string, string>; opts: RouteOptions } | { kind: 'method'; allow: string[] } | { kind: 'none' };

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler, opts: RouteOptions = {}): this {
    this.routes.push({ method: method.toUpperCase(), parts: split(pattern), handler, opts });
    return this;
  }

  match(method: string, pathname: string): Match {
    const parts = split(pathname);
    const allow: string[] = [];
    for (const r of this.routes) {
      const params = matchParts(r.parts, parts);
      if (!params) continue;
      if (r.method === method || (method === 'HEAD' && r.method === 'GET')) return { kind: 'found', handler: r.handler, params, opts: r.opts };
      allow.push(r.method);
    }
    return allow.length ? { kind: 'method', allow } : { kind: 'none' };
  }
}

function split(path: string): string[] {
  return path.split('/').filter((p) => p.length > 0);
}

function matchParts(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(parts[i]!);
      } catch {
        return undefined;
      }
    } else if (p !== parts[i]) return undefined;
  }
  return params;
}
