# SPDX-License-Identifier: GPL-3.0-or-later
"""Lakebase Accelerator's load runner: one worker of a test run on Databricks
compute.

Lakebase Accelerator uploads this file with the run's config.json and pgbench
scripts, then submits one Jobs task per worker running

    python3 lakebase_load_runner.py --config /Workspace/.../config.json --worker K

The runner mints its own Lakebase credential as the run's identity (never
passed in a parameter), finds or installs pgbench, runs its share of the
clients with pgbench, and writes what it measures to the samples folder: a
live file w<K>.json rewritten once a second and a final file w<K>.final.json
at the end. The app merges the workers' files into one live chart and one run
record. Standard library only (Python >= 3.8), as a job cluster has nothing
else for certain.
"""

import argparse
import collections
import glob
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

FORMAT_VERSION = 1
LIVE_SAMPLES = 60
LOG_TAIL_LINES = 40

# The latency histogram's layout, exactly as src/core/load/lb-latency-histogram.c:
# values below 2^SUB_BITS us are their own bucket; above, each power of two
# is split into 2^SUB_BITS sub-buckets, up to 2^MAX_BITS us.
SUB_BITS = 6
SUB_COUNT = 1 << SUB_BITS
MAX_BITS = 26
LIMIT = 1 << MAX_BITS
N_BUCKETS = (MAX_BITS - SUB_BITS + 1) * SUB_COUNT


def bucket_index(value):
    if value < SUB_COUNT:
        return value
    if value >= LIMIT:
        return N_BUCKETS - 1
    shift = value.bit_length() - 1 - SUB_BITS
    return (shift + 1) * SUB_COUNT + ((value >> shift) & (SUB_COUNT - 1))


def bucket_lower(index):
    if index < SUB_COUNT:
        return index
    shift = index // SUB_COUNT - 1
    return (SUB_COUNT + index % SUB_COUNT) << shift


class Histogram:
    """Latencies in microseconds, in the app's log-linear layout."""

    __slots__ = ("count", "total", "squares", "low", "high", "buckets")

    def __init__(self):
        self.count = 0
        self.total = 0
        self.squares = 0
        self.low = 0
        self.high = 0
        self.buckets = {}

    def record(self, usec):
        value = max(0, int(usec))
        if self.count == 0 or value < self.low:
            self.low = value
        if self.count == 0 or value > self.high:
            self.high = value
        self.count += 1
        self.total += value
        self.squares += value * value
        index = bucket_index(value)
        self.buckets[index] = self.buckets.get(index, 0) + 1

    def merge(self, other):
        if other.count == 0:
            return
        if self.count == 0 or other.low < self.low:
            self.low = other.low
        if self.count == 0 or other.high > self.high:
            self.high = other.high
        self.count += other.count
        self.total += other.total
        self.squares += other.squares
        for index, n in other.buckets.items():
            self.buckets[index] = self.buckets.get(index, 0) + n

    def to_json(self, scale=1.0):
        """The JSON of lb_latency_histogram_to_json(); counts scaled by
        @scale (1 / sampling rate), every bucket kept non-empty so min and
        max still fall in one."""
        buckets = []
        count = 0
        for index in sorted(self.buckets):
            n = self.buckets[index]
            if scale != 1.0:
                n = max(1, int(round(n * scale)))
            count += n
            buckets.append([bucket_lower(index), n])
        return {
            "count": count,
            "sum": int(round(self.total * scale)),
            "sum_squares": float(self.squares * scale),
            "min": self.low if self.count else 0,
            "max": self.high if self.count else 0,
            "buckets": buckets,
        }


class RunnerError(Exception):
    """A failure with a sentence the user can act on."""


# ---- Configuration ----

def map_path(path):
    """/Workspace/... and /Volumes/... under $LAKEBASE_RUNNER_ROOT when set
    (the tests' fake workspace maps them to a temporary directory)."""
    root = os.environ.get("LAKEBASE_RUNNER_ROOT")
    if root and isinstance(path, str) and (path.startswith("/Workspace/") or path.startswith("/Volumes/")):
        return os.path.join(root, path.lstrip("/"))
    return path


