/*
 * rs2nd.c: an s2n-style TLS server over rs2n's public header (s2n.h) only.
 *
 *   rs2nd [--port N] [--cert FILE --key FILE] [--policy NAME]
 *         [--tickets | --no-tickets] [--ticket-key-file FILE [--ticket-key-name NAME]]
 *         [--rotate-keys SECONDS] [--key-decrypt-lifetime SECONDS]
 *         [--cache off|memory|redis://HOST[:PORT]] [--cache-prefix P]
 *         [--session-lifetime S] [--max-conns N] [--echo] [--timeout SECONDS]
 *         [--alpn LIST] [--ca FILE [--client-auth required|optional]]
 *         [--sni NAME --sni-cert FILE --sni-key FILE]
 *         [--async-pkey MS] [--early-data MAX]
 *
 *   --port N              port to listen on, on 127.0.0.1 only; 0 (the default)
 *                         picks a free ephemeral port. Once listening, rs2nd prints
 *                         "listening on 127.0.0.1:PORT" on stdout (and flushes it),
 *                         so that scripts can read the port.
 *   --cert F --key F      PEM certificate chain (leaf first) and its private key.
 *                         Default: the test PKI's ECDSA P-256 pair (c-tests/certs).
 *   --policy NAME         s2n security policy (s2n_config_set_cipher_preferences),
 *                         default "default".
 *   --tickets             session tickets on (the default without a session
 *                         cache, as in s2n's s2nd; with --cache, only if given).
 *   --no-tickets          session tickets off: without a session cache every
 *                         handshake is a full one.
 *   --ticket-key-file F   ticket key material: the raw bytes of F. The key name is
 *                         F's basename (its first 16 bytes), or --ticket-key-name.
 *                         Servers given the same file accept each other's tickets
 *                         (and each other's cached sessions, see --cache).
 *                         Without it a random 32-byte key is generated at start.
 *   --ticket-key-name N   the ticket key's name (1 to 16 bytes). Not with
 *                         --rotate-keys.
 *   --rotate-keys S       key rotation period: every key encrypts and decrypts for
 *                         S seconds (s2n_config_set_ticket_encrypt_decrypt_key_lifetime;
 *                         1 to 2592000), and every S/2 seconds, as s2n advises,
 *                         rs2nd adds a new key (s2n_config_add_ticket_crypto_key
 *                         on the live config), printing "added ticket key NAME"
 *                         on stderr:
 *                         - without --ticket-key-file, 32 fresh bytes from
 *                           /dev/urandom named "gen-N" (the first key is gen-0);
 *                         - with --ticket-key-file F, rs2nd re-reads F and adds its
 *                           content if it changed since the newest key. The key's
 *                           name is derived from the content (see key_name_of), the
 *                           first key's included, so that every server of a fleet
 *                           reading the same file names the key the same way and
 *                           each accepts tickets sealed by the others. Whoever
 *                           distributes the file should replace it (atomically:
 *                           write elsewhere, then rename) every S/2 seconds, and
 *                           must within S: once the newest key's S seconds are
 *                           over, no key can encrypt and new sessions get no
 *                           tickets (rs2nd warns). Fill it with 32 or more random
 *                           bytes: the name, sent in every ticket, is a hash of it.
 *                         The check runs between connections and while waiting for
 *                         one (rs2nd is single-threaded: not during a connection).
 *   --key-decrypt-lifetime S
 *                         how long a key still decrypts after it stops encrypting
 *                         (s2n_config_set_ticket_decrypt_key_lifetime; 0 to 2592000
 *                         seconds). Default: rs2n's, 13 hours. A config holds at
 *                         most 48 unexpired keys: with --rotate-keys S, keep this
 *                         at most 22.5 x S (rs2nd warns otherwise).
 *   --cache off           no session cache (the default).
 *   --cache memory        a session cache in this process: a hash table of at most
 *                         10000 sessions (MEM_CACHE_MAX_ENTRIES), each dropped when
 *                         its ttl (from rs2n: 6 hours at most) is over.
 *   --cache redis://HOST[:PORT]
 *                         a session cache in Redis (port 6379 by default), shared
 *                         by every server given the same Redis: SET key value EX ttl
 *                         on store, GET on retrieve (GETDEL for a TLS1.3 ticket:
 *                         single-use; Redis >= 6.2), DEL on delete, keys being
 *                         --cache-prefix + the hex of the session ID (or of the
 *                         TLS1.3 cache ticket). A Redis problem is a cache miss,
 *                         reported on stderr. Needs rs2nd built with hiredis
 *                         (RS2N_HAVE_HIREDIS); otherwise rs2nd says so and exits.
 *                         With a session cache, TLS1.2 resumes by session ID and
 *                         TLS1.3 (tickets off) by single-use tickets that are keys
 *                         into the cache. rs2n seals every cached value with the
 *                         ticket key: servers of one fleet must share the Redis AND
 *                         the --ticket-key-file; a value sealed under another key
 *                         is a miss. With --cache, session tickets are off unless
 *                         --tickets is given.
 *   --cache-prefix P      the Redis key prefix, default "rs2n:" (1 to 64 bytes).
 *   --session-lifetime S  how long a session may be resumed, in seconds
 *                         (s2n_config_set_session_state_lifetime; rs2n's default
 *                         is 15 hours). The cache ttl is the smaller of this and
 *                         6 hours.
 *   --max-conns N         exit (status 0) after N connections, successful or not.
 *                         Default: serve forever.
 *   --echo                after the handshake, send back everything received until
 *                         the peer closes; without it the server closes right after
 *                         the handshake (s2n_shutdown: close_notify both ways).
 *   --alpn LIST           application protocols, most preferred first, comma
 *                         separated (e.g. h2,http/1.1): the server picks its first
 *                         one the client offers (none in common: no protocol).
 *   --ca FILE             mutual TLS: ask clients for a certificate and verify it
 *                         against the CAs in FILE (PEM). Any name in the client's
 *                         certificate is accepted (a verify host callback that
 *                         says yes, as s2n's s2nd does).
 *   --client-auth M       with --ca: "required" (the default) or "optional".
 *   --sni NAME --sni-cert F --sni-key F
 *                         a second config, with this certificate chain and key
 *                         (and every other setting as given), for clients whose
 *                         server_name is NAME (ignoring case): the client hello
 *                         callback reads the name from the ClientHello and swaps
 *                         the connection's config (s2n_connection_set_config).
 *   --async-pkey MS       the server's private key operations are asynchronous
 *                         (s2n_config_set_async_pkey_callback), as with a remote key
 *                         service: the config serves the chain loaded public only,
 *                         and each signature is made by another thread after MS
 *                         milliseconds (0 to 10000), which performs the operation
 *                         with the key and applies it; meanwhile s2n_negotiate
 *                         reports S2N_BLOCKED_ON_APPLICATION_INPUT.
 *   --early-data MAX      accept TLS1.3 early data (0-RTT), at most MAX bytes
 *                         (s2n_config_set_server_max_early_data_size): each
 *                         connection reads it first with s2n_recv_early_data, and
 *                         --echo sends it back after the handshake. rs2n accepts
 *                         early data only with --cache and tickets off (each session
 *                         taken once: a replayed first flight is accepted at most
 *                         once); with tickets it is never accepted.
 *   --ocsp FILE           staple the DER OCSP response in FILE when a client asks
 *                         (s2n_config_set_extension_data); each connection then
 *                         gets a line "conn N: OCSP stapled: yes|no".
 *   --keylog FILE         append the secrets to FILE (NSS key log format).
 *   --export LABEL:LEN    print "conn N: Keying material: HEX" after each
 *                         handshake (TLS1.3; see tls_extras.h).
 *   --timeout S           give up on a connection that makes no progress for S
 *                         seconds (default 10), so that a silent peer cannot hang
 *                         the server.
 *
 * One connection at a time: accept, handshake, (echo), s2n_shutdown, next. The
 * socket is non-blocking and every wait is a poll() bounded by --timeout.
 *
 * Output: one line per connection on stdout, e.g.
 *
 *   conn 1: TLSv1.3, TLS_AES_128_GCM_SHA256, New, full, NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT
 *   conn 2: TLSv1.3, TLS_AES_128_GCM_SHA256, Reused, psk, NEGOTIATED|MIDDLEBOX_COMPAT
 *   conn 3: TLSv1.2, ECDHE-ECDSA-AES128-GCM-SHA256, Reused, ticket, NEGOTIATED|...
 *   conn 4: handshake failed: <s2n_strerror_debug> (<s2n_strerror_name>)
 *
 * With --alpn or --ca the line goes on with ", alpn PROTOCOL" (or "alpn none")
 * and ", client cert yes|no" (s2n_connection_client_cert_used). With --sni it
 * goes on with ", config sni" or ", config default": the config the callback chose.
 * With --early-data it ends with ", early data STATUS N"
 * (s2n_connection_get_early_data_status: ok, not-requested, rejected or end; N the
 * bytes read), and a connection that read early data says so first, on its own
 * line, before the handshake goes on (so even if it then fails): "conn 2: early
 * data read, 11 bytes".
 *
 * "New" or "Reused" is s2n_connection_is_session_resumed(); then how it resumed:
 * "full" (not resumed), "ticket" (TLS1.2, a session ticket), "session-id" (TLS1.2,
 * from the session cache: the retrieve callback returned the session), "psk"
 * (TLS1.3, a ticket of either kind); then s2n_connection_get_handshake_type_name().
 * Problems after the handshake (echo, shutdown) go to stderr and do not change
 * the line. With a session cache, rs2nd prints on stderr what cache it uses at
 * start, and its counts when it exits: "S stored, F not stored, H hits, M misses,
 * D deletes", a hit being a value the retrieve callback returned (rs2n may still
 * refuse it, e.g. sealed under another fleet's ticket key: then the line says
 * "full").
 *
 * Exit status: 0 after --max-conns connections; 1 on a set-up error; 2 on a bad
 * command line (including --cache redis:// in a build without hiredis).
 */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <s2n.h>

