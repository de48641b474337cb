// A bounded stream of HTTP requests from a lab VM (never from this machine),
// for tests and benchmarks: batches of parallel curl transfers, each on a new
// connection, until stopped or a request or time bound is reached.
import { ssh } from "./vm.ts";

export interface StreamOptions {
  /** Transfers in flight at once. */
  parallel?: number;
  /** Transfers per batch; each batch's lines carry the times it started and ended. */
  batch?: number;
  maxRequests?: number;
  maxSeconds?: number;
  /** Seconds a transfer may take to connect before it counts as failed. */
  connectTimeout?: number;
  /** Seconds a whole transfer may take before it counts as failed. (curl 7.88 fails some queued transfers at once when this is short in large batches.) */
  maxTime?: number;
}

export interface Answer {
  /** Unix time the request's batch started. */
  t: number;
  /** Unix time the request's batch ended: the request was made and answered (or not) between t and end. */
  end: number;
  /** HTTP status; 0 when no answer came. */
  code: number;
  /** curl's exit code: 0 answered, 7 refused, 28 timed out, 56 reset (curl(1), EXIT CODES). */
  exit: number;
  /** Seconds until the TCP connection was made; 0 when it never was. */
  connect: number;
}

function sh(host: string, command: string, input?: string): string {
  const r = ssh(host, command, input);
  if (r.status !== 0) throw new Error(`${host}: ${command}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

export class RequestStream {
  private readonly host: string;
  private readonly file: string;

  constructor(host: string, url: string, opts: StreamOptions = {}, name = "stream") {
    this.host = host;
    const { parallel = 8, batch = 200, maxRequests = 40_000, maxSeconds = 300, connectTimeout = 2, maxTime = 10 } = opts;
    this.file = `/tmp/dsas-${name}`;
    const f = this.file;
    const config = Array.from({ length: batch }, () => `url = "${url}"\noutput = "/dev/null"\n`).join("");
    sh(host, `rm -f ${f} ${f}.batch ${f}.done ${f}.stop && cat >${f}.cfg`, config);
    sh(host, `setsid sh -c 'end=$(($(date +%s) + ${maxSeconds})); n=0; `
      + `while [ $n -lt ${maxRequests} ] && [ $(date +%s) -lt $end ] && [ ! -e ${f}.stop ]; do `
      + `t=$(date +%s.%N); curl -s -Z --parallel-max ${parallel} --connect-timeout ${connectTimeout} -m ${maxTime} -H "Connection: close" -K ${f}.cfg -w "%{http_code} %{exitcode} %{time_connect}\\n" >${f}.batch; `
      + `e=$(date +%s.%N); sed "s/^/$t $e /" ${f}.batch >>${f}; `
      + `n=$((n + ${batch})); done; touch ${f}.done' </dev/null >/dev/null 2>&1 &`);
  }

  /** Requests answered or failed so far. */
  count(): number {
    return Number(sh(this.host, `cat ${this.file} 2>/dev/null | wc -l`).trim());
  }

  /**
   * Waits until the stream has made `requests` requests, or has ended. The
   * guest waits, in one command a minute: a command over SSH costs a TCG
   * guest 0.2 s of CPU, which polling from here took from the stream itself.
   */
  async reach(requests: number, seconds = 600): Promise<void> {
    const start = Date.now();
    const f = this.file;
    const check = `[ -e ${f}.done ] || [ "$(cat ${f} 2>/dev/null | wc -l)" -ge ${requests} ]`;
    while (ssh(this.host, `for i in $(seq 60); do ${check} && exit 0; sleep 1; done; exit 1`).status !== 0) {
      if (Date.now() - start > seconds * 1000) throw new Error(`request stream on ${this.host}: ${requests} requests not within ${seconds} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops once at least `minRequests` were made; every request's outcome. */
  async stop(minRequests = 0, seconds = 600): Promise<Answer[]> {
    await this.reach(minRequests, seconds);
    sh(this.host, `touch ${this.file}.stop`);
    await this.reach(Number.MAX_SAFE_INTEGER, seconds);
    return sh(this.host, `cat ${this.file}`).trim().split("\n").filter(Boolean)
      .map((l) => l.split(" ")).map(([t, end, code, exit, connect]) => ({ t: Number(t), end: Number(end), code: Number(code), exit: Number(exit), connect: Number(connect) }));
  }
}
