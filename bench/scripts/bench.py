#!/usr/bin/env python3
"""The measuring half of `bench/run` (which installs the tools and builds first).

    python3 scripts/bench.py [--quick] [--only local,dispatch,coldstart,router]

Four parts, each measuring our code and its peers one after the other in this one run:

1. local:     wrk against our local server, an axum 0.8 server and `chalice local`, on the
              same app; requests/s, p99 and the server's CPU time per request from /proc.
2. dispatch:  criterion benches of one API Gateway event in → response JSON out (ours,
              lambda_http + axum, the parse floor), and Python Chalice's `app(event, context)`.
3. coldstart: hyperfine over `coldstart-stub`, which execs each bootstrap against a
              one-invocation Runtime API on loopback; exec → first answer, peak RSS, sizes.
4. router:    criterion benches of route lookup at 10 to 10,000 routes.
5. compile:   clean debug and release builds of the hello-world app, ours and the same app
              on lambda_http + axum, and a debug rebuild after editing its one view; CPU
              and wall time, and `cargo build --timings`' slowest crates.

Prints one Markdown table (absolute figures, ratios, targets) and writes it to
results/latest.md (full runs of every part), results/quick.md (--quick) or
results/partial.md (--only); the raw figures go beside it as JSON. Every process started
here runs under `timeout` in its own process group and is stopped on the way out.
"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

BENCH = pathlib.Path(__file__).resolve().parent.parent
ROOT = BENCH.parent
TARGET = BENCH / "target"
RELEASE = TARGET / "release"
# `ours` built with CHALICE_LAMBDA_ONLY=1, as `chalice package` builds a bootstrap.
LAMBDA_ONLY = TARGET / "lambda-only" / "release"
VENV_PYTHON = TARGET / "venv" / "bin" / "python"
VENV_CHALICE = TARGET / "venv" / "bin" / "chalice"
FIXTURES = BENCH / "fixtures"
PYTHON_PEER = BENCH / "peers" / "python"
RESULTS = BENCH / "results"
RAW = RESULTS / "raw"
BODY_1K = FIXTURES / "body-1k.json"

PARTS = ("local", "dispatch", "coldstart", "router", "compile")


class Settings:
    """How long each part runs: the issue's figures by default, a few seconds with --quick."""

    def __init__(self, quick):
        self.quick = quick
        self.wrk_seconds = 2 if quick else 10
        self.wrk_runs = 1 if quick else 2
        self.criterion = (
            ["--warm-up-time", "0.3", "--measurement-time", "1"]
            if quick
            else ["--warm-up-time", "2", "--measurement-time", "5"]
        )
        self.router_criterion = (
            ["--warm-up-time", "0.3", "--measurement-time", "0.5"]
            if quick
            else ["--warm-up-time", "1", "--measurement-time", "3"]
        )
        self.python_iterations = 300 if quick else 2000
        self.python_batches = 3 if quick else 15
        self.coldstart_runs = 5 if quick else 50
        self.coldstart_rounds = 1 if quick else 5
        self.coldstart_warmup = 1 if quick else 2
        self.compile_release = not quick
        self.compile_rebuilds = 1 if quick else 3


# --- processes ------------------------------------------------------------------------------

LIVE = []  # Popen objects of `timeout`, each the leader of its own process group


def spawn(command, limit, **kwargs):
    """Starts `command` under `timeout` in a process group of its own."""
    process = subprocess.Popen(
        ["timeout", "-k", "5", str(int(limit)), *map(str, command)],
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        **kwargs,
    )
    LIVE.append(process)
    return process


def stop(process):
    """Stops a process spawned here and everything it started."""
    if process.poll() is None:
        try:
            # `timeout` passes TERM on to its child's group.
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    if process in LIVE:
        LIVE.remove(process)


def stop_all():
    for process in list(LIVE):
        stop(process)


def on_signal(signum, _frame):
    raise SystemExit(128 + signum)


def run(command, limit, log=None, env=None, cwd=None):
    """Runs a command to its end within `limit` seconds; its stdout. Fails loudly."""
    out = open(log, "ab") if log else subprocess.DEVNULL
    process = spawn(
        command,
        limit,
        stdout=subprocess.PIPE,
        stderr=out,
        env=env,
        cwd=cwd,
    )
    try:
        stdout, _ = process.communicate(timeout=limit + 15)
    except subprocess.TimeoutExpired:
        stop(process)
        raise SystemExit(f"bench: {command[0]} did not finish within {limit}s")
    finally:
        if log:
            out.close()
    LIVE.remove(process)
    if process.returncode == 124:
        raise SystemExit(f"bench: {' '.join(map(str, command[:3]))}… did not finish within {limit}s")
    if process.returncode != 0:
        where = f"; see {log.relative_to(ROOT)}" if log else ""
        raise SystemExit(
            f"bench: {' '.join(map(str, command[:4]))}… failed (exit {process.returncode}){where}"
        )
    if log:
        with open(log, "ab") as file:
            file.write(stdout)
    return stdout.decode()


