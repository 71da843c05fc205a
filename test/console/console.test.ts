import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { condition, jobYaml, ROOT, startDaemon, tempDir, waitFor, type DaemonHandle } from '../helpers/e2e.js';

// The console in Debian's chromium against a real daemon: the overview and
// its filters, a log followed live, the timeline of an Indexed Job with a
// failed index, actions with a write token and without, and markup in a log
// line and in a manifest's label shown as text, never run.

const XSS_LOG = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';

function files(marker: string): Record<string, string> {
  return {
    'done.yaml': jobYaml(
      'done',
      `  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: [sh, -c, ${JSON.stringify(`echo '${XSS_LOG}'`)}]}]
`,
      '  labels: {team: data}\n',
    ),
    'slow.yaml': jobYaml(
      'slow',
      `  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: [sh, -c, "i=0; while [ $i -lt 120 ]; do i=$((i+1)); echo tick $i; sleep 0.25; done"]}]
`,
    ),
    'idx.yaml': jobYaml(
      'idx',
      `  completions: 3
  parallelism: 3
  completionMode: Indexed
  backoffLimit: 3
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox, command: [sh, -c, "if [ $JOB_COMPLETION_INDEX != 1 ]; then sleep 4; elif [ ! -e ${marker} ]; then touch ${marker}; echo first try fails; exit 7; fi; echo index $JOB_COMPLETION_INDEX ok"]}]
`,
    ),
    // An invalid label value carrying markup: the source reports it, and the console shows the report.
    'bad-label.yaml': jobYaml('bad-label', `  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox, command: ["true"]}]\n`, `  labels: {x: "<img src=x onerror=window.__xss='label'>"}\n`),
  };
}

