import { hostname } from 'node:os';
import type { CommitStatusConfig, NotifyTargetConfig } from '../events/config.js';
import { hmacHex } from '../hooks/signature.js';
import type { OutboxRow } from '../store/outbox.js';
import type { CommitStatusPayload } from './recorder.js';
import type { RunEventData } from './run-events.js';

// The HTTP request each outbox row becomes: a CloudEvent (structured mode),
// a Slack message, or a forge's commit-status call. Built anew for each
// attempt from the row, which holds everything that happened.

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The header carrying `sha256=<hex HMAC-SHA256 of the body>` with the target's secret. */
export const SIGNATURE_HEADER = 'X-Gitjobs-Signature-256';

/** The console page of a Job. */
export function consoleLink(base: string | undefined, namespace: string, name: string): string | undefined {
  return base === undefined ? undefined : `${base}/#/jobs/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

// The SDK (and its schema validator) is loaded with the first CloudEvent, not
// at every daemon start: most daemons never send one.
let sdk: Promise<typeof import('cloudevents')> | undefined;

export async function notificationRequest(row: OutboxRow, target: NotifyTargetConfig, consoleBase: string | undefined): Promise<OutgoingRequest> {
  const data = withLink(row.payload as Record<string, unknown>, consoleBase);
  const headers: Record<string, string> = { 'User-Agent': 'gitjobs' };
  let body: string;
  if (target.template === 'slack') {
    body = JSON.stringify(slackMessage(row, data));
    headers['Content-Type'] = 'application/json';
  } else {
    const { CloudEvent, HTTP } = await (sdk ??= import('cloudevents'));
    const ce = new CloudEvent({
      specversion: '1.0',
      id: row.eventId,
      type: row.type,
      source: consoleBase ?? `/gitjobs/${hostname()}`,
      subject: row.subject,
      time: new Date(row.createdAt).toISOString(),
      datacontenttype: 'application/json',
      data,
    });
    const m = HTTP.structured(ce);
    body = m.body as string;
    Object.assign(headers, m.headers);
  }
  if (target.secret !== undefined) headers[SIGNATURE_HEADER] = `sha256=${hmacHex('sha256', target.secret, Buffer.from(body, 'utf8'))}`;
  return { url: target.url, headers, body };
}

function withLink(data: Record<string, unknown>, base: string | undefined): Record<string, unknown> {
  const job = data.job as { namespace: string; name: string } | undefined;
  const url = job === undefined ? undefined : consoleLink(base, job.namespace, job.name);
  return url === undefined ? data : { ...data, url };
}

/** Slack's incoming-webhook shape: a `text` fallback and blocks (the log tail as a code block). */
function slackMessage(row: OutboxRow, data: Record<string, unknown>): { text: string; blocks: unknown[] } {
  const d = data as unknown as Partial<RunEventData> & { url?: string; reason?: string; message?: string };
  let text: string;
  if (row.type.endsWith('source.sync-failed')) {
    text = `:warning: Sync of ${row.subject} failed: ${String(d.reason)}: ${String(d.message)}`;
  } else if (row.type.endsWith('pod.lost')) {
    const job = d.job === undefined ? '' : ` of ${d.url === undefined ? `Job ${d.job.namespace}/${d.job.name}` : `<${d.url}|Job ${d.job.namespace}/${d.job.name}>`}`;
    text = `:warning: Pod ${row.subject}${job} was lost: ${String(d.message)}`;
  } else {
    const what = row.type.split('.').pop();
    const icon = what === 'succeeded' ? ':white_check_mark:' : what === 'failed' ? ':x:' : ':arrow_forward:';
    const link = d.url === undefined ? `Job ${row.subject}` : `<${d.url}|Job ${row.subject}>`;
    const took = d.durationSeconds === undefined ? '' : ` in ${d.durationSeconds}s`;
    const rev = d.commit === undefined ? (d.revision ?? '') : `${d.commit.sha.slice(0, 12)} by ${d.commit.author}: ${d.commit.subject}`;
    text = `${icon} ${link} ${what}${what === 'failed' && d.reason ? ` (${d.reason})` : ''}${took}${rev === '' ? '' : ` — ${rev}`}`;
  }
  const blocks: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  const tail = d.logTail?.lines;
  if (tail !== undefined && tail.length > 0) {
    // Slack caps a text block at 3000 characters.
    const code = tail.join('\n').slice(-2900).replace(/```/g, "'''");
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '```' + code + '```' } });
  }
  return { text, blocks };
}

/** The forge's documented commit-status call. */
export function commitStatusRequest(row: OutboxRow, cs: CommitStatusConfig, consoleBase: string | undefined): OutgoingRequest {
  const p = row.payload as CommitStatusPayload;
  const targetUrl = consoleLink(consoleBase, p.job.namespace, p.job.name);
  const description = p.description.slice(0, 140);
  const json = { 'Content-Type': 'application/json', 'User-Agent': 'gitjobs', Accept: 'application/json' };
  switch (cs.forge) {
    case 'github':
      // docs.github.com/rest/commits/statuses#create-a-commit-status
      return {
        url: `${cs.apiUrl}/repos/${cs.repository}/statuses/${p.sha}`,
        headers: { ...json, Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28', Authorization: `Bearer ${cs.token}` },
        body: JSON.stringify({ state: p.state, ...(targetUrl === undefined ? {} : { target_url: targetUrl }), description, context: p.context }),
      };
    case 'gitlab':
      // docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit
      return {
        url: `${cs.apiUrl}/api/v4/projects/${encodeURIComponent(cs.repository)}/statuses/${p.sha}`,
        headers: { ...json, 'PRIVATE-TOKEN': cs.token },
        body: JSON.stringify({
          state: p.state === 'pending' ? 'running' : p.state === 'failure' ? 'failed' : 'success',
          name: p.context,
          ...(targetUrl === undefined ? {} : { target_url: targetUrl }),
          description,
        }),
      };
    case 'gitea':
      // Gitea API: POST /repos/{owner}/{repo}/statuses/{sha} (CreateStatusOption)
      return {
        url: `${cs.apiUrl}/api/v1/repos/${cs.repository}/statuses/${p.sha}`,
        headers: { ...json, Authorization: `token ${cs.token}` },
        body: JSON.stringify({ state: p.state, ...(targetUrl === undefined ? {} : { target_url: targetUrl }), description, context: p.context }),
      };
  }
}
