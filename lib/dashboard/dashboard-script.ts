/**
 * The dashboard's browser script (an ES module served beside the page). It fills the page from
 * the JSON API and applies each server-sent event as it arrives; every text it shows goes in
 * through `textContent`, so a task's error or arguments can never inject markup. The guard's
 * token, when the page was opened with `?token=…`, goes along as a bearer header (and as the
 * event stream's query, which `EventSource` cannot send headers with).
 */
export const DASHBOARD_SCRIPT = String.raw`
const params = new URLSearchParams(location.search);
const token = params.get('token') || sessionStorage.getItem('celeriac-token') || '';
if (params.get('token')) sessionStorage.setItem('celeriac-token', token);
const READY = ['SUCCESS', 'FAILURE', 'REVOKED'];
const RETRYABLE = ['FAILURE', 'REVOKED'];
const tasks = new Map();
let openTask = null;
let openQueue = null;
let queuesTimer = null;

const $ = (id) => document.getElementById(id);

function el(tag, props, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children || []) node.append(child);
  return node;
}

async function api(path, init) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = 'Bearer ' + token;
  const response = await fetch('api/' + path, Object.assign({ headers }, init));
  if (!response.ok) {
    const text = await response.text();
    throw new Error(response.status + ' ' + response.statusText + ': ' + text);
  }
  return response.json();
}

function problem(error) {
  const box = $('problem');
  box.hidden = !error;
  box.textContent = error ? String(error.message || error) : '';
}

function time(at) {
  return at ? new Date(at).toLocaleTimeString() : '';
}

function count(value) {
  return el('td', { class: 'num', text: value === undefined || value === null ? '–' : String(value) });
}

function stateBadge(state) {
  return el('span', { class: 'state state-' + state.toLowerCase(), 'data-testid': 'state', text: state });
}

const workers = new Map();

function renderWorkers() {
  const now = Date.now();
  $('workers').replaceChildren(
    ...[...workers.values()]
      .sort((a, b) => a.worker.localeCompare(b.worker))
      .map((info) =>
        el('tr', { 'data-worker': info.worker, 'data-state': info.state }, [
          el('td', { text: info.worker }),
          el('td', {}, [el('span', { class: 'state state-' + info.state, 'data-testid': 'worker-state', text: info.state })]),
          el('td', { text: Math.max(0, Math.round((now - info.lastSeen) / 1000)) + ' s ago' }),
          el('td', {
            text: info.queues.map((queue) => queue.queue + ' (' + queue.pool + ' × ' + queue.concurrency + ')').join(', '),
          }),
          count(info.active),
          count(info.processed),
          el('td', { text: info.load.map((load) => load.toFixed(2)).join(' ') }),
        ]),
      ),
  );
}

async function loadWorkers() {
  for (const info of await api('workers')) workers.set(info.worker, info);
  renderWorkers();
}

async function loadQueues() {
  const queues = await api('queues');
  $('queues').replaceChildren(
    ...queues.map((stats) =>
      el('tr', { 'data-queue': stats.queue }, [
        el('td', { text: stats.queue }),
        count(stats.ready),
        count(stats.delayed),
        count(stats.inFlight),
        count(stats.deadLettered),
        count(stats.consumers),
        el('td', { class: 'num', 'data-testid': 'succeeded-per-minute', text: String(stats.rates.succeededPerMinute) }),
        el('td', { class: 'num', 'data-testid': 'failed-per-minute', text: String(stats.rates.failedPerMinute) }),
        el('td', {}, [
          el('button', {
            'data-testid': 'open-dead-letters',
            text: 'Dead letters',
            onclick: () => openDeadLetters(stats.queue).catch(problem),
          }),
        ]),
      ]),
    ),
  );
}

function cadence(schedule) {
  if (schedule.cron) return 'cron ' + schedule.cron + (schedule.timezone ? ' (' + schedule.timezone + ')' : '');
  const seconds = schedule.every / 1000;
  return 'every ' + (seconds >= 60 && seconds % 60 === 0 ? seconds / 60 + ' min' : seconds + ' s');
}

/** The section shows only when the application has schedules. */
async function loadSchedules() {
  const schedules = await api('schedules');
  $('schedules-section').hidden = schedules.length === 0;
  $('schedules').replaceChildren(
    ...schedules.map((schedule) =>
      el('tr', { 'data-schedule': schedule.id }, [
        el('td', { text: schedule.id + (schedule.paused ? ' (paused)' : '') }),
        el('td', { text: schedule.task }),
        el('td', { text: cadence(schedule) }),
        el('td', { 'data-testid': 'last-fired', text: time(schedule.lastFireAt) }),
        el('td', {}, schedule.lastState ? [stateBadge(schedule.lastState)] : []),
        el('td', { text: time(schedule.nextFireAt) }),
      ]),
    ),
  );
}

/** Groups and chords whose members are among the recent tasks; the section shows only when there are some. */
async function loadWorkflows() {
  const workflows = await api('workflows');
  $('workflows-section').hidden = workflows.length === 0;
  $('workflows').replaceChildren(
    ...workflows.map((workflow) => {
      const size = workflow.size || Object.values(workflow.states).reduce((a, b) => a + b, 0);
      return el('tr', { 'data-group': workflow.group }, [
        el('td', {}, [el('code', { text: workflow.group })]),
        el('td', { text: workflow.chord ? 'chord' : 'group' }),
        el('td', { 'data-testid': 'workflow-progress' }, [
          el('progress', { max: String(size), value: String(workflow.finished) }),
          ' ' + workflow.finished + ' / ' + size,
        ]),
        el(
          'td',
          {},
          Object.entries(workflow.states).map(([state, n]) =>
            el('span', {}, [stateBadge(state), ' × ' + n + ' ']),
          ),
        ),
        el('td', { text: time(workflow.updatedAt) }),
      ]);
    }),
  );
}

/** Queue counts and rates, workflows and schedules follow task events and heartbeats, at most twice a second. */
function queuesChanged() {
  if (queuesTimer) return;
  queuesTimer = setTimeout(() => {
    queuesTimer = null;
    Promise.all([loadQueues(), loadWorkflows(), loadSchedules()]).catch(problem);
    if (openQueue) loadDeadLetters().catch(problem);
  }, 500);
}

async function openDeadLetters(queue) {
  openQueue = queue;
  $('dead-letters-queue').textContent = queue;
  $('dead-letters-section').hidden = false;
  await loadDeadLetters();
}

async function loadDeadLetters() {
  const queue = openQueue;
  const letters = await api('queues/' + encodeURIComponent(queue) + '/dead-letters');
  $('dead-letters').replaceChildren(
    ...letters.map((letter) =>
      el('tr', { 'data-message-id': letter.messageId }, [
        el('td', {}, [el('code', { text: letter.messageId })]),
        el('td', { text: letter.task || '(not a task message)' }),
        el('td', {}, [el('code', { text: letter.args ? JSON.stringify(letter.args) : '' })]),
        el('td', { 'data-testid': 'reason', text: letter.reason }),
        el('td', { text: time(letter.at) }),
        el('td', {}, [
          el('button', {
            'data-testid': 'replay',
            text: 'Replay',
            onclick: () => settleDeadLetters('replay', [letter.messageId]).catch(problem),
          }),
          ' ',
          el('button', {
            'data-testid': 'delete',
            text: 'Delete',
            onclick: () => settleDeadLetters('delete', [letter.messageId]).catch(problem),
          }),
        ]),
      ]),
    ),
  );
}

async function settleDeadLetters(action, ids) {
  const body = ids ? { ids } : {};
  await api('queues/' + encodeURIComponent(openQueue) + '/dead-letters/' + action, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  await Promise.all([loadDeadLetters(), loadQueues()]);
}

function filters() {
  const form = new FormData($('filters'));
  return { state: form.get('state'), task: form.get('task').trim(), queue: form.get('queue').trim() };
}

function matches(summary, wanted) {
  return (
    (!wanted.state || summary.state === wanted.state) &&
    (!wanted.task || summary.task === wanted.task) &&
    (!wanted.queue || summary.queue === wanted.queue)
  );
}

function renderTasks() {
  const wanted = filters();
  const rows = [...tasks.values()]
    .filter((summary) => matches(summary, wanted))
    .sort((a, b) => b.firstSeen - a.firstSeen)
    .slice(0, 100)
    .map((summary) =>
      el('tr', { 'data-task-id': summary.id, 'data-state': summary.state, onclick: () => openDetail(summary.id) }, [
        el('td', {}, [el('code', { text: summary.id.slice(0, 8) })]),
        el('td', { text: summary.task }),
        el('td', { text: summary.queue }),
        el('td', {}, [stateBadge(summary.state)]),
        count(summary.retries),
        el('td', { class: 'num', text: summary.runtime === undefined ? '' : summary.runtime + ' ms' }),
        el('td', { text: time(summary.updatedAt) }),
      ]),
    );
  $('tasks').replaceChildren(...rows);
}

function remember(summary) {
  const known = tasks.get(summary.id);
  if (!known || known.updatedAt <= summary.updatedAt) tasks.set(summary.id, summary);
}

async function loadTasks() {
  for (const summary of await api('tasks?limit=500')) remember(summary);
  renderTasks();
}

function field(name, value, testId) {
  if (value === undefined || value === null || value === '') return [];
  const content = typeof value === 'string' ? el('span', { text: value }) : el('pre', { text: JSON.stringify(value, null, 2) });
  return [el('dt', { text: name }), el('dd', testId ? { 'data-testid': testId } : {}, [content])];
}

async function openDetail(id) {
  openTask = id;
  $('detail-section').hidden = false;
  $('detail-id').textContent = id;
  try {
    await loadDetail();
  } catch (error) {
    problem(error);
  }
}

async function loadDetail() {
  const id = openTask;
  const detail = await api('tasks/' + encodeURIComponent(id));
  if (openTask !== id) return;
  const record = detail.record || {};
  const summary = detail.summary || {};
  const state = record.state || summary.state;
  const error = record.error;
  $('detail-fields').replaceChildren(
    ...field('Task', record.task || summary.task),
    ...field('Queue', record.queue || summary.queue),
    ...field('State', state, 'detail-state'),
    ...field('Arguments', detail.args, 'detail-args'),
    ...field('Keyword arguments', detail.kwargs),
    ...field('Retries', String(record.retries ?? summary.retries ?? 0)),
    ...field('Worker', summary.worker),
    ...field('Progress', record.progress ?? summary.progress, 'detail-progress'),
    ...field('Result', record.result, 'detail-result'),
    ...field('Error', error ? error.name + ': ' + error.message : summary.error, 'detail-error'),
    ...field('Stack', error && error.stack ? error.stack : undefined, 'detail-stack'),
    ...field('Workflow', record.rootId && record.rootId !== id ? 'root ' + record.rootId : undefined),
    ...field('Group', record.group),
    ...field('Updated', time(record.updatedAt || summary.updatedAt)),
  );
  $('timeline').replaceChildren(
    ...detail.timeline.map((entry) =>
      el('li', {
        text:
          time(entry.at) +
          ' ' +
          entry.type +
          (entry.worker ? ' on ' + entry.worker : '') +
          (entry.runtime !== undefined ? ' (' + entry.runtime + ' ms)' : '') +
          (entry.error ? ': ' + entry.error : ''),
      }),
    ),
  );
  $('revoke').disabled = READY.includes(state);
  $('retry').disabled = !RETRYABLE.includes(state) || !detail.args;
  $('retry').title = detail.args
    ? 'Send it again with the same arguments, as a new task'
    : 'Its arguments did not reach this dashboard';
}

function listen() {
  const query = token ? '?token=' + encodeURIComponent(token) : '';
  const source = new EventSource('api/events' + query);
  source.addEventListener('open', () => {
    $('live').textContent = 'live';
    $('live').classList.add('on');
  });
  source.addEventListener('error', () => {
    $('live').textContent = 'reconnecting…';
    $('live').classList.remove('on');
  });
  source.addEventListener('task', (message) => {
    const summary = JSON.parse(message.data);
    remember(summary);
    renderTasks();
    if (openTask === summary.id) loadDetail().catch(problem);
    queuesChanged();
  });
  source.addEventListener('queues', queuesChanged);
  source.addEventListener('worker', (message) => {
    const info = JSON.parse(message.data);
    workers.set(info.worker, info);
    renderWorkers();
    // Heartbeats also age the queues' rates of the last minute when no task event arrives.
    queuesChanged();
  });
}

$('filters').addEventListener('input', renderTasks);
$('filters').addEventListener('submit', (event) => event.preventDefault());
$('close-detail').addEventListener('click', () => {
  openTask = null;
  $('detail-section').hidden = true;
});
$('close-dead-letters').addEventListener('click', () => {
  openQueue = null;
  $('dead-letters-section').hidden = true;
});
$('replay-all').addEventListener('click', () => settleDeadLetters('replay').catch(problem));
$('revoke').addEventListener('click', async () => {
  try {
    await api('tasks/' + encodeURIComponent(openTask) + '/revoke', { method: 'POST' });
    await loadDetail();
  } catch (error) {
    problem(error);
  }
});

$('retry').addEventListener('click', async () => {
  try {
    const retried = await api('tasks/' + encodeURIComponent(openTask) + '/retry', { method: 'POST' });
    await openDetail(retried.id);
  } catch (error) {
    problem(error);
  }
});

async function start() {
  const overview = await api('overview');
  $('connection').textContent = overview.broker + ' · prefix ' + overview.prefix;
  listen();
  await Promise.all([loadWorkers(), loadQueues(), loadTasks(), loadWorkflows(), loadSchedules()]);
  document.body.dataset.ready = 'true';
}

start().catch(problem);
`;
