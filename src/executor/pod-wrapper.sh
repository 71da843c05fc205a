#!/bin/sh
# Supervises one run of one container, as conmon does for a container: it is
# spawned detached with its stdio on the log file, so it outlives the daemon.
# The workload gets a session of its own, so signalling the pod's process group
# never reaches this script, which stays to record how the workload ended.
# usage: pod-wrapper.sh RUNDIR COMMAND [ARG...]
d=$1
shift
if command -v setsid >/dev/null 2>&1; then
  setsid "$@" &
else
  "$@" &
fi
child=$!
# Written in place with a builtin rather than renamed into place: every exec
# here costs a fork per pod. Readers treat an empty or partial record as not
# written yet.
printf '%s\n' "$child" > "$d/workload.pid"
wait "$child"
rc=$?
# A signal interrupts wait too; keep waiting until the workload has really ended.
while kill -0 "$child" 2>/dev/null; do
  wait "$child"
  rc=$?
done
printf '%s\n' "$rc" > "$d/exit"
# Also the supervisor's own status: when the exit file cannot be written (a
# full disk), a daemon that is still its parent learns the outcome from it.
exit "$rc"
