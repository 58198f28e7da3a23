// The receivers the outputs benchmark delivers to, run in a worker thread so that receiving does not
// share the measured event loop (a real collector runs on another host): an HTTP server answering 200
// to every POST, a UDP socket counting datagrams and a TCP server counting bytes, all on 127.0.0.1.
// The parent asks for the counts ('counts') and ends them ('stop').
import { createSocket } from 'node:dgram';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { parentPort } from 'node:worker_threads';

const counts = { httpRequests: 0, httpBytes: 0, udpDatagrams: 0, udpBytes: 0, tcpBytes: 0, tcpConnections: 0 };

const http = createHttpServer((req, res) => {
  req.on('data', (chunk) => (counts.httpBytes += chunk.length));
  req.on('end', () => {
    counts.httpRequests++;
    res.writeHead(200, { 'content-length': '0' }).end();
  });
});
const udp = createSocket('udp4');
udp.on('message', (msg) => {
  counts.udpDatagrams++;
  counts.udpBytes += msg.length;
});
const tcp = createTcpServer((s) => {
  counts.tcpConnections++;
  s.on('data', (chunk) => (counts.tcpBytes += chunk.length));
  s.on('error', () => {});
});

const listening = (server, ...args) => new Promise((resolve) => server.listen(...args, resolve));
await Promise.all([listening(http, 0, '127.0.0.1'), listening(tcp, 0, '127.0.0.1'), new Promise((resolve) => udp.bind(0, '127.0.0.1', resolve))]);
try {
  udp.setRecvBufferSize(8 << 20); // capped by net.core.rmem_max; a larger buffer only means fewer losses
} catch {}

parentPort.on('message', (m) => {
  if (m === 'counts') parentPort.postMessage({ counts: { ...counts } });
  if (m === 'stop') {
    http.closeAllConnections();
    http.close();
    tcp.close();
    udp.close();
    parentPort.close();
  }
});
parentPort.postMessage({ ports: { http: http.address().port, udp: udp.address().port, tcp: tcp.address().port } });
