#!/usr/bin/env node
// interop/node/server.js: a Node.js TLS server (built-in `tls` module only) used
// as an interop peer for rs2n's client (examples/rs2nc.c). Loopback only.
//
//   node server.js --cert F --key F [--port N|0] [--tls12 | --tls13]
//                  [--mode tickets|session-id] [--max-conns N]
//                  [--idle-timeout S] [--io-timeout S] [--alpn LIST] [--ca F]
//
//   --mode tickets     (default) stateless session tickets: tls.createServer
//                      with `ticketKeys` (48 random bytes).
//   --mode session-id  stateful resumption by session ID: tickets off
//                      (SSL_OP_NO_TICKET) and the `newSession` / `resumeSession`
//                      events backed by an in-memory Map.
//   --tls12/--tls13    pin the protocol version (minVersion = maxVersion).
//   --alpn LIST        ALPNProtocols: comma-separated, most preferred first.
//   --ca F             mutual TLS: requestCert and rejectUnauthorized, trusting F.
//
// Output (stdout, one line per connection, flushed):
//   listening on 127.0.0.1:PORT
//   conn 1: TLSv1.3, TLS_AES_256_GCM_SHA384, New
//   conn 2: TLSv1.3, TLS_AES_256_GCM_SHA384, Reused
//   conn 3: handshake failed: <error>
// "New"/"Reused" is socket.isSessionReused() (OpenSSL's SSL_session_reused).
// With --alpn or --ca the line goes on with ", alpn P" (socket.alpnProtocol, or
// "none") and ", client cert CN" (the client certificate's subject CN; "none").
// Each connection is echoed (whatever the client sends comes back) until the
// client ends it. The server exits after --max-conns connections have closed
// (status 0 if every handshake succeeded, 1 otherwise) or after
// --idle-timeout seconds without a new connection (status 1).
'use strict';

const tls = require('tls');
const fs = require('fs');
const crypto = require('crypto');
const { SSL_OP_NO_TICKET } = require('constants');

function die(msg) {
  process.stderr.write(`node-server: error: ${msg}\n`);
  process.exit(1);
}

const o = { port: 0, mode: 'tickets', maxConns: 100, idle: 30, io: 10 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const val = () => {
    if (i + 1 >= argv.length) die(`${a} needs a value`);
    return argv[++i];
  };
  const num = () => {
    const v = Number(val());
    if (!Number.isInteger(v) || v < 0) die(`${a}: bad number`);
    return v;
  };
  switch (a) {
    case '--cert': o.cert = val(); break;
    case '--key': o.key = val(); break;
    case '--port': o.port = num(); break;
    case '--tls12': o.version = 'TLSv1.2'; break;
    case '--tls13': o.version = 'TLSv1.3'; break;
    case '--mode': o.mode = val(); break;
    case '--max-conns': o.maxConns = num(); break;
    case '--idle-timeout': o.idle = num(); break;
    case '--io-timeout': o.io = num(); break;
    case '--alpn': o.alpn = val().split(','); break;
    case '--ca': o.ca = val(); break;
    default: die(`unknown argument ${a}`);
  }
}
if (!o.cert || !o.key) die('--cert and --key are required');
if (o.mode !== 'tickets' && o.mode !== 'session-id') die(`--mode: ${o.mode}`);

const opts = {
  cert: fs.readFileSync(o.cert),
  key: fs.readFileSync(o.key),
};
if (o.version) {
  opts.minVersion = o.version;
  opts.maxVersion = o.version;
}
if (o.alpn) opts.ALPNProtocols = o.alpn;
if (o.ca) {
  opts.ca = fs.readFileSync(o.ca);
  opts.requestCert = true;
  opts.rejectUnauthorized = true;
}
const cache = new Map(); // session-id mode: hex(session id) -> session data
if (o.mode === 'tickets') {
  opts.ticketKeys = crypto.randomBytes(48);
} else {
  opts.secureOptions = SSL_OP_NO_TICKET;
}

const server = tls.createServer(opts);
if (o.mode === 'session-id') {
  server.on('newSession', (id, data, cb) => {
    if (cache.size < 10000) cache.set(id.toString('hex'), data);
    process.stderr.write(`node-server: newSession id=${id.toString('hex').slice(0, 16)}... (${data.length} bytes)\n`);
    cb();
  });
  server.on('resumeSession', (id, cb) => {
    const data = cache.get(id.toString('hex')) || null;
    process.stderr.write(`node-server: resumeSession id=${id.toString('hex').slice(0, 16)}... ${data ? 'hit' : 'miss'}\n`);
    cb(null, data);
  });
}

let accepted = 0; // connections counted (handshake done or failed)
let closed = 0;
let failures = 0;
let idleTimer = null;

function out(line) {
  fs.writeSync(1, line + '\n');
}

function armIdle() {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    process.stderr.write(`node-server: idle for ${o.idle}s, exiting\n`);
    process.exit(1);
  }, o.idle * 1000);
}

function connDone() {
  closed++;
  if (closed >= o.maxConns) {
    server.close();
    process.exit(failures === 0 ? 0 : 1);
  }
}

server.on('secureConnection', (sock) => {
  const n = ++accepted;
  armIdle();
  const c = sock.getCipher();
  let extra = '';
  if (o.alpn || o.ca) {
    const peer = sock.getPeerCertificate();
    const cn = peer && peer.subject ? peer.subject.CN : 'none';
    extra = `, alpn ${sock.alpnProtocol || 'none'}, client cert ${cn}`;
  }
  out(`conn ${n}: ${sock.getProtocol()}, ${c.name}, ${sock.isSessionReused() ? 'Reused' : 'New'}${extra}`);
  sock.setTimeout(o.io * 1000, () => {
    process.stderr.write(`node-server: conn ${n}: idle for ${o.io}s, closing\n`);
    sock.destroy();
  });
  sock.on('data', (d) => sock.write(d));
  sock.on('end', () => sock.end());
  sock.on('error', (e) => process.stderr.write(`node-server: conn ${n}: ${e.message}\n`));
  sock.on('close', connDone);
});

server.on('tlsClientError', (e) => {
  const n = ++accepted;
  failures++;
  armIdle();
  out(`conn ${n}: handshake failed: ${e.message}`);
  connDone();
});

server.on('error', (e) => die(e.message));

server.listen(o.port, '127.0.0.1', () => {
  out(`listening on 127.0.0.1:${server.address().port}`);
  armIdle();
});