def say(message):
    print(message, file=sys.stderr, flush=True)


def load1():
    with open("/proc/loadavg") as file:
        return float(file.read().split()[0])


# --- part 1: local servers ------------------------------------------------------------------

ROUTES = [
    # (name, path, body file)
    ("GET /", "/", None),
    ("GET /users/{name}", "/users/bob", None),
    ("POST /echo (1 KB JSON)", "/echo", BODY_1K),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def servers():
    """(key, label, command, env, cwd) of each server; each binds 127.0.0.1 only."""
    quiet = dict(os.environ, BENCH_QUIET="1")
    return [
        ("ours", "ours", lambda p: [RELEASE / "ours", "--host", "127.0.0.1", "--port", p], None, None),
        ("ours_quiet", "ours, request log off", lambda p: [RELEASE / "ours", "--host", "127.0.0.1", "--port", p], quiet, None),
        ("axum", "axum 0.8", lambda p: [RELEASE / "axum-server", "--port", p], None, None),
        (
            "python",
            "chalice local",
            lambda p: [VENV_CHALICE, "local", "--no-autoreload", "--host", "127.0.0.1", "--port", p],
            None,
            PYTHON_PEER,
        ),
    ]


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(port, path, body=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=body,
        headers={"Content-Type": "application/json"} if body else {},
        method="POST" if body else "GET",
    )
    with OPENER.open(request, timeout=5) as response:
        return response.status, json.loads(response.read())


def wait_ready(port, process, name):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"bench: the {name} server exited (status {process.returncode}) before answering")
        try:
            fetch(port, "/")
            return
        except (urllib.error.URLError, ConnectionError, socket.timeout):
            time.sleep(0.1)
    raise SystemExit(f"bench: the {name} server did not answer on 127.0.0.1:{port} within 60 s")


def verify(port, name):
    """A fast wrong answer is no answer: every route answers as the app says, on every server."""
    body = BODY_1K.read_bytes()
    cases = [
        ("/", None, {"hello": "world"}),
        ("/users/bob", None, {"name": "bob"}),
        ("/echo", body, json.loads(body)),
        ("/r50/42", None, {"route": 50, "id": "42"}),
    ]
    for path, data, want in cases:
        status, got = fetch(port, path, data)
        if status != 200 or got != want:
            raise SystemExit(f"bench: {name} answers {path} with {status} {str(got)[:100]}")


def server_pid(timeout_pid):
    """The server itself: the child of its `timeout`."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            children = pathlib.Path(f"/proc/{timeout_pid}/task/{timeout_pid}/children").read_text().split()
        except FileNotFoundError:
            children = []
        if children:
            return int(children[0])
        time.sleep(0.05)
    raise SystemExit("bench: cannot find the server process under timeout")


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU time of a process, all its threads (live and ended) included."""
    stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def wrk(port, path, body, settings, log):
    env = dict(os.environ, WRK_METHOD="POST" if body else "GET", WRK_BODY=str(body or ""))
    out = run(
        [
            "wrk", "-t1", "-c16", f"-d{settings.wrk_seconds}s", "--timeout", "5s",
            "-s", BENCH / "wrk" / "report.lua", f"http://127.0.0.1:{port}{path}",
        ],
        settings.wrk_seconds + 30,
        log=log,
        env=env,
    )
    line = next((l for l in out.splitlines() if l.startswith("WRK_JSON ")), None)
    if line is None:
        raise SystemExit(f"bench: wrk printed no report; see {log}")
    return json.loads(line[len("WRK_JSON ") :])


def part_local(settings):
    log = RAW / "local.log"
    started = {}
    try:
        for key, label, command, env, cwd in servers():
            port = free_port()
            process = spawn(
                command(port),
                3 * 3600,  # a bound on the whole part: stopped long before
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
                cwd=cwd,
            )
            wait_ready(port, process, label)
            verify(port, label)
            started[key] = (port, process, server_pid(process.pid))
        runs = {key: {name: [] for name, _, _ in ROUTES} for key in started}
        # Rounds over every server in turn, so that a burst of load from elsewhere on this
        # shared machine lands on all of them rather than on one.
        for round_ in range(settings.wrk_runs):
            for name, path, body in ROUTES:
                for key, (port, _, pid) in started.items():
                    say(f"   local: {key:<10} {name:<24} run {round_ + 1}/{settings.wrk_runs}")
                    before = cpu_seconds(pid)
                    result = wrk(port, path, body, settings, log)
                    result["server_cpu_s"] = cpu_seconds(pid) - before
                    result["load1"] = load1()
                    runs[key][name].append(result)
    finally:
        for _, process, _ in started.values():
            stop(process)
    summary = {}
    for key, by_route in runs.items():
        summary[key] = {}
        for name, results in by_route.items():
            requests = sum(r["requests"] for r in results)
            errors = sum(sum(r["errors"].values()) for r in results)
            summary[key][name] = {
                "rps": statistics.mean(r["requests"] / (r["duration_us"] / 1e6) for r in results),
                "p99_us": statistics.mean(r["latency_us"]["p99"] for r in results),
                "cpu_us_per_request": sum(r["server_cpu_s"] for r in results) / max(requests, 1) * 1e6,
                "errors": errors,
                "runs": results,
            }
    return summary


