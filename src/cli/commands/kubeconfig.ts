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
The server is the listener's https:// address and its certificate (the one
the daemon made in the state folder, or --tls-cert) is the certificate
authority, so kubectl needs no other flag.
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
  // kubectl sends a token only over TLS: the https address wherever there is one.
  const server = listener.httpsUrl ?? listener.url;
  const cluster: Record<string, string> = { server };
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
  if (server.startsWith('http:')) {
    // Only a listener recorded by a daemon that served plain HTTP alone: client-go sends no credentials over it.
    io.err(`warning: the daemon listens on plain HTTP only (${server}); kubectl sends tokens only over https, so it will get 401: restart the daemon (it then serves https on the same port) (client libraries work either way)\n`);
  }
  return 0;
}
