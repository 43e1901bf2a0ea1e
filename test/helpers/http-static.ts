/** A static file server on 127.0.0.1 with Range support (FFmpeg seeks in progressive MP4 over HTTP). */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';

export interface StaticServer {
  url(name: string): string;
  close(): Promise<void>;
  /** Request log: "METHOD path status". */
  requests: string[];
}

/** Serves `files` (URL path → local file); everything else is 404. */
export async function startStaticServer(files: Record<string, string>): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = files[path];
    const log = (status: number): void => void requests.push(`${req.method} ${path} ${status}`);
    if (!file) {
      res.writeHead(404).end('not found');
      return log(404);
    }
    const size = statSync(file).size;
    const type = file.endsWith('.mp4') ? 'video/mp4' : file.endsWith('.gif') ? 'image/gif' : 'application/octet-stream';
    const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
    let start = 0;
    let end = size - 1;
    if (m) {
      start = m[1] ? Number(m[1]) : size - Number(m[2]);
      end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
      if (start >= size || start > end) {
        res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
        return log(416);
      }
      res.writeHead(206, { 'Content-Type': type, 'Accept-Ranges': 'bytes', 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1 });
    } else res.writeHead(200, { 'Content-Type': type, 'Accept-Ranges': 'bytes', 'Content-Length': size });
    log(m ? 206 : 200);
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file, { start, end }).on('error', () => res.destroy()).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: (name) => `http://127.0.0.1:${port}${name}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
