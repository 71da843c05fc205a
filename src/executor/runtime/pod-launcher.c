/*
 * The launcher: `pod-supervisor --serve`. The daemon starts it once and feeds
 * it container starts over its stdin (launcher.ts writes them); each start is
 * a fork of this small process that becomes the run's supervisor without an
 * exec, so a pod start costs neither a fork of Node (~50 MB to copy the page
 * tables of) nor the supervisor's exec.
 *
 * A request is a frame: its length in decimal and a newline, then that many
 * bytes of NUL-ended fields.
 *   start:  S ID RECORDS LOGDIR LOGPATH CWD DROP PODUID
 *           N MKDIR...  N (KIND TAG PATH VALUE)...  N PROCS...  N ARGV...  N ENV...
 *   remove: R PODUID N DIR...
 * KIND is w (a limit: if it fails, TAG is reported and the rest of TAG's
 * writes are skipped) or o (optional, after a w of the same TAG succeeded).
 * Answers are lines on stdout:
 *   S ID PID STARTTIME|- INCGROUP FAILED,TAGS|- CGROUP-ERROR...
 *   F ID MESSAGE...     the run could not be started; nothing of it runs
 *   X ID CODE|-         the supervisor ended (-: killed by a signal)
 *   B PODUID            a pod's cgroups are not empty: the daemon takes over
 *
 * Crash safety is the Node fork server's: we hold the daemon's state-folder
 * lock (inherited as a descriptor), each start's supervisor record is written
 * before the next request is read, and a request read after the daemon died
 * is never started (the next daemon starts that pod itself).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pod-supervisor.h"

struct run {
  pid_t pid;
  long id;
};
static struct run *runs;
static size_t nruns, capruns;
static pid_t daemon_pid;

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...) {
  char line[8192];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n >= sizeof line - 1) n = sizeof line - 2;
  /* One answer is one line: a path or message with a newline in it must not split it. */
  for (int i = 0; i < n; i++)
    if (line[i] == '\n') line[i] = ' ';
  line[n++] = '\n';
  for (int off = 0; off < n;) {
    ssize_t w = write(1, line + off, (size_t)(n - off));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && errno == EAGAIN) {
      /* Our end of the pipe may have come non-blocking: wait until the daemon reads. */
      struct pollfd out = {1, POLLOUT, 0};
      poll(&out, 1, -1);
      continue;
    }
    /* The daemon is gone: the runs started go on without us, as they do without it. */
    if (w < 0) _exit(0);
    off += (int)w;
  }
}

/* The fields of a frame, read in order; a short or malformed frame sets bad. */
struct cursor {
  char *p, *end;
  int bad;
};

static char *next(struct cursor *c) {
  char *z = c->p < c->end ? memchr(c->p, 0, (size_t)(c->end - c->p)) : NULL;
  if (z == NULL) {
    c->bad = 1;
    return "";
  }
  char *s = c->p;
  c->p = z + 1;
  return s;
}

static long number(struct cursor *c) {
  char *s = next(c), *e;
  long v = strtol(s, &e, 10);
  if (*s == 0 || *e != 0) c->bad = 1;
  return v;
}

/* N, then N fields, as a NULL-ended array pointing into the frame. */
static char **list(struct cursor *c, long *count) {
  long n = number(c);
  if (c->bad || n < 0 || n > (c->end - c->p)) {
    c->bad = 1;
    n = 0;
  }
  char **v = calloc((size_t)n + 1, sizeof *v);
  if (v == NULL) {
    c->bad = 1;
    return NULL;
  }
  for (long i = 0; i < n; i++) v[i] = next(c);
  if (count != NULL) *count = n;
  return v;
}

