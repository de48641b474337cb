// What each kind of secret may hold, checked on the value wherever the value
// is known: by `dsas check` for a plain value, by the Pulumi program on the
// decrypted value before any resource exists. The renderers never see a
// value they would have to refuse.
import type { SecretKind } from "./schema.ts";

const RULES: Record<SecretKind, (value: string) => string | undefined> = {
  // keepalived reads auth_pass as one word and silently truncates it to 8 characters.
  vrrpPassword: (v) => /^[\x21-\x7e]{1,8}$/.test(v) ? undefined
    : `must be 1..8 printable ASCII characters without spaces for VRRP PASS authentication (keepalived cuts longer ones to 8), got ${describe(v)}`,
  // It goes inside a double-quoted drbd.conf string, and the kernel takes at most 63 bytes.
  drbdSharedSecret: (v) => /["\\\r\n]/.test(v) ? `must not contain a double quote, backslash or line break, which a DRBD shared-secret cannot hold, got ${describe(v)}`
    : Buffer.byteLength(v) < 1 || Buffer.byteLength(v) > 63 ? `must be 1..63 bytes for a DRBD shared-secret, got ${describe(v)}` : undefined,
  // A MySQL option file value is one line.
  mysqlPassword: (v) => v === "" ? `must not be empty, got ${describe(v)}`
    : /[\r\n]/.test(v) ? `must be one line, which a MySQL option file can hold, got ${describe(v)}` : undefined,
  // Corosync reads the key file as raw bytes and wants at least 1024 bits of it.
  corosyncKey: (v) => Buffer.byteLength(v) >= 128 && Buffer.byteLength(v) <= 4096 && !/\0/.test(v) ? undefined
    : `must be 128..4096 bytes without NUL for a Corosync key (openssl rand -base64 128), got ${describe(v)}`,
  sshPrivateKey: (v) => /^-----BEGIN [A-Z ]*PRIVATE KEY-----\r?\n[\s\S]+-----END [A-Z ]*PRIVATE KEY-----\s*$/.test(v) ? undefined
    : `must be a PEM or OpenSSH private key (-----BEGIN ... PRIVATE KEY-----), got ${describe(v)}`,
};

/** Says what is wrong with a value, never the value itself. */
function describe(v: string): string {
  return `a value of ${Buffer.byteLength(v)} byte(s)${/[\r\n]/.test(v) ? " with a line break" : ""}`;
}

/** Why `value` cannot be used as a secret of this kind, or undefined. */
export function secretProblem(kind: SecretKind, value: string): string | undefined {
  return RULES[kind](value);
}