# --- part 2: dispatch -----------------------------------------------------------------------

EVENTS = [
    ("v1_get_user", "REST v1 GET /users/{name}", "v1-get-user.json"),
    ("v1_post_echo", "REST v1 POST /echo (1 KB)", "v1-post-echo.json"),
    ("v2_get_user", "HTTP v2 GET /users/{name}", "v2-get-user.json"),
    ("v2_post_echo", "HTTP v2 POST /echo (1 KB)", "v2-post-echo.json"),
]


# (≤ ours ÷ lambda_http + axum, ≤ ours ÷ floor) per event: issue 15's targets where it sets
# them (REST GET, HTTP API GET, REST echo), the first round's elsewhere.
DISPATCH_TARGETS = {
    "v1_get_user": (0.25, 1.25),
    "v1_post_echo": (0.45, 1.5),
    "v2_get_user": (0.5, 1.3),
    "v2_post_echo": (0.5, 1.5),
}


def criterion_median_ns(group, function):
    path = TARGET / "criterion" / group / str(function) / "new" / "estimates.json"
    with open(path) as file:
        return json.load(file)["median"]["point_estimate"]


def clear_criterion(prefix):
    root = TARGET / "criterion"
    if root.is_dir():
        for group in root.iterdir():
            if group.name.startswith(prefix):
                subprocess.run(["rm", "-rf", str(group)], check=True)


def part_dispatch(settings):
    clear_criterion("dispatch_")
    run(
        ["cargo", "bench", "-p", "bench-dispatch", "--bench", "dispatch", "--",
         "--noplot", *settings.criterion],
        1800,
        log=RAW / "dispatch.log",
        cwd=BENCH,
    )
    summary = {}
    for key, _, _ in EVENTS:
        group = f"dispatch_{key}"
        summary[key] = {side: criterion_median_ns(group, side) / 1000 for side in ("ours", "lambda_http_axum", "floor")}
    # Chalice routes REST API (1.0) events only; see peers/python/dispatch.py.
    out = run(
        [VENV_PYTHON, PYTHON_PEER / "dispatch.py", "--iterations", settings.python_iterations,
         "--batches", settings.python_batches, "--body", BODY_1K,
         *(f"{key}={FIXTURES / file}" for key, _, file in EVENTS if key.startswith("v1"))],
        900,
        log=RAW / "dispatch-python.log",
    )
    for key, result in json.loads(out).items():
        summary[key]["python"] = result["median_us"]
    return summary


# --- part 3: cold start ---------------------------------------------------------------------

BOOTSTRAPS = [
    # (key, label, command, file whose size is the deployment's)
    ("ours", "ours (Lambda-only build)", [LAMBDA_ONLY / "ours"], LAMBDA_ONLY / "ours"),
    ("lambda_http_axum", "lambda_http + axum", [RELEASE / "lambda-http-axum"], RELEASE / "lambda-http-axum"),
    ("python", "Python Chalice", [VENV_PYTHON, PYTHON_PEER / "bootstrap.py"], None),
]


def is_stripped(path):
    out = subprocess.run(["file", "-b", str(path)], capture_output=True, text=True, check=False).stdout
    return "not stripped" not in out and "stripped" in out


def part_coldstart(settings):
    """Rounds of hyperfine, the bootstraps taking turns in each, so that a burst of load from
    elsewhere on this shared machine lands on all of them rather than on one."""
    event = FIXTURES / "v1-get-user.json"
    per_round = settings.coldstart_runs // settings.coldstart_rounds
    records = {key: [] for key, _, _, _ in BOOTSTRAPS}
    times = {key: [] for key, _, _, _ in BOOTSTRAPS}
    for round_ in range(settings.coldstart_rounds):
        for key, label, command, _ in BOOTSTRAPS:
            record = RAW / f"coldstart-{key}-{round_}.jsonl"
            export = RAW / f"coldstart-{key}-{round_}.hyperfine.json"
            stub = [
                RELEASE / "coldstart-stub", "--event", event, "--record", record, "--timeout-ms", "10000",
                # What lambda_http's users set to route REST API paths without the stage; the
                # others ignore it.
                "--env", "AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH=true",
                "--", *command,
            ]
            say(f"   coldstart: {label:<20} round {round_ + 1}/{settings.coldstart_rounds}")
            run(
                ["hyperfine", "-N", "--style", "basic", "--runs", per_round,
                 "--warmup", settings.coldstart_warmup, "--export-json", export, " ".join(map(str, stub))],
                600,
                log=RAW / "coldstart.log",
            )
            # The stub records warm-up runs too: keep the timed ones.
            lines = record.read_text().splitlines()[-per_round:]
            records[key] += [json.loads(line) for line in lines]
            with open(export) as file:
                times[key] += json.load(file)["results"][0]["times"]
    summary = {}
    for key, _, _, binary in BOOTSTRAPS:
        rs = records[key]
        summary[key] = {
            "exec_to_response_ms": statistics.median(r["exec_to_response_us"] for r in rs) / 1000,
            "exec_to_response_min_ms": min(r["exec_to_response_us"] for r in rs) / 1000,
            "hyperfine_mean_ms": statistics.mean(times[key]) * 1000,
            "hyperfine_stddev_ms": statistics.stdev(times[key]) * 1000 if len(times[key]) > 1 else 0,
            "peak_rss_kb": statistics.median(r["peak_rss_kb"] for r in rs if r["peak_rss_kb"]),
            "size_bytes": binary.stat().st_size if binary else None,
            "stripped": is_stripped(binary) if binary else None,
            "runs": len(rs),
        }
    return summary