/* One mkdir where the parent exists, as run-records.ts ensureDir. */
static int ensure_dir(char *path) {
  if (mkdir(path, 0777) == 0 || errno == EEXIST) return 0;
  if (errno != ENOENT) return -1;
  char *slash = strrchr(path, '/');
  if (slash == NULL || slash == path) return -1;
  *slash = 0;
  int r = ensure_dir(path);
  *slash = '/';
  if (r != 0) return -1;
  return mkdir(path, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

static int write_file(const char *path, const char *value, int flags) {
  int fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0666);
  if (fd < 0) return -1;
  size_t n = strlen(value);
  int ok = write(fd, value, n) == (ssize_t)n;
  return close(fd) == 0 && ok ? 0 : -1;
}

static int has_tag(const char *tags, const char *tag) {
  size_t n = strlen(tag);
  for (const char *p = tags; (p = strstr(p, tag)) != NULL; p += n)
    if ((p == tags || p[-1] == ',') && (p[n] == 0 || p[n] == ',')) return 1;
  return 0;
}

/* Field 22 of /proc/PID/stat: with the pid, the supervisor's identity. */
static long long start_time(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  if (p == NULL) return -1;
  p += 2;
  /* After the name: state is field 3; starttime is 19 fields further on. */
  for (int field = 3; field < 22 && p != NULL; field++) p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
  return p == NULL ? -1 : atoll(p);
}

/* What a child of ours must not keep: our dispositions, our mask, our descriptors (the lock among them). */
static void become_plain(int keep0, int keep1, int keep2) {
  for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  if (dup2(keep0, 0) < 0 || dup2(keep1, 1) < 0 || dup2(keep2, 2) < 0) _exit(SETUP_FAILED);
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
#endif
  long max = sysconf(_SC_OPEN_MAX);
  for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++) close(fd);
}

static void start(struct cursor *c) {
  long id = number(c);
  char *records = next(c), *log_dir = next(c), *log_path = next(c), *cwd = next(c), *drop = next(c), *pod_uid = next(c);
  long nmk = 0, nops = 0;
  char **mkdirs = list(c, &nmk), **ops = list(c, &nops), **procs = list(c, NULL), **argv = list(c, NULL), **envp = list(c, NULL);
  if (c->bad || nops % 4 != 0 || argv == NULL || argv[0] == NULL) {
    if (id > 0) reply("F %ld the launcher could not read the request", id);
    goto out;
  }
  if (ensure_dir(log_dir) != 0) {
    reply("F %ld cannot create %s: %s", id, log_dir, strerror(errno));
    goto out;
  }
  /* A cgroup that cannot be made means a run without one, as in pod-cgroups.ts: running beats not running. */
  char cgroup_error[4200] = "";
  char failed[256] = "";
  for (long i = 0; i < nmk; i++) {
    /* The run's leaf, and the pod's folder first when this is the pod's first run. */
    if (ensure_dir(mkdirs[i]) != 0) {
      snprintf(cgroup_error, sizeof cgroup_error, "cannot create %s: %s", mkdirs[i], strerror(errno));
      break;
    }
  }
  int joins = cgroup_error[0] == 0 && procs[0] != NULL;
  if (cgroup_error[0] == 0) {
    for (long i = 0; i + 3 < nops; i += 4) {
      const char *kind = ops[i], *tag = ops[i + 1];
      if (tag[0] != 0 && has_tag(failed, tag)) continue;
      if (write_file(ops[i + 2], ops[i + 3], 0) == 0 || kind[0] != 'w' || tag[0] == 0) continue;
      size_t len = strlen(failed);
      snprintf(failed + len, sizeof failed - len, "%s%s", len == 0 ? "" : ",", tag);
    }
  }
  int log = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (log < 0) {
    reply("F %ld cannot open %s: %s", id, log_path, strerror(errno));
    goto out;
  }
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid = null < 0 ? -1 : fork();
  if (pid < 0) {
    int err = errno;
    close(log);
    if (null >= 0) close(null);
    reply("F %ld cannot fork: %s", id, strerror(err));
    goto out;
  }
  if (pid == 0) {
    /* Detached as the Node spawner's supervisors are: a session of our own, stdio on the log. */
    setsid();
    become_plain(null, log, log);
    if (chdir(cwd) != 0) {
      dprintf(2, "gitjobs supervisor: chdir %s: %s\n", cwd, strerror(errno));
      _exit(SETUP_FAILED);
    }
    _exit(supervise(records, joins ? procs : (char *[]){NULL}, 0, drop, argv, envp));
  }
  close(log);
  close(null);
  if (nruns == capruns) {
    capruns = capruns == 0 ? 64 : capruns * 2;
    runs = realloc(runs, capruns * sizeof *runs);
    if (runs == NULL) _exit(1);
  }
  runs[nruns++] = (struct run){pid, id};
  long long st = start_time(pid);
  /* With the kernel start time it lets a restarted daemon tell this supervisor from a process that reused its pid. */
  char rec[4200], line[96];
  snprintf(rec, sizeof rec, "%srun", records);
  if (st >= 0)
    snprintf(line, sizeof line, "supervisor %d %lld%s%s\n", (int)pid, st, pod_uid[0] ? " " : "", pod_uid);
  else
    snprintf(line, sizeof line, "supervisor %d %s%s\n", (int)pid, pod_uid[0] ? " " : "", pod_uid);
  /* Appended, as the supervisor appends its own records to the same file (run-records.ts). */
  write_file(rec, line, O_CREAT | O_APPEND);
  char stbuf[24] = "-";
  if (st >= 0) snprintf(stbuf, sizeof stbuf, "%lld", st);
  reply("S %ld %d %s %d %s %s", id, (int)pid, stbuf, joins, failed[0] ? failed : "-", cgroup_error);
out:
  free(mkdirs);
  free(ops);
  free(procs);
  free(argv);
  free(envp);
}