#define EXAMPLE_UTIL_PROG "rs2nd"
#include "example_util.h"
#include "tls_extras.h"
#include "redis_cache.h"

#define MAX_KEY_FILE (64 * 1024)
#define TICKET_KEY_NAME_MAX 16
#define TICKET_KEYS_MAX 48         /* s2n's limit of unexpired keys per config */
#define KEY_LIFETIME_MAX 2592000L  /* 30 days: bound of --rotate-keys, --key-decrypt-lifetime */
#define S2N_DEFAULT_DECRYPT_LIFETIME_S 46800L /* 13 h: s2n's (and rs2n's) default */

#define CACHE_PREFIX_DEFAULT "rs2n:"
#define CACHE_PREFIX_MAX 64
#define CACHE_KEY_MAX 128           /* bytes of a cache key; rs2n's are 32 or 48 */
#define CACHE_SESSION_ID_MAX 32     /* a longer key is a TLS1.3 ticket: single-use */
#define CACHE_VALUE_MAX (16 * 1024) /* what the retrieve callback can return */
#define MEM_CACHE_BUCKETS 1024
#define MEM_CACHE_MAX_ENTRIES 10000

enum cache_kind { CACHE_OFF = 0, CACHE_MEMORY, CACHE_REDIS };

/* ------------------------------------------------------------------------- */
/* Options                                                                    */
/* ------------------------------------------------------------------------- */

struct options {
    int port;
    const char *cert;
    const char *key;
    const char *policy;
    int tickets; /* -1 until resolved: on, unless a session cache is on */
    const char *ticket_key_file;
    const char *ticket_key_name;
    long max_conns; /* 0: forever */
    int echo;
    int timeout_s;
    enum cache_kind cache;
    const char *cache_url; /* --cache redis://... */
    const char *cache_prefix;
    long session_lifetime_s; /* 0: rs2n's default */
    long rotate_s;           /* --rotate-keys; 0: no rotation */
    long key_decrypt_lifetime_s; /* -1: rs2n's default */
    const char *alpn;            /* --alpn */
    const char *ca;              /* --ca: mutual TLS */
    int client_auth;             /* --client-auth */
    const char *sni;             /* --sni: the name that selects the second config */
    const char *sni_cert, *sni_key;
    long async_pkey_ms;          /* --async-pkey; -1: off */
    long early_data;             /* --early-data MAX; 0: off */
    const char *ocsp;            /* --ocsp: DER response to staple */
    const char *keylog;          /* --keylog */
    const char *export_spec;     /* --export LABEL:LEN */
};

/* What rs2nd learns about one connection while it runs (s2n_connection_set_ctx).
 * The session cache's retrieve callback sets `cache_hit` when it returns a
 * session, which tells a TLS1.2 session-ID resumption from a ticket one. */
struct conn_state {
    int cache_hit;
    int sni_config; /* the client hello callback chose the --sni config */
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: rs2nd [--port N] [--cert FILE --key FILE] [--policy NAME]\n"
            "             [--tickets | --no-tickets] [--ticket-key-file FILE]\n"
            "             [--ticket-key-name NAME] [--rotate-keys SECONDS]\n"
            "             [--key-decrypt-lifetime SECONDS]\n"
            "             [--cache off|memory|redis://HOST[:PORT]] [--cache-prefix P]\n"
            "             [--session-lifetime S] [--max-conns N] [--echo] [--timeout S]\n"
            "             [--alpn LIST] [--ca FILE [--client-auth required|optional]]\n"
            "             [--sni NAME --sni-cert FILE --sni-key FILE]\n"
            "             [--async-pkey MS]\n"
            "             [--ocsp FILE] [--keylog FILE] [--export LABEL:LEN] [--early-data MAX]\n"
            "\n"
            "  --rotate-keys S   key rotation period: ticket keys encrypt for S seconds, and\n"
            "                    a new key is added every S/2 seconds (between connections):\n"
            "                    32 random bytes named gen-N, or, with --ticket-key-file F,\n"
            "                    F's content when it changed, named after it: 16 hex digits\n"
            "                    of its 64-bit FNV-1a hash, the first key's name included.\n"
            "                    Every server reading the same file derives the same name,\n"
            "                    so a fleet accepts each other's tickets. Replace F (write,\n"
            "                    then rename) every S/2 seconds, and within S at the latest\n"
            "                    (then no key encrypts), with 32+ random bytes (the name,\n"
            "                    sent in every ticket, is a hash of them).\n"
            "  --key-decrypt-lifetime S\n"
            "                    how long a key still decrypts after its S encrypting seconds\n"
            "                    (default 13 hours; at most 48 keys live: keep it <= 22.5 x S).\n"
            "  Without --rotate-keys, a --ticket-key-file key is named after the file\n"
            "  (its basename's first 16 bytes) or --ticket-key-name.\n");
}

