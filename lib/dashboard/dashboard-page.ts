/** Escapes text for an HTML attribute or text node. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The dashboard's page: plain HTML whose tables the script fills from the JSON API and keeps
 * current from the event stream. `base` is the URL the page was reached at (ending in `/`), so
 * its assets and API resolve under whatever prefix the application mounts it.
 */
export function dashboardPage(base: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Celeriac</title>
<base href="${escapeHtml(base)}">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/dashboard.css">
</head>
<body>
<header>
  <h1>Celeriac</h1>
  <span id="connection" data-testid="connection"></span>
  <span id="live" class="live" data-testid="live">connecting…</span>
</header>
<p id="problem" class="problem" data-testid="problem" hidden></p>
<main>
  <section>
    <h2>Workers</h2>
    <table data-testid="workers">
      <thead><tr><th>Worker</th><th>State</th><th>Last heartbeat</th><th>Queues</th><th>Active</th><th>Processed</th><th>Load</th></tr></thead>
      <tbody id="workers"></tbody>
    </table>
  </section>
  <section>
    <h2>Queues</h2>
    <table data-testid="queues">
      <thead><tr><th>Queue</th><th>Ready</th><th>Delayed</th><th>In flight</th><th>Dead letters</th><th>Consumers</th><th>Succeeded /min</th><th>Failed /min</th><th></th></tr></thead>
      <tbody id="queues"></tbody>
    </table>
  </section>
  <section id="dead-letters-section" data-testid="dead-letters-section" hidden>
    <h2>Dead letters of <span id="dead-letters-queue"></span></h2>
    <p><button id="replay-all" data-testid="replay-all">Replay all</button> <button id="close-dead-letters">Close</button></p>
    <table data-testid="dead-letters">
      <thead><tr><th>Message</th><th>Task</th><th>Arguments</th><th>Reason</th><th>Dead-lettered</th><th></th></tr></thead>
      <tbody id="dead-letters"></tbody>
    </table>
  </section>
  <section id="workflows-section" data-testid="workflows-section" hidden>
    <h2>Workflows</h2>
    <table data-testid="workflows">
      <thead><tr><th>Group</th><th>Kind</th><th>Progress</th><th>States</th><th>Updated</th></tr></thead>
      <tbody id="workflows"></tbody>
    </table>
  </section>
  <section id="schedules-section" data-testid="schedules-section" hidden>
    <h2>Periodic schedules</h2>
    <table data-testid="schedules">
      <thead><tr><th>Schedule</th><th>Task</th><th>Cadence</th><th>Last fired</th><th>Last state</th><th>Next</th></tr></thead>
      <tbody id="schedules"></tbody>
    </table>
  </section>
  <section>
    <h2>Recent tasks</h2>
    <form id="filters" class="filters">
      <label>State <select name="state" data-testid="filter-state">
        <option value="">any</option><option>PENDING</option><option>RECEIVED</option><option>STARTED</option>
        <option>RETRY</option><option>SUCCESS</option><option>FAILURE</option><option>REVOKED</option>
      </select></label>
      <label>Task <input name="task" placeholder="Class.method" data-testid="filter-task"></label>
      <label>Queue <input name="queue" placeholder="queue" data-testid="filter-queue"></label>
    </form>
    <table data-testid="tasks">
      <thead><tr><th>Id</th><th>Task</th><th>Queue</th><th>State</th><th>Retries</th><th>Run time</th><th>Updated</th></tr></thead>
      <tbody id="tasks"></tbody>
    </table>
  </section>
  <section id="detail-section" data-testid="detail" hidden>
    <h2>Task <code id="detail-id"></code></h2>
    <p><button id="revoke" data-testid="revoke">Revoke</button> <button id="retry" data-testid="retry" title="Send it again with the same arguments, as a new task">Retry</button> <button id="close-detail">Close</button></p>
    <dl id="detail-fields"></dl>
    <h3>Timeline</h3>
    <ol id="timeline" data-testid="timeline"></ol>
  </section>
</main>
<script type="module" src="assets/dashboard.js"></script>
</body>
</html>
`;
}
