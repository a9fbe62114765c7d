#!/usr/bin/env bash
# A one-node Slurm cluster on this machine (for `lfm train --slurm` tests), as root:
#   installs slurmctld slurmd slurm-client munge from Debian when missing, writes
#   /etc/slurm/slurm.conf (this host, all its CPUs, one default partition `lfm`, no
#   accounting, no cgroups), starts munged (as the munge user), slurmctld and slurmd, and
#   waits until `sinfo` shows the node idle. Idempotent: a running, healthy cluster is left
#   alone.
# Exit: 0 ready; 75 and a `SKIPPED: ...` line when the packages cannot be installed;
#   1 when the cluster does not come up (the daemons' logs are printed).
set -uo pipefail

log() { echo "slurm-up: $*" >&2; }
HOST=$(hostname -s)
CPUS=$(nproc)
CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
LOG_DIR=/var/log/slurm

have_all() { command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null \
  && command -v munged >/dev/null && command -v pgrep >/dev/null; }

if ! have_all; then
  if [ "$(id -u)" -ne 0 ]; then echo "SKIPPED: Slurm is not installed and this is not root"; exit 75; fi
  log "installing slurmctld slurmd slurm-client munge (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge procps; } >/tmp/slurm-up-apt.log 2>&1; then
    tail -n 5 /tmp/slurm-up-apt.log >&2
    echo "SKIPPED: could not install slurmctld slurmd slurm-client munge (see /tmp/slurm-up-apt.log)"
    exit 75
  fi
  have_all || { echo "SKIPPED: Slurm packages installed but binaries missing"; exit 75; }
fi

idle() { sinfo -h -n "$HOST" -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; }
if pgrep -x slurmctld >/dev/null && pgrep -x slurmd >/dev/null && idle; then
  log "already running: $(sinfo -h -o '%P %D %t %N' | head -n 1)"
  exit 0
fi

# munge: a key (the package makes one; make it if not), its run dir, the daemon as `munge`.
mkdir -p /etc/munge /run/munge /var/lib/munge /var/log/munge
if [ ! -s /etc/munge/munge.key ]; then
  if command -v mungekey >/dev/null; then mungekey --create --keyfile=/etc/munge/munge.key >/dev/null 2>&1
  else dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; fi
fi
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge
chmod 0700 /etc/munge /var/lib/munge /var/log/munge
chmod 0755 /run/munge
chmod 0400 /etc/munge/munge.key
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  pkill_pid=$(pgrep -x munged || true)
  [ -z "$pkill_pid" ] || kill $pkill_pid 2>/dev/null
  runuser -u munge -- /usr/sbin/munged --force || { log "munged did not start"; exit 1; }
  for _ in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n | unmunge >/dev/null || { log "munge does not work"; exit 1; }

mkdir -p "$CONF_DIR" "$LOG_DIR" /var/spool/slurmctld /var/spool/slurmd
want=$(cat <<EOF
# Written by lfm's .ci/slurm-up.sh: a one-node test cluster.
ClusterName=lfm
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SchedulerType=sched/backfill
JobRequeue=1
MpiDefault=none
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=600
KillWait=10
NodeName=$HOST CPUs=$CPUS State=UNKNOWN
PartitionName=lfm Nodes=$HOST Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
)
changed=0
if [ ! -f "$CONF" ] || [ "$(cat "$CONF")" != "$want" ]; then
  printf '%s\n' "$want" >"$CONF.tmp" && mv "$CONF.tmp" "$CONF"
  changed=1
fi
# No cgroup.conf: task/none and proctrack/linuxproc need none (and containers rarely allow it).

start() { # name, args...
  local name=$1; shift
  if [ "$changed" = 1 ] && pgrep -x "$name" >/dev/null; then kill $(pgrep -x "$name") 2>/dev/null; sleep 1; fi
  pgrep -x "$name" >/dev/null || "$@" || { log "$name did not start"; tail -n 20 "$LOG_DIR/$name.log" >&2; exit 1; }
}
start slurmctld /usr/sbin/slurmctld
start slurmd /usr/sbin/slurmd

for i in $(seq 1 60); do
  if idle; then log "ready: $(sinfo -h -o '%P %D %t %N' | head -n 1)"; exit 0; fi
  # A node left down/drained by an earlier configuration: bring it back.
  if [ "$i" = 10 ]; then scontrol update NodeName="$HOST" State=RESUME >/dev/null 2>&1 || true; fi
  sleep 1
done
log "the node did not become idle: $(sinfo -h -N -o '%N %t %E' 2>&1)"
tail -n 20 "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.log" >&2
exit 1
