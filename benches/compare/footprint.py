#!/usr/bin/env python3
"""The code each driver runs per pair: its instruction-cache footprint.

  footprint.py [--pairs N] [--top K] SCENARIO NAME=COMMAND...

The compare bench's cachegrind column shows that rs2n's resumed pairs cost
more time than bare rustls' mostly through first-level instruction-cache
misses, not instructions. Those misses follow the amount of distinct code a
pair runs. This counts it: valgrind's callgrind records every instruction
address a driver runs, in a run of 1 pair and a run of 1 + N pairs; the
addresses run at least N more times in the second are the code of a pair.
Prints, per driver, those 64-byte lines (and KiB), split by whose source the
code is (callgrind's file of each instruction, inlined code counted where it
was written: the library's own (rs2n's, or s2n-tls's), rustls, the crypto library, the Rust standard
library, libc, the driver, other crates), then the K functions with the most
lines of the library's own code. Counts are exact and repeatable (no timing).
Nothing is asserted."""

import argparse
import collections
import subprocess
import sys
import tempfile

from compare import under_valgrind
LINE = 64


def whose(path):
    """The part a source file belongs to."""
    if "s2n-tls-sys" in path:
        return "own"
    if "/rustls-0." in path:
        return "rustls"
    if "/ring-0." in path or "aws-lc" in path or "aws_lc" in path:
        return "crypto"
    if path.startswith("/rustc/") or "/rust/deps/" in path:
        return "std"
    if path.startswith("./") or "glibc" in path or path.startswith("/usr/"):
        return "libc"
    if "benches/compare" in path:
        return "driver"
    if "/registry/src/" in path:
        return "crates"
    if "/src/" in path or path.startswith("src/"):
        return "own"
    return "other"


def own_function(fn):
    """Whether `fn` is the library's own function (rs2n's, or s2n-tls's C API),
    so that what it inlines counts as run on its behalf."""
    fn = fn.removeprefix("core::ptr::drop_in_place<").lstrip("<")
    return fn.startswith(("rs2n::", "s2n_"))


def run_callgrind(cmd, scenario, pairs):
    """Per instruction address: (times run, its file, its function)."""
    with tempfile.NamedTemporaryFile(suffix=".cg") as out:
        argv, env = under_valgrind(["--tool=callgrind", "--dump-instr=yes",
                                    f"--callgrind-out-file={out.name}"], cmd, scenario)
        subprocess.run(argv, input=f"run {pairs}\nquit\n", text=True, check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return parse(out.name)


def parse(path):
    counts = collections.Counter()
    where = {}
    names = {"fl": {}, "fn": {}}
    addr = 0
    positions = ["line"]
    fl = fi = fn = "?"
    call_cost_next = False

    def name(kind, value):
        # callgrind's name compression: "(id) name" defines, "(id)" refers.
        value = value.strip()
        if value.startswith("("):
            key, _, rest = value.partition(")")
            table = names["fl" if kind in ("fl", "fi", "fe", "cfi", "cfl") else "fn"]
            if rest.strip():
                table[key] = rest.strip()
            return table.get(key, key)
        return value

    for line in open(path, errors="replace"):
        head = line[:1]
        if head.isalpha():
            key, sep, value = line.partition("=")
            if not sep:
                if key.startswith("positions:"):
                    positions = line.split()[1:]
                continue
            if key == "fl":
                fl = fi = name(key, value)
            elif key in ("fi", "fe"):
                fi = name(key, value)
            elif key == "fn":
                fn = name(key, value)
                fi = fl
            elif key in ("cfi", "cfl", "cfn", "cob", "ob"):
                name(key, value)
            elif key == "calls":
                call_cost_next = True
            continue
        if head not in "0123456789+-*":
            continue
        parts = line.split()
        a = parts[0]
        if a.startswith("0x"):
            addr = int(a, 16)
        elif a[0] == "+":
            addr += int(a[1:], 0)
        elif a[0] == "-":
            addr -= int(a[1:], 0)
        if call_cost_next:
            # The inclusive cost of a call made from here, not this address's own.
            call_cost_next = False
            continue
        costs = parts[len(positions):]
        if costs:
            counts[addr] += int(costs[0])
            where[addr] = (fi, fn)
    return counts, where


def footprint(cmd, scenario, pairs):
    c1, _ = run_callgrind(cmd, scenario, 1)
    cn, where = run_callgrind(cmd, scenario, 1 + pairs)
    lines = {}
    for a, n in cn.items():
        if n - c1.get(a, 0) >= pairs:
            lines.setdefault(a // LINE, where[a])
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=20)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("scenario")
    ap.add_argument("drivers", nargs="+")
    a = ap.parse_args()
    parts = ["own", "rustls", "crypto", "std", "crates", "libc", "driver", "other"]
    print(f"{a.scenario}: code run in every pair ({a.pairs} pairs after one), "
          f"in {LINE}-byte lines, by whose source it is")
    print("(\"own fns\": lines in the library's own functions, with what they inline)")
    print(f"{'driver':<18}{'lines':>7}{'KiB':>6}" + "".join(f"{p:>8}" for p in parts) + f"{'own fns':>9}")
    tops = {}
    for spec in a.drivers:
        label, _, cmd = spec.partition("=")
        lines = footprint(cmd, a.scenario, a.pairs)
        by = collections.Counter(whose(f) for f, _ in lines.values())
        print(f"{label:<18}{len(lines):>7}{len(lines) * LINE // 1024:>6}"
              + "".join(f"{by[p]:>8}" for p in parts)
              + f"{sum(own_function(fn) for _, fn in lines.values()):>9}")
        own = collections.Counter(fn for f, fn in lines.values() if whose(f) == "own")
        tops[label] = own
    for label, own in tops.items():
        if not own:
            continue
        print(f"\n{label}: functions with the most lines of the library's own code")
        for fn, n in own.most_common(a.top):
            print(f"{n:>6}  {fn[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
