#!/usr/bin/env python3
"""CPU time per booking of the service and its PostgreSQL backends, A/B-interleaved.

Throughput on a shared 2-core machine swings by +-25 % with whatever else runs; the CPU
seconds the server process and its own PostgreSQL backends spend per booking move far less.
Runs `dermadesk-bench booking` (the bench client given) with each server binary in turn,
sampling /proc every 0.1 s for the `dermadesk serve` process and the `postgres:` backends of
the bench database, and prints ms of CPU per booking (server, PostgreSQL, both).

Usage: bench/cpu-per-booking.py BENCH_CLIENT PAIRS NAME=SERVER_BINARY[,CLIENT] NAME=SERVER_BINARY[,CLIENT]
(each SERVER_BINARY is copied to target/release/dermadesk before its run; a side's own CLIENT,
e.g. an older commit's bench client that answers its own questionnaire, replaces BENCH_CLIENT;
a client starts `target/release/dermadesk` under the checkout it was built in, so that
checkout's `target` must be this one's, e.g. a symlink).
"""
import os, re, shutil, statistics, subprocess, sys, threading, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
tick = os.sysconf("SC_CLK_TCK")


def cpu_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick  # utime + stime


def sample(stop, seen):
    while not stop.is_set():
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
                if "dermadesk_bench_booking" in cmd and cmd.startswith("postgres:"):
                    kind = "pg"
                elif "target/release/dermadesk serve" in cmd:
                    kind = "server"
                else:
                    continue
                seen[(kind, pid)] = max(seen.get((kind, pid), 0), cpu_of(pid))
            except OSError:
                pass
        time.sleep(0.1)


def run(client):
    seen, stop = {}, threading.Event()
    t = threading.Thread(target=sample, args=(stop, seen))
    t.start()
    out = subprocess.run([client, "booking"], cwd=root, capture_output=True, text=True).stdout
    stop.set()
    t.join()
    m = re.search(r"full booking.*?(\d+)/s.*?n=(\d+)", out)
    n = int(m.group(2))
    server = sum(v for (k, _), v in seen.items() if k == "server")
    pg = sum(v for (k, _), v in seen.items() if k == "pg")
    return int(m.group(1)), n, 1000 * server / n, 1000 * pg / n


def main():
    client, pairs, sides = sys.argv[1], int(sys.argv[2]), [a.split("=", 1) for a in sys.argv[3:]]
    results = {name: [] for name, _ in sides}
    for i in range(pairs):
        for name, spec in sides:
            binary, _, own_client = spec.partition(",")
            shutil.copy(binary, os.path.join(root, "target/release/dermadesk"))
            r = run(own_client or client)
            results[name].append(r)
            load = open("/proc/loadavg").read().split()[0]
            print(f"{i + 1} {name}: {r[0]}/s n={r[1]} server {r[2]:.3f} ms pg {r[3]:.3f} ms "
                  f"both {r[2] + r[3]:.3f} ms per booking (load {load})", flush=True)
    for name, rs in results.items():
        both = [r[2] + r[3] for r in rs]
        print(f"{name}: median {statistics.median(r[0] for r in rs)}/s; CPU per booking median "
              f"server {statistics.median(r[2] for r in rs):.3f} ms, pg {statistics.median(r[3] for r in rs):.3f} ms, "
              f"both {statistics.median(both):.3f} ms (min {min(both):.3f}, max {max(both):.3f})")


main()
