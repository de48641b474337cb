#!/usr/bin/env bash
# Builds the lab's guest image from Debian packages: one root filesystem shared
# by every lab VM through qcow2 overlays, with Debian's cloud kernel (ip_vs and
# DRBD 8.4 modules) and systemd as PID 1. Services a role needs are installed
# but disabled: dsas-kit enables what each host runs. Prints the image folder;
# rebuilt only when this recipe changes.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

# python3 is there for bench/ansible.ts only: Ansible needs it on the managed hosts.
# The cluster stack (active/backup pairs on DRBD): pacemaker + corosync with a
# qdevice vote from corosync-qnetd on an arbiter, sbd for watchdog self-fencing,
# resource-agents (Filesystem needs fuser: psmisc), the NFS server; nftables for
# the partition tests.
PACKAGES=systemd-sysv,openssh-server,iproute2,iputils-ping,curl,kmod,procps,linux-image-cloud-amd64,keepalived,ipvsadm,nginx-light,squid,drbd-utils,mariadb-server,mariadb-client,python3,netcat-openbsd,e2fsprogs,util-linux,pacemaker,pacemaker-cli-utils,corosync,corosync-qdevice,corosync-qnetd,resource-agents,sbd,nfs-kernel-server,nfs-common,psmisc,nftables
SERVICES_OFF="keepalived nginx squid mariadb ipvsadm apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer fstrim.timer corosync pacemaker corosync-qdevice corosync-qnetd sbd sbd_remote nfs-server nfs-blkmap rpcbind.service rpcbind.socket nftables"

recipe=$(cat "$0" "$ROOT/lab/guest/"* | sha256sum | cut -c1-12)
out="$LOCAL/lab/image-$recipe"
if [[ -f "$out/disk.img" && -f "$out/vmlinuz" && -f "$out/initrd.img" ]]; then
  echo "$out"
  exit 0
fi
for tool in mmdebstrap mkfs.ext4 qemu-system-x86_64 qemu-img; do
  command -v "$tool" >/dev/null || die "$tool is missing: apt-get install mmdebstrap e2fsprogs qemu-system-x86 qemu-utils"
done
[[ $(id -u) == 0 ]] || die "building the lab image needs root (mmdebstrap, file ownership in the image)"

mkdir -p "$LOCAL/lab"
tmp=$(mktemp -d "$LOCAL/lab/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
say "building the lab guest image (Debian bookworm, about a minute)"
mmdebstrap --quiet --variant=apt --include="$PACKAGES" bookworm "$tmp/root.tar"
mkdir "$tmp/root"
tar -C "$tmp/root" -xf "$tmp/root.tar"
r="$tmp/root"

# Per-VM identity (host name, addresses, host keys, the lab's login key) comes
# from a small config disk read at boot; the shared image holds none of it.
rm -f "$r"/etc/ssh/ssh_host_*
install -m 0755 "$ROOT/lab/guest/dsas-lab-config" "$r/usr/local/sbin/dsas-lab-config"
install -m 0644 "$ROOT/lab/guest/dsas-lab-config.service" "$r/etc/systemd/system/dsas-lab-config.service"
echo "/dev/vda / ext4 rw,relatime 0 1" >"$r/etc/fstab"
: >"$r/etc/hostname"
chroot "$r" systemctl enable -q dsas-lab-config.service systemd-networkd.service
for s in $SERVICES_OFF; do chroot "$r" systemctl disable -q "$s" 2>/dev/null || true; done
chroot "$r" systemctl mask -q systemd-networkd-wait-online.service
cp -L "$r/vmlinuz" "$tmp/vmlinuz"
cp -L "$r/initrd.img" "$tmp/initrd.img"
mkfs.ext4 -q -L dsas-root -d "$r" "$tmp/disk.img" 2G >&2
mkdir -p "$out"
mv "$tmp/disk.img" "$tmp/vmlinuz" "$tmp/initrd.img" "$out/"
say "lab image ready: $out"
echo "$out"
