import { stringify } from 'yaml';
import { GitjobsError } from '../../errors.js';
import { readListener } from '../../http/server.js';
import { readTokens } from '../../http/tokens.js';
import { parseCommandOrHelp } from '../args.js';
import type { Io } from '../io.js';
import { stateDirFrom } from '../state.js';

const HELP = `Print a kubeconfig for the daemon's Kubernetes API.

Usage:
  gitjobs kubeconfig [--read-only] [--state DIR] > kubeconfig.yaml
  kubectl --kubeconfig kubeconfig.yaml get jobs

Options:
      --read-only   use the token that may only read (writes answer 403)
      --state DIR   state folder (default $GITJOBS_STATE or ./state)

The cluster, user and context are all named gitjobs; the namespace is default.
With --tls-cert, the daemon's certificate is the certificate authority.
`;

export function kubeconfigCommand(argv: string[], io: Io): number {
  const parsed = parseCommandOrHelp('kubeconfig', argv, { 'read-only': { type: 'boolean' }, state: { type: 'string' } }, HELP, io);
  if (parsed === undefined) return 0;
  const stateDir = stateDirFrom(parsed.values.state as string | undefined);
  const listener = readListener(stateDir);
  const tokens = readTokens(stateDir);
  if (listener === undefined || tokens === undefined) {
    throw new GitjobsError('DaemonUnavailable', `error: no API listener recorded in ${stateDir}: start 'gitjobs daemon' (without --listen none) first`);
  }
  const cluster: Record<string, string> = { server: listener.url };
  if (listener.certificate !== undefined) cluster['certificate-authority-data'] = Buffer.from(listener.certificate).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'gitjobs', cluster }],
    users: [{ name: 'gitjobs', user: { token: parsed.values['read-only'] === true ? tokens.read : tokens.write } }],
    contexts: [{ name: 'gitjobs', context: { cluster: 'gitjobs', user: 'gitjobs', namespace: 'default' } }],
    'current-context': 'gitjobs',
    preferences: {},
  };
  io.out(stringify(config));
  if (listener.url.startsWith('http:')) {
    // client-go sends no credentials over plain HTTP, so kubectl would get 401 for every request.
    io.err(`warning: the daemon listens on plain HTTP (${listener.url}); kubectl sends tokens only over https: start it with --tls-cert and --tls-key for kubectl (client libraries work either way)\n`);
  }
  return 0;
}
