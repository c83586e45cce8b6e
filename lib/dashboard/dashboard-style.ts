/** The dashboard's style sheet, served beside the page (no CDN: nothing is fetched from elsewhere). */
export const DASHBOARD_STYLE = `
:root { font-family: system-ui, sans-serif; color: #1d2327; background: #f6f7f7; }
body { margin: 0; }
header { display: flex; gap: 1rem; align-items: baseline; padding: .75rem 1.25rem; background: #2c3338; color: #fff; }
header h1 { margin: 0; font-size: 1.25rem; }
#connection { opacity: .8; font-size: .85rem; }
.live { margin-left: auto; font-size: .85rem; }
.live.on::before { content: '● '; color: #5ec269; }
main { padding: 0 1.25rem 2rem; }
section { background: #fff; border: 1px solid #dcdcde; border-radius: 6px; margin: 1rem 0; padding: .5rem 1rem 1rem; }
h2 { font-size: 1.05rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eee; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr[data-task-id] { cursor: pointer; }
tbody tr[data-task-id]:hover { background: #f0f6fc; }
.state { padding: .1rem .4rem; border-radius: 3px; font-size: .8rem; font-weight: 600; background: #ddd; }
.state-success { background: #d7f0db; color: #1e5e2a; }
.state-failure { background: #fbdcdc; color: #8a1f1f; }
.state-started, .state-received { background: #dbe8fb; color: #1f3f8a; }
.state-retry { background: #fbeccf; color: #7a4b00; }
.state-online { background: #d7f0db; color: #1e5e2a; }
.state-lost { background: #fbdcdc; color: #8a1f1f; }
.state-revoked, .state-offline { background: #e4e4e4; color: #444; }
.filters { display: flex; gap: 1rem; margin-bottom: .5rem; font-size: .9rem; }
.problem { margin: 1rem 1.25rem; padding: .5rem 1rem; background: #fbdcdc; color: #8a1f1f; border-radius: 4px; }
pre { white-space: pre-wrap; margin: 0; font-size: .8rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
code { font-size: .85rem; }
`;
