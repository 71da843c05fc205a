// Credentials for HTTP remotes come only from the environment, so they never
// appear in argv (visible to every user through ps) nor in a stored URL.
import type { AuthCallback, AuthFailureCallback } from 'isomorphic-git';

export const TOKEN_VAR = 'GITJOBS_GIT_TOKEN';
export const USERNAME_VAR = 'GITJOBS_GIT_USERNAME';
export const PASSWORD_VAR = 'GITJOBS_GIT_PASSWORD';

/** The user name GitHub and GitLab accept alongside an access token. */
const TOKEN_USERNAME = 'x-access-token';

export interface Credentials {
  username: string;
  password: string;
}

export function credentialsFrom(env: NodeJS.ProcessEnv): Credentials | undefined {
  const token = env[TOKEN_VAR];
  if (token) return { username: env[USERNAME_VAR] || TOKEN_USERNAME, password: token };
  const username = env[USERNAME_VAR];
  const password = env[PASSWORD_VAR];
  if (username && password) return { username, password };
  return undefined;
}

/** What happened to the credentials during one request, for the status message. */
export interface AuthOutcome {
  /** The server asked and there was nothing to give. */
  missing: boolean;
  /** Credentials were sent and refused. */
  refused: boolean;
}

/**
 * Callbacks for one operation. The environment is read when the server asks,
 * so fixing a variable takes effect at the next attempt without a restart.
 */
export function authCallbacks(env: () => NodeJS.ProcessEnv, outcome: AuthOutcome): { onAuth: AuthCallback; onAuthFailure: AuthFailureCallback } {
  return {
    onAuth: () => {
      const c = credentialsFrom(env());
      if (c === undefined) {
        outcome.missing = true;
        return undefined;
      }
      return { username: c.username, password: c.password };
    },
    // Asking again would only send the same refused credentials.
    onAuthFailure: () => {
      outcome.refused = true;
      return { cancel: true };
    },
  };
}

/** Removes every credential the environment holds from a text meant for logs or status. */
export function redact(text: string, env: NodeJS.ProcessEnv): string {
  let out = stripUserinfo(text);
  for (const v of [env[TOKEN_VAR], env[PASSWORD_VAR]]) {
    if (v && v.length >= 4) out = out.split(v).join('***');
  }
  return out;
}

/** `https://user:secret@host/x` → `https://host/x`, wherever such URLs appear in the text. */
export function stripUserinfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s'"]*@/gi, '$1');
}
