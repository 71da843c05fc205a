/*
 * Supervises one run of one container, as conmon does for a container; the
 * compiled twin of pod-wrapper.sh, built by `npm run build` when a C compiler
 * is there. It saves the shell and the setsid and setpriv execs on every pod
 * start, the largest per-pod cost after the workload itself.
 *
 * usage: pod-supervisor RECORDS JOIN DROP COMMAND [ARG...]
 *   RECORDS  the prefix of the run's record file (run-records.ts): we append
 *         the `workload` and `exit` records to RECORDS`run`.
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

/*
 * Appends `NAME VALUE MS` to the run's record file (run-records.ts) in one
 * write(): readers take a line without its newline as not written yet.
 */
static void record(const char *name, long value) {
  char path[4096], line[64];
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  snprintf(path, sizeof path, "%srun", records);
  int n = snprintf(line, sizeof line, "%s %ld %lld\n", name, value, (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
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

/*
 * The workload is started with vfork: the kernel copies no page tables and
 * we wait, suspended, until it has exec'd, which measured 20% off the CPU of
 * a supervisor's start (bench/RESULTS.md). Until the exec the child runs in
 * our memory: it makes system calls only, and leaves why it failed here for
 * us to report once we run again.
 */
static const char *volatile child_failed;
static volatile int child_errno;

static void child_fail(const char *what, int code) {
  child_errno = errno;
  child_failed = what;
  _exit(code);
}

/* Raw system calls: glibc's setxid wrappers would signal threads, which a vfork child must not. */
static void drop_privileges(unsigned uid, unsigned gid) {
  if (syscall(SYS_setgroups, 0, NULL) != 0) child_fail("setgroups", SETUP_FAILED);
  if (syscall(SYS_setresgid, gid, gid, gid) != 0) child_fail("setresgid", SETUP_FAILED);
  /* Every capability out of the bounding set while we may still drop them; EINVAL past the kernel's last one. */
  for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) child_fail("dropping the bounding set", SETUP_FAILED);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail("no_new_privs", SETUP_FAILED);
  if (syscall(SYS_setresuid, uid, uid, uid) != 0) child_fail("setresuid", SETUP_FAILED);
  /* The uid change empties the permitted and effective sets, not the inheritable one. */
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];
  memset(none, 0, sizeof none);
  if (syscall(SYS_capset, &hdr, none) != 0) child_fail("clearing capabilities", SETUP_FAILED);
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) child_fail("clearing ambient capabilities", SETUP_FAILED);
}

int supervise(const char *run_records, char *const *procs, int wait_joined, const char *drop, char **argv, char **envp) {
  records = run_records;
  unsigned uid = 0, gid = 0;
  int dropping = strcmp(drop, "-") != 0;
  char extra;
  if (dropping && sscanf(drop, "%u:%u%c", &uid, &gid, &extra) != 2) {
    errno = EINVAL;
    die("bad user", drop);
  }
  /* Into the pod's cgroups before anything is forked, so every descendant of the workload is inside. */
  join_cgroups(procs, wait_joined);
  /* execvp looks the command up in the PATH of environ: the workload's, as a runtime does. Ours is not read again. */
  if (envp != NULL) environ = envp;
  sigset_t all;
  sigemptyset(&all);
  pid_t child = vfork();
  if (child < 0) die("fork", NULL);
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &all, NULL);
    if (setsid() < 0) child_fail("setsid", SETUP_FAILED);
    if (dropping) drop_privileges(uid, gid);
    execvp(argv[0], argv);
    /* The kubelet checked the executable before the start: this is a race or a permission. */
    child_fail("exec", errno == ENOENT ? 127 : 126);
  }
  if (child_failed != NULL) {
    errno = child_errno;
    dprintf(2, "gitjobs supervisor: %s%s%s: %s\n", child_failed, strcmp(child_failed, "exec") == 0 ? " " : "", strcmp(child_failed, "exec") == 0 ? argv[0] : "", strerror(errno));
  }
  record("workload", child);
  int status;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) die("wait", NULL);
  int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  record("exit", rc);
  return rc;
}
