#!/bin/sh
# Supervises one run of one container, as conmon does for a container: it is
# spawned detached with its stdio on the log file, so it outlives the daemon.
# The workload gets a session of its own, so signalling the pod's process group
# never reaches this script, which stays to record how the workload ended.
# usage: pod-wrapper.sh RECORDS JOIN COMMAND [ARG...]
# RECORDS: the prefix of the run's record file (run-records.ts): the workload
# and exit records are appended to RECORDS`run`, without a time (the file's
# mtime stands in: a builtin cannot read the clock).
# JOIN: the cgroup.procs files to join, ':'-separated; '-' for none; 'wait'
# when the daemon moves this script itself (it cannot, running unprivileged).
d=$1
join=$2
shift 2
# Into the pod's cgroups before anything is forked, so every descendant of the
# workload is inside, whatever session it moves to. Builtins only: no fork.
case $join in
  -) ;;
  wait)
    # Spin briefly with builtins (the spawner moves us within milliseconds),
    # then wait in steps of 10 ms, bounded in time as the compiled supervisor
    # is (about 10 s): a spawner that died before moving us must not leave us
    # waiting, and a count of spins alone is a time that varies with the
    # machine. A forked sleep is outside the pod's cgroups but ends at once.
    i=0
    while [ ! -e "${d}joined" ]; do
      i=$((i + 1))
      if [ "$i" -gt 20000 ]; then
        [ "$i" -lt 21000 ] || exit 125
        sleep 0.01
      fi
    done
    ;;
  *)
    set -f
    old_ifs=$IFS
    IFS=:
    for f in $join; do
      printf '%s\n' "$$" > "$f" || exit 125
    done
    IFS=$old_ifs
    set +f
    ;;
esac
if command -v setsid >/dev/null 2>&1; then
  setsid "$@" &
else
  "$@" &
fi
child=$!
# Appended with a builtin, one line in one write: every exec here costs a
# fork per pod. Readers treat a line without its newline as not written yet.
printf 'workload %s\n' "$child" >> "${d}run"
wait "$child"
rc=$?
# A signal interrupts wait too; keep waiting until the workload has really ended.
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
  rc=$?
done
printf 'exit %s\n' "$rc" >> "${d}run"
# Also the supervisor's own status: when the exit file cannot be written (a
# full disk), a daemon that is still its parent learns the outcome from it.
exit "$rc"