// Screenshots of the main pages: into docs/ when asked (GITJOBS_UPDATE_SCREENSHOTS=1), else beside the test's files.
let shots = '';
const shot = (name: string): string => join(process.env.GITJOBS_UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs') : shots, name);

describe('web console in chromium', () => {
  let d: DaemonHandle;
  let url: string;
  let token: string;
  let readToken: string;
  let browser: { context: BrowserContext; close: () => Promise<void> };

  beforeAll(async () => {
    const dir = tempDir();
    shots = dir;
    // A back-off of two seconds: the API's times are whole seconds, and the gap must show at that grain.
    // (The other indexes outlast it: a success after a failure resets the back-off, as in Kubernetes.)
    d = await startDaemon({ dir, files: files(join(dir, 'index-1-failed-once')), backoff: '2s' });
    url = (JSON.parse(readFileSync(join(d.stateDir, 'api-listener.json'), 'utf8')) as { url: string }).url;
    token = readFileSync(join(d.stateDir, 'api-token'), 'utf8').trim();
    readToken = readFileSync(join(d.stateDir, 'api-token-readonly'), 'utf8').trim();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await d?.cleanup();
  });

  const pages: Page[] = [];
  afterEach(async () => {
    // A page left open keeps its watches, and a browser opens only six connections to one host.
    await Promise.all(pages.splice(0).map((p) => p.close()));
  });

  async function open(tok: string, hash = ''): Promise<Page> {
    const page = await browser.context.newPage();
    pages.push(page);
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${url}/${hash}`);
    await page.getByPlaceholder('token').fill(tok);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByTestId('access').waitFor();
    return page;
  }

  it('asks for a token and refuses a wrong one', async () => {
    const page = await browser.context.newPage();
    pages.push(page);
    await page.goto(`${url}/`);
    await page.getByPlaceholder('token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('refused');
      });

  it('lists the Jobs with their status and source, filters them, and shows the sources with their errors as text', async () => {
    await waitFor('done complete', () => condition(d.job('done'), 'Complete'), 30_000);
    const page = await open(readToken);
    const rows = page.getByTestId('jobs').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    const done = rows.filter({ hasText: 'done' });
    await expect.poll(() => done.textContent()).toContain('Complete');
    expect(await done.textContent()).toContain('done.yaml');
    // The label with markup is in the source's report, as text.
    await expect.poll(() => page.getByText('bad-label.yaml', { exact: false }).count()).toBeGreaterThan(0);
    expect(await page.locator('img').count()).toBe(0);
    await page.getByLabel('status').selectOption('Complete');
    await expect.poll(() => rows.filter({ hasText: 'slow' }).count()).toBe(0);
    expect(await rows.filter({ hasText: 'done' }).count()).toBe(1);
    expect((await rows.allTextContents()).every((t) => t.includes('Complete'))).toBe(true);
    await page.getByLabel('status').selectOption('');
    await page.getByLabel('label selector').fill('team=data');
    await page.getByLabel('label selector').press('Enter');
    await expect.poll(() => rows.allTextContents()).toEqual([expect.stringContaining('done')]);
    await page.getByLabel('label selector').fill('');
    await page.getByLabel('label selector').press('Enter');
    await expect.poll(() => rows.count()).toBe(3);
    await page.screenshot({ path: shot('console-overview.png'), fullPage: true });
    expect(await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss)).toBeUndefined();
      });

  it('follows a running pod log as it grows, and shows a log line with markup as text', async () => {
    const page = await open(readToken, '#/jobs/default/slow');
    const log = page.getByTestId('log');
    await expect.poll(() => log.textContent(), { timeout: 20_000 }).toContain('tick 3');
    const seen = (await log.textContent())!.match(/tick \d+/g)!.length;
    // More lines arrive on the same page, without a reload.
    await expect.poll(async () => ((await log.textContent())!.match(/tick \d+/g) ?? []).length, { timeout: 20_000 }).toBeGreaterThan(seen + 3);
    expect(await log.textContent()).toMatch(/\d{4}-\d\d-\d\dT[\d:.]+Z?tick 1/);
    await page.goto(`${url}/#/jobs/default/done`);
    await expect.poll(() => page.getByTestId('log').textContent(), { timeout: 20_000 }).toContain(XSS_LOG);
    expect(await page.locator('pre img, pre script').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __xss?: unknown }).__xss)).toBeUndefined();
      });

  it('draws an Indexed Job as one row per index, the failed first try and its retry both visible', async () => {
    await waitFor('idx complete', () => condition(d.job('idx'), 'Complete'), 30_000);
    const page = await open(readToken, '#/jobs/default/idx');
    const timeline = page.getByTestId('timeline');
    await expect.poll(() => timeline.locator('.tl-row').count()).toBe(3);
    const index1 = timeline.locator('[data-row="index 1"] .tl-bar');
    await expect.poll(() => index1.evaluateAll((bars) => bars.map((b) => b.getAttribute('data-phase')))).toEqual(['Failed', 'Succeeded']);
    expect(await timeline.locator('[data-row="index 0"] .tl-bar').count()).toBe(1);
    // The retry starts after the failure ended: the back-off is a gap between the bars.
    const [failed, retry] = await index1.evaluateAll((bars) => bars.map((b) => b.getBoundingClientRect()));
    expect(retry!.left).toBeGreaterThan(failed!.right);
    expect(await page.getByTestId('spec').textContent()).toContain('completionMode: Indexed');
    await page.screenshot({ path: shot('console-run.png'), fullPage: true });
      });

  it('offers no actions to a read-only token; with the write token a confirmed suspend and resume take effect', async () => {
    const ro = await open(readToken, '#/jobs/default/slow');
    await ro.getByRole('heading', { name: /slow/ }).waitFor();
    expect(await ro.getByRole('button', { name: 'Suspend' }).count()).toBe(0);
    expect(await ro.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    expect(await ro.getByTestId('access').textContent()).toBe('read-only token');
    await ro.close();
    
    const rw = await open(token, '#/jobs/default/slow');
    await rw.getByRole('button', { name: 'Suspend' }).click();
    await waitFor('slow suspended', () => d.job('slow')?.spec.suspend === true, 20_000);
    // The page follows the change from its watch, and now offers the reverse.
    await rw.getByRole('button', { name: 'Resume' }).click();
    await waitFor('slow resumed', () => d.job('slow')?.spec.suspend === false, 20_000);
  });

  it('reruns a Job with the write token after a confirmation, and Sync now reads the source', async () => {
    const before = d.job('done')!.metadata.uid;
    const page = await open(token, '#/jobs/default/done');
    await page.getByRole('button', { name: 'Rerun' }).click();
    await waitFor('a new run of done', () => {
      const j = d.job('done');
      return j !== undefined && j.metadata.uid !== before && condition(j, 'Complete');
    }, 30_000);
    await page.goto(`${url}/#/history/default/done`);
    await expect.poll(() => page.getByTestId('history').locator('tbody tr').count()).toBe(2);
    await page.goto(`${url}/#/`);
    await page.getByRole('button', { name: 'Sync now' }).click();
    // A failed sync would show its message next to the button.
    await expect.poll(() => page.getByRole('button', { name: 'Sync now' }).isEnabled()).toBe(true);
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('shows the history of a Job, with a past run and its log', async () => {
    const page = await open(readToken, '#/history/default/idx');
    const rows = page.getByTestId('history').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Complete');
    expect(await rows.first().textContent()).toContain('7');
    await rows.first().getByRole('button').first().click();
    await expect.poll(() => page.getByTestId('history-log').textContent()).toMatch(/index \d ok|first try fails/);
    await page.screenshot({ path: shot('console-history.png'), fullPage: true });
      });
});