# --- part 4: router -------------------------------------------------------------------------

SIZES = [10, 100, 1000, 10000]


def part_router(settings):
    clear_criterion("router_")
    run(
        ["cargo", "bench", "-p", "bench-dispatch", "--bench", "router", "--",
         "--noplot", *settings.router_criterion],
        1800,
        log=RAW / "router.log",
        cwd=BENCH,
    )
    return {
        group: {n: criterion_median_ns(f"router_{group}", n) for n in SIZES}
        for group in ("template", "path", "template_filler", "path_filler")
    }


# --- part 5: compile time -------------------------------------------------------------------

COMPILE = TARGET / "compile"
HELLO_OURS = ROOT / "examples" / "hello-world"
HELLO_PEER = BENCH / "peers" / "hello-lambda-http"

# The release profile both apps are built with, as `bench/Cargo.toml` and the root workspace
# build a Lambda bootstrap.
RELEASE_PROFILE = '[profile.release]\nlto = "fat"\ncodegen-units = 1\nstrip = true\n'

COMPILE_APPS = [
    # (key, label, source directory, dependencies, lock file to start from)
    (
        "ours",
        "hello-world, chalice for Rust",
        HELLO_OURS,
        f'chalice = {{ path = "{ROOT / "crates" / "chalice"}" }}\nserde_json = "1"\n',
        ROOT / "Cargo.lock",
    ),
    (
        "lambda_http_axum",
        "hello-lambda-http, lambda_http + axum",
        HELLO_PEER,
        'axum = "0.8"\nlambda_http = "1"\nserde_json = "1"\n'
        'tokio = { version = "1", features = ["macros", "net", "rt-multi-thread"] }\n',
        BENCH / "Cargo.lock",
    ),
]

MUSL = "x86_64-unknown-linux-musl"

# What the one-view edit changes in `src/main.rs`: the view's JSON, as a user edits it.
VIEW_BEFORE = 'json!({"hello": "world"})'


def prepare_app(key, source, dependencies, lock):
    """A copy of the app out of any workspace: its own Cargo.toml (the same package, the
    dependencies written out), the lock file its workspace resolved, its `src/`."""
    directory = COMPILE / key / "app"
    subprocess.run(["rm", "-rf", str(directory)], check=True)
    (directory / "src").mkdir(parents=True)
    main = (source / "src" / "main.rs").read_text()
    if VIEW_BEFORE not in main:
        raise SystemExit(f"bench: {source}/src/main.rs no longer has {VIEW_BEFORE}: update VIEW_BEFORE")
    (directory / "src" / "main.rs").write_text(main)
    (directory / "Cargo.toml").write_text(
        f'[package]\nname = "{source.name}"\nversion = "0.1.0"\nedition = "2024"\npublish = false\n\n'
        f"[dependencies]\n{dependencies}\n{RELEASE_PROFILE}\n[workspace]\n"
    )
    (directory / "Cargo.lock").write_bytes(lock.read_bytes())
    return directory


