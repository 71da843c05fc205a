import { parseCommandOrHelp } from '../args.js';
import type { Io } from '../io.js';
import { usageError } from '../usage.js';

const HELP = `Output a shell completion script for bash or zsh.

Usage:
  gitjobs completion bash|zsh

Load it in the current shell:
  source <(gitjobs completion bash)
  source <(gitjobs completion zsh)

Job and pod names are completed from the state folder (--state, or $GITJOBS_STATE).
`;

/** Commands, the flags each takes, and what their positional words name. */
const COMMANDS: Record<string, { flags: string; args: 'resources' | 'jobs' | 'pods' | 'files' | 'shells' | 'none' }> = {
  apply: { flags: '--filename -f --recursive -R --dry-run= --output -o --state', args: 'none' },
  create: { flags: '--filename -f --recursive -R --image --from --dry-run= --output -o --state', args: 'none' },
  diff: { flags: '--filename -f --recursive -R --state', args: 'none' },
  delete: {
    flags: '--filename -f --selector -l --all --cascade= --wait= --grace-period --now --ignore-not-found --timeout --namespace -n --state',
    args: 'resources',
  },
  describe: { flags: '--namespace -n --state', args: 'resources' },
  get: {
    flags: '--namespace -n --all-namespaces -A --selector -l --field-selector --output -o --no-headers --show-all -a --show-labels --sort-by --watch -w --watch-only --state',
    args: 'resources',
  },
  logs: {
    flags: '--container -c --all-containers --previous -p --follow -f --tail --prefix --timestamps --since --run --selector -l --max-log-requests --namespace -n --state',
    args: 'pods',
  },
  patch: { flags: '--patch -p --type --namespace -n --state', args: 'jobs' },
  scale: { flags: '--replicas --namespace -n --state', args: 'jobs' },
  suspend: { flags: '--namespace -n --state', args: 'jobs' },
  resume: { flags: '--namespace -n --state', args: 'jobs' },
  wait: { flags: '--for= --timeout --selector -l --all --namespace -n --state', args: 'resources' },
  events: { flags: '--for --types --watch -w --all-namespaces -A --output -o --no-headers --namespace -n --state', args: 'none' },
  history: { flags: '--output -o --namespace -n --state', args: 'jobs' },
  rerun: { flags: '--namespace -n --state', args: 'jobs' },
  sync: { flags: '--state', args: 'none' },
  kubeconfig: { flags: '--read-only --state', args: 'none' },
  validate: { flags: '', args: 'files' },
  daemon: {
    flags:
      '--jobs --repo --branch --tag --commit --path --require-path --interval --verify-commits --allow-force-push --state --pod-backoff-base --log-format --stop-pods ' +
      '--history-limit --log-retention --pod-user --pod-uid-range --pod-pids-max --pod-log-max-size --pod-pid-namespace --node-cpu --node-memory ' +
      '--node-max-pods --secrets --listen --tls-cert --tls-key --events-config',
    args: 'none',
  },
  doctor: { flags: '--state --pod-user --output -o', args: 'none' },
  completion: { flags: '', args: 'shells' },
  version: { flags: '', args: 'none' },
  help: { flags: '', args: 'none' },
};