def split_share(total, workers, worker):
    """Clients split as evenly as possible, the first total % workers get
    one more (lb_remote_split_clients() in C does the same)."""
    base, extra = divmod(total, workers)
    return base + (1 if worker < extra else 0)


def client_id_base(total, workers, worker):
    return sum(split_share(total, workers, k) for k in range(worker))


def number(config, name, default=0):
    value = config.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RunnerError("config.json: “%s” is not a number." % name)
    return value


def load_config(path, worker):
    try:
        with open(map_path(path), "r", encoding="utf-8") as handle:
            config = json.load(handle)
    except (OSError, ValueError) as error:
        raise RunnerError("Cannot read the run's config.json (%s): %s" % (path, error))
    if not isinstance(config, dict) or config.get("version") != 1:
        raise RunnerError("config.json is not a version 1 run configuration.")
    workers = int(number(config, "workers", 1))
    if workers < 1 or not 0 <= worker < workers:
        raise RunnerError("Worker %d is not one of the run's %d workers." % (worker, workers))
    for name in ("clients", "threads", "duration", "transactions", "warmup", "rate",
                 "latency_limit", "seed", "max_tries", "scale", "credential_refresh_seconds",
                 "sampling_rate"):
        number(config, name)
    if not isinstance(config.get("target"), dict):
        raise RunnerError("config.json has no target.")
    if not config.get("samples_dir"):
        raise RunnerError("config.json has no samples_dir.")
    return config


# ---- Identity and credential ----

def identity():
    """The host and token of the run's identity: the notebook context on a
    Databricks cluster, else DATABRICKS_HOST and DATABRICKS_TOKEN."""
    try:
        from dbruntime.databricks_repl_context import get_context  # noqa: E402
        context = get_context()
        host = getattr(context, "apiUrl", None) or getattr(context, "workspaceUrl", None)
        token = getattr(context, "apiToken", None)
        if host and token:
            if not host.startswith("http"):
                host = "https://" + host
            return host.rstrip("/"), token
    except Exception:  # not on a cluster, or an older runtime
        pass
    host = os.environ.get("DATABRICKS_HOST", "")
    token = os.environ.get("DATABRICKS_TOKEN", "")
    if not host or not token:
        raise RunnerError("The task has no Databricks identity: neither the cluster's context nor "
                          "DATABRICKS_HOST and DATABRICKS_TOKEN are available.")
    if not host.startswith("http"):
        host = "https://" + host
    return host.rstrip("/"), token


def grants_sentence(target, detail):
    user = target.get("user") or "the run's identity"
    if target.get("kind") == "autoscaling":
        what = "CAN_USE on the project (%s)" % (target.get("endpoint") or "its endpoint")
    else:
        what = "CAN_USE on the database instance %s" % (target.get("instance_name") or "")
    return ("Lakebase refused the run's identity (%s): %s. The identity the job runs as needs %s and a "
            "Postgres role in the database: make it a member of databricks_superuser, or create its "
            "role with databricks_create_role('%s', 'USER') and grant it what the script touches."
            % (user, detail, what, user))


def network_sentence(target, detail):
    host = target.get("host", "")
    port = target.get("port", 5432)
    return ("The cluster cannot reach the database at %s:%s (%s). The job cluster's outbound traffic must "
            "reach the database on port %s: allow the workspace's compute in the instance's network "
            "settings (IP access list), or use a private link that the cluster's network can route to."
            % (host, port, detail, port))