def timed_cargo(directory, target_dir, args, log, extra_env=None):
    """Runs cargo in `directory`; its wall and CPU seconds (cargo, rustc and the linker)."""
    env = dict(os.environ, CARGO_TARGET_DIR=str(target_dir), **(extra_env or {}))
    env.pop("RUSTFLAGS", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    clock = time.monotonic()
    run(["cargo", "build", *args], 3600, log=log, env=env, cwd=directory)
    wall = time.monotonic() - clock
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": wall, "cpu_s": cpu, "load1": load1()}


def slowest_units(target_dir, count=8):
    """The crates that took longest in `cargo build --timings`' report."""
    report = target_dir / "cargo-timings" / "cargo-timing.html"
    match = re.search(r"const UNIT_DATA = (\[.*?\]);\n", report.read_text(), re.S)
    if not match:
        return []
    units = json.loads(match.group(1))
    units.sort(key=lambda u: u["duration"], reverse=True)
    return [
        {
            "crate": u["name"] + (f" ({u['target'].strip()})" if u.get("target", "").strip() else ""),
            "version": u["version"],
            "seconds": round(u["duration"], 2),
        }
        for u in units[:count]
    ]


def part_compile(settings):
    """Clean builds in fresh target directories, sides taking turns; then rebuilds after a
    one-view edit, sides taking turns. Each build gets `--timings`."""
    log = RAW / "compile.log"
    apps = {key: prepare_app(key, source, deps, lock) for key, _, source, deps, lock in COMPILE_APPS}
    names = {key: source.name for key, _, source, _, _ in COMPILE_APPS}
    results = {key: {} for key in apps}
    # Release builds are Lambda bootstraps: static musl binaries, as the README builds them,
    # when the target is installed.
    musl = MUSL in subprocess.run(["rustup", "target", "list", "--installed"], capture_output=True,
                                  text=True, check=False).stdout
    release = ["--release", "--target", MUSL] if musl else ["--release"]
    profiles = [("debug", [])] + ([("release", release)] if settings.compile_release else [])
    for profile, args in profiles:
        for key, directory in apps.items():
            target_dir = COMPILE / key / f"target-{profile}"
            subprocess.run(["rm", "-rf", str(target_dir)], check=True)
            say(f"   compile: {key:<17} clean {profile} build")
            # Our release build is the bootstrap `chalice package` builds: Lambda only.
            extra = {"CHALICE_LAMBDA_ONLY": "1"} if key == "ours" and profile == "release" else None
            result = timed_cargo(directory, target_dir, [*args, "--timings"], log, extra)
            result["slowest"] = slowest_units(target_dir)
            binary = target_dir / (MUSL if profile == "release" and musl else "") / profile / names[key]
            result["size_bytes"] = binary.stat().st_size if binary.exists() else None
            result["target"] = MUSL if profile == "release" and musl else "host"
            results[key][f"clean_{profile}"] = result
    rebuilds = {key: [] for key in apps}
    for round_ in range(settings.compile_rebuilds):
        for key, directory in apps.items():
            main = directory / "src" / "main.rs"
            text = main.read_text()
            edited = re.sub(r'json!\(\{"hello": "world[^"]*"\}\)', f'json!({{"hello": "world {round_ + 1}"}})', text)
            if edited == text:
                raise SystemExit(f"bench: could not edit the view in {main}")
            main.write_text(edited)
            say(f"   compile: {key:<17} debug rebuild after a view edit, {round_ + 1}/{settings.compile_rebuilds}")
            rebuilds[key].append(timed_cargo(directory, COMPILE / key / "target-debug", [], log))
    # Four fresh target directories weigh a few GB: keep their timing reports, drop the rest.
    for key in apps:
        for profile, _ in profiles:
            target_dir = COMPILE / key / f"target-{profile}"
            report = target_dir / "cargo-timings" / "cargo-timing.html"
            if report.exists():
                (RAW / f"compile-{key}-{profile}-timings.html").write_bytes(report.read_bytes())
            subprocess.run(["rm", "-rf", str(target_dir)], check=True)
    for key, runs in rebuilds.items():
        results[key]["rebuild_debug"] = {
            "wall_s": statistics.median(r["wall_s"] for r in runs),
            "cpu_s": statistics.median(r["cpu_s"] for r in runs),
            "runs": runs,
        }
    return results


# --- the table ------------------------------------------------------------------------------


def fmt(value, unit=""):
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if unit == "rps":
        return f"{value:,.0f}"
    if unit == "MB":
        return f"{value / 1e6:.2f} MB"
    if unit == "MiB":
        return f"{value / 1024:.1f} MiB"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_ratio(r):
    return "—" if r is None else f"{r:.2f}×"


def verdict(value, limit, higher_is_better=False):
    """Judged on the ratio as the table shows it, to two decimals: a tie is a tie."""
    if value is None:
        return "—"
    value = round(value, 2)
    ok = value >= limit if higher_is_better else value <= limit
    return "✓" if ok else "✗"


def table(results):
    header = (
        "| part | measure | ours | Rust peer | Python Chalice | floor / base | ours ÷ Rust peer "
        "| ours ÷ Python | ours ÷ floor/base | target | met |\n"
        "|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|\n"
    )
    rows = []

    def row(part, measure, ours, peer, python, base, unit, target, met, r_peer=None, r_py=None, r_base=None):
        rows.append(
            f"| {part} | {measure} | {fmt(ours, unit)} | {fmt(peer, unit)} | {fmt(python, unit)} "
            f"| {fmt(base, unit)} | {fmt_ratio(r_peer)} | {fmt_ratio(r_py)} | {fmt_ratio(r_base)} "
            f"| {target} | {met} |"
        )

    local = results.get("local")
    if local:
        for name, _, _ in ROUTES:
            o, a, p = local["ours"][name], local["axum"][name], local["python"][name]
            rps = ratio(o["rps"], a["rps"])
            row("1 local", f"{name}: requests/s", o["rps"], a["rps"], p["rps"], None, "rps",
                "≥ 1× axum", verdict(rps, 1.0, True), rps, ratio(o["rps"], p["rps"]))
            row("1 local", f"{name}: p99 µs", o["p99_us"], a["p99_us"], p["p99_us"], None, "",
                "", "", ratio(o["p99_us"], a["p99_us"]), ratio(o["p99_us"], p["p99_us"]))
            cpu = ratio(o["cpu_us_per_request"], a["cpu_us_per_request"])
            row("1 local", f"{name}: server CPU µs/request", o["cpu_us_per_request"], a["cpu_us_per_request"],
                p["cpu_us_per_request"], None, "", "≤ 1× axum", verdict(cpu, 1.0), cpu,
                ratio(o["cpu_us_per_request"], p["cpu_us_per_request"]))
            q = local["ours_quiet"][name]
            qr = ratio(q["cpu_us_per_request"], a["cpu_us_per_request"])
            row("1 local", f"{name}: server CPU µs/request, our request log off", q["cpu_us_per_request"],
                a["cpu_us_per_request"], None, None, "", "(≤ 1× axum)", verdict(qr, 1.0), qr)
    dispatch = results.get("dispatch")
    if dispatch:
        for key, label, _ in EVENTS:
            d = dispatch[key]
            r_peer = ratio(d["ours"], d["lambda_http_axum"])
            r_floor = ratio(d["ours"], d["floor"])
            r_py = ratio(d["ours"], d.get("python"))
            peer_limit, floor_limit = DISPATCH_TARGETS[key]
            met = [f"{verdict(r_peer, peer_limit)} peer", f"{verdict(r_floor, floor_limit)} floor"]
            if r_py is not None:
                met.append(f"{verdict(r_py, 0.25)} Python")
            target = f"≤ {peer_limit}× lambda_http; ≤ {floor_limit}× floor" + ("; ≤ 0.25× Python" if r_py is not None else "")
            row("2 dispatch", f"{label}: µs/event", d["ours"], d["lambda_http_axum"],
                d.get("python", "n/a¹"), d["floor"], "", target, ", ".join(met), r_peer, r_py, r_floor)
    cold = results.get("coldstart")
    if cold:
        o, l, p = cold["ours"], cold["lambda_http_axum"], cold["python"]
        r = ratio(o["exec_to_response_ms"], l["exec_to_response_ms"])
        row("3 cold start", "exec → first answer, ms (median)", o["exec_to_response_ms"], l["exec_to_response_ms"],
            p["exec_to_response_ms"], None, "", "≤ 0.9× lambda_http", verdict(r, 0.9), r,
            ratio(o["exec_to_response_ms"], p["exec_to_response_ms"]))
        row("3 cold start", "hyperfine mean of a whole run (stub included), ms", o["hyperfine_mean_ms"],
            l["hyperfine_mean_ms"], p["hyperfine_mean_ms"], None, "", "", "",
            ratio(o["hyperfine_mean_ms"], l["hyperfine_mean_ms"]), ratio(o["hyperfine_mean_ms"], p["hyperfine_mean_ms"]))
        r = ratio(o["size_bytes"], l["size_bytes"])
        row("3 cold start", "stripped bootstrap size", o["size_bytes"], l["size_bytes"], "n/a²", None, "MB",
            "≤ 1× lambda_http", verdict(r, 1.0), r)
        row("3 cold start", "peak RSS at first answer", o["peak_rss_kb"], l["peak_rss_kb"], p["peak_rss_kb"], None,
            "MiB", "", "", ratio(o["peak_rss_kb"], l["peak_rss_kb"]), ratio(o["peak_rss_kb"], p["peak_rss_kb"]))
    router = results.get("router")
    if router:
        for group, label in (("template", "by template (Lambda)"), ("path", "by concrete path (local)")):
            base = router[group][10]
            for n in SIZES:
                value = router[group][n]
                r = ratio(value, base)
                row("4 router", f"lookup {label}, {n:,} routes: ns", value, None, None, base, "",
                    "≤ 1.5× at 10 routes" if n == 10000 else "", verdict(r, 1.5) if n == 10000 else "",
                    r_base=r)
    comp = results.get("compile")
    if comp:
        o, p = comp["ours"], comp["lambda_http_axum"]
        for key, label in (
            ("clean_debug", "clean debug build"),
            ("clean_release", "clean release build"),
            ("rebuild_debug", "debug rebuild after editing the view"),
        ):
            if key not in o:
                continue
            r = ratio(o[key]["cpu_s"], p[key]["cpu_s"])
            row("5 compile", f"hello-world, {label}: CPU s", o[key]["cpu_s"], p[key]["cpu_s"], None, None, "",
                "≤ 1× lambda_http + axum", verdict(r, 1.0), r)
            row("5 compile", f"hello-world, {label}: wall s", o[key]["wall_s"], p[key]["wall_s"], None, None,
                "", "", "", ratio(o[key]["wall_s"], p[key]["wall_s"]))
        if "clean_release" in o:
            target = o["clean_release"]["target"]
            r = ratio(o["clean_release"]["size_bytes"], p["clean_release"]["size_bytes"])
            size = o["clean_release"]["size_bytes"]
            met = verdict(r, 1.0) + (f", {'✓' if size and size <= 2.2e6 else '✗'} 2.2 MB" if target == MUSL else "")
            row("5 compile", f"hello-world stripped bootstrap ({target})", size,
                p["clean_release"]["size_bytes"], None, None, "MB",
                "≤ 1× lambda_http" + ("; ≤ 2.2 MB" if target == MUSL else ""), met, r)
    return header + "\n".join(rows) + "\n"


def slowest_table(comp):
    """The slowest crates of each clean build, from `cargo build --timings`."""
    lines = ["Slowest crates of each clean build (`cargo build --timings`, seconds of the crate's own compile):", ""]
    for key, label, _, _, _ in COMPILE_APPS:
        for profile in ("clean_debug", "clean_release"):
            result = comp.get(key, {}).get(profile)
            if not result:
                continue
            crates = ", ".join(f"{u['crate']} {u['seconds']:.1f}" for u in result["slowest"])
            lines.append(f"- {label}, {profile.replace('_', ' ')}: {crates}")
    return "\n".join(lines) + "\n"


def git_state():
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", ROOT, "status", "--porcelain", "--", "crates", "Cargo.toml", "Cargo.lock"],
        capture_output=True, text=True,
    ).stdout.strip()
    return head + (" + uncommitted changes in crates/" if dirty else "")


