// Lab hosts as a stack's topology sees them: cluster interfaces from the
// inventory, reached over their forwarded sshd on 127.0.0.1 with the lab key
// and pinned host keys.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { HOSTS, SSH_PORT_BASE } from "./inventory.ts";
import { hostKey } from "./lab.ts";

export const LAB_KEY = join(resolve(import.meta.dirname, ".."), ".local/lab/id_ed25519");
/** The stack config key holding the lab's SSH private key (a secret). */
export const LAB_KEY_CONFIG = "labSshKey";

export function labHost(host: string) {
  return {
    interfaces: Object.fromEntries(Object.entries(HOSTS[host].interfaces).map(([i, n]) => [i, n.address])),
    ssh: {
      address: "127.0.0.1",
      port: SSH_PORT_BASE + Object.keys(HOSTS).indexOf(host),
      privateKey: { secret: LAB_KEY_CONFIG },
      hostKey: hostKey(host),
    },
  };
}

export const labPrivateKey = () => readFileSync(LAB_KEY, "utf8");
