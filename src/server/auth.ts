/** Bearer-token auth and CORS headers. */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * True when the request carries the token: `Authorization: Bearer <token>`, or — for clients that
 * cannot set headers (img tags, browser WebSockets) — `?token=<token>` when `allowQuery`.
 */
export function hasToken(req: IncomingMessage, url: URL, token: string, allowQuery: boolean): boolean {
  const header = req.headers.authorization;
  const m = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  const given = m?.[1]?.trim() ?? (allowQuery ? url.searchParams.get('token') ?? undefined : undefined);
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Sets CORS headers when the request's Origin is allowed; true when it is (or no Origin was sent). */
export function applyCors(req: IncomingMessage, res: ServerResponse, origins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  const any = origins.includes('*');
  if (!any && !origins.includes(origin)) return false;
  res.setHeader('access-control-allow-origin', any ? '*' : origin);
  if (!any) res.setHeader('vary', 'Origin');
  res.setHeader('access-control-allow-methods', 'GET, POST, PATCH, DELETE, OPTIONS');
  res.setHeader('access-control-allow-headers', 'authorization, content-type');
  res.setHeader('access-control-expose-headers', 'location, content-type');
  res.setHeader('access-control-max-age', '600');
  return true;
}
