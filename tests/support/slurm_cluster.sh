#!/bin/bash
# A throwaway single-node Slurm cluster for the tests: munged, slurmctld and slurmd from Debian's packages,
# configured and run entirely inside DIR (config, state, spool, logs, sockets), on localhost with 2 CPUs.
#   slurm_cluster.sh start DIR   prints the environment to use it (SLURM_CONF=...) once sinfo shows the node idle
#   slurm_cluster.sh stop DIR    stops the three daemons it started (by the pids in DIR) and waits for them
# Needs root (slurmd runs jobs as their users, munged's key must be owned by its user).
set -euo pipefail

command=${1:?usage: slurm_cluster.sh start|stop DIR}
dir=${2:?usage: slurm_cluster.sh start|stop DIR}

stop_pidfile() {  # sends TERM to the pid in $1, waits up to 10 s, then KILL
  local file=$1 pid
  [ -s "$file" ] || return 0
  pid=$(cat "$file")
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

if [ "$command" = stop ]; then
  export SLURM_CONF="$dir/slurm.conf"
  scancel --full --quiet --user=root 2>/dev/null || true
  stop_pidfile "$dir/slurmd.pid"
  stop_pidfile "$dir/slurmctld.pid"
  stop_pidfile "$dir/munged.pid"
  exit 0
fi
[ "$command" = start ] || { echo "usage: slurm_cluster.sh start|stop DIR" >&2; exit 2; }

for program in munged slurmctld slurmd sbatch scontrol sinfo; do
  command -v "$program" >/dev/null || { echo "$program not found (install munge slurmctld slurmd slurm-client)" >&2; exit 3; }
done
[ "$(id -u)" = 0 ] || { echo "not root: slurmd must run as root to start jobs" >&2; exit 3; }

mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"

# free TCP ports for slurmctld and slurmd, chosen by the kernel
read -r ctld_port slurmd_port < <(python3 -c '
import socket
s1, s2 = socket.socket(), socket.socket()
s1.bind(("127.0.0.1", 0)); s2.bind(("127.0.0.1", 0))
print(s1.getsockname()[1], s2.getsockname()[1])' 2>/dev/null || echo "$((20000 + RANDOM % 20000)) $((40000 + RANDOM % 20000))")

host=$(hostname -s)
cat > "$dir/slurm.conf" <<CONF
ClusterName=structlab-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket,cred_expire=10
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
SchedulerParameters=sched_interval=1,batch_sched_delay=0
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
JobRequeue=1
KillWait=30
MinJobAge=600
MaxArraySize=1001
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF

munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
export SLURM_CONF="$dir/slurm.conf"
slurmctld -f "$SLURM_CONF" -i
slurmd -f "$SLURM_CONF"

for _ in $(seq 150); do
  state=$(sinfo --noheader --format=%T 2>/dev/null | head -n1 || true)
  if [ "$state" = idle ]; then
    echo "SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.2
done
echo "the node did not become idle in 30 s (state '${state:-none}'); logs:" >&2
tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" "$dir/munge/munged.log" >&2 2>/dev/null || true
exit 4
