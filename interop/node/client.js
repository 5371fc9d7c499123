#!/usr/bin/env node
// interop/node/client.js: a Node.js TLS client (built-in `tls` module only) used
// as an interop peer for rs2n's server (examples/rs2nd.c), in the manner of
// `openssl s_client -reconnect`. Loopback only.
//
//   node client.js --port N --ca F [--server-name NAME] [--tls12 | --tls13]
//                  [--no-tickets] [--reconnect N] [--expect-resume]
//                  [--io-timeout S] [--alpn LIST] [--cert F --key F]
//
// Connects 1 + --reconnect times to 127.0.0.1:PORT, each time offering the
// newest session saved so far (tls.connect's `session` option). Sessions are
// saved from the socket's 'session' event: for TLS1.2 it fires during the
// handshake (a ticket or a session ID), for TLS1.3 when a NewSessionTicket
// arrives after the handshake. So on each connection the client sends
// "ping N\n", reads the echo (the server's tickets come before it), and, for
// TLS1.3 after a full handshake, waits up to 3 s more for a ticket if none has
// come yet, then ends the connection. A resumed TLS1.3 connection that got no
// new ticket leaves the session it offered as the newest (as s2n-tls does).
//
//   --no-tickets   SSL_OP_NO_TICKET: do not ask for tickets; the session saved
//                  is then a TLS1.2 session ID (for a server's session cache).
//   --expect-resume  exit 2 if any reconnection was not resumed.
//   --alpn LIST    ALPNProtocols: comma-separated, most preferred first; the line
//                  then goes on with ", ALPN protocol: P" (or "none").
//   --cert F --key F  a client certificate (sent when the server asks).
//
// Output (stdout, one line per connection, as s_client prints it):
//   New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384
//   Reused, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384
// "Reused" is socket.isSessionReused() (OpenSSL's SSL_session_reused).
// Notes (sessions received, closes) go to stderr.
// Exit status: 0 if every connection completed, 1 on any failure, 2 as above.
'use strict';

const tls = require('tls');
const fs = require('fs');
const { SSL_OP_NO_TICKET } = require('constants');

function die(msg) {
  process.stderr.write(`node-client: error: ${msg}\n`);
  process.exit(1);
}
function note(msg) {
  process.stderr.write(`node-client: ${msg}\n`);
}

const o = { serverName: 'localhost', reconnect: 0, io: 10, noTickets: false, expectResume: false };
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
    case '--port': o.port = num(); break;
    case '--ca': o.ca = val(); break;
    case '--server-name': o.serverName = val(); break;
    case '--tls12': o.version = 'TLSv1.2'; break;
    case '--tls13': o.version = 'TLSv1.3'; break;
    case '--no-tickets': o.noTickets = true; break;
    case '--reconnect': o.reconnect = num(); break;
    case '--expect-resume': o.expectResume = true; break;
    case '--io-timeout': o.io = num(); break;
    case '--alpn': o.alpn = val().split(','); break;
    case '--cert': o.cert = val(); break;
    case '--key': o.key = val(); break;
    default: die(`unknown argument ${a}`);
  }
}
if (!o.port || !o.ca) die('--port and --ca are required');
if (o.reconnect > 1000) die('--reconnect: at most 1000');
const ca = fs.readFileSync(o.ca);

let saved = null; // the newest session (Buffer)
let notResumed = 0;

function once(i) {
  return new Promise((resolve, reject) => {
    const opts = {
      host: '127.0.0.1',
      port: o.port,
      ca,
      servername: o.serverName,
      rejectUnauthorized: true,
    };
    if (o.version) {
      opts.minVersion = o.version;
      opts.maxVersion = o.version;
    }
    if (o.noTickets) opts.secureOptions = SSL_OP_NO_TICKET;
    if (saved) opts.session = saved;
    if (o.alpn) opts.ALPNProtocols = o.alpn;
    if (o.cert) {
      opts.cert = fs.readFileSync(o.cert);
      opts.key = fs.readFileSync(o.key);
    }

    let gotSession = false;
    let line = null;
    let echo = '';
    let ended = false;
    let sessionWait = null;
    const msg = `ping ${i}\n`;
    const deadline = setTimeout(() => {
      sock.destroy(new Error(`connection ${i}: timed out after ${o.io * 3}s`));
    }, o.io * 3000);

    const sock = tls.connect(opts);
    const finish = () => {
      if (ended) return;
      ended = true;
      if (sessionWait) clearTimeout(sessionWait);
      sock.end();
    };
    sock.on('session', (s) => {
      saved = s;
      gotSession = true;
      note(`connection ${i}: session saved (${s.length} bytes)`);
      if (line && echo.includes('\n')) finish();
    });
    sock.on('secureConnect', () => {
      const reused = sock.isSessionReused();
      const c = sock.getCipher();
      line = `${reused ? 'Reused' : 'New'}, ${sock.getProtocol()}, Cipher is ${c.name}`;
      if (o.alpn) line += `, ALPN protocol: ${sock.alpnProtocol || 'none'}`;
      fs.writeSync(1, line + '\n');
      if (i > 0 && !reused) notResumed++;
      sock.write(msg);
    });
    sock.on('data', (d) => {
      echo += d.toString('latin1');
      if (!echo.includes('\n')) return;
      if (echo !== msg) note(`connection ${i}: unexpected reply ${JSON.stringify(echo)}`);
      // TLS1.3: the ticket normally came before the echo; if not, wait for it
      // after a full handshake. After a resumption the session offered stays
      // the newest one if no ticket comes (some servers send none then).
      if (sock.getProtocol() === 'TLSv1.3' && !gotSession && !sock.isSessionReused()) {
        note(`connection ${i}: echo before any ticket, waiting up to 3 s`);
        sessionWait = setTimeout(() => {
          note(`connection ${i}: no session ticket received`);
          finish();
        }, 3000);
      } else {
        finish();
      }
    });
    sock.on('end', () => {
      if (!echo.includes('\n')) note(`connection ${i}: the server closed without echoing`);
      finish();
    });
    sock.on('error', (e) => {
      clearTimeout(deadline);
      reject(new Error(`connection ${i}: ${e.message}`));
    });
    sock.on('close', () => {
      clearTimeout(deadline);
      if (sessionWait) clearTimeout(sessionWait);
      if (line === null) reject(new Error(`connection ${i}: closed before the handshake completed`));
      else resolve();
    });
  });
}

(async () => {
  try {
    for (let i = 0; i <= o.reconnect; i++) await once(i);
  } catch (e) {
    die(e.message);
  }
  if (o.expectResume && notResumed > 0) {
    note(`${notResumed} reconnection(s) were not resumed`);
    process.exit(2);
  }
  process.exit(0);
})();
