// IPv4 helpers for cross-checks. Addresses are validated by the schema first.

export const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function ipToInt(ip: string): number {
  return ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
}

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

/** "192.168.31.11/24" -> { address, prefix } or undefined when malformed. */
export function parseCidr(s: string): { address: string; prefix: number } | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s);
  if (!m || !isIPv4(m[1]) || Number(m[2]) > 32) return undefined;
  return { address: m[1], prefix: Number(m[2]) };
}

export function inSubnet(ip: string, network: string, prefix: number): boolean {
  if (prefix === 0) return true;
  const mask = prefix === 32 ? 0xffffffff : (~((1 << (32 - prefix)) - 1)) >>> 0;
  return ((ipToInt(ip) & mask) >>> 0) === ((ipToInt(network) & mask) >>> 0);
}

export function networkOf(ip: string, prefix: number): string {
  const mask = prefix === 0 ? 0 : prefix === 32 ? 0xffffffff : (~((1 << (32 - prefix)) - 1)) >>> 0;
  const n = (ipToInt(ip) & mask) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}