def mint_credential(host, token, target):
    """A Lakebase credential as the run's identity: the database credentials
    API (provisioned instances) or the postgres one (autoscaling)."""
    if target.get("kind") == "autoscaling":
        url = host + "/api/2.0/postgres/credentials"
        body = {"endpoint": target.get("endpoint", "")}
    else:
        url = host + "/api/2.0/database/credentials"
        body = {"instance_names": [target.get("instance_name", "")], "request_id": str(uuid.uuid4())}
    request = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), method="POST",
                                     headers={"Authorization": "Bearer " + token,
                                              "Content-Type": "application/json",
                                              "User-Agent": "lakebase-accelerator-runner/1"})
    last = None
    for attempt in range(4):
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                reply = json.loads(answer.read().decode("utf-8"))
            credential = reply.get("token") if isinstance(reply, dict) else None
            if not credential:
                raise RunnerError("The credentials API answered without a token.")
            return credential
        except urllib.error.HTTPError as error:
            try:
                detail = json.loads(error.read().decode("utf-8"))
                message = "%s: %s" % (detail.get("error_code", error.code), detail.get("message", ""))
            except Exception:
                message = "HTTP %d" % error.code
            if error.code in (401, 403):
                raise RunnerError(grants_sentence(target, "minting its credential was refused, " + message))
            if error.code == 404:
                raise RunnerError("The credentials API does not know the target (%s); check that the "
                                  "instance or endpoint still exists." % message)
            last = "HTTP %d %s" % (error.code, message)
            if error.code != 429 and error.code < 500:
                break
        except (urllib.error.URLError, OSError, ValueError) as error:
            last = str(getattr(error, "reason", error))
        time.sleep(min(8, 1 << attempt))
    raise RunnerError("Minting the database credential failed: %s." % last)


# ---- pgbench ----

def find_pgbench():
    found = shutil.which("pgbench")
    if found:
        return found
    # LAKEBASE_RUNNER_PG_DIRS: where else to look (a glob; the tests point it nowhere).
    pattern = os.environ.get("LAKEBASE_RUNNER_PG_DIRS", "/usr/lib/postgresql/*/bin")
    candidates = sorted(glob.glob(os.path.join(pattern, "pgbench")),
                        key=lambda p: [int(x) if x.isdigit() else 0 for x in p.split("/")], reverse=True)
    return candidates[0] if candidates else None