/* rmdir, children first; a cgroup folder holds only the kernel's files, which rmdir takes along. */
static int rm_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL) return errno == ENOENT ? 0 : -1;
  int ok = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char sub[4096];
    snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
    if (rm_tree(sub) != 0) ok = -1;
  }
  closedir(d);
  if (rmdir(dir) != 0 && errno != ENOENT) ok = -1;
  return ok;
}

static void remove_pod(struct cursor *c) {
  char *pod = next(c);
  long n = 0;
  char **dirs = list(c, &n);
  if (!c->bad) {
    int ok = 0;
    for (long i = 0; i < n; i++)
      if (rm_tree(dirs[i]) != 0) ok = -1;
    /* Something still runs there: killing it (freezer and all) is the daemon's, as it is without us. */
    if (ok != 0) reply("B %s", pod);
  }
  free(dirs);
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (size_t i = 0; i < nruns; i++) {
      if (runs[i].pid != pid) continue;
      if (WIFEXITED(status))
        reply("X %ld %d", runs[i].id, WEXITSTATUS(status));
      else
        reply("X %ld -", runs[i].id);
      runs[i] = runs[--nruns];
      break;
    }
  }
}

int serve(void) {
  daemon_pid = getppid();
  /* Signals meant for the daemon's terminal are the daemon's: we go when it closes our input. */
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) return 1;
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  if (buf == NULL) return 1;
  for (;;) {
    struct pollfd fds[2] = {{0, POLLIN, 0}, {sfd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) == sizeof si) {
      }
      reap();
    }
    if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    if (cap - len < 4096) {
      cap *= 2;
      buf = realloc(buf, cap);
      if (buf == NULL) return 1;
    }
    ssize_t r = read(0, buf + len, cap - len);
    if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (r <= 0) return 0;
    len += (size_t)r;
    size_t off = 0;
    for (;;) {
      char *nl = memchr(buf + off, '\n', len - off);
      if (nl == NULL) break;
      char *e;
      unsigned long flen = strtoul(buf + off, &e, 10);
      /* A frame we cannot read means the daemon and we disagree on everything after it. */
      if (e != nl || flen > (1UL << 30)) return 1;
      size_t body = (size_t)(nl + 1 - buf);
      if (len - body < flen) {
        if (flen + (body - off) > cap) {
          cap = flen + (body - off) + 4096;
          memmove(buf, buf + off, len - off);
          len -= off;
          off = 0;
          buf = realloc(buf, cap);
          if (buf == NULL) return 1;
        }
        break;
      }
      /* A daemon that died leaves its last requests in the pipe: nobody would record those runs. */
      if (getppid() != daemon_pid) return 0;
      struct cursor c = {buf + body, buf + body + flen, 0};
      char *kind = next(&c);
      if (strcmp(kind, "S") == 0)
        start(&c);
      else if (strcmp(kind, "R") == 0)
        remove_pod(&c);
      off = body + flen;
    }
    memmove(buf, buf + off, len - off);
    len -= off;
  }
}
