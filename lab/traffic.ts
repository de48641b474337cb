// A bounded stream of HTTP requests from a lab VM (never from this machine),
// for tests and benchmarks: batches of parallel curl transfers, each on a new
// connection, until stopped or a request or time bound is reached.
import { ssh } from "./vm.ts";

export interface StreamOptions {
  /** Transfers in flight at once. */
  parallel?: number;
  /** Transfers per batch; each batch's lines carry the time it started. */
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
  /** HTTP status; 0 when no answer came. */
  code: number;
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
    sh(host, `rm -f ${f} ${f}.done ${f}.stop && cat >${f}.cfg`, config);
    sh(host, `setsid sh -c 'end=$(($(date +%s) + ${maxSeconds})); n=0; `
      + `while [ $n -lt ${maxRequests} ] && [ $(date +%s) -lt $end ] && [ ! -e ${f}.stop ]; do `
      + `t=$(date +%s.%N); curl -s -Z --parallel-max ${parallel} --connect-timeout ${connectTimeout} -m ${maxTime} -H "Connection: close" -K ${f}.cfg -w "%{http_code}\\n" | sed "s/^/$t /" >>${f}; `
      + `n=$((n + ${batch})); done; touch ${f}.done' </dev/null >/dev/null 2>&1 &`);
  }

  /** Requests answered or failed so far. */
  count(): number {
    return Number(sh(this.host, `cat ${this.file} 2>/dev/null | wc -l`).trim());
  }

  /** Stops once at least `minRequests` were made; every request's outcome. */
  async stop(minRequests = 0, seconds = 600): Promise<Answer[]> {
    const start = Date.now();
    const wait = async (ok: () => boolean, what: string) => {
      while (!ok()) {
        if (Date.now() - start > seconds * 1000) throw new Error(`request stream on ${this.host}: ${what} not within ${seconds} s`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    };
    await wait(() => ssh(this.host, `test -e ${this.file}.done`).status === 0 || this.count() >= minRequests, `${minRequests} requests`);
    sh(this.host, `touch ${this.file}.stop`);
    await wait(() => ssh(this.host, `test -e ${this.file}.done`).status === 0, "the end");
    return sh(this.host, `cat ${this.file}`).trim().split("\n").filter(Boolean)
      .map((l) => l.split(" ")).map(([t, code]) => ({ t: Number(t), code: Number(code) }));
  }
}