def versions():
    def first_line(command):
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=30)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"

    lock = (BENCH / "Cargo.lock").read_text()

    def locked(name):
        match = re.search(rf'name = "{name}"\nversion = "([^"]+)"', lock)
        return match.group(1) if match else "?"

    chalice = first_line([str(VENV_PYTHON), "-c", "import chalice; print(chalice.__version__)"])
    return {
        "rustc": first_line(["rustc", "-V"]),
        "wrk": first_line(["wrk", "-v"]).split(" Copyright")[0],
        "hyperfine": first_line(["hyperfine", "--version"]),
        "python": first_line([str(VENV_PYTHON), "-V"]),
        "chalice (Python)": chalice,
        "axum": locked("axum"),
        "lambda_http": locked("lambda_http"),
        "hyper": locked("hyper"),
    }


def machine():
    model = "?"
    with open("/proc/cpuinfo") as file:
        for line in file:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def environment():
    """What the results header says of the code, the machine and the tools, taken at the run."""
    return {"code": git_state(), "machine": machine(), "versions": versions()}


def document(results, settings, loads, started, elapsed, env):
    mode = "QUICK (checks the harness; too short to compare)" if settings.quick else "full"
    v = env["versions"]
    load_notes = ", ".join(f"{part} {a:.2f} → {b:.2f}" for part, (a, b) in loads.items())
    lines = [
        "# Benchmark results",
        "",
        f"- run: {started:%Y-%m-%d %H:%M} UTC, {mode}, {elapsed / 60:.1f} min of measuring, `bench/run"
        + (" --quick" if settings.quick else "") + "`",
        f"- code: {env['code']}",
        f"- machine: {env['machine']}; shared with other work: **1-minute load average {max(l for pair in loads.values() for l in pair):.2f} at most** ({load_notes})",
        "- versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        "",
        table(results),
    ]
    if "compile" in results:
        lines += [slowest_table(results["compile"])]
    notes = [
        f"Load average (1 min) at the start and end of each part: {load_notes}. The machine has 2 cores "
        "and is shared; a load above 1 means something else competed for them during that part.",
        "Targets are judged on the ratios as shown, to two decimals (1.00× meets ≤ 1×: a tie within noise).",
    ]
    if "local" in results:
        notes.append(
            f"Local: wrk, 1 thread, 16 connections, {settings.wrk_seconds} s, {settings.wrk_runs} run(s) per "
            "server and route, servers taken in turn; figures are means over the runs. wrk and the server "
            "share the 2 cores, so requests/s measures the pair; server CPU µs/request (the server's "
            "utime+stime from /proc divided by the requests wrk completed) is the fair comparison. "
            "`chalice local` answers each connection about once per 40 ms (a TCP stall, not work), hence "
            "its low requests/s. Our server logs one line per request to stderr (here /dev/null) as "
            "`chalice local` does; axum logs nothing; the 'request log off' row is ours with `BENCH_QUIET=1`."
        )
    if "dispatch" in results:
        notes.append(
            "Dispatch: criterion medians (Rust); Python: median of batches of "
            f"{settings.python_iterations} calls of `json.dumps(app(json.loads(event), context))`. "
            "¹ Chalice routes REST API (payload 1.0) events only: an HTTP API (2.0) event gets a 500. "
            "The floor parses the event into borrowed typed structs and does nothing else."
        )
    if "coldstart" in results:
        notes.append(
            f"Cold start: the v1 GET event, {settings.coldstart_runs} runs of each bootstrap in "
            f"{settings.coldstart_rounds} round(s) taking turns, {settings.coldstart_warmup} warm-up(s) per round "
            "(hyperfine); exec → first answer and peak RSS (VmHWM) are measured by "
            "`coldstart-stub`, which plays the Runtime API on loopback. Binaries are x86_64 glibc "
            "release builds, fat LTO, stripped; ours is built with CHALICE_LAMBDA_ONLY=1, as "
            "`chalice package` builds it. ² Python ships no bootstrap: Lambda's runtime "
            "provides the interpreter."
        )
    if "router" in results:
        notes.append(
            "Router: criterion medians of looking up `/users/{name}` in an app of N routes "
            "(`RouteMatch::by_template` for the Lambda path, `RouteMatch::by_path(\"/users/bob\")` with its "
            "decoded captures for the local path)."
        )
    if "compile" in results:
        notes.append(
            "Compile: the hello-world app (`examples/hello-world`) and the same app on lambda_http + "
            "axum (`peers/hello-lambda-http`: Lambda with `AWS_LAMBDA_RUNTIME_API`, else HTTP on "
            "127.0.0.1), each copied out of its workspace with the lock file its workspace resolved, "
            "built in a fresh target directory (`cargo build`, then `cargo build --release` for the "
            f"musl target when installed), sides taking turns; then {settings.compile_rebuilds} debug "
            "rebuild(s) after an edit of the view's JSON, median. CPU s is user + system time of cargo, "
            "rustc and the linker (robust to the machine's other load, so the target is judged on it); "
            "wall s is what a user waits, on 2 shared cores."
        )
    lines += ["Notes:", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


def render(path):
    """The table again from a run's raw figures (after a change to the table's format)."""
    raw = json.loads(path.read_text())
    settings = Settings(raw["settings"]["quick"])
    results = raw["results"]
    if "router" in results:  # JSON keys are strings
        results["router"] = {g: {int(n): v for n, v in by_n.items()} for g, by_n in results["router"].items()}
    started = datetime.datetime.fromisoformat(raw["started"])
    loads = {k: tuple(v) for k, v in raw["loads"].items()}
    text = document(results, settings, loads, started, raw["elapsed_s"], raw["environment"])
    path.with_suffix(".md").write_text(text)
    if path.stem == "latest":
        update_readme(text)
    print(text)


BEGIN, END = "<!-- latest results: begin -->", "<!-- latest results: end -->"


def update_readme(text):
    """Puts a full run's results into bench/README.md, between its markers."""
    readme = BENCH / "README.md"
    if not readme.exists():
        return
    current = readme.read_text()
    if BEGIN not in current or END not in current:
        return
    body = text.split("\n", 2)[2]  # without the "# Benchmark results" title
    head, rest = current.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{BEGIN}\n{body.strip()}\n{END}{tail}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs, to check the harness")
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated parts: " + ", ".join(PARTS))
    parser.add_argument("--render", metavar="JSON", help="write the table again from a run's raw figures, measuring nothing")
    args = parser.parse_args()
    if args.render:
        render(pathlib.Path(args.render))
        return
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    for part in parts:
        if part not in PARTS:
            parser.error(f"unknown part {part!r}; choose from {', '.join(PARTS)}")
    settings = Settings(args.quick)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)

    RAW.mkdir(parents=True, exist_ok=True)
    for old in RAW.iterdir():
        old.unlink()
    started = datetime.datetime.now(datetime.timezone.utc)
    clock = time.monotonic()
    results, loads = {}, {}
    functions = {
        "local": part_local,
        "dispatch": part_dispatch,
        "coldstart": part_coldstart,
        "router": part_router,
        "compile": part_compile,
    }
    try:
        for part in PARTS:
            if part not in parts:
                continue
            say(f"== {part} (load average {load1():.2f})")
            before = load1()
            results[part] = functions[part](settings)
            loads[part] = (before, load1())
    finally:
        stop_all()
    elapsed = time.monotonic() - clock

    env = environment()
    text = document(results, settings, loads, started, elapsed, env)
    if settings.quick:
        name = "quick"
    elif set(parts) != set(PARTS):
        name = "partial"
    else:
        name = "latest"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text)
    raw = {
        "settings": vars(settings),
        "loads": loads,
        "started": started.isoformat(),
        "elapsed_s": elapsed,
        "environment": env,
        "results": results,
    }
    (RESULTS / f"{name}.json").write_text(json.dumps(raw, indent=1, default=str) + "\n")
    if name == "latest":
        update_readme(text)
    print(text)
    say(f"written to {(RESULTS / f'{name}.md').relative_to(ROOT)} (raw figures in {name}.json)")


if __name__ == "__main__":
    main()
