#!/usr/bin/env python3
"""Runs the drivers side by side and prints the comparison (see run.sh).

  compare.py [--iters N] [--batch B] [--only SUBSTR] [--mem N] [--mt-ms MS]
             [--cachegrind N] NAME=COMMAND...

Each NAME=COMMAND is a driver (its command line before the scenario and the
certificates directory); the first is the reference of the ratios. For each
scenario every driver runs as its own process; the runner asks each in turn,
in a rotating order, for B timed pairs until each has N, so machine noise falls
on all. Prints medians and p90 (µs per client+server pair), the ratio of
medians to the first driver, and pairs per second on one core (1e6/median).
Then memory per established idle connection and multi-threaded throughput.
With --cachegrind N (N > 0), also the work per pair counted by valgrind's
cachegrind, which the machine's load does not change: instructions, and
misses of its simulated first-level instruction and data caches, over N pairs
(a run of 1 + N pairs minus a run of 1, so set-up and the first full handshake
drop out). valgrind hides SHA-NI and AVX-512 from the code it runs, so
hash-heavy work counts more instructions than it costs natively; all drivers
alike. Nothing is asserted about speed."""

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile

SCENARIOS = [
    ("tls13_full", "TLS1.3 full"),
    ("tls13_resumed", "TLS1.3 resumed"),
    ("tls12_full", "TLS1.2 full"),
    ("tls12_ticket", "TLS1.2 ticket resumed"),
    ("tls12_session_id", "TLS1.2 session-ID resumed"),
    ("tls13_full_rsa", "TLS1.3 full, RSA-2048"),
]
CERTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "c-tests", "certs")


