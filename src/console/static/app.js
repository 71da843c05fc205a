// The gitjobs console: a client of the daemon's Kubernetes API (jobs, pods,
// events, logs, watches) plus /gitjobs/v1 for sources, origins, history and
// the sync and rerun actions. Everything shown goes through Preact's text
// rendering, which escapes it: nothing here builds HTML from data.
import { h, render } from 'preact';
import { useEffect, useMemo, useRef, useState, useCallback } from 'preact/hooks';
import htm from 'htm';
import { toYaml } from './yaml.js';

const html = htm.bind(h);
const TOKEN_KEY = 'gitjobs-token';
const PAGE = 100;

// ---------------------------------------------------------------- API client

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

let token = sessionStorage.getItem(TOKEN_KEY) ?? '';
let onUnauthorized = () => {};

async function call(method, path, { body, headers = {}, signal } = {}) {
  const r = await fetch(path, {
    method,
    signal,
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  if (r.status === 401) onUnauthorized();
  if (!r.ok) {
    let message = `${r.status} ${r.statusText}`;
    try {
      const s = await r.json();
      if (s && typeof s.message === 'string') message = s.message;
    } catch {}
    throw new ApiError(r.status, message);
  }
  return r;
}

const getJson = async (path, signal) => (await call('GET', path, { signal })).json();

/** Lines of a streamed response, as they arrive. */
async function streamLines(response, onLine) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  }
  if (buf !== '') onLine(buf);
}

const withQuery = (path, q) => {
  const s = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined && v !== '')).toString();
  return s === '' ? path : `${path}?${s}`;
};

/**
 * A list, then a watch from its resourceVersion, as an informer does: the
 * page follows changes as they happen, and relists only when the watch ends.
 * A long list is read in pages (`limit`/`continue`), the first one small, so
 * the first rows show at once while the rest arrive; the watch starts from
 * the first page's resourceVersion, so nothing that changed meanwhile is lost.
 */
function useListWatch(path, query, enabled = true, pages = { first: 100, rest: 1000 }) {
  const [state, setState] = useState({ items: new Map(), loaded: false, complete: false, error: undefined });
  const key = enabled ? withQuery(path, query) : '';
  useEffect(() => {
    if (!enabled) return undefined;
    const ctl = new AbortController();
    let stopped = false;
    let items = new Map();
    let timer;
    const publish = (complete) => setState({ items: new Map(items), loaded: true, complete, error: undefined });
    const run = async () => {
      try {
        let rv;
        let cont;
        const fresh = new Map();
        do {
          const list = await getJson(withQuery(path, { ...query, limit: String(cont === undefined ? pages.first : pages.rest), continue: cont }), ctl.signal);
          rv ??= list.metadata.resourceVersion;
          for (const o of list.items) fresh.set(o.metadata.uid, o);
          cont = list.metadata.continue || undefined;
          // A relist replaces what was shown only once it is whole.
          if (items.size === 0 || cont === undefined) {
            items = fresh;
            publish(cont === undefined);
          }
        } while (cont !== undefined);
        const r = await call('GET', withQuery(path, { ...query, watch: '1', resourceVersion: rv, allowWatchBookmarks: 'true' }), { signal: ctl.signal });
        let pending = false;
        await streamLines(r, (line) => {
          if (line.trim() === '') return;
          const ev = JSON.parse(line);
          if (ev.type === 'ERROR') throw new ApiError(ev.object?.code ?? 500, ev.object?.message ?? 'watch failed');
          if (ev.type === 'BOOKMARK') return;
          if (ev.type === 'DELETED') items.delete(ev.object.metadata.uid);
          else items.set(ev.object.metadata.uid, ev.object);
          // Bursts of events are shown once per frame, not once per event.
          if (!pending) {
            pending = true;
            requestAnimationFrame(() => {
              pending = false;
              publish(true);
            });
          }
        });
      } catch (err) {
        if (stopped) return;
        setState((s) => ({ ...s, loaded: true, error: err.message }));
        if (err.status === 401 || err.status === 403) return;
      }
      // The watch ended (timeout, daemon restart): list again after a pause.
      if (!stopped) timer = setTimeout(run, 1000);
    };
    run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      ctl.abort();
    };
  }, [key]);
  return state;
}

