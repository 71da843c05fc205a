/*
 * The compiled supervisor's entry point: one program, two modes.
 *
 * usage: pod-supervisor RECORDS JOIN DROP COMMAND [ARG...]
 *   supervises one container run (pod-supervisor.c).
 * usage: pod-supervisor --serve
 *   the launcher (pod-launcher.c), which forks supervisors on request.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "pod-supervisor.h"

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--serve") == 0) return serve();
  if (argc < 5) {
    dprintf(2, "usage: pod-supervisor RECORDS JOIN DROP COMMAND [ARG...]\n       pod-supervisor --serve\n");
    return 2;
  }
  int wait_joined = strcmp(argv[2], "wait") == 0;
  char *procs[64];
  int n = 0;
  if (!wait_joined && strcmp(argv[2], "-") != 0)
    for (char *save = NULL, *f = strtok_r(argv[2], ":", &save); f != NULL && n < 63; f = strtok_r(NULL, ":", &save)) procs[n++] = f;
  procs[n] = NULL;
  /* Also our own status: when the exit record cannot be written, a daemon that is still our parent learns it here. */
  return supervise(argv[1], procs, wait_joined, argv[3], argv + 4, NULL);
}