class Driver:
    def __init__(self, name, cmd, scenario):
        self.name = name
        self.p = subprocess.Popen(
            shlex.split(cmd) + [scenario, CERTS],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        out = self.p.stdout.readline().strip()
        if not out.startswith("ok"):
            sys.exit(f"{self.name}: {line}: {out or 'no answer'}")
        return out[2:].strip()

    def close(self):
        try:
            self.p.stdin.write("quit\n")
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        self.p.wait()


def under_valgrind(options, cmd, scenario):
    """The argv and environment that run a driver's `cmd` on `scenario` under
    valgrind with `options`: for `env X=Y prog ...`, the variables are set here
    and prog runs under valgrind (not env)."""
    words = shlex.split(cmd)
    env = dict(os.environ)
    if words[0] == "env":
        words.pop(0)
        while "=" in words[0]:
            k, v = words.pop(0).split("=", 1)
            env[k] = v
    return ["valgrind"] + options + words + [scenario, CERTS], env


def cachegrind(cmd, scenario, pairs):
    """Per-pair cachegrind counts (Ir, I1mr, D1mr + D1mw) of `pairs` resumed or
    full pairs: a run of 1 + pairs minus a run of 1 (set-up and the first
    handshake drop out)."""
    totals = []
    for n in (1, 1 + pairs):
        with tempfile.NamedTemporaryFile(suffix=".cg") as out:
            argv, env = under_valgrind(["--tool=cachegrind", "--cache-sim=yes",
                                        f"--cachegrind-out-file={out.name}"], cmd, scenario)
            subprocess.run(argv, input=f"run {n}\nquit\n", text=True, check=True, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            events = summary = None
            for line in open(out.name):
                if line.startswith("events:"):
                    events = line.split()[1:]
                elif line.startswith("summary:"):
                    summary = dict(zip(events, map(int, line.split()[1:])))
            totals.append(summary)
    a, b = totals
    per = {k: (b[k] - a[k]) / pairs for k in a}
    return per["Ir"], per["I1mr"], per["D1mr"] + per["D1mw"]


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * len(v)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iters", type=int, default=300)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--only")
    ap.add_argument("--mem", type=int, default=100)
    ap.add_argument("--mt-ms", type=int, default=1000)
    ap.add_argument("--cachegrind", type=int, default=0)
    ap.add_argument("drivers", nargs="+")
    a = ap.parse_args()
    drivers = [d.split("=", 1) for d in a.drivers]
    names = [n for n, _ in drivers]
    ref = names[0]
    scen = [s for s in SCENARIOS if not a.only or a.only in s[0]]

    print(f"{a.iters} pairs per driver and scenario, batches of {a.batch}, rotating order;")
    print("µs per client+server pair (median / p90); ratio: median / median of " + ref)
    print("pairs/s/core: 1e6 / median (client and server on the same core)\n")
    table = {}
    for key, title in scen:
        ds = [Driver(n, c, key) for n, c in drivers]
        for d in ds:
            print(f"  {title:<26} {d.name:<18} {d.ask('info')}")
        samples = {d.name: [] for d in ds}
        rnd = 0
        while min(len(v) for v in samples.values()) < a.iters:
            order = ds[rnd % len(ds):] + ds[: rnd % len(ds)]
            for d in order:
                samples[d.name] += [int(x) / 1000 for x in d.ask(f"run {a.batch}").split()]
            rnd += 1
        for d in ds:
            d.close()
        table[title] = {n: (statistics.median(v), pct(v, 0.9)) for n, v in samples.items()}

    print()
    w = 22
    print(f"{'scenario':<27}" + "".join(f"{n:>{w}}" for n in names))
    for title, row in table.items():
        base = row[ref][0]
        cells = "".join(
            f"{f'{m:.1f}/{p:.1f} {m / base:.2f}x':>{w}}" for m, p in (row[n] for n in names)
        )
        print(f"{title:<27}{cells}")
    print("\nmarkdown, median µs per pair (ratio to " + ref + "):\n")
    print("| scenario | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for title, row in table.items():
        base = row[ref][0]
        print(f"| {title} | " + " | ".join(f"{row[n][0]:.1f} ({row[n][0] / base:.2f})" for n in names) + " |")
    print()
    print(f"{'pairs/s/core':<27}" + "".join(f"{n:>{w}}" for n in names))
    for title, row in table.items():
        print(f"{title:<27}" + "".join(f"{1e6 / row[n][0]:>{w}.0f}" for n in names))

    # The bare drivers are rs2n's examples: each times rs2n's sealing with the
    # crypto library of its build (ring, or aws-lc-rs).
    costs = {}
    for n, c in drivers:
        if n.startswith("bare"):
            d = Driver(n, c, "tls12_ticket")
            o, sl, lib = d.ask("keycost 1000").split()
            d.close()
            costs.setdefault(lib, (o, sl))
    if costs:
        print("\nrs2n's per-value key (HKDF-Expand + AES-256-GCM setup), part of its resumed")
        print("figures and not done by bare rustls' ticketer:")
        for lib, (o, sl) in costs.items():
            print(f"  {lib}: open {o} µs, seal {sl} µs")

    if a.cachegrind > 0:
        print(f"\nwork per pair counted by cachegrind over {a.cachegrind} pairs (thousands of")
        print(" instructions / first-level instruction-cache misses / data-cache misses,")
        print(" and the ratio of each to " + ref + "; noise-free, no SHA-NI under valgrind)")
        cg = {}
        for key, title in scen:
            cg[title] = {n: cachegrind(c, key, a.cachegrind) for n, c in drivers}
        w2 = 34
        print(f"{'scenario':<27}" + "".join(f"{n:>{w2}}" for n in names))
        for title, row in cg.items():
            ir0, i10, d10 = row[ref]
            cells = "".join(
                f"{f'{ir / 1e3:.0f}k/{i1:.0f}/{d1:.0f} {ir / ir0:.2f}/{i1 / i10:.2f}/{d1 / d10:.2f}':>{w2}}"
                for ir, i1, d1 in (row[n] for n in names)
            )
            print(f"{title:<27}{cells}")

    if a.mem > 0:
        print(f"\nmemory per established idle connection, KiB of malloc'd bytes in use")
        print(f"(glibc mallinfo2 deltas over {a.mem} connections held at once; ")
        print(" server / client / server after releasing its buffers)")
        for key, title in SCENARIOS:
            if key not in ("tls13_full", "tls12_full") or (a.only and a.only not in key):
                continue
            cells = ""
            for n, c in drivers:
                d = Driver(n, c, key)
                s, cl, r = (int(x) / 1024 for x in d.ask(f"mem {a.mem}").split())
                d.close()
                cells += f"{f'{s:.1f} / {cl:.1f} / {r:.1f}':>{w}}"
            print(f"{title:<27}{cells}")

    if a.mt_ms > 0:
        print(f"\nthroughput, pairs per second with 1 and 2 threads ({a.mt_ms} ms each,")
        print(" the configs shared by the threads; median of 3 rounds, rotating order)")
        for key, title in SCENARIOS:
            if key not in ("tls13_full", "tls12_ticket") or (a.only and a.only not in key):
                continue
            ds = [Driver(n, c, key) for n, c in drivers]
            res = {(d.name, t): [] for d in ds for t in (1, 2)}
            for rnd in range(3):
                order = ds[rnd % len(ds):] + ds[: rnd % len(ds)]
                for t in (1, 2):
                    for d in order:
                        res[(d.name, t)].append(float(d.ask(f"mt {t} {a.mt_ms}")))
            for d in ds:
                d.close()
            for t in (1, 2):
                print(
                    f"{title + f', {t} thread' + ('s' if t > 1 else ''):<27}"
                    + "".join(f"{statistics.median(res[(n, t)]):>{w}.0f}" for n in names)
                )


if __name__ == "__main__":
    main()