/** A GET, again whenever `deps` change. */
function useFetch(path, deps = []) {
  const [state, setState] = useState({ data: undefined, error: undefined });
  useEffect(() => {
    if (path === undefined) return undefined;
    const ctl = new AbortController();
    getJson(path, ctl.signal).then(
      (data) => setState({ data, error: undefined }),
      (err) => !ctl.signal.aborted && setState({ data: undefined, error: err.message }),
    );
    return () => ctl.abort();
  }, [path, ...deps]);
  return state;
}

// ---------------------------------------------------------------- formatting

function conditionTrue(obj, type) {
  return (obj.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

function jobState(job) {
  if (conditionTrue(job, 'Complete')) return 'Complete';
  if (conditionTrue(job, 'Failed')) return 'Failed';
  if (conditionTrue(job, 'Suspended') || job.spec?.suspend === true) return 'Suspended';
  if ((job.status?.active ?? 0) > 0) return 'Running';
  return 'Pending';
}

const ts = (s) => (s ? Date.parse(s) : undefined);

function ago(ms, now) {
  if (ms === undefined) return '';
  return span(now - ms);
}

function span(ms) {
  if (ms === undefined || Number.isNaN(ms)) return '';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60 ? `${s % 60}s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${m % 60 ? `${m % 60}m` : ''}`;
  return `${Math.floor(h / 24)}d${h % 24 ? `${h % 24}h` : ''}`;
}

function useNow(ms = 1000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

function useHash() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

const enc = encodeURIComponent;
const Badge = ({ state }) => html`<span class=${`badge ${state}`}>${state}</span>`;

// ---------------------------------------------------------------- actions

function ActionButton({ label, confirmText, run, danger, onDone }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState();
  const click = async () => {
    if (!confirm(confirmText)) return;
    setBusy(true);
    setError(undefined);
    try {
      const result = await run();
      onDone?.(result);
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<span>
    <button class=${danger ? 'danger' : ''} disabled=${busy} onClick=${click}>${label}</button>
    ${error && html` <span class="error" role="alert">${error}</span>`}
  </span>`;
}

// ---------------------------------------------------------------- login

function Login({ onToken, error }) {
  const [value, setValue] = useState('');
  const submit = (e) => {
    e.preventDefault();
    onToken(value.trim());
  };
  return html`<div class="login card">
    <h1>gitjobs</h1>
    <p>Paste a token of this daemon: <code>state/api-token</code> may change things, <code>state/api-token-readonly</code> may only look.</p>
    <form onSubmit=${submit}>
      <input type="password" name="token" placeholder="token" autocomplete="off" value=${value} onInput=${(e) => setValue(e.target.value)} />
      <button class="primary" type="submit">Open</button>
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <p class="muted">The token stays in this tab (sessionStorage) and is sent only to this daemon.</p>
  </div>`;
}

// ---------------------------------------------------------------- overview

function Sources({ refresh, canWrite, onSynced }) {
  const { data, error } = useFetch('/gitjobs/v1/sources', [refresh]);
  return html`<div class="card">
    <h2 style="margin-top:0">Sources</h2>
    ${error && html`<p class="error">${error}</p>`}
    <table>
      <thead><tr><th>Source</th><th>Kind</th><th>Applied revision</th><th>Ready</th><th>Last read</th><th>Message</th></tr></thead>
      <tbody>
        ${(data?.items ?? []).map(
          (s) => html`<tr key=${s.name}>
            <td>${s.url}</td>
            <td>${s.kind}</td>
            <td><code>${s.revision ?? ''}</code></td>
            <td><${Badge} state=${s.ready ? 'Complete' : 'Failed'} /></td>
            <td>${s.lastSync ? new Date(s.lastSync).toLocaleString() : ''}</td>
            <td>
              ${s.message}
              ${(s.issues ?? []).map((i) => html`<div class="error">${i.file}:${i.line}: ${i.message}</div>`)}
            </td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${canWrite &&
    html`<div class="actions">
      <${ActionButton} label="Sync now" confirmText="Read the source now and apply it?" run=${() => call('POST', '/gitjobs/v1/sync').then((r) => r.json())} onDone=${onSynced} />
    </div>`}
  </div>`;
}

/**
 * CronJobs are few and change when their Jobs do: read again when the number of Jobs changes, not
 * watched. Shown once the API serves batch/v1 cronjobs (until then the list is a 404: nothing shown).
 */
function CronJobs({ refresh }) {
  const now = useNow(5000);
  const { data } = useFetch('/apis/batch/v1/cronjobs', [refresh]);
  const items = data?.items ?? [];
  if (items.length === 0) return null;
  return html`<div>
    <h1>CronJobs <span class="muted">${items.length}</span></h1>
    <table data-testid="cronjobs">
      <thead><tr><th>Name</th><th>Namespace</th><th>Schedule</th><th>Time zone</th><th>Suspended</th><th>Active</th><th>Last schedule</th><th>Last success</th></tr></thead>
      <tbody>
        ${items.map(
          (c) => html`<tr key=${c.metadata.uid}>
            <td>${c.metadata.name}</td>
            <td>${c.metadata.namespace}</td>
            <td><code>${c.spec?.schedule ?? ''}</code></td>
            <td>${c.spec?.timeZone ?? 'local'}</td>
            <td>${c.spec?.suspend ? 'yes' : 'no'}</td>
            <td class="num">${(c.status?.active ?? []).length}</td>
            <td>${c.status?.lastScheduleTime ? `${ago(ts(c.status.lastScheduleTime), now)} ago` : ''}</td>
            <td>${c.status?.lastSuccessfulTime ? `${ago(ts(c.status.lastSuccessfulTime), now)} ago` : ''}</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function Overview({ canWrite }) {
  const now = useNow(5000);
  const [namespace, setNamespace] = useState('');
  const [selector, setSelector] = useState('');
  const [appliedSelector, setAppliedSelector] = useState('');
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(0);
  const [synced, setSynced] = useState(0);
  const jobs = useListWatch('/apis/batch/v1/jobs', { labelSelector: appliedSelector });
  const all = useMemo(() => [...jobs.items.values()], [jobs.items]);
  const namespaces = useMemo(() => [...new Set(all.map((j) => j.metadata.namespace))].sort(), [all]);
  // In the API's order (namespace, name), as kubectl lists them: the first page drawn stays put as the rest arrives.
  const shown = useMemo(() => all.filter((j) => (namespace === '' || j.metadata.namespace === namespace) && (status === '' || jobState(j) === status)), [all, namespace, status]);
  const pages = Math.max(1, Math.ceil(shown.length / PAGE));
  const current = Math.min(page, pages - 1);
  const visible = shown.slice(current * PAGE, (current + 1) * PAGE);
  // Where the visible Jobs came from, read for them alone.
  const uids = visible.map((j) => j.metadata.uid).join(',');
  const origins = useFetch(uids === '' ? undefined : withQuery('/gitjobs/v1/origins', { uids }), [synced]);
  const originOf = useMemo(() => new Map((origins.data?.items ?? []).map((o) => [o.uid, o])), [origins.data]);
  return html`<div>
    <${Sources} refresh=${synced} canWrite=${canWrite} onSynced=${() => setSynced((n) => n + 1)} />
    <${CronJobs} refresh=${jobs.complete ? jobs.items.size : -1} />
    <h1>Jobs <span class="muted" data-testid="job-count">${shown.length}</span>${!jobs.complete && jobs.loaded && html` <span class="muted">(loading the rest…)</span>`}</h1>
    <div class="filters">
      <select aria-label="namespace" value=${namespace} onChange=${(e) => (setNamespace(e.target.value), setPage(0))}>
        <option value="">all namespaces</option>
        ${namespaces.map((n) => html`<option value=${n}>${n}</option>`)}
      </select>
      <form onSubmit=${(e) => (e.preventDefault(), setAppliedSelector(selector.trim()), setPage(0))}>
        <input aria-label="label selector" placeholder="label selector, e.g. app=etl,tier!=test" size="32" value=${selector} onInput=${(e) => setSelector(e.target.value)} />
      </form>
      <select aria-label="status" value=${status} onChange=${(e) => (setStatus(e.target.value), setPage(0))}>
        <option value="">any status</option>
        ${['Running', 'Pending', 'Complete', 'Failed', 'Suspended'].map((s) => html`<option value=${s}>${s}</option>`)}
      </select>
      ${jobs.error && html`<span class="error" role="alert">${jobs.error}</span>`}
    </div>
    <table data-testid="jobs">
      <thead><tr><th>Name</th><th>Namespace</th><th>Status</th><th>Completions</th><th>Duration</th><th>Age</th><th>Source</th><th>Revision</th></tr></thead>
      <tbody>
        ${visible.map((j) => {
          const o = originOf.get(j.metadata.uid);
          const start = ts(j.status?.startTime);
          const end = ts(j.status?.completionTime) ?? (jobState(j) === 'Running' ? now : undefined);
          return html`<tr key=${j.metadata.uid}>
            <td><a href=${`#/jobs/${enc(j.metadata.namespace)}/${enc(j.metadata.name)}`}>${j.metadata.name}</a></td>
            <td>${j.metadata.namespace}</td>
            <td><${Badge} state=${jobState(j)} /></td>
            <td class="num">${j.status?.succeeded ?? 0}/${j.spec?.completions ?? '-'}</td>
            <td class="num">${start !== undefined && end !== undefined ? span(end - start) : ''}</td>
            <td class="num">${ago(ts(j.metadata.creationTimestamp), now)}</td>
            <td>${o?.path ?? ''}</td>
            <td><code>${o?.sha ? o.sha.slice(0, 12) : (o?.revision ?? '')}</code></td>
          </tr>`;
        })}
      </tbody>
    </table>
    ${!jobs.loaded && html`<p class="muted">Loading…</p>`}
    <div class="pager">
      <button disabled=${current === 0} onClick=${() => setPage(current - 1)}>‹ Previous</button>
      <span class="muted">page ${current + 1} of ${pages}</span>
      <button disabled=${current >= pages - 1} onClick=${() => setPage(current + 1)}>Next ›</button>
    </div>
  </div>`;
}

// ---------------------------------------------------------------- a run

function podIndex(p) {
  return p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] ?? p.metadata.labels?.['batch.kubernetes.io/job-completion-index'];
}

function podSpan(p, now) {
  const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
  const starts = statuses.map((c) => ts(c.state?.running?.startedAt ?? c.state?.terminated?.startedAt ?? c.lastState?.terminated?.startedAt)).filter((x) => x !== undefined);
  const ends = statuses.map((c) => ts(c.state?.terminated?.finishedAt)).filter((x) => x !== undefined);
  const start = starts.length > 0 ? Math.min(...starts) : (ts(p.status?.startTime) ?? ts(p.metadata.creationTimestamp));
  const terminal = p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
  // The API's times are whole seconds: an end is drawn to the end of its second.
  const end = terminal ? (ends.length > 0 ? Math.max(...ends) : start) + 999 : now;
  const exit = statuses.map((c) => c.state?.terminated?.exitCode).filter((x) => x !== undefined);
  return { start, end, exit };
}

function Timeline({ job, pods, now }) {
  const indexed = job.spec?.completionMode === 'Indexed';
  const spans = pods.map((p) => ({ p, ...podSpan(p, now) })).sort((a, b) => a.start - b.start);
  if (spans.length === 0) return html`<p class="muted">No pods yet.</p>`;
  const t0 = Math.min(...spans.map((s) => s.start));
  const t1 = Math.max(...spans.map((s) => s.end), t0 + 1000);
  const rows = new Map();
  for (const s of spans) {
    const key = indexed ? `index ${podIndex(s.p) ?? '?'}` : s.p.metadata.name;
    if (!rows.has(key)) rows.set(key, []);
    rows.get(key).push(s);
  }
  const keys = [...rows.keys()].sort((a, b) => (indexed ? Number(a.slice(6)) - Number(b.slice(6)) : 0));
  const pct = (t) => `${(((t - t0) / (t1 - t0)) * 100).toFixed(2)}%`;
  return html`<div class="timeline" data-testid="timeline">
    ${keys.map(
      (k) => html`<div class="tl-row" data-row=${k}>
        <div class="tl-label" title=${k}>${k}</div>
        <div class="tl-track">
          ${rows.get(k).map(
            (s) => html`<div
              class=${`tl-bar ${s.p.status?.phase ?? 'Pending'}`}
              data-pod=${s.p.metadata.name}
              data-phase=${s.p.status?.phase ?? 'Pending'}
              style=${{ left: pct(s.start), width: `calc(${pct(s.end)} - ${pct(s.start)})` }}
              title=${`${s.p.metadata.name}: ${s.p.status?.phase ?? ''} ${span(s.end - s.start)}${s.exit.length ? `, exit ${s.exit.join(',')}` : ''}`}
            ></div>`,
          )}
        </div>
      </div>`,
    )}
    <div class="tl-axis"><span>${new Date(t0).toLocaleTimeString()}</span><span>${span(t1 - t0)}</span><span>${new Date(t1).toLocaleTimeString()}</span></div>
  </div>`;
}

const MAX_LINES = 5000;

function LogView({ namespace, pod, container, live }) {
  const [lines, setLines] = useState([]);
  const [error, setError] = useState();
  const box = useRef();
  useEffect(() => {
    if (!pod || !container) return undefined;
    const ctl = new AbortController();
    setLines([]);
    setError(undefined);
    let buffer = [];
    let pending = false;
    const flush = () => {
      pending = false;
      const add = buffer;
      buffer = [];
      setLines((old) => old.concat(add).slice(-MAX_LINES));
    };
    const path = withQuery(`/api/v1/namespaces/${enc(namespace)}/pods/${enc(pod)}/log`, { container, timestamps: 'true', follow: live ? 'true' : undefined });
    call('GET', path, { signal: ctl.signal, headers: { Accept: '*/*' } })
      .then((r) =>
        streamLines(r, (line) => {
          const sp = line.indexOf(' ');
          const stamp = sp > 0 && /^\d{4}-\d\d-\d\dT/.test(line) ? line.slice(0, sp) : '';
          buffer.push({ stamp, text: stamp ? line.slice(sp + 1) : line });
          if (!pending) {
            pending = true;
            requestAnimationFrame(flush);
          }
        }),
      )
      .catch((err) => !ctl.signal.aborted && setError(err.message));
    return () => ctl.abort();
  }, [namespace, pod, container, live]);
  useEffect(() => {
    if (box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);
  const download = async () => {
    const r = await call('GET', withQuery(`/api/v1/namespaces/${enc(namespace)}/pods/${enc(pod)}/log`, { container, timestamps: 'true' }), { headers: { Accept: '*/*' } });
    const url = URL.createObjectURL(await r.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = `${pod}_${container}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return html`<div>
    <div class="actions"><button onClick=${download} disabled=${!pod}>Download whole log</button></div>
    ${error && html`<p class="error">${error}</p>`}
    <pre class="log" ref=${box} data-testid="log">${lines.map((l) => html`<div>${l.stamp && html`<span class="ts">${l.stamp}</span>`}${l.text}</div>`)}</pre>
  </div>`;
}

function RunPage({ namespace, name, canWrite }) {
  const now = useNow(1000);
  const jobs = useListWatch(`/apis/batch/v1/namespaces/${enc(namespace)}/jobs`, { fieldSelector: `metadata.name=${name}` });
  const job = [...jobs.items.values()][0];
  const uid = job?.metadata.uid;
  // A browser opens six connections to one host, and each watch or followed log holds one for as
  // long as the page is open: the pods and events are read again whenever the Job changes (every
  // pod start and end changes its counters), so a run page holds two, its Job's watch and the log.
  const podsRead = useFetch(
    uid === undefined ? undefined : withQuery(`/api/v1/namespaces/${enc(namespace)}/pods`, { labelSelector: `batch.kubernetes.io/controller-uid=${uid}` }),
    [job?.metadata.resourceVersion],
  );
  const pods = useMemo(() => ({ items: new Map((podsRead.data?.items ?? []).map((p) => [p.metadata.uid, p])) }), [podsRead.data]);
  const events = useFetch(withQuery(`/api/v1/namespaces/${enc(namespace)}/events`, { fieldSelector: `involvedObject.name=${name}` }), [
    job?.metadata.resourceVersion,
    pods.items.size,
  ]);
  const origin = useFetch(uid === undefined ? undefined : `/gitjobs/v1/namespaces/${enc(namespace)}/jobs/${enc(name)}/origin`, [uid]);
  const podList = useMemo(() => [...pods.items.values()].sort((a, b) => (ts(a.metadata.creationTimestamp) ?? 0) - (ts(b.metadata.creationTimestamp) ?? 0)), [pods.items]);
  const [selPod, setSelPod] = useState('');
  const [selContainer, setSelContainer] = useState('');
  const [live, setLive] = useState(true);
  const podName = selPod || podList[podList.length - 1]?.metadata.name || '';
  const podObj = podList.find((p) => p.metadata.name === podName);
  const containers = [...(podObj?.spec?.initContainers ?? []), ...(podObj?.spec?.containers ?? [])].map((c) => c.name);
  const containerName = containers.includes(selContainer) ? selContainer : (podObj?.spec?.containers?.[0]?.name ?? '');
  if (!jobs.loaded) return html`<p class="muted">Loading…</p>`;
  if (job === undefined) {
    return html`<div><h1>${name}</h1><p>This Job does not exist (any more). <a href=${`#/history/${enc(namespace)}/${enc(name)}`}>Its history</a></p></div>`;
  }
  const state = jobState(job);
  const jobPath = `/apis/batch/v1/namespaces/${enc(namespace)}/jobs/${enc(name)}`;
  const commit = origin.data?.commit;
  const suspended = job.spec?.suspend === true;
  return html`<div>
    <h1>${name} <${Badge} state=${state} /> <span class="muted">${namespace}</span></h1>
    <div class="actions">
      <a href=${`#/history/${enc(namespace)}/${enc(name)}`}>History</a>
      ${canWrite &&
      html`
        <${ActionButton} label="Rerun" confirmText=${`Start a fresh run of ${name}?`} run=${() => call('POST', `/gitjobs/v1/namespaces/${enc(namespace)}/jobs/${enc(name)}/rerun`)} />
        <${ActionButton}
          label=${suspended ? 'Resume' : 'Suspend'}
          confirmText=${`${suspended ? 'Resume' : 'Suspend'} ${name}?`}
          run=${() => call('PATCH', jobPath, { body: { spec: { suspend: !suspended } }, headers: { 'Content-Type': 'application/merge-patch+json' } })}
        />
        <${ActionButton}
          label="Delete"
          danger=${true}
          confirmText=${`Delete ${name} and its pods?`}
          run=${() => call('DELETE', jobPath, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } })}
        />
      `}
    </div>
    <div class="grid">
      <div class="card">
        <h2 style="margin-top:0">Run</h2>
        <dl class="kv">
          <dt>Completions</dt><dd>${job.status?.succeeded ?? 0}/${job.spec?.completions ?? '-'} (active ${job.status?.active ?? 0}, failed ${job.status?.failed ?? 0})</dd>
          <dt>Started</dt><dd>${job.status?.startTime ?? ''}</dd>
          <dt>Completed</dt><dd>${job.status?.completionTime ?? ''}</dd>
          <dt>Source</dt><dd>${origin.data?.source ?? ''}${origin.data?.path ? ` ${origin.data.path}${origin.data.line ? `:${origin.data.line}` : ''}` : ''}</dd>
          <dt>Commit</dt><dd data-testid="commit">${commit ? html`<code>${commit.sha.slice(0, 12)}</code> ${commit.subject} <span class="muted">(${commit.author})</span>` : (origin.data?.revision ?? '')}</dd>
          <dt>Labels</dt><dd data-testid="labels">${Object.entries(job.metadata.labels ?? {}).map(([k, v]) => html`<div><code>${k}=${v}</code></div>`)}</dd>
        </dl>
        <h2>Conditions</h2>
        <table>
          <thead><tr><th>Type</th><th>Status</th><th>Reason</th><th>Message</th><th>Last transition</th></tr></thead>
          <tbody>
            ${(job.status?.conditions ?? []).map(
              (c) => html`<tr><td>${c.type}</td><td>${c.status}</td><td>${c.reason ?? ''}</td><td>${c.message ?? ''}</td><td>${c.lastTransitionTime ?? ''}</td></tr>`,
            )}
          </tbody>
        </table>
      </div>
      <div class="card">
        <h2 style="margin-top:0">Spec</h2>
        <pre class="spec" data-testid="spec">${toYaml(job.spec ?? {})}</pre>
      </div>
    </div>
    <h2>Pods</h2>
    <${Timeline} job=${job} pods=${podList} now=${now} />
    <h2>Events</h2>
    <table>
      <thead><tr><th>Type</th><th>Reason</th><th>Age</th><th>Message</th></tr></thead>
      <tbody>
        ${(events.data?.items ?? [])
          .slice()
          .sort((a, b) => (ts(a.lastTimestamp ?? a.eventTime) ?? 0) - (ts(b.lastTimestamp ?? b.eventTime) ?? 0))
          .map((e) => html`<tr><td>${e.type}</td><td>${e.reason}</td><td>${ago(ts(e.lastTimestamp ?? e.eventTime), now)}</td><td>${e.message}</td></tr>`)}
      </tbody>
    </table>
    <h2>Logs</h2>
    <div class="filters">
      <select aria-label="pod" value=${podName} onChange=${(e) => setSelPod(e.target.value)}>
        ${podList.map((p) => html`<option value=${p.metadata.name}>${p.metadata.name} (${p.status?.phase ?? ''})</option>`)}
      </select>
      <select aria-label="container" value=${containerName} onChange=${(e) => setSelContainer(e.target.value)}>
        ${containers.map((c) => html`<option value=${c}>${c}</option>`)}
      </select>
      <label><input type="checkbox" checked=${live} onChange=${(e) => setLive(e.target.checked)} /> follow</label>
    </div>
    <${LogView} namespace=${namespace} pod=${podName} container=${containerName} live=${live} />
  </div>`;
}

// ---------------------------------------------------------------- history

function HistoryPage({ namespace, name }) {
  const now = useNow(5000);
  const { data, error } = useFetch(`/gitjobs/v1/namespaces/${enc(namespace)}/jobs/${enc(name)}/history`);
  const [log, setLog] = useState();
  const open = async (run, pod, container) => {
    setLog({ title: `run ${run} ${pod}/${container}`, text: 'Loading…' });
    try {
      const r = await call('GET', `/gitjobs/v1/namespaces/${enc(namespace)}/jobs/${enc(name)}/runs/${run}/pods/${enc(pod)}/containers/${enc(container)}/log`, { headers: { Accept: '*/*' } });
      setLog({ title: `run ${run} ${pod}/${container}`, text: await r.text() });
    } catch (err) {
      setLog({ title: `run ${run}`, text: err.message });
    }
  };
  return html`<div>
    <h1>History of ${name} <span class="muted">${namespace}</span></h1>
    <p><a href=${`#/jobs/${enc(namespace)}/${enc(name)}`}>The current run</a></p>
    ${error && html`<p class="error">${error}</p>`}
    <table data-testid="history">
      <thead><tr><th>Run</th><th>Trigger</th><th>Commit</th><th>Started</th><th>Duration</th><th>Result</th><th>Exit codes</th><th>Deleted</th><th>Logs</th></tr></thead>
      <tbody>
        ${(data?.items ?? []).map(
          (r) => html`<tr key=${r.jobUid}>
            <td class="num">${r.run}</td>
            <td>${r.trigger}</td>
            <td>${r.commit ? html`<code>${r.commit.sha.slice(0, 12)}</code> ${r.commit.subject}` : html`<code>${r.revision ?? ''}</code>`}</td>
            <td>${r.startedAt ? `${ago(r.startedAt, now)} ago` : ''}</td>
            <td class="num">${r.startedAt ? span((r.finishedAt ?? now) - r.startedAt) : ''}</td>
            <td>${r.result ? html`<${Badge} state=${r.result} />` : r.deletedAt ? 'Deleted' : 'Running'} ${r.reason ?? ''}</td>
            <td>${r.exitCodes.join(', ')}</td>
            <td>${r.deletedBy ?? ''}</td>
            <td>${r.pods.flatMap((p) => p.containers.map((c) => html`<div><button class="link" onClick=${() => open(r.run, p.name, c.name)}>${p.name}/${c.name}</button></div>`))}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${log && html`<h2>${log.title}</h2><pre class="log" data-testid="history-log">${log.text}</pre>`}
  </div>`;
}

// ---------------------------------------------------------------- shell

function App() {
  const [tok, setTok] = useState(token);
  const [access, setAccess] = useState();
  const [loginError, setLoginError] = useState();
  const hash = useHash();
  const logout = useCallback((message) => {
    sessionStorage.removeItem(TOKEN_KEY);
    token = '';
    setTok('');
    setAccess(undefined);
    setLoginError(message);
  }, []);
  onUnauthorized = () => logout('That token was refused.');
  useEffect(() => {
    if (tok === '') return;
    getJson('/gitjobs/v1/whoami').then(
      (w) => setAccess(w.access),
      (err) => err.status !== 401 && setLoginError(err.message),
    );
  }, [tok]);
  if (tok === '') {
    return html`<${Login}
      error=${loginError}
      onToken=${(t) => {
        token = t;
        sessionStorage.setItem(TOKEN_KEY, t);
        setLoginError(undefined);
        setTok(t);
      }}
    />`;
  }
  // The page is drawn while the token's rights are asked for: actions appear once they are known.
  const canWrite = access === 'write';
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  let page;
  if (parts[0] === 'jobs' && parts.length === 3) page = html`<${RunPage} key=${hash} namespace=${parts[1]} name=${parts[2]} canWrite=${canWrite} />`;
  else if (parts[0] === 'history' && parts.length === 3) page = html`<${HistoryPage} key=${hash} namespace=${parts[1]} name=${parts[2]} />`;
  else page = html`<${Overview} canWrite=${canWrite} />`;
  return html`<div>
    <header>
      <a href="#/">gitjobs</a>
      <span class="grow"></span>
      ${access !== undefined && html`<span class="who" data-testid="access">${canWrite ? 'read-write token' : 'read-only token'}</span>`}
      <button onClick=${() => logout()}>Sign out</button>
    </header>
    <main>${page}</main>
  </div>`;
}

const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