static int parse_options(int argc, char **argv, struct options *o)
{
    int i;
    long v;
    memset(o, 0, sizeof(*o));
    o->policy = "default";
    o->tickets = -1;
    o->timeout_s = 10;
    o->cache = CACHE_OFF;
    o->cache_prefix = CACHE_PREFIX_DEFAULT;
    o->key_decrypt_lifetime_s = -1;
    o->client_auth = S2N_CERT_AUTH_REQUIRED;
    o->async_pkey_ms = -1;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (strcmp(a, "--port") == 0) {
            NEED_VALUE();
            if (parse_long(val, 0, 65535, &v) != 0) {
                msg("bad port: %s", val);
                return -1;
            }
            o->port = (int)v;
        } else if (strcmp(a, "--cert") == 0) {
            NEED_VALUE();
            o->cert = val;
        } else if (strcmp(a, "--key") == 0) {
            NEED_VALUE();
            o->key = val;
        } else if (strcmp(a, "--policy") == 0) {
            NEED_VALUE();
            o->policy = val;
        } else if (strcmp(a, "--tickets") == 0) {
            o->tickets = 1;
        } else if (strcmp(a, "--no-tickets") == 0) {
            o->tickets = 0;
        } else if (strcmp(a, "--ticket-key-file") == 0) {
            NEED_VALUE();
            o->ticket_key_file = val;
        } else if (strcmp(a, "--ticket-key-name") == 0) {
            NEED_VALUE();
            o->ticket_key_name = val;
        } else if (strcmp(a, "--rotate-keys") == 0) {
            NEED_VALUE();
            if (parse_long(val, 1, KEY_LIFETIME_MAX, &v) != 0) {
                msg("bad --rotate-keys: %s (1 to %ld seconds)", val, KEY_LIFETIME_MAX);
                return -1;
            }
            o->rotate_s = v;
        } else if (strcmp(a, "--key-decrypt-lifetime") == 0) {
            NEED_VALUE();
            if (parse_long(val, 0, KEY_LIFETIME_MAX, &v) != 0) {
                msg("bad --key-decrypt-lifetime: %s (0 to %ld seconds)", val, KEY_LIFETIME_MAX);
                return -1;
            }
            o->key_decrypt_lifetime_s = v;
        } else if (strcmp(a, "--cache") == 0) {
            NEED_VALUE();
            if (strcmp(val, "off") == 0) {
                o->cache = CACHE_OFF;
            } else if (strcmp(val, "memory") == 0) {
                o->cache = CACHE_MEMORY;
            } else if (strncmp(val, "redis://", 8) == 0) {
#ifdef RS2N_HAVE_HIREDIS
                struct redis_cache probe;
                char err[512];
                memset(&probe, 0, sizeof(probe));
                if (redis_cache_parse_url(&probe, val, err, sizeof(err)) != 0) {
                    msg("--cache: %s", err);
                    return -1;
                }
                o->cache = CACHE_REDIS;
                o->cache_url = val;
#else
                msg("--cache %s: this rs2nd was built without Redis support (hiredis was not "
                    "found when it was built); use --cache memory, or install libhiredis-dev "
                    "and rebuild",
                    val);
                return -1;
#endif
            } else {
                msg("bad --cache: %s (off, memory or redis://HOST[:PORT])", val);
                return -1;
            }
        } else if (strcmp(a, "--cache-prefix") == 0) {
            NEED_VALUE();
            o->cache_prefix = val;
        } else if (strcmp(a, "--session-lifetime") == 0) {
            NEED_VALUE();
            if (parse_long(val, 1, 7L * 24 * 3600, &v) != 0) {
                msg("bad --session-lifetime: %s (1 to 604800 seconds)", val);
                return -1;
            }
            o->session_lifetime_s = v;
        } else if (strcmp(a, "--max-conns") == 0) {
            NEED_VALUE();
            if (parse_long(val, 1, 1000000000L, &v) != 0) {
                msg("bad --max-conns: %s", val);
                return -1;
            }
            o->max_conns = v;
        } else if (strcmp(a, "--alpn") == 0) {
            NEED_VALUE();
            o->alpn = val;
        } else if (strcmp(a, "--ca") == 0) {
            NEED_VALUE();
            o->ca = val;
        } else if (strcmp(a, "--sni") == 0) {
            NEED_VALUE();
            o->sni = val;
        } else if (strcmp(a, "--sni-cert") == 0) {
            NEED_VALUE();
            o->sni_cert = val;
        } else if (strcmp(a, "--sni-key") == 0) {
            NEED_VALUE();
            o->sni_key = val;
        } else if (strcmp(a, "--client-auth") == 0) {
            NEED_VALUE();
            if (strcmp(val, "required") == 0) {
                o->client_auth = S2N_CERT_AUTH_REQUIRED;
            } else if (strcmp(val, "optional") == 0) {
                o->client_auth = S2N_CERT_AUTH_OPTIONAL;
            } else {
                msg("bad --client-auth: %s (required or optional)", val);
                return -1;
            }
        } else if (strcmp(a, "--async-pkey") == 0) {
            NEED_VALUE();
            if (parse_long(val, 0, 10000, &v) != 0) {
                msg("bad --async-pkey: %s (0 to 10000 ms)", val);
                return -1;
            }
            o->async_pkey_ms = v;
        } else if (strcmp(a, "--early-data") == 0) {
            NEED_VALUE();
            if (parse_long(val, 1, 1 << 20, &v) != 0) {
                msg("bad --early-data: %s (1 to 1048576 bytes)", val);
                return -1;
            }
            o->early_data = v;
        } else if (strcmp(a, "--ocsp") == 0) {
            NEED_VALUE();
            o->ocsp = val;
        } else if (strcmp(a, "--keylog") == 0) {
            NEED_VALUE();
            o->keylog = val;
        } else if (strcmp(a, "--export") == 0) {
            NEED_VALUE();
            if (extras_check_export(val) != 0) {
                return -1;
            }
            o->export_spec = val;
        } else if (strcmp(a, "--echo") == 0) {
            o->echo = 1;
        } else if (strcmp(a, "--timeout") == 0) {
            NEED_VALUE();
            if (parse_long(val, 1, 3600, &v) != 0) {
                msg("bad --timeout: %s", val);
                return -1;
            }
            o->timeout_s = (int)v;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else {
            msg("unknown option: %s", a);
            usage(stderr);
            return -1;
        }
    }
    if ((o->sni == NULL) != (o->sni_cert == NULL) || (o->sni == NULL) != (o->sni_key == NULL)) {
        msg("--sni, --sni-cert and --sni-key go together");
        return -1;
    }
    if ((o->cert == NULL) != (o->key == NULL)) {
        msg("--cert and --key go together");
        return -1;
    }
    if (o->ticket_key_name != NULL
        && (o->ticket_key_name[0] == '\0' || strlen(o->ticket_key_name) > TICKET_KEY_NAME_MAX)) {
        msg("--ticket-key-name must be 1 to %d bytes", TICKET_KEY_NAME_MAX);
        return -1;
    }
    if (o->cache_prefix[0] == '\0' || strlen(o->cache_prefix) > CACHE_PREFIX_MAX) {
        msg("--cache-prefix must be 1 to %d bytes", CACHE_PREFIX_MAX);
        return -1;
    }
    if (o->tickets < 0) {
        /* A session cache is for stateful resumption: tickets only if asked. */
        o->tickets = (o->cache == CACHE_OFF) ? 1 : 0;
    }
    if (o->rotate_s > 0 && o->ticket_key_name != NULL) {
        msg("--ticket-key-name does not go with --rotate-keys: rotated keys are named gen-N, "
            "or after the content of --ticket-key-file");
        return -1;
    }
    if (o->rotate_s > 0 && !o->tickets && o->cache == CACHE_OFF) {
        msg("--rotate-keys needs session tickets or a session cache (no ticket keys without)");
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Files                                                                      */
/* ------------------------------------------------------------------------- */

/* Reads a whole file (at most `max` bytes) into a NUL-terminated heap buffer.
 * On failure, says why on stderr, or into `err` if not NULL. */
static char *read_file(const char *path, size_t max, size_t *len_out, char *err, size_t err_len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t len = 0;
    char why[512];
    if (f == NULL) {
        snprintf(why, sizeof(why), "cannot open %s: %s", path, strerror(errno));
        goto fail;
    }
    buf = malloc(max + 1);
    if (buf == NULL) {
        fclose(f);
        snprintf(why, sizeof(why), "cannot read %s: out of memory", path);
        goto fail;
    }
    len = fread(buf, 1, max + 1, f);
    if (ferror(f) || len > max) {
        snprintf(why, sizeof(why), "cannot read %s (error, or larger than %zu bytes)", path,
                 max);
        free(buf);
        fclose(f);
        goto fail;
    }
    fclose(f);
    buf[len] = '\0';
    if (len_out != NULL) {
        *len_out = len;
    }
    return buf;
fail:
    if (err != NULL) {
        snprintf(err, err_len, "%s", why);
    } else {
        msg("%s", why);
    }
    return NULL;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ------------------------------------------------------------------------- */
/* Config                                                                     */
/* ------------------------------------------------------------------------- */

/* --async-pkey: the served chain holds no key; the "key service" (a chain with
 * the key, used by the signing threads) signs each operation after a delay. One
 * pair per config (the default one, and --sni's). */
#define ASYNC_CHAINS_MAX 2
static struct s2n_cert_chain_and_key *async_served[ASYNC_CHAINS_MAX];
static struct s2n_cert_chain_and_key *async_service[ASYNC_CHAINS_MAX];
static int async_chains;
static long async_delay_ms;

struct async_job {
    struct s2n_async_pkey_op *op;
    struct s2n_connection *conn;
    struct s2n_cert_chain_and_key *service; /* the key of the chain being served */
};

static void *async_sign(void *arg)
{
    struct async_job *job = arg;
    struct timespec delay = { async_delay_ms / 1000, (async_delay_ms % 1000) * 1000000L };
    nanosleep(&delay, NULL);
    if (s2n_async_pkey_op_perform(job->op, s2n_cert_chain_and_key_get_private_key(job->service)) != S2N_SUCCESS
        || s2n_async_pkey_op_apply(job->op, job->conn) != S2N_SUCCESS) {
        /* The connection may have timed out and gone meanwhile. */
        msg_s2n("async private key operation");
    }
    s2n_async_pkey_op_free(job->op);
    free(job);
    return NULL;
}

static int async_pkey_cb(struct s2n_connection *conn, struct s2n_async_pkey_op *op)
{
    pthread_t t;
    struct async_job *job = malloc(sizeof(*job));
    if (job == NULL) {
        s2n_async_pkey_op_free(op);
        return -1;
    }
    job->op = op;
    job->conn = conn;
    /* The key service of the chain the connection serves. */
    job->service = async_service[0];
    struct s2n_cert_chain_and_key *selected = s2n_connection_get_selected_cert(conn);
    for (int i = 0; i < async_chains; i++) {
        if (async_served[i] == selected) {
            job->service = async_service[i];
        }
    }
    if (pthread_create(&t, NULL, async_sign, job) != 0) {
        s2n_async_pkey_op_free(op);
        free(job);
        return -1;
    }
    pthread_detach(t);
    return 0;
}

static int add_async_cert(struct s2n_config *config, const char *cert, const char *key, long delay_ms)
{
    if (async_chains == ASYNC_CHAINS_MAX) {
        msg("--async-pkey: more than %d configs", ASYNC_CHAINS_MAX);
        return -1;
    }
    async_delay_ms = delay_ms;
    struct s2n_cert_chain_and_key *served = s2n_cert_chain_and_key_new();
    struct s2n_cert_chain_and_key *service = s2n_cert_chain_and_key_new();
    async_served[async_chains] = served;
    async_service[async_chains] = service;
    async_chains++;
    if (served == NULL || service == NULL
        || s2n_cert_chain_and_key_load_public_pem_bytes(served, (uint8_t *)cert, (uint32_t)strlen(cert))
               != S2N_SUCCESS
        || s2n_cert_chain_and_key_load_pem(service, cert, key) != S2N_SUCCESS
        || s2n_config_add_cert_chain_and_key_to_store(config, served) != S2N_SUCCESS
        || s2n_config_set_async_pkey_callback(config, async_pkey_cb) != S2N_SUCCESS) {
        msg_s2n("--async-pkey set-up");
        return -1;
    }
    return 0;
}

static int add_cert(struct s2n_config *config, const struct options *o)
{
    char cert_path[4096], key_path[4096];
    char *cert = NULL, *key = NULL;
    int rc = -1;

    if (o->cert != NULL) {
        snprintf(cert_path, sizeof(cert_path), "%s", o->cert);
        snprintf(key_path, sizeof(key_path), "%s", o->key);
    } else {
#ifdef RS2N_CERTS_DIR
        snprintf(cert_path, sizeof(cert_path), "%s/ecdsa_p256_cert.pem", RS2N_CERTS_DIR);
        snprintf(key_path, sizeof(key_path), "%s/ecdsa_p256_key.pem", RS2N_CERTS_DIR);
#else
        snprintf(cert_path, sizeof(cert_path), "c-tests/certs/ecdsa_p256_cert.pem");
        snprintf(key_path, sizeof(key_path), "c-tests/certs/ecdsa_p256_key.pem");
#endif
        if (!file_exists(cert_path)) {
            msg("no --cert/--key given and no test certificate at %s", cert_path);
            return -1;
        }
    }
    cert = read_file(cert_path, 1024 * 1024, NULL, NULL, 0);
    key = read_file(key_path, 1024 * 1024, NULL, NULL, 0);
    if (cert == NULL || key == NULL) {
        goto out;
    }
    if (o->async_pkey_ms >= 0) {
        rc = add_async_cert(config, cert, key, o->async_pkey_ms);
        goto out;
    }
    if (s2n_config_add_cert_chain_and_key(config, cert, key) != S2N_SUCCESS) {
        msg_s2n("s2n_config_add_cert_chain_and_key");
        goto out;
    }
    rc = 0;
out:
    free(cert);
    if (key != NULL) {
        memset(key, 0, strlen(key));
    }
    free(key);
    return rc;
}

static int random_bytes(uint8_t *out, size_t len)
{
    FILE *f = fopen("/dev/urandom", "rb");
    size_t n;
    if (f == NULL) {
        msg("cannot open /dev/urandom: %s", strerror(errno));
        return -1;
    }
    n = fread(out, 1, len, f);
    fclose(f);
    return n == len ? 0 : -1;
}

/* Ticket key rotation (--rotate-keys): what rs2nd remembers between checks. */
struct rotation {
    long long period_ms;   /* a check every S/2 seconds; 0: no rotation */
    long long lifetime_ms; /* a key's encrypt-decrypt lifetime, S seconds */
    long long next_ms;     /* when the next check is due (monotonic) */
    long long added_ms;    /* when the newest key was added (monotonic) */
    unsigned long next_gen; /* generated keys: N of the next "gen-N" */
    uint64_t file_hash;    /* --ticket-key-file: the newest key's content... */
    size_t file_len;       /* ...as its FNV-1a hash and length */
    char last_error[512];  /* the last failure reported; "" after a success */
    int stale_warned;      /* said that no key can encrypt any more */
};

/* 64-bit FNV-1a. */
static uint64_t fnv1a64(const uint8_t *p, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    size_t i;
    for (i = 0; i < n; i++) {
        h = (h ^ p[i]) * 1099511628211ULL;
    }
    return h;
}

/* The name of a key read from --ticket-key-file under --rotate-keys: 16 lowercase
 * hex digits of the 64-bit FNV-1a hash of the file's bytes.
 *
 * Why derived from the content: a ticket carries the name of the key that sealed
 * it, in the clear, and a server finds the key to open it by that name. The
 * servers of a fleet each re-read the same file on their own schedule, so each
 * must come to the same name for the same content without talking to the others:
 * a name from a counter, the clock or the host would differ between servers (and
 * between restarts), and their tickets would not resume elsewhere. A hash of the
 * content is the same everywhere. (s2n also refuses the same material under a
 * second name, so the name must be a function of the material anyway.)
 *
 * The name is public (every ticket shows it) and FNV-1a is not a cryptographic
 * hash: it tells at most 64 bits about the content, harmless for the 32 or more
 * random bytes a key file should hold, but enough to confirm guesses of a
 * low-entropy file. Without --rotate-keys the key keeps its old name (the file's
 * basename or --ticket-key-name), so existing fleets are not renamed. */
static void key_name_of(const uint8_t *content, size_t len, char name[TICKET_KEY_NAME_MAX + 1])
{
    snprintf(name, TICKET_KEY_NAME_MAX + 1, "%016llx",
             (unsigned long long)fnv1a64(content, len));
}

/* s2n_config_add_ticket_crypto_key with intro time 0: the key encrypts from now. */
static int add_ticket_key(struct s2n_config *config, const char *name, uint8_t *material,
                          size_t len)
{
    return s2n_config_add_ticket_crypto_key(config, (const uint8_t *)name, (uint32_t)strlen(name),
                                            material, (uint32_t)len, 0);
}

/* Reports a rotation failure once: the same failure again (a check every S/2
 * seconds keeps retrying) stays quiet until a key was added. */
static void rotation_failed(struct rotation *rot, const char *fmt, ...)
{
    char text[sizeof(rot->last_error)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (strcmp(text, rot->last_error) != 0) {
        msg("%s", text);
        memcpy(rot->last_error, text, sizeof(text));
    }
}

static int setup_tickets(struct s2n_config *config, const struct options *o, struct rotation *rot)
{
    uint8_t *material = NULL;
    size_t material_len = 0;
    uint8_t generated[32];
    char name[TICKET_KEY_NAME_MAX + 1];
    int rc = -1;

    if (s2n_config_set_session_tickets_onoff(config, o->tickets ? 1 : 0) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_session_tickets_onoff");
        return -1;
    }
    if (o->early_data > 0
        && s2n_config_set_server_max_early_data_size(config, (uint32_t)o->early_data) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_server_max_early_data_size");
        return -1;
    }
    /* The session cache needs a ticket key too: rs2n seals cached values with it. */
    if (!o->tickets && o->cache == CACHE_OFF) {
        return 0;
    }

    if (o->ticket_key_file != NULL) {
        const char *base = strrchr(o->ticket_key_file, '/');
        base = (base != NULL) ? base + 1 : o->ticket_key_file;
        material = (uint8_t *)read_file(o->ticket_key_file, MAX_KEY_FILE, &material_len, NULL, 0);
        if (material == NULL) {
            return -1;
        }
        if (material_len == 0) {
            msg("%s is empty", o->ticket_key_file);
            goto out;
        }
        if (o->rotate_s > 0) {
            /* The name fleet-wide rotation needs, see key_name_of. */
            key_name_of(material, material_len, name);
            rot->file_hash = fnv1a64(material, material_len);
            rot->file_len = material_len;
        } else {
            snprintf(name, sizeof(name), "%s", o->ticket_key_name ? o->ticket_key_name : base);
            if (name[0] == '\0') {
                snprintf(name, sizeof(name), "rs2nd");
            }
        }
    } else {
        if (random_bytes(generated, sizeof(generated)) != 0) {
            msg("cannot generate a ticket key");
            return -1;
        }
        material = generated;
        material_len = sizeof(generated);
        if (o->rotate_s > 0) {
            snprintf(name, sizeof(name), "gen-0");
            rot->next_gen = 1;
        } else {
            snprintf(name, sizeof(name), "%s",
                     o->ticket_key_name ? o->ticket_key_name : "rs2nd-random");
        }
    }

    if (add_ticket_key(config, name, material, material_len) != S2N_SUCCESS) {
        msg_s2n("s2n_config_add_ticket_crypto_key");
        goto out;
    }
    if (o->rotate_s > 0) {
        long decrypt_s = o->key_decrypt_lifetime_s >= 0 ? o->key_decrypt_lifetime_s
                                                        : S2N_DEFAULT_DECRYPT_LIFETIME_S;
        /* Keys alive at once when one is added every S/2 seconds and each lives
         * S + D seconds. */
        long live = (2 * (o->rotate_s + decrypt_s)) / o->rotate_s + 1;
        rot->period_ms = (long long)o->rotate_s * 500;
        rot->lifetime_ms = (long long)o->rotate_s * 1000;
        rot->added_ms = now_ms();
        rot->next_ms = rot->added_ms + rot->period_ms;
        msg("ticket key rotation: a new key every %lld.%03lld s (%s), each encrypting for %ld s "
            "then decrypting for %ld s more; first key %s",
            rot->period_ms / 1000, rot->period_ms % 1000,
            o->ticket_key_file != NULL ? "when the key file changed" : "generated", o->rotate_s,
            decrypt_s, name);
        if (live > TICKET_KEYS_MAX) {
            msg("warning: a key every %lld.%03lld s living %ld s makes up to %ld keys at once; "
                "a config holds %d, so adding keys will fail (S2N_ERR_TICKET_KEY_LIMIT) and "
                "tickets stop: keep --key-decrypt-lifetime at most %ld",
                rot->period_ms / 1000, rot->period_ms % 1000, o->rotate_s + decrypt_s, live,
                TICKET_KEYS_MAX, (TICKET_KEYS_MAX - 3) * o->rotate_s / 2);
        }
    }
    rc = 0;
out:
    if (material != NULL) {
        memset(material, 0, material_len);
        if (material != generated) {
            free(material);
        }
    }
    return rc;
}

/* --rotate-keys: once the check is due, adds a new ticket key to the live config
 * (connections may be using it; rs2n allows that). Called between connections
 * and whenever the wait for the next one times out. */
static void rotate_keys(struct s2n_config *config, const struct options *o, struct rotation *rot)
{
    long long now = now_ms();
    char name[TICKET_KEY_NAME_MAX + 1];
    char err[512];
    int added = 0;

    if (rot->period_ms == 0 || now < rot->next_ms) {
        return;
    }
    /* Every S/2 seconds from the start; a connection that outlasted checks does
     * not make them pile up. */
    while (rot->next_ms <= now) {
        rot->next_ms += rot->period_ms;
    }

    if (o->ticket_key_file == NULL) {
        uint8_t generated[32];
        snprintf(name, sizeof(name), "gen-%lu", rot->next_gen);
        if (random_bytes(generated, sizeof(generated)) != 0) {
            rotation_failed(rot, "cannot generate a ticket key");
        } else if (add_ticket_key(config, name, generated, sizeof(generated)) == S2N_SUCCESS) {
            rot->next_gen++;
            added = 1;
        } else {
            rotation_failed(rot, "cannot add ticket key %s: %s (%s)", name,
                            s2n_strerror_debug(s2n_errno, "EN"), s2n_strerror_name(s2n_errno));
        }
        memset(generated, 0, sizeof(generated));
    } else {
        size_t len = 0;
        uint8_t *content = (uint8_t *)read_file(o->ticket_key_file, MAX_KEY_FILE, &len, err,
                                                sizeof(err));
        if (content == NULL) {
            rotation_failed(rot, "%s (keeping the current keys)", err);
        } else if (len == 0) {
            rotation_failed(rot, "%s is empty (keeping the current keys)", o->ticket_key_file);
        } else if (fnv1a64(content, len) != rot->file_hash || len != rot->file_len) {
            /* Changed since the newest key (a no-op rewrite is no change). */
            key_name_of(content, len, name);
            if (add_ticket_key(config, name, content, len) == S2N_SUCCESS) {
                rot->file_hash = fnv1a64(content, len);
                rot->file_len = len;
                added = 1;
            } else {
                /* E.g. the file went back to an earlier key that is still
                 * decrypting: s2n refuses its name a second time. */
                rotation_failed(rot, "cannot add ticket key %s from %s: %s (%s)", name,
                                o->ticket_key_file, s2n_strerror_debug(s2n_errno, "EN"),
                                s2n_strerror_name(s2n_errno));
            }
        }
        if (content != NULL) {
            memset(content, 0, len);
            free(content);
        }
    }

    if (added) {
        msg("added ticket key %s", name);
        rot->added_ms = now;
        rot->last_error[0] = '\0';
        rot->stale_warned = 0;
    } else if (!rot->stale_warned && now - rot->added_ms >= rot->lifetime_ms) {
        msg("warning: no ticket key can encrypt any more (the newest was added %lld s ago and "
            "encrypts for %lld s): new sessions get no tickets until a key is added%s",
            (now - rot->added_ms) / 1000, rot->lifetime_ms / 1000,
            o->ticket_key_file != NULL ? "; replace the key file" : "");
        rot->stale_warned = 1;
    }
}

/* ------------------------------------------------------------------------- */
/* Session cache                                                              */
/* ------------------------------------------------------------------------- */

/* --cache memory: a chained hash table of at most MEM_CACHE_MAX_ENTRIES
 * sessions. An entry past its ttl is a miss and is dropped when met; a store
 * into a full table first drops every expired entry, and is refused (rs2n then
 * just does not cache that session) if the table is still full. */
struct mem_entry {
    struct mem_entry *next;
    long long expires_ms; /* monotonic */
    size_t key_len;
    size_t value_len;
    uint8_t data[]; /* key, then value */
};

struct mem_cache {
    struct mem_entry *buckets[MEM_CACHE_BUCKETS];
    size_t count;
};

/* What the cache callbacks get as their context. */
struct cache {
    enum cache_kind kind;
    struct mem_cache *mem;
#ifdef RS2N_HAVE_HIREDIS
    struct redis_cache redis;
#endif
    unsigned long stores, store_failures, hits, misses, deletes;
};

static size_t mem_hash(const uint8_t *key, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    size_t i;
    for (i = 0; i < len; i++) {
        h = (h ^ key[i]) * 16777619u;
    }
    return h % MEM_CACHE_BUCKETS;
}

static void mem_entry_free(struct mem_entry *e)
{
    memset(e->data, 0, e->key_len + e->value_len);
    free(e);
}

/* Unlinks and frees *link (an entry), leaving *link on the next one. */
static void mem_unlink(struct mem_cache *m, struct mem_entry **link)
{
    struct mem_entry *e = *link;
    *link = e->next;
    mem_entry_free(e);
    m->count--;
}

/* Finds key's entry, dropping expired entries of its bucket on the way.
 * Returns the link pointing at it, or NULL. */
static struct mem_entry **mem_find(struct mem_cache *m, const uint8_t *key, size_t key_len)
{
    struct mem_entry **link = &m->buckets[mem_hash(key, key_len)];
    long long now = now_ms();
    while (*link != NULL) {
        struct mem_entry *e = *link;
        if (e->expires_ms <= now) {
            mem_unlink(m, link);
            continue;
        }
        if (e->key_len == key_len && memcmp(e->data, key, key_len) == 0) {
            return link;
        }
        link = &e->next;
    }
    return NULL;
}

static void mem_sweep(struct mem_cache *m)
{
    long long now = now_ms();
    size_t b;
    for (b = 0; b < MEM_CACHE_BUCKETS; b++) {
        struct mem_entry **link = &m->buckets[b];
        while (*link != NULL) {
            if ((*link)->expires_ms <= now) {
                mem_unlink(m, link);
            } else {
                link = &(*link)->next;
            }
        }
    }
}

static int mem_store(struct mem_cache *m, uint64_t ttl_s, const uint8_t *key, size_t key_len,
                     const uint8_t *value, size_t value_len)
{
    struct mem_entry **link;
    struct mem_entry *e;
    size_t b;

    if (ttl_s == 0) {
        return -1;
    }
    if (ttl_s > 7 * 24 * 3600) {
        ttl_s = 7 * 24 * 3600;
    }
    link = mem_find(m, key, key_len);
    if (link != NULL) {
        mem_unlink(m, link);
    }
    if (m->count >= MEM_CACHE_MAX_ENTRIES) {
        mem_sweep(m);
        if (m->count >= MEM_CACHE_MAX_ENTRIES) {
            return -1;
        }
    }
    e = malloc(sizeof(*e) + key_len + value_len);
    if (e == NULL) {
        return -1;
    }
    e->expires_ms = now_ms() + (long long)ttl_s * 1000;
    e->key_len = key_len;
    e->value_len = value_len;
    memcpy(e->data, key, key_len);
    memcpy(e->data + key_len, value, value_len);
    b = mem_hash(key, key_len);
    e->next = m->buckets[b];
    m->buckets[b] = e;
    m->count++;
    return 0;
}

static int mem_retrieve(struct mem_cache *m, const uint8_t *key, size_t key_len, void *value,
                        uint64_t *value_size)
{
    struct mem_entry **link = mem_find(m, key, key_len);
    if (link == NULL || (uint64_t)(*link)->value_len > *value_size) {
        return -1;
    }
    memcpy(value, (*link)->data + key_len, (*link)->value_len);
    *value_size = (uint64_t)(*link)->value_len;
    if (key_len > CACHE_SESSION_ID_MAX) {
        mem_unlink(m, link); /* a TLS1.3 ticket: taken, as the Redis cache does */
    }
    return 0;
}

static void mem_delete(struct mem_cache *m, const uint8_t *key, size_t key_len)
{
    struct mem_entry **link = mem_find(m, key, key_len);
    if (link != NULL) {
        mem_unlink(m, link);
    }
}

static void mem_free(struct mem_cache *m)
{
    size_t b;
    for (b = 0; b < MEM_CACHE_BUCKETS; b++) {
        while (m->buckets[b] != NULL) {
            mem_unlink(m, &m->buckets[b]);
        }
    }
    free(m);
}

/* The s2n session cache callbacks. They run inside s2n_negotiate (and, for the
 * delete callback, also when a failed connection is freed); on `conn` only
 * s2n_connection_get_ctx may be called. */
static int cache_store_cb(struct s2n_connection *conn, void *ctx, uint64_t ttl_in_seconds,
                          const void *key, uint64_t key_size, const void *value,
                          uint64_t value_size)
{
    struct cache *c = ctx;
    int rc = -1;
    (void)conn;
    if (key_size == 0 || key_size > CACHE_KEY_MAX || value_size == 0
        || value_size > CACHE_VALUE_MAX) {
        c->store_failures++;
        return -1;
    }
    if (c->kind == CACHE_MEMORY) {
        rc = mem_store(c->mem, ttl_in_seconds, key, (size_t)key_size, value, (size_t)value_size);
    }
#ifdef RS2N_HAVE_HIREDIS
    if (c->kind == CACHE_REDIS) {
        rc = redis_cache_store(&c->redis, ttl_in_seconds, key, key_size, value, value_size);
    }
#endif
    if (rc == 0) {
        c->stores++;
    } else {
        c->store_failures++;
    }
    return rc;
}

static int cache_retrieve_cb(struct s2n_connection *conn, void *ctx, const void *key,
                             uint64_t key_size, void *value, uint64_t *value_size)
{
    struct cache *c = ctx;
    struct conn_state *state = s2n_connection_get_ctx(conn);
    int rc = -1;
    if (key_size == 0 || key_size > CACHE_KEY_MAX || value_size == NULL) {
        c->misses++;
        return -1;
    }
    if (c->kind == CACHE_MEMORY) {
        rc = mem_retrieve(c->mem, key, (size_t)key_size, value, value_size);
    }
#ifdef RS2N_HAVE_HIREDIS
    if (c->kind == CACHE_REDIS) {
        rc = redis_cache_retrieve(&c->redis, key, key_size, value, value_size);
    }
#endif
    if (rc == 0) {
        c->hits++;
        if (state != NULL) {
            state->cache_hit = 1;
        }
    } else {
        c->misses++;
    }
    return rc;
}

static int cache_delete_cb(struct s2n_connection *conn, void *ctx, const void *key,
                           uint64_t key_size)
{
    struct cache *c = ctx;
    (void)conn;
    if (key_size == 0 || key_size > CACHE_KEY_MAX) {
        return -1;
    }
    c->deletes++;
    if (c->kind == CACHE_MEMORY) {
        mem_delete(c->mem, key, (size_t)key_size);
        return 0;
    }
#ifdef RS2N_HAVE_HIREDIS
    if (c->kind == CACHE_REDIS) {
        return redis_cache_delete(&c->redis, key, key_size);
    }
#endif
    return 0;
}

/* Creates the cache --cache asks for (none for off). */
static int cache_open(struct cache *c, const struct options *o)
{
    memset(c, 0, sizeof(*c));
    c->kind = o->cache;
    if (o->cache == CACHE_MEMORY) {
        c->mem = calloc(1, sizeof(*c->mem));
        if (c->mem == NULL) {
            msg("out of memory");
            return -1;
        }
        msg("session cache: memory (at most %d sessions), tickets %s", MEM_CACHE_MAX_ENTRIES,
            o->tickets ? "on" : "off");
    }
#ifdef RS2N_HAVE_HIREDIS
    if (o->cache == CACHE_REDIS) {
        char err[512];
        if (redis_cache_init(&c->redis, o->cache_url, o->cache_prefix, err, sizeof(err)) != 0) {
            msg("--cache: %s", err);
            return -1;
        }
        msg("session cache: redis %s:%d, key prefix \"%s\"%s, tickets %s", c->redis.host,
            c->redis.port, c->redis.prefix,
            c->redis.ctx != NULL ? "" : " (not reachable yet: misses until it is)",
            o->tickets ? "on" : "off");
    }
#endif
    return 0;
}

static void cache_close(struct cache *c)
{
    if (c->kind != CACHE_OFF) {
        msg("session cache: %lu stored, %lu not stored, %lu hits, %lu misses, %lu deletes",
            c->stores, c->store_failures, c->hits, c->misses, c->deletes);
    }
    if (c->mem != NULL) {
        mem_free(c->mem);
        c->mem = NULL;
    }
#ifdef RS2N_HAVE_HIREDIS
    if (c->kind == CACHE_REDIS) {
        redis_cache_free(&c->redis);
    }
#endif
    c->kind = CACHE_OFF;
}

/* The store, retrieve and delete callbacks, then s2n_config_set_session_cache_onoff
 * (which turns the cache on only once all three are set). The retrieve callback
 * sets conn_state.cache_hit (through s2n_connection_get_ctx) so that the
 * connection's line says "session-id". */
static int setup_cache(struct s2n_config *config, const struct options *o, struct cache *c)
{
    if (o->cache == CACHE_OFF) {
        return 0;
    }
    if (s2n_config_set_cache_store_callback(config, cache_store_cb, c) != S2N_SUCCESS
        || s2n_config_set_cache_retrieve_callback(config, cache_retrieve_cb, c) != S2N_SUCCESS
        || s2n_config_set_cache_delete_callback(config, cache_delete_cb, c) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_cache_*_callback");
        return -1;
    }
    if (s2n_config_set_session_cache_onoff(config, 1) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_session_cache_onoff");
        return -1;
    }
    return 0;
}

/* Accepts any name in a client's certificate: the chain is still verified
 * against --ca. (s2n's default host check compares the certificate's names with
 * the server name the client sent, which client certificates rarely carry.) */
static uint8_t accept_any_client_name(const char *host_name, size_t len, void *data)
{
    (void)host_name;
    (void)len;
    (void)data;
    return 1;
}

static int setup_alpn_and_client_auth(struct s2n_config *config, const struct options *o)
{
    if (o->alpn != NULL && set_alpn_list(config, o->alpn) != 0) {
        return -1;
    }
    if (o->ca == NULL) {
        return 0;
    }
    if (s2n_config_set_verification_ca_location(config, o->ca, NULL) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_verification_ca_location");
        return -1;
    }
    if (s2n_config_set_client_auth_type(config, o->client_auth) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_client_auth_type");
        return -1;
    }
    if (s2n_config_set_verify_host_callback(config, accept_any_client_name, NULL) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_verify_host_callback");
        return -1;
    }
    return 0;
}

/* --sni: the second config and the name that selects it. */
static struct s2n_config *sni_config;
static const char *sni_name;

/* The client hello callback: a client naming --sni gets the second config. */
static int sni_hello_cb(struct s2n_connection *conn, void *ctx)
{
    struct s2n_client_hello *ch = s2n_connection_get_client_hello(conn);
    struct conn_state *state = s2n_connection_get_ctx(conn);
    char name[256];
    uint16_t len = 0;
    (void)ctx;
    if (ch == NULL
        || s2n_client_hello_get_server_name(ch, (uint8_t *)name, sizeof(name) - 1, &len)
               != S2N_SUCCESS) {
        return 0; /* no (usable) server name: the default config */
    }
    name[len] = '\0';
    if (strcasecmp(name, sni_name) != 0) {
        return 0;
    }
    if (s2n_connection_set_config(conn, sni_config) != S2N_SUCCESS
        || s2n_connection_server_name_extension_used(conn) != S2N_SUCCESS) {
        msg_s2n("client hello callback");
        return -1;
    }
    if (state != NULL) {
        state->sni_config = 1;
    }
    return 0;
}

static struct s2n_config *make_config(const struct options *o, struct cache *cache,
                                      struct rotation *rot)
{
    struct s2n_config *config = s2n_config_new_minimal();
    if (config == NULL) {
        msg_s2n("s2n_config_new_minimal");
        return NULL;
    }
    if (s2n_config_set_cipher_preferences(config, o->policy) != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_cipher_preferences");
        goto fail;
    }
    if (o->session_lifetime_s > 0
        && s2n_config_set_session_state_lifetime(config, (uint64_t)o->session_lifetime_s)
               != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_session_state_lifetime");
        goto fail;
    }
    if (o->rotate_s > 0
        && s2n_config_set_ticket_encrypt_decrypt_key_lifetime(config, (uint64_t)o->rotate_s)
               != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_ticket_encrypt_decrypt_key_lifetime");
        goto fail;
    }
    if (o->key_decrypt_lifetime_s >= 0
        && s2n_config_set_ticket_decrypt_key_lifetime(config,
                                                      (uint64_t)o->key_decrypt_lifetime_s)
               != S2N_SUCCESS) {
        msg_s2n("s2n_config_set_ticket_decrypt_key_lifetime");
        goto fail;
    }
    /* The cache first: s2n-tls ignores ticket keys added while tickets and the
     * cache are both off. */
    if (add_cert(config, o) != 0 || setup_alpn_and_client_auth(config, o) != 0
        || setup_cache(config, o, cache) != 0 || setup_tickets(config, o, rot) != 0) {
        goto fail;
    }
    if (o->ocsp != NULL) {
        uint32_t len = 0;
        uint8_t *der = extras_read_file(o->ocsp, &len);
        if (der == NULL) {
            goto fail;
        }
        int rc = s2n_config_set_extension_data(config, S2N_EXTENSION_OCSP_STAPLING, der, len);
        free(der);
        if (rc != S2N_SUCCESS) {
            msg_s2n("s2n_config_set_extension_data");
            goto fail;
        }
    }
    if (o->keylog != NULL) {
        static FILE *keylog; /* open for the life of the process */
        if (keylog == NULL && extras_set_keylog(config, o->keylog, &keylog) != 0) {
            goto fail;
        }
        if (keylog != NULL && s2n_config_set_key_log_cb(config, extras_key_log, keylog) != S2N_SUCCESS) {
            goto fail;
        }
    }
    return config;
fail:
    s2n_config_free(config);
    return NULL;
}

/* ------------------------------------------------------------------------- */
/* I/O                                                                        */
/* ------------------------------------------------------------------------- */

/* Echoes until the peer closes. Returns 0 on a clean end. */
static int echo_loop(struct s2n_connection *conn, int fd, int timeout_s)
{
    uint8_t buf[16384];
    long long deadline = now_ms() + (long long)timeout_s * 1000;
    for (;;) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        ssize_t n = s2n_recv(conn, buf, sizeof(buf), &blocked);
        int r;
        if (n == 0) {
            return 0; /* the peer closed */
        }
        if (n < 0) {
            if (s2n_would_block()) {
                if (wait_fd(fd, blocked, deadline) != 0) {
                    msg("echo: peer idle for %d s", timeout_s);
                    return -1;
                }
                continue;
            }
            if (s2n_error_get_type(s2n_errno) == S2N_ERR_T_CLOSED) {
                /* s2n_recv reports an end without close_notify as an error:
                 * the data may have been cut short. */
                msg("echo: the peer closed without close_notify");
                return -1;
            }
            msg_s2n("s2n_recv");
            return -1;
        }
        r = send_all(conn, fd, buf, (size_t)n, deadline);
        if (r > 0) {
            msg("echo: peer not reading for %d s", timeout_s);
            return -1;
        }
        if (r < 0) {
            msg_s2n("s2n_send");
            return -1;
        }
        deadline = now_ms() + (long long)timeout_s * 1000;
    }
}

static int shutdown_conn(struct s2n_connection *conn, int fd, int timeout_s)
{
    long long deadline = now_ms() + (long long)timeout_s * 1000;
    int r = drive_s2n_call(s2n_shutdown, conn, fd, deadline);
    if (r < 0) {
        msg_s2n("s2n_shutdown");
        return -1;
    }
    if (r > 0) {
        msg("s2n_shutdown: no close_notify from the peer within %d s", timeout_s);
        return -1;
    }
    return 0;
}


/* s2n_recv_early_data until the early data is over, as s2n's guide shows: the
 * bytes read in `buf` (at most `size`), or -1 (s2n_errno says why; 1 with a
 * timeout). */
static long recv_early(struct s2n_connection *conn, int fd, uint8_t *buf, long size,
                       long long deadline, int *timed_out)
{
    long total = 0;
    *timed_out = 0;
    for (;;) {
        s2n_blocked_status blocked = S2N_NOT_BLOCKED;
        ssize_t got = 0;
        int r = s2n_recv_early_data(conn, buf + total, size - total, &got, &blocked);
        total += got;
        if (r == S2N_SUCCESS) {
            return total;
        }
        if (!s2n_would_block()) {
            return -1;
        }
        if (wait_fd(fd, blocked, deadline) != 0) {
            *timed_out = 1;
            return -1;
        }
    }
}

/* Serves one accepted connection and prints its line. */
static void serve(struct s2n_config *config, const struct options *o, int fd, long index)
{
    struct s2n_connection *conn = s2n_connection_new(S2N_SERVER);
    struct conn_state state;
    long long deadline = now_ms() + (long long)o->timeout_s * 1000;
    int hs;

    memset(&state, 0, sizeof(state));
    if (conn == NULL) {
        printf("conn %ld: handshake failed: s2n_connection_new: %s (%s)\n", index,
               s2n_strerror_debug(s2n_errno, "EN"), s2n_strerror_name(s2n_errno));
        fflush(stdout);
        return;
    }
    if (s2n_connection_set_config(conn, config) != S2N_SUCCESS
        || s2n_connection_set_ctx(conn, &state) != S2N_SUCCESS
        || s2n_connection_set_fd(conn, fd) != S2N_SUCCESS) {
        printf("conn %ld: handshake failed: set-up: %s (%s)\n", index,
               s2n_strerror_debug(s2n_errno, "EN"), s2n_strerror_name(s2n_errno));
        fflush(stdout);
        s2n_connection_free(conn);
        return;
    }

    uint8_t *early = NULL;
    long early_len = 0;
    int early_timeout = 0;
    if (o->early_data > 0) {
        early = malloc((size_t)o->early_data);
        if (early == NULL) {
            printf("conn %ld: handshake failed: out of memory\n", index);
            s2n_connection_free(conn);
            return;
        }
        early_len = recv_early(conn, fd, early, o->early_data, deadline, &early_timeout);
        if (early_len > 0) {
            printf("conn %ld: early data read, %ld bytes\n", index, early_len);
            fflush(stdout);
        }
    }
    if (early_len < 0) {
        hs = early_timeout ? 1 : -1;
    } else {
        hs = drive_s2n_call(s2n_negotiate, conn, fd, deadline);
    }
    if (hs < 0) {
        int err = s2n_errno;
        printf("conn %ld: handshake failed: %s (%s)\n", index, s2n_strerror_debug(err, "EN"),
               s2n_strerror_name(err));
    } else if (hs > 0) {
        printf("conn %ld: handshake failed: timed out after %d s\n", index, o->timeout_s);
    } else {
        int version = s2n_connection_get_actual_protocol_version(conn);
        int resumed = s2n_connection_is_session_resumed(conn);
        const char *how = "full";
        if (resumed) {
            if (version >= S2N_TLS13) {
                how = "psk";
            } else {
                how = state.cache_hit ? "session-id" : "ticket";
            }
        }
        printf("conn %ld: %s, %s, %s, %s, %s", index, protocol_name(version),
               s2n_connection_get_cipher(conn), resumed ? "Reused" : "New", how,
               s2n_connection_get_handshake_type_name(conn));
        if (o->alpn != NULL || o->ca != NULL) {
            const char *alpn = s2n_get_application_protocol(conn);
            printf(", alpn %s, client cert %s", alpn ? alpn : "none",
                   s2n_connection_client_cert_used(conn) == 1 ? "yes" : "no");
        }
        if (o->sni != NULL) {
            printf(", config %s", state.sni_config ? "sni" : "default");
        }
        if (o->early_data > 0) {
            printf(", early data %s %ld", early_status_name(conn), early_len);
        }
        printf("\n");
        if (o->export_spec != NULL) {
            printf("conn %ld: ", index);
            extras_print_export(conn, o->export_spec, stdout);
        }
        if (o->ocsp != NULL) {
            printf("conn %ld: OCSP stapled: %s\n", index,
                   s2n_connection_is_ocsp_stapled(conn) == 1 ? "yes" : "no");
        }
        fflush(stdout);
        if (o->echo && early_len > 0 && send_all(conn, fd, early, (size_t)early_len, deadline) != 0) {
            msg_s2n("s2n_send (early data echo)");
        }
        if (o->echo) {
            (void)echo_loop(conn, fd, o->timeout_s);
        }
        (void)shutdown_conn(conn, fd, o->timeout_s);
    }
    fflush(stdout);
    free(early);
    s2n_connection_free(conn);
}

/* ------------------------------------------------------------------------- */
/* Main                                                                       */
/* ------------------------------------------------------------------------- */

static int listen_loopback(int port, int *bound_port)
{
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        msg("socket: %s", strerror(errno));
        return -1;
    }
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons((uint16_t)port);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, 16) != 0
        || getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        msg("cannot listen on 127.0.0.1:%d: %s", port, strerror(errno));
        close(fd);
        return -1;
    }
    *bound_port = ntohs(addr.sin_port);
    return fd;
}