export function bashCompletion(): string {
  const commands = Object.keys(COMMANDS).join(' ');
  const flagCases = Object.entries(COMMANDS)
    .map(([c, d]) => `    ${c}) flags="${d.flags} --help" ;;`)
    .join('\n');
  const argCases = Object.entries(COMMANDS)
    .map(([c, d]) => `    ${c}) echo ${d.args} ;;`)
    .join('\n');
  return `# bash completion for gitjobs
# Load with: source <(gitjobs completion bash)

__gitjobs_state_args() {
  local i
  for ((i = 1; i < \${#COMP_WORDS[@]}; i++)); do
    case "\${COMP_WORDS[i]}" in
      --state|-n|--namespace) echo "\${COMP_WORDS[i]} \${COMP_WORDS[i+1]}" ;;
      --state=*|--namespace=*) echo "\${COMP_WORDS[i]}" ;;
    esac
  done
}

# Names of one resource type, read from the state folder: gitjobs get TYPE -o name.
__gitjobs_names() {
  local out
  out=$(gitjobs get "$1" -o name $(__gitjobs_state_args) 2>/dev/null) || return 0
  printf '%s\\n' "$out" | sed 's|^[^/]*/||'
}

__gitjobs_args() {
  case "$1" in
${argCases}
    *) echo none ;;
  esac
}

_gitjobs() {
  local cur prev cmd flags kind resource i word
  COMPREPLY=()
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [[ \${COMP_CWORD} -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${commands}" -- "$cur"))
    return 0
  fi
  cmd="\${COMP_WORDS[1]}"
  case "$prev" in
    -f|--filename|--jobs|--state)
      if [[ "$cmd" != logs || "$prev" != -f ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
        return 0
      fi ;;
    -o|--output)
      COMPREPLY=($(compgen -W "wide json yaml name jsonpath= jsonpath-file= custom-columns= custom-columns-file= go-template= go-template-file=" -- "$cur"))
      return 0 ;;
    --cascade) COMPREPLY=($(compgen -W "background foreground orphan" -- "$cur")); return 0 ;;
    --log-format) COMPREPLY=($(compgen -W "text json" -- "$cur")); return 0 ;;
    --type) COMPREPLY=($(compgen -W "json merge strategic" -- "$cur")); return 0 ;;
    --types) COMPREPLY=($(compgen -W "Normal Warning" -- "$cur")); return 0 ;;
  esac
  if [[ "$cur" == -* ]]; then
    case "$cmd" in
${flagCases}
      *) flags="--help" ;;
    esac
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    return 0
  fi
  kind=$(__gitjobs_args "$cmd")
  case "$kind" in
    shells) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")); return 0 ;;
    files) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    none) return 0 ;;
  esac
  if [[ "$cur" == */* ]]; then
    resource="\${cur%%/*}"
    COMPREPLY=($(compgen -P "$resource/" -W "$(__gitjobs_names "$resource")" -- "\${cur#*/}"))
    return 0
  fi
  resource=""
  for ((i = 2; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$word" in
      -*) continue ;;
      */*) resource="\${word%%/*}"; break ;;
    esac
    case "\${COMP_WORDS[i-1]}" in
      -n|--namespace|--state|-l|--selector|-o|--output|-c|--container|--replicas|-p|--patch|--timeout|--for|--tail|--since|--sort-by|--field-selector|--grace-period) continue ;;
    esac
    resource="$word"
    break
  done
  case "$kind" in
    pods) COMPREPLY=($(compgen -W "$(__gitjobs_names pods)" -- "$cur")) ;;
    jobs)
      if [[ -z "$resource" ]]; then
        COMPREPLY=($(compgen -W "job $(__gitjobs_names jobs)" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "$(__gitjobs_names jobs)" -- "$cur"))
      fi ;;
    resources)
      if [[ -z "$resource" ]]; then
        COMPREPLY=($(compgen -W "jobs cronjobs pods events sources$([[ "$cmd" == get ]] && echo ' all')" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "$(__gitjobs_names "$resource")" -- "$cur"))
      fi ;;
  esac
  return 0
}

complete -o default -F _gitjobs gitjobs
`;
}

export function zshCompletion(): string {
  // zsh's bashcompinit runs bash completion functions unchanged.
  return `#compdef gitjobs
# zsh completion for gitjobs
# Load with: source <(gitjobs completion zsh)

autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit

${bashCompletion()}`;
}

export async function completionCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseCommandOrHelp('completion', argv, {}, HELP, io);
  if (parsed === undefined) return 0;
  const { positionals } = parsed;
  const [shell, ...extra] = positionals;
  if (shell === undefined) throw usageError('Shell not specified.', 'completion');
  if (extra.length > 0) throw usageError('Too many arguments. Expected only the shell type.', 'completion');
  if (shell === 'bash') io.out(bashCompletion());
  else if (shell === 'zsh') io.out(zshCompletion());
  else throw usageError(`Unsupported shell type "${shell}".`, 'completion');
  return 0;
}