def install_pgbench(status):
    """Databricks nodes are Ubuntu, the task runs as root."""
    if os.environ.get("LAKEBASE_RUNNER_NO_INSTALL") == "1":
        return None, "installing is switched off (LAKEBASE_RUNNER_NO_INSTALL=1)"
    apt = shutil.which("apt-get")
    if apt is None:
        return None, "there is no apt-get on the node"
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        return None, "the task does not run as root, so it cannot run apt-get"
    status.set_state("installing", "Installing pgbench (apt-get install postgresql-client)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    output = ""
    for packages in (["postgresql-client"], ["postgresql-contrib"]):
        try:
            subprocess.run([apt, "update", "-q"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=300, check=False)
            result = subprocess.run([apt, "install", "-y", "-q"] + packages, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, timeout=600, check=False)
            output = result.stdout.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            output = output[0]
        except (OSError, subprocess.SubprocessError) as error:
            output = str(error)
        found = find_pgbench()
        if found:
            return found, None
    return None, "apt-get could not install it: " + output


def pgbench_sentence(detail):
    return ("pgbench is not on this node and could not be installed (%s). Use a Databricks Runtime image "
            "that can reach the Ubuntu package mirrors (the runner runs apt-get install postgresql-client), "
            "or add a cluster init script that installs postgresql-client." % detail)


def pgbench_version(path):
    try:
        result = subprocess.run([path, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                timeout=30, check=False)
        return result.stdout.decode("utf-8", "replace").strip()
    except (OSError, subprocess.SubprocessError):
        return None


def major_version(text):
    match = re.search(r"\)\s*(\d+)", text or "")
    return int(match.group(1)) if match else 0


# ---- Samples ----

class Second:
    __slots__ = ("transactions", "failed", "skipped", "lag", "latency", "warmup")

    def __init__(self, warmup):
        self.transactions = 0
        self.failed = 0
        self.skipped = 0
        self.lag = 0
        self.latency = Histogram()
        self.warmup = warmup

    def to_json(self, t, scale):
        return {
            "t": t,
            "interval": 1.0,
            "transactions": int(round(self.transactions * scale)),
            "failed": int(round(self.failed * scale)),
            "skipped": int(round(self.skipped * scale)),
            "warmup": self.warmup,
            "latency": self.latency.to_json(scale),
            "lag_us_sum": int(round(self.lag * scale)),
        }


class LogTail:
    """pgbench's per-transaction log files of one segment (one per thread),
    read as they grow."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.offsets = {}
        self.partial = {}

    def read(self):
        lines = []
        for path in glob.glob(glob.escape(self.prefix) + ".*"):
            try:
                with open(path, "rb") as handle:
                    handle.seek(self.offsets.get(path, 0))
                    data = handle.read()
                    self.offsets[path] = handle.tell()
            except OSError:
                continue
            if not data:
                continue
            data = self.partial.pop(path, b"") + data
            chunks = data.split(b"\n")
            if chunks[-1]:
                self.partial[path] = chunks[-1]
            lines.extend(chunks[:-1])
        return lines


class Measure:
    """Every second the runner has seen, and the totals of the measured part."""

    def __init__(self, sampling_rate, has_lag):
        # The schedule lag is the 7th field only under --rate; otherwise a
        # 7th field is the retries of --max-tries.
        self.has_lag = has_lag
        self.seconds = {}
        self.scale = 1.0 / sampling_rate if 0 < sampling_rate < 1 else 1.0
        self.total = Histogram()
        self.transactions = 0
        self.failed = 0
        self.skipped = 0
        self.clients_seen = set()
        self.lines = 0

    def add_line(self, line, warmup):
        fields = line.split()
        # client_id transaction_no time script_no time_epoch time_us [schedule_lag [retries]]
        if len(fields) < 6:
            return
        try:
            client = int(fields[0])
            epoch = int(fields[4])
            usec = int(fields[5])
        except ValueError:
            return
        second = epoch + 1   # the end of the second it ended in
        entry = self.seconds.get(second)
        if entry is None or (entry.warmup and not warmup):
            # A second shared by the warm-up's end and the run's start is
            # the run's: only its measured transactions count in it.
            entry = self.seconds[second] = Second(warmup)
        elif warmup and not entry.warmup:
            return
        time_field = fields[2]
        lag = 0
        if self.has_lag and len(fields) >= 7:
            try:
                lag = int(fields[6])
            except ValueError:
                lag = 0
        self.lines += 1
        if time_field == "skipped":
            entry.skipped += 1
            if not warmup:
                self.skipped += 1
            return
        if time_field in ("failed", "serialization", "deadlock", "other"):
            entry.failed += 1
            if not warmup:
                self.failed += 1
            return
        try:
            latency = int(time_field)
        except ValueError:
            return
        entry.transactions += 1
        entry.lag += max(0, lag)
        entry.latency.record(latency)
        if not warmup:
            self.clients_seen.add(client)
            self.transactions += 1
            self.total.record(latency)

    def fill(self, first, last, warmup):
        for t in range(first, last + 1):
            if t not in self.seconds:
                self.seconds[t] = Second(warmup)

    def samples(self, upto=None):
        keys = sorted(k for k in self.seconds if upto is None or k <= upto)
        return [self.seconds[k].to_json(k, self.scale) for k in keys]


# ---- Files ----

def write_json_atomically(path, value):
    text = json.dumps(value, separators=(",", ":"))
    temporary = path + ".tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError:
        # Some FUSE mounts refuse renames: a direct write is second best.
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)


class Status:
    def __init__(self, samples_dir, worker, clients):
        self.samples_dir = samples_dir
        self.worker = worker
        self.clients = clients
        self.state = "starting"
        self.message = "Starting"
        self.pgbench = None
        self.measure = None
        self.lock = threading.Lock()
        self.last_write = 0.0

    def set_state(self, state, message):
        self.state = state
        self.message = message
        self.write_live()

    def write_live(self, closed_upto=None):
        with self.lock:
            samples = self.measure.samples(closed_upto)[-LIVE_SAMPLES:] if self.measure else []
            document = {
                "version": FORMAT_VERSION, "worker": self.worker, "state": self.state,
                "message": self.message, "pgbench": self.pgbench, "clients": self.clients,
                "updated": time.time(), "samples": samples,
            }
            write_json_atomically(os.path.join(self.samples_dir, "w%d.json" % self.worker), document)
            self.last_write = time.time()


# ---- pgbench runs ----

SUMMARY_PATTERNS = {
    "transactions": re.compile(r"^number of transactions actually processed: (\d+)"),
    "failed": re.compile(r"^number of failed transactions: (\d+)"),
    "skipped": re.compile(r"^number of transactions skipped: (\d+)"),
    "serialization": re.compile(r"^number of serialization failures: (\d+)"),
    "deadlock": re.compile(r"^number of deadlock failures: (\d+)"),
    "latency_average": re.compile(r"^latency average = ([0-9.]+) ms"),
    "connection_time": re.compile(r"^initial connection time = ([0-9.]+) ms"),
    "tps": re.compile(r"^tps = ([0-9.]+)"),
}
# pgbench's two forms: an SQL error ("client 3 script 0 aborted in command 1
# query 0: ERROR: …") and a meta-command's ("client 3 aborted in command 1
# (set) of script 0; evaluation of meta-command failed").
ABORT_PATTERN = re.compile(r"client \d+ (?:script \d+ )?aborted in command \d+"
                           r"(?: \(\w+\))?(?: query \d+)?(?: of script \d+)?[:;] (.*)")
SQLSTATE_PATTERN = re.compile(r"\b([0-9A-Z]{5})\b")


def parse_summary(lines):
    """The first (overall) figure of each kind in pgbench's report; the
    per-script sections that follow repeat them."""
    summary = {}
    for line in lines:
        for key, pattern in SUMMARY_PATTERNS.items():
            if key in summary:
                continue
            match = pattern.match(line.strip())
            if match:
                summary[key] = float(match.group(1)) if "." in match.group(1) else int(match.group(1))
    return summary


def classify_failure(lines, target):
    text = "\n".join(lines)
    lowered = text.lower()
    detail = ""
    for line in lines:
        if "error:" in line or "FATAL" in line or "failed" in line:
            detail = line.strip()
            break
    detail = detail or (lines[-1].strip() if lines else "pgbench failed")
    if ("password authentication failed" in lowered or "role \"" in lowered and "does not exist" in lowered
            or "permission denied" in lowered and "connection" in lowered
            or "no pg_hba.conf entry" in lowered or "authentication failed" in lowered):
        return grants_sentence(target, "the database refused the login: " + detail)
    if ("connection refused" in lowered or "timeout expired" in lowered or "timed out" in lowered
            or "could not translate host name" in lowered or "no route to host" in lowered
            or "network is unreachable" in lowered
            or ("connection to server" in lowered and "failed" in lowered)):
        return network_sentence(target, detail)
    return "pgbench failed: " + detail


class Runner:
    def __init__(self, config, worker):
        self.config = config
        self.worker = worker
        self.workers = int(config.get("workers", 1))
        total_clients = max(1, int(config.get("clients", 1)))
        self.clients = split_share(total_clients, self.workers, worker)
        self.client_id_base = (int(config.get("client_id_base", 0))
                               + client_id_base(total_clients, self.workers, worker))
        rate = float(config.get("rate", 0) or 0)
        self.rate = rate * self.clients / total_clients if rate > 0 else 0
        transactions = int(config.get("transactions", 0) or 0)
        # Count mode: pgbench's -t is per client, the run's count is for all of them.
        self.transactions = max(1, int(round(transactions / total_clients))) if transactions > 0 else 0
        self.target = config["target"]
        self.samples_dir = map_path(config["samples_dir"])
        self.sampling_rate = float(config.get("sampling_rate", 1.0) or 1.0)
        self.refresh = float(config.get("credential_refresh_seconds", 3000) or 3000)
        self.status = Status(self.samples_dir, worker, self.clients)
        self.cancelled = False
        self.process = None
        self.measure = None
        self.log_tail = collections.deque(maxlen=LOG_TAIL_LINES)
        self.credentials_minted = 0
        self.errors = collections.OrderedDict()
        self.summaries = []
        self.cpu_seconds = 0.0
        self.version = None
        # pgbench's per-transaction logs: a private temporary directory,
        # or LAKEBASE_RUNNER_WORK_DIR (kept; the tests read the logs).
        self.keep_work_dir = bool(os.environ.get("LAKEBASE_RUNNER_WORK_DIR"))
        if self.keep_work_dir:
            self.work_dir = os.environ["LAKEBASE_RUNNER_WORK_DIR"]
            os.makedirs(self.work_dir, exist_ok=True)
        else:
            self.work_dir = tempfile.mkdtemp(prefix="lakebase-runner-")

    # ---- signals ----

    def cancel(self, signum=None, frame=None):
        self.cancelled = True
        process = self.process
        if process is not None and process.poll() is None:
            try:
                process.send_signal(signal.SIGINT)
            except OSError:
                pass

    # ---- arguments ----

    def pgbench_args(self, pgbench, seconds, prefix, warmup):
        config = self.config
        threads = int(config.get("threads", 0) or 0)
        if threads <= 0:
            threads = os.cpu_count() or 1
        threads = max(1, min(threads, self.clients))
        args = [pgbench, "-n", "-M", str(config.get("protocol", "prepared")),
                "-c", str(self.clients), "-j", str(threads)]
        if seconds is not None:
            args += ["-T", str(max(1, int(round(seconds))))]
        else:
            args += ["-t", str(self.transactions)]
        if self.rate > 0:
            args += ["-R", "%g" % self.rate]
        latency_limit = float(config.get("latency_limit", 0) or 0)
        if latency_limit > 0:
            args += ["-L", "%g" % (latency_limit * 1000.0)]
        seed = int(config.get("seed", 0) or 0)
        if seed:
            # Each worker its own stream: its clients are numbered from 0 too.
            args += ["--random-seed=%d" % (seed + self.worker + (7919 if warmup else 0))]
        max_tries = int(config.get("max_tries", 1) if config.get("max_tries") is not None else 1)
        if max_tries != 1 and major_version(self.version) >= 15:
            args += ["--max-tries=%d" % max_tries]
        if major_version(self.version) >= 15:
            args += ["--failures-detailed"]
        scale = int(config.get("scale", 1) or 1)
        args += ["-s", str(scale)]
        for define in config.get("defines") or []:
            args += ["-D", str(define)]
        args += ["-D", "client_id_base=%d" % self.client_id_base]
        args += ["-l", "--log-prefix=" + prefix]
        if self.sampling_rate < 1.0:
            args += ["--sampling-rate=%g" % self.sampling_rate]
        # "-f", "/Workspace/.../a.sql@8": the file (its weight after it) as the node sees it.
        args += [map_path(str(arg)) for arg in (config.get("script_args") or [])]
        return args

    def pgbench_env(self, credential):
        env = dict(os.environ)
        for name in ("DATABRICKS_TOKEN", "DATABRICKS_HOST", "DATABRICKS_CLIENT_SECRET", "PGPASSFILE",
                     "PGHOSTADDR", "PGSERVICE", "LAKEBASE_RUNNER_WORK_DIR"):
            env.pop(name, None)
        target = self.target
        env["PGHOST"] = str(target.get("host", ""))
        env["PGPORT"] = str(target.get("port", 5432))
        env["PGDATABASE"] = str(target.get("dbname", "databricks_postgres"))
        env["PGUSER"] = str(target.get("user", ""))
        env["PGSSLMODE"] = str(target.get("sslmode", "require"))
        env["PGAPPNAME"] = "lakebase-accelerator-w%d" % self.worker
        env.setdefault("PGCONNECT_TIMEOUT", "15")
        env["PGPASSWORD"] = credential
        return env

    # ---- one pgbench process ----

    def run_segment(self, pgbench, credential, seconds, index, warmup, measure):
        prefix = os.path.join(self.work_dir, "seg%d" % index)
        args = self.pgbench_args(pgbench, seconds, prefix, warmup)
        output = []
        tail = LogTail(prefix)
        started = time.time()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.process = subprocess.Popen(args, env=self.pgbench_env(credential), cwd=self.work_dir,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if self.cancelled:
            self.cancel()

        def reader(stream):
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\n")
                output.append(line)
                self.log_tail.append(line)
            stream.close()

        thread = threading.Thread(target=reader, args=(self.process.stdout,), daemon=True)
        thread.start()
        first_second = int(started) + 1
        while True:
            finished = self.process.poll() is not None
            for line in tail.read():
                measure.add_line(line.decode("ascii", "replace"), warmup)
            now = time.time()
            # A second is closed once it ended over a second ago; pgbench
            # buffers its log, so a late line may still correct it (the final
            # file has every line).
            closed = int(now) - 1
            measure.fill(first_second, closed, warmup)
            if now - self.status.last_write >= 1.0:
                self.status.write_live(closed)
            if finished:
                break
            time.sleep(0.2)
        thread.join(timeout=10)
        for line in tail.read():
            measure.add_line(line.decode("ascii", "replace"), warmup)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu_seconds += (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        code = self.process.returncode
        self.process = None
        summary = parse_summary(output)
        cause = ""
        for line in output:
            match = ABORT_PATTERN.search(line)
            if match:
                message = match.group(1).strip()
                # A meta-command's abort names no cause; pgbench printed it
                # before ("pgbench: error: division by zero").
                if "meta-command" in message and cause:
                    message = "%s (%s)" % (cause, message)
                key = ("", message)
                self.errors[key] = self.errors.get(key, 0) + 1
            elif "error: " in line:
                # pgbench writes the prefix and the message in separate
                # calls, so with several threads the prefixes of two lines
                # can end up on one: drop every prefix.
                text = re.sub(r"(?:pgbench: |error: )", "", line).strip()
                if text and not text.startswith("Run was aborted"):
                    cause = text
        if not warmup:
            for kind, sqlstate in (("serialization", "40001"), ("deadlock", "40P01")):
                if summary.get(kind):
                    key = (sqlstate, "%s failures (after --max-tries)" % kind)
                    self.errors[key] = self.errors.get(key, 0) + int(summary[kind])
        return code, output, summary, time.time() - started

    # ---- the whole run ----

    def run(self):
        os.makedirs(self.samples_dir, exist_ok=True)
        self.status.write_live()
        if self.clients < 1:
            raise RunnerError("Worker %d has no clients: the run asks for fewer clients than workers. "
                              "Use at most as many workers as clients." % self.worker)
        host, token = identity()

        self.status.set_state("installing", "Looking for pgbench")
        pgbench = find_pgbench()
        if pgbench is None:
            pgbench, why = install_pgbench(self.status)
            if pgbench is None:
                raise RunnerError(pgbench_sentence(why))
        self.version = pgbench_version(pgbench)
        self.status.pgbench = self.version

        self.status.set_state("connecting", "Minting the database credential")
        credential = mint_credential(host, token, self.target)
        minted_at = time.time()
        self.credentials_minted = 1
        self.measure = Measure(self.sampling_rate, self.rate > 0)
        self.status.measure = self.measure

        warmup = float(self.config.get("warmup", 0) or 0)
        segment = 0
        if warmup > 0 and not self.cancelled:
            self.status.set_state("warmup", "Warming up for %g s" % warmup)
            code, output, summary, _ = self.run_segment(pgbench, credential, warmup, segment, True,
                                                        self.measure)
            segment += 1
            if code != 0 and not self.cancelled:
                raise RunnerError(classify_failure(output, self.target))

        duration = float(self.config.get("duration", 0) or 0)
        self.status.set_state("running", "Running %d clients" % self.clients)
        if self.transactions > 0:
            plan = [None]
        else:
            plan = []
            left = max(1.0, duration)
            step = max(1.0, self.refresh)
            while left > 0.5:
                plan.append(min(step, left))
                left -= step
        for index, seconds in enumerate(plan):
            if self.cancelled:
                break
            # A fresh credential for every segment after the first: a token
            # lives an hour, a long run outlives it.
            if index > 0 or time.time() - minted_at > self.refresh:
                credential = mint_credential(host, token, self.target)
                minted_at = time.time()
                self.credentials_minted += 1
            before = self.measure.transactions, self.measure.failed, self.measure.skipped
            code, output, summary, wall = self.run_segment(pgbench, credential, seconds, segment, False,
                                                           self.measure)
            segment += 1
            logged = tuple(now - then for now, then in zip(
                (self.measure.transactions, self.measure.failed, self.measure.skipped), before))
            self.summaries.append((summary, logged, seconds, wall))
            if code != 0 and not self.cancelled and "transactions" not in summary:
                raise RunnerError(classify_failure(output, self.target))
            if code != 0 and not self.cancelled and not summary.get("transactions") and self.errors:
                first = next(iter(self.errors))[1]
                raise RunnerError("Every client of pgbench stopped on an error: %s" % first)
        credential = None

    def totals(self):
        scale = self.measure.scale if self.measure else 1.0
        transactions = failed = skipped = 0
        duration = 0.0
        latency_weighted = 0.0
        connection_time = 0.0
        for summary, logged, seconds, wall in self.summaries:
            if "transactions" in summary:
                n = int(summary["transactions"])
                transactions += n
                failed += int(summary.get("failed", 0))
                skipped += int(summary.get("skipped", 0))
                tps = float(summary.get("tps", 0))
                duration += n / tps if tps > 0 else (seconds or wall)
                latency_weighted += float(summary.get("latency_average", 0)) * n
                if not connection_time:
                    connection_time = float(summary.get("connection_time", 0)) / 1000.0
            else:
                # Cancelled mid-segment: pgbench printed nothing, its log has what it measured.
                transactions += int(round(logged[0] * scale))
                failed += int(round(logged[1] * scale))
                skipped += int(round(logged[2] * scale))
                duration += wall
        latency_average = latency_weighted / transactions if transactions else 0.0
        total = self.measure.total if self.measure else None
        if any("transactions" not in s[0] for s in self.summaries) and total is not None and total.count:
            latency_average = total.total / total.count / 1000.0   # pgbench said nothing of the last part
        return transactions, failed, skipped, duration, latency_average, connection_time

    def write_final(self, state, error):
        transactions, failed, skipped, duration, latency_average, connection_time = self.totals()
        measure = self.measure or Measure(1.0, False)
        connected = self.clients if any("transactions" in s[0] for s in self.summaries) \
            else min(self.clients, len(measure.clients_seen))
        cores = os.cpu_count() or 1
        # What one core of pgbench drives: the capacity the app's sizing
        # divides a target rate by.
        tps_per_core = transactions / self.cpu_seconds if self.cpu_seconds > 0 else 0.0
        document = {
            "version": FORMAT_VERSION, "worker": self.worker, "state": state, "error": error,
            "message": error or ("Cancelled" if state == "cancelled" else "Done"),
            "pgbench": self.version,
            "log_tail": "\n".join(self.log_tail),
            "clients_asked": self.clients, "clients_connected": connected,
            "client_id_base": self.client_id_base,
            "transactions": transactions, "failed": failed, "skipped": skipped,
            "duration": duration, "tps": transactions / duration if duration > 0 else 0.0,
            "connection_time": connection_time, "latency_average_ms": latency_average,
            "latency": measure.total.to_json(measure.scale),
            "samples": measure.samples(),
            "errors": [{"sqlstate": k[0], "message": k[1], "count": n} for k, n in self.errors.items()],
            "cpu_seconds": self.cpu_seconds, "cores": cores, "tps_per_core": tps_per_core,
            "credentials_minted": self.credentials_minted,
        }
        write_json_atomically(os.path.join(self.samples_dir, "w%d.final.json" % self.worker), document)
        self.status.state = state
        self.status.message = document["message"]
        if self.measure is not None or os.path.isdir(self.samples_dir):
            self.status.write_live()


def main(argv=None):
    parser = argparse.ArgumentParser(description="One worker of a Lakebase Accelerator test run.")
    parser.add_argument("--config", required=True)
    parser.add_argument("--worker", required=True, type=int)
    options = parser.parse_args(argv)

    try:
        config = load_config(options.config, options.worker)
    except RunnerError as error:
        print(str(error), file=sys.stderr)
        return 1

    runner = Runner(config, options.worker)
    signal.signal(signal.SIGTERM, runner.cancel)
    signal.signal(signal.SIGINT, runner.cancel)
    state, error = "done", None
    try:
        runner.run()
        if runner.cancelled:
            state = "cancelled"
    except RunnerError as failure:
        state, error = ("cancelled", None) if runner.cancelled else ("failed", str(failure))
    except Exception as failure:  # a bug of ours: say so rather than leave no file
        state, error = "failed", "The runner failed: %s: %s" % (type(failure).__name__, failure)
    try:
        os.makedirs(runner.samples_dir, exist_ok=True)
        runner.write_final(state, error)
    except OSError as failure:
        print("Cannot write the final file: %s" % failure, file=sys.stderr)
        return 1
    finally:
        if not runner.keep_work_dir:
            shutil.rmtree(runner.work_dir, ignore_errors=True)
    if error:
        print(error, file=sys.stderr)
    # A failure fails the task (the job shows it); a cancel is the job's CANCELED.
    return 1 if state == "failed" else 0


if __name__ == "__main__":
    sys.exit(main())