int main(int argc, char **argv)
{
    struct options o;
    struct s2n_config *config = NULL;
    static struct cache cache; /* outlives config: its callbacks' context */
    static struct rotation rot; /* --rotate-keys; all zero: none */
    int lfd, port = 0;
    long served = 0;

    signal(SIGPIPE, SIG_IGN);
    if (parse_options(argc, argv, &o) != 0) {
        return 2;
    }
    if (s2n_init() != S2N_SUCCESS) {
        msg_s2n("s2n_init");
        return 1;
    }
    if (cache_open(&cache, &o) != 0) {
        return 1;
    }
    config = make_config(&o, &cache, &rot);
    if (config == NULL) {
        cache_close(&cache);
        return 1;
    }
    if (o.sni != NULL) {
        static struct rotation sni_rot; /* the second config's own ticket keys */
        struct options so = o;
        so.cert = o.sni_cert;
        so.key = o.sni_key;
        sni_name = o.sni;
        sni_config = make_config(&so, &cache, &sni_rot);
        if (sni_config == NULL
            || s2n_config_set_client_hello_cb(config, sni_hello_cb, NULL) != S2N_SUCCESS) {
            msg_s2n("--sni");
            s2n_config_free(config);
            if (sni_config != NULL) {
                s2n_config_free(sni_config);
            }
            cache_close(&cache);
            return 1;
        }
    }
    lfd = listen_loopback(o.port, &port);
    /* Non-blocking: rs2nd waits in poll(), then accept() must not block should
     * the client have gone in between. */
    if (lfd >= 0 && set_nonblocking(lfd) != 0) {
        msg("fcntl: %s", strerror(errno));
        close(lfd);
        lfd = -1;
    }
    if (lfd < 0) {
        s2n_config_free(config);
        cache_close(&cache);
        return 1;
    }
    printf("listening on 127.0.0.1:%d\n", port);
    fflush(stdout);

    while (o.max_conns == 0 || served < o.max_conns) {
        struct pollfd p;
        int timeout_ms = -1; /* without --rotate-keys: until a client comes */
        int n, fd;
        if (rot.period_ms > 0) {
            /* Key rotation is checked here, between connections, and when the
             * wait below times out at the next check. */
            long long left;
            rotate_keys(config, &o, &rot);
            left = rot.next_ms - now_ms();
            timeout_ms = left <= 0 ? 0 : (int)left; /* at most S/2 s: fits */
        }
        p.fd = lfd;
        p.events = POLLIN;
        p.revents = 0;
        n = poll(&p, 1, timeout_ms);
        if (n == 0 || (n < 0 && errno == EINTR)) {
            continue;
        }
        if (n < 0) {
            msg("poll: %s", strerror(errno));
            break;
        }
        fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN
                || errno == EWOULDBLOCK) {
                continue;
            }
            msg("accept: %s", strerror(errno));
            break;
        }
        served++;
        if (set_nonblocking(fd) != 0) {
            msg("fcntl: %s", strerror(errno));
            close(fd);
            continue;
        }
        serve(config, &o, fd, served);
        close(fd);
    }

    close(lfd);
    s2n_config_free(config);
    if (sni_config != NULL) {
        s2n_config_free(sni_config);
    }
    cache_close(&cache);
    s2n_cleanup();
    return (o.max_conns != 0 && served == o.max_conns) ? 0 : 1;
}
