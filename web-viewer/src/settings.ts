/** Viewer settings: API token (localStorage), preferred transport (URL `?transport=` beats the stored toggle). */

export type Transport = 'webrtc' | 'ws' | 'mjpeg';
export const TRANSPORTS: readonly Transport[] = ['webrtc', 'ws', 'mjpeg'];

const TOKEN_KEY = 'panoptic-stream.token';
const TRANSPORT_KEY = 'panoptic-stream.transport';

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // storage disabled (privacy mode): settings last for the page only
  }
}

let memoryToken = '';

export function getToken(): string {
  return storage()?.getItem(TOKEN_KEY) ?? memoryToken;
}

export function setToken(token: string): void {
  memoryToken = token.trim();
  const s = storage();
  if (!s) return;
  if (memoryToken) s.setItem(TOKEN_KEY, memoryToken);
  else s.removeItem(TOKEN_KEY);
}

const isTransport = (v: string | null | undefined): v is Transport => !!v && (TRANSPORTS as readonly string[]).includes(v);

/** The transport forced by the URL (`?transport=ws|mjpeg|webrtc`), if any. */
export function urlTransport(): Transport | undefined {
  const v = new URLSearchParams(window.location.search).get('transport');
  return isTransport(v) ? v : undefined;
}

/** Preferred first transport: URL parameter, else the stored toggle, else WebRTC. */
export function preferredTransport(): Transport {
  const stored = storage()?.getItem(TRANSPORT_KEY);
  return urlTransport() ?? (isTransport(stored) ? stored : 'webrtc');
}

export function setPreferredTransport(t: Transport): void {
  storage()?.setItem(TRANSPORT_KEY, t);
}

/**
 * Order in which transports are tried: the preferred one, then the fallbacks. WebRTC is skipped when the
 * browser has no RTCPeerConnection. A transport forced by the URL is still followed by fallbacks, except
 * WebRTC, which a forced `ws`/`mjpeg` disables.
 */
export function transportOrder(preferred: Transport): Transport[] {
  const hasRtc = typeof RTCPeerConnection === 'function';
  const rest: Transport[] = preferred === 'webrtc' ? ['ws', 'mjpeg'] : preferred === 'ws' ? ['mjpeg'] : ['ws'];
  return [preferred, ...rest].filter((t) => t !== 'webrtc' || hasRtc);
}
