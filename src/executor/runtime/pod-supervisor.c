/*
 * Supervises one run of one container, as conmon does for a container; the
 * compiled twin of pod-wrapper.sh, built by `npm run build` when a C compiler
 * is there. It saves the shell and the setsid and setpriv execs on every pod
 * start, the largest per-pod cost after the workload itself.
 *
 * usage: pod-supervisor RECORDS JOIN DROP COMMAND [ARG...]
 *   RECORDS  the prefix of the run's record files (run-records.ts): we write
 *         RECORDS`workload.pid` and RECORDS`exit`.
 *   JOIN  cgroup.procs files to join, ':'-separated; '-' for none; 'wait' to
 *         wait for RECORDS`joined` when whoever spawned us moves us instead.
 *   DROP  UID:GID to run the workload as (no supplementary groups, no
 *         capabilities, not even in the bounding set, and no_new_privs, as
 *         `setpriv --clear-groups --inh-caps=-all --bounding-set=-all
 *         --no-new-privs`); '-' to keep ours.
 *
 * usage: pod-supervisor --serve
 *   the launcher (pod-launcher.c): a long-lived process the daemon feeds
 *   container starts over a pipe; each start is a fork of it that runs the
 *   same supervision as here, with no exec of its own.
 *
 * Spawned detached with its stdio on the log file, so it outlives the daemon.
 * The workload gets a session of its own, so signalling the pod's process
 * group never reaches us: we stay to record how it ended, and exit with its
 * status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pod-supervisor.h"

static const char *records;

static void die(const char *what, const char *detail) {
  dprintf(2, "gitjobs supervisor: %s%s%s: %s\n", what, detail ? " " : "", detail ? detail : "", strerror(errno));
  _exit(SETUP_FAILED);
}

/* One write() of a short line: readers take a record without its newline as not written yet. */
static void record(const char *name, long value) {
  char path[4096], line[32];
  snprintf(path, sizeof path, "%s%s", records, name);
  int n = snprintf(line, sizeof line, "%ld\n", value);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return; /* a full disk: our exit status still tells a daemon that is our parent */
  if (write(fd, line, (size_t)n) < 0) { /* same */ }
  close(fd);
}

/* Writes us into each cgroup.procs file; `wait_joined` instead waits for RECORDS`joined`, once whoever spawned us moved us. */
static void join_cgroups(char *const *procs, int wait_joined) {
  if (wait_joined) {
    /* Bounded: a spawner that died before moving us must not leave us waiting forever. */
    char path[4096];
    snprintf(path, sizeof path, "%sjoined", records);
    struct timespec pause = {0, 200 * 1000};
    for (long i = 0; access(path, F_OK) != 0; i++) {
      if (i >= 50000) _exit(SETUP_FAILED);
      nanosleep(&pause, NULL);
    }
    return;
  }
  char pid[24];
  int n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
  for (; *procs != NULL; procs++) {
    int fd = open(*procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, pid, (size_t)n) != n) die("cannot join", *procs);
    close(fd);
  }
}

static void drop_privileges(const char *spec) {
  unsigned uid, gid;
  char extra;
  if (sscanf(spec, "%u:%u%c", &uid, &gid, &extra) != 2) {
    errno = EINVAL;
    die("bad user", spec);
  }
  if (setgroups(0, NULL) != 0) die("setgroups", NULL);
  if (setresgid(gid, gid, gid) != 0) die("setresgid", NULL);
  /* Every capability out of the bounding set while we may still drop them; EINVAL past the kernel's last one. */
  for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) die("dropping the bounding set", NULL);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("no_new_privs", NULL);
  if (setresuid(uid, uid, uid) != 0) die("setresuid", NULL);
  /* The uid change empties the permitted and effective sets, not the inheritable one. */
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];
  memset(none, 0, sizeof none);
  if (syscall(SYS_capset, &hdr, none) != 0) die("clearing capabilities", NULL);
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) die("clearing ambient capabilities", NULL);
}

int supervise(const char *run_records, char *const *procs, int wait_joined, const char *drop, char **argv, char **envp) {
  records = run_records;
  /* Into the pod's cgroups before anything is forked, so every descendant of the workload is inside. */
  join_cgroups(procs, wait_joined);
  pid_t child = fork();
  if (child < 0) die("fork", NULL);
  if (child == 0) {
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    if (setsid() < 0) die("setsid", NULL);
    if (strcmp(drop, "-") != 0) drop_privileges(drop);
    /* execvp looks the command up in the PATH of environ: the workload's, as a runtime does. */
    if (envp != NULL) environ = envp;
    execvp(argv[0], argv);
    /* The kubelet checked the executable before the start: this is a race or a permission. */
    int err = errno;
    dprintf(2, "gitjobs supervisor: exec %s: %s\n", argv[0], strerror(err));
    _exit(err == ENOENT ? 127 : 126);
  }
  record("workload.pid", child);
  int status;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) die("wait", NULL);
  int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  record("exit", rc);
  return rc;
}
