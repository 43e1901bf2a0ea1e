/** REST client for the panoptic-stream server (same origin). Mutating calls carry the bearer token. */
import { getToken } from './settings.js';
import { readCamera, readCameraList, readFieldErrors, readModels, type CameraStatus, type ModelInfo } from './protocol.js';

/** A failed API call; for 400s `fields` maps the named field(s) to the server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Resolves a server path against the page (the viewer is served at `/`, possibly behind a prefix). */
export function apiUrl(path: string): string {
  return new URL(path.replace(/^\//, ''), new URL('.', window.location.href)).toString();
}

export function authHeaders(): Record<string, string> {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function request(method: string, path: string, body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(apiUrl(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = { message: text };
  }
  if (!res.ok) {
    const { message, fields } = readFieldErrors(json);
    const hint = res.status === 401 || res.status === 403 ? ' — set the API token (⚙ settings)' : '';
    throw new ApiError(res.status, `${res.status}: ${message}${hint}`, fields);
  }
  return json;
}

export interface NewCamera {
  url: string;
  name?: string;
  [option: string]: unknown;
}

export const api = {
  cameras: async (): Promise<CameraStatus[]> => readCameraList(await request('GET', '/api/cameras')),
  camera: async (id: string): Promise<CameraStatus> => readCamera(await request('GET', `/api/cameras/${encodeURIComponent(id)}`)),
  addCamera: async (body: NewCamera): Promise<CameraStatus> => {
    const res = await request('POST', '/api/cameras', body);
    const o = (res ?? {}) as Record<string, unknown>;
    return readCamera(o.camera ?? o);
  },
  removeCamera: async (id: string): Promise<void> => {
    await request('DELETE', `/api/cameras/${encodeURIComponent(id)}`);
  },
  models: async (): Promise<ModelInfo[]> => readModels(await request('GET', '/api/models')),
  mjpegUrl: (id: string, view?: string): string => {
    const u = new URL(apiUrl(`/api/cameras/${encodeURIComponent(id)}/mjpeg`));
    if (view) u.searchParams.set('view', view);
    const token = getToken();
    if (token) u.searchParams.set('token', token); // <img> cannot send headers; used only if streams require auth
    return u.toString();
  },
  whepUrl: (id: string): string => apiUrl(`/whep/${encodeURIComponent(id)}`),
  wsUrl: (): string => {
    const u = new URL(apiUrl('/ws'));
    u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
    const token = getToken();
    if (token) u.searchParams.set('token', token);
    return u.toString();
  },
};
