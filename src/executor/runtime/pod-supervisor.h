/* What pod-supervisor.c and pod-launcher.c share. */
#ifndef GITJOBS_POD_SUPERVISOR_H
#define GITJOBS_POD_SUPERVISOR_H

/* What a supervisor exits with when it cannot set a run up: not the workload's. */
#define SETUP_FAILED 125

/*
 * Joins the cgroups (the NULL-ended `procs`, or waits to be moved when
 * `wait_joined`), starts argv as the workload in a session of its own under
 * `drop` ("UID:GID" or "-"), with `envp` (NULL: ours), records its pid and
 * its exit under `records`, and returns its exit status.
 */
int supervise(const char *records, char *const *procs, int wait_joined, const char *drop, char **argv, char **envp);

/* The launcher's loop (pod-launcher.c): returns when its input closes. */
int serve(void);

#endif
