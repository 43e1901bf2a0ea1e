/**
 * The minimal page served at `/` until the web-viewer app replaces it: lists cameras, plays the
 * annotated stream over WHEP (WebRTC) with an MJPEG fallback, and shows the segments of the
 * selected camera from `/ws`. A token can be given as `?token=` (kept in the page only).
 */
export const VIEWER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>panoptic-stream</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#111;color:#eee}
header{padding:8px 12px;background:#222;display:flex;gap:12px;align-items:center}
main{display:flex;gap:12px;padding:12px;flex-wrap:wrap}
video,img{max-width:100%;background:#000;display:block}
#media{flex:3 1 480px}#side{flex:1 1 260px;max-height:80vh;overflow:auto}
table{border-collapse:collapse;width:100%}td,th{padding:2px 6px;border-bottom:1px solid #333;text-align:left}
.muted{color:#999}
</style></head><body>
<header><b>panoptic-stream</b><select id="cam"></select><span id="status" class="muted"></span><span id="transport" class="muted"></span></header>
<main><div id="media"><video id="video" autoplay muted playsinline></video><img id="mjpeg" alt="" hidden></div>
<div id="side"><div id="stats" class="muted"></div><table><thead><tr><th>track</th><th>class</th><th>area</th><th>depth</th></tr></thead><tbody id="segs"></tbody></table></div></main>
<script type="module">
const token = new URLSearchParams(location.search).get('token');
const auth = token ? { authorization: 'Bearer ' + token } : {};
const q = (id) => document.getElementById(id);
let pc, ws, current;
async function cameras() {
  const r = await fetch('/api/cameras', { headers: auth });
  return (await r.json()).cameras ?? [];
}
async function playWhep(id) {
  pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.ontrack = (e) => { q('video').srcObject = e.streams[0] ?? new MediaStream([e.track]); };
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((res) => { if (pc.iceGatheringState === 'complete') res(); else { pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && res(); setTimeout(res, 2000); } });
  const r = await fetch('/whep/' + encodeURIComponent(id), { method: 'POST', headers: { 'content-type': 'application/sdp', ...auth }, body: pc.localDescription.sdp });
  if (r.status !== 201) throw new Error('WHEP ' + r.status);
  await pc.setRemoteDescription({ type: 'answer', sdp: await r.text() });
  await new Promise((res, rej) => { const t = setTimeout(() => rej(new Error('no video')), 6000); q('video').onloadeddata = () => { clearTimeout(t); res(); }; });
}
function playMjpeg(id) {
  q('video').hidden = true; q('mjpeg').hidden = false;
  q('mjpeg').src = '/api/cameras/' + encodeURIComponent(id) + '/mjpeg' + (token ? '?token=' + encodeURIComponent(token) : '');
  q('transport').textContent = 'MJPEG';
}
async function select(id) {
  current = id; pc?.close(); q('mjpeg').src = ''; q('video').hidden = false; q('mjpeg').hidden = true;
  try { await playWhep(id); q('transport').textContent = 'WebRTC (WHEP)'; } catch (e) { console.warn(e); pc?.close(); playMjpeg(id); }
  if (ws?.readyState === 1) ws.send(JSON.stringify({ type: 'subscribe', cameras: [id] }));
}
function connectWs() {
  ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws' + (token ? '?token=' + encodeURIComponent(token) : ''));
  ws.onopen = () => current && ws.send(JSON.stringify({ type: 'subscribe', cameras: [current], maxRateFps: 5 }));
  ws.onmessage = (e) => {
    if (typeof e.data !== 'string') return;
    const m = JSON.parse(e.data);
    if (m.type === 'state' && m.cameraId === current) q('status').textContent = m.state + (m.reason ? ' (' + m.reason + ')' : '');
    if (m.type !== 'segments' || m.cameraId !== current) return;
    q('stats').textContent = 'frame ' + m.seq + ' · ' + m.width + '×' + m.height + ' · latency ' + m.latencyMs + ' ms';
    q('segs').innerHTML = m.segments.filter((s) => s.isThing).concat(m.segments.filter((s) => !s.isThing))
      .map((s) => '<tr><td>' + (s.isThing ? '#' + s.trackId : '') + '</td><td>' + s.category + '</td><td>' + s.area + '</td><td>' + (s.depth ? s.depth.median.toFixed(2) : '') + '</td></tr>').join('');
  };
  ws.onclose = () => setTimeout(connectWs, 2000);
}
const list = await cameras();
q('cam').innerHTML = list.map((c) => '<option>' + c.id + '</option>').join('');
q('cam').onchange = () => select(q('cam').value);
connectWs();
if (list.length) await select(list[0].id); else q('status').textContent = 'no cameras: POST /api/cameras';
</script></body></html>`;
