'use strict';
// bulkfhir admin UI: hash routes #/jobs, #/jobs/<id>, #/clients, #/audit; talks to /admin/api.

const API = '/admin/api';
const main = document.getElementById('main');
let refreshTimer = null;

function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

function bytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
  return (n / 1048576).toFixed(1) + ' MiB';
}

function say(text) {
  const box = document.getElementById('message');
  box.textContent = text;
  setTimeout(() => { if (box.textContent === text) box.textContent = ''; }, 5000);
}

async function api(path, options = {}) {
  const headers = Object.assign({'Accept': 'application/json'}, options.headers || {});
  if (options.method && options.method !== 'GET') headers['X-Requested-With'] = 'bulkfhir-admin';
  const response = await fetch(API + path, Object.assign({}, options, {headers, credentials: 'same-origin'}));
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error((body && body.error) || ('HTTP ' + response.status));
  return body;
}

function progressBar(job) {
  return `<progress class="progress" max="100" value="${job.progress}" role="progressbar"
      aria-label="Progress of job ${esc(job.id)}" aria-valuemin="0" aria-valuemax="100"
      aria-valuenow="${job.progress}"></progress> <span class="pct">${job.progress}%</span>`;
}

// A job's client by its registered name; the bare id when it is not registered here (an
// external issuer's client, or one revoked since).
function clientLabel(job) {
  return job.clientName || job.client || '—';
}

function running(job) {
  return ['QUEUED', 'IN_PROGRESS', 'FINALIZE', 'ERRORED'].includes(job.state);
}

const filters = {state: '', client: '', group: '', page: 0};

async function showJobs() {
  const query = new URLSearchParams({state: filters.state, client: filters.client, group: filters.group,
    page: filters.page, size: 20});
  const data = await api('/jobs?' + query);
  main.innerHTML = `
    <h2>Export jobs</h2>
    <form class="filters" id="job-filters">
      <label>State<select name="state">
        ${['', 'QUEUED', 'IN_PROGRESS', 'FINALIZE', 'COMPLETED', 'FAILED', 'CANCELLED']
          .map(s => `<option value="${s}" ${s === filters.state ? 'selected' : ''}>${s || 'any'}</option>`).join('')}
      </select></label>
      <label>Client<input name="client" value="${esc(filters.client)}"></label>
      <label>Group<input name="group" value="${esc(filters.group)}"></label>
      <button type="submit">Filter</button>
    </form>
    <table id="jobs-table">
      <thead><tr><th>Job</th><th>Client</th><th>Level / Group</th><th>Types</th><th>State</th><th>Progress</th>
        <th>Created</th><th>Completed</th><th>Expires</th><th>Resources</th><th>Files</th><th>Errors</th></tr></thead>
      <tbody>${data.jobs.map(job => `
        <tr data-job="${esc(job.id)}">
          <td><a class="mono" href="#/jobs/${esc(job.id)}">${esc(job.id.substring(0, 8))}…</a></td>
          <td class="client" title="${esc(job.client ? 'Client id ' + job.client : '')}">${esc(clientLabel(job))}</td>
          <td>${esc(job.level)}${job.group ? ' / ' + esc(job.group) : ''}</td>
          <td>${esc(job.types.length > 4 ? job.types.slice(0, 4).join(', ') + ` +${job.types.length - 4}` : job.types.join(', '))}</td>
          <td><span class="state ${esc(job.state)}">${esc(job.state)}</span></td>
          <td>${progressBar(job)}</td>
          <td>${when(job.created)}</td><td>${when(job.completed)}</td><td>${when(job.expires)}</td>
          <td class="num">${job.resources}</td><td class="num">${job.files}</td><td class="num">${job.errors}</td>
        </tr>`).join('') || '<tr><td colspan="12">No export jobs.</td></tr>'}
      </tbody>
    </table>
    <div class="pager">
      <button class="secondary" id="prev" ${filters.page === 0 ? 'disabled' : ''}>Previous</button>
      <span>Page ${filters.page + 1} of ${Math.max(1, Math.ceil(data.total / data.size))} · ${data.total} jobs</span>
      <button class="secondary" id="next" ${(filters.page + 1) * data.size >= data.total ? 'disabled' : ''}>Next</button>
    </div>`;
  document.getElementById('job-filters').addEventListener('submit', event => {
    event.preventDefault();
    const form = new FormData(event.target);
    Object.assign(filters, {state: form.get('state'), client: form.get('client').trim(), group: form.get('group').trim(), page: 0});
    route();
  });
  document.getElementById('prev').addEventListener('click', () => { filters.page--; route(); });
  document.getElementById('next').addEventListener('click', () => { filters.page++; route(); });
  if (data.jobs.some(running)) refreshTimer = setTimeout(route, 1000);
}

async function showJob(id) {
  const job = await api('/jobs/' + encodeURIComponent(id));
  const p = job.parameters;
  main.innerHTML = `
    <p><a href="#/jobs">← All jobs</a></p>
    <h2>Job <span class="mono">${esc(job.id)}</span> <span class="state ${esc(job.state)}" id="job-state">${esc(job.state)}</span></h2>
    <p>${progressBar(job)}</p>
    <dl class="params">
      <dt>Client</dt><dd id="job-client">${esc(clientLabel(job))}${job.clientName
        ? ` <span class="mono" title="Client id">(${esc(job.client)})</span>` : ''}</dd>
      <dt>Level</dt><dd>${esc(job.level)}${job.group ? ' (Group ' + esc(job.group) + ')' : ''}</dd>
      <dt>Request</dt><dd class="mono">${esc(p.request)}</dd>
      <dt>Types</dt><dd>${typeList(job.types)}</dd>
      <dt>_since / _until</dt><dd>${when(p.since)} / ${when(p.until)}</dd>
      <dt>_typeFilter</dt><dd class="mono">${esc(p.typeFilters.join(' , ') || '—')}</dd>
      <dt>allowPartialManifests</dt><dd id="allow-partial-manifests">${p.allowPartialManifests ? 'true (manifest pages)' : 'false'}</dd>
      <dt>organizeOutputBy</dt><dd id="organize-output-by">${p.organizeOutputBy ? esc(p.organizeOutputBy) + ' (files of patient blocks)' : '—'}</dd>
      <dt>patient</dt><dd class="mono" id="job-patients">${esc((p.patients || []).map(id => 'Patient/' + id).join(' , ') || '—')}</dd>
      <dt>_elements</dt><dd class="mono" id="job-elements">${esc((p.elements || []).join(' , ') || '—')}</dd>
      <dt>Transaction time</dt><dd>${when(p.transactionTime)}</dd>
      <dt>Created / completed</dt><dd>${when(job.created)} / ${when(job.completed)}</dd>
      <dt>Expires</dt><dd>${when(job.expires)}</dd>
      <dt>Read through HAPI</dt><dd id="read-by-hapi">${job.readByHapi === undefined ? '—'
        : `${job.readByHapi} of ${job.resources} resources (stored form not spliceable: compressed, external or with a stored meta)`}</dd>
      ${job.errorMessage ? `<dt>Error</dt><dd class="error-list">${esc(job.errorMessage)}</dd>` : ''}
    </dl>
    ${running(job) || job.state === 'COMPLETED' ? `<p><button class="danger" id="cancel-job">${running(job) ? 'Cancel job' : 'Delete job and files'}</button></p>` : ''}
    <h2>Resources by type</h2>
    <table id="per-type"><thead><tr><th>Type</th><th>Resources</th><th>Files</th></tr></thead><tbody>
      ${Object.entries(job.perType || {}).map(([type, c]) =>
        `<tr><td>${esc(type)}</td><td class="num">${c.resources}</td><td class="num">${c.files}</td></tr>`).join('')
        || '<tr><td colspan="3">No files yet.</td></tr>'}
    </tbody></table>
    <h2>Files</h2>
    <table id="files"><thead><tr><th>Type</th><th>File</th><th>Resources</th><th>Size</th></tr></thead><tbody>
      ${(job.files || []).map(f => `<tr><td>${esc(f.type)}</td>
        <td><a class="mono file-link" href="${API}/jobs/${encodeURIComponent(job.id)}/files/${encodeURIComponent(f.name)}">${esc(f.name)}</a></td>
        <td class="num">${f.count}</td><td class="num">${bytes(f.bytes)}</td></tr>`).join('')
        || '<tr><td colspan="4">No files yet.</td></tr>'}
    </tbody></table>
    ${(job.deletedFiles || []).length ? `<h2>Deleted since _since</h2>
    <table id="deleted-files"><thead><tr><th>File</th><th>Deletions</th><th>Size</th></tr></thead><tbody>
      ${job.deletedFiles.map(f => `<tr>
        <td><a class="mono file-link" href="${API}/jobs/${encodeURIComponent(job.id)}/files/${encodeURIComponent(f.name)}">${esc(f.name)}</a></td>
        <td class="num">${f.count}</td><td class="num">${bytes(f.bytes)}</td></tr>`).join('')}
    </tbody></table>` : ''}
    <h2>Errors</h2>
    ${(job.errors || []).length ? `<ul class="error-list">${job.errors.flatMap(e => e.diagnostics).map(d => `<li>${esc(d)}</li>`).join('')}</ul>` : '<p>None.</p>'}
    <h2>Work chunks</h2>
    <table id="chunks"><thead><tr><th>Step</th><th>State</th><th>Chunks</th></tr></thead><tbody>
      ${job.workChunks.map(c => `<tr><td>${esc(c.step)}</td><td>${esc(c.state)}</td><td class="num">${c.count}</td></tr>`).join('')
        || '<tr><td colspan="3">—</td></tr>'}
    </tbody></table>`;
  const cancel = document.getElementById('cancel-job');
  if (cancel) {
    cancel.addEventListener('click', async () => {
      if (!confirm(running(job) ? 'Cancel this export job?' : 'Delete this job and its files?')) return;
      try {
        await api('/jobs/' + encodeURIComponent(job.id), {method: 'DELETE'});
        say('Job ' + job.id + ' cancelled');
        route();
      } catch (e) {
        say(e.message);
        if (e.message.startsWith('No job')) { main.innerHTML = `<p id="job-gone">Job ${esc(job.id)} was deleted. <a href="#/jobs">All jobs</a></p>`; }
      }
    });
  }
  if (running(job)) refreshTimer = setTimeout(route, 1000);
}

async function showClients() {
  let clients = [];
  let problem = '';
  try { clients = await api('/clients'); } catch (e) { problem = e.message; }
  main.innerHTML = `
    <h2>Registered applications</h2>
    ${problem ? `<p class="error-list">${esc(problem)}</p>` : ''}
    <table id="clients-table"><thead><tr><th>Client id</th><th>Name</th><th>Type</th><th>Keys</th><th>Scopes</th><th>State</th><th></th></tr></thead><tbody>
      ${clients.map(c => `<tr data-client="${esc(c.clientId)}"><td class="mono">${esc(c.clientId)}</td><td>${esc(c.name)}</td>
        <td>${esc(c.appType)}</td><td>${c.jwksUri ? esc(c.jwksUri) : 'inline JWKS'}</td><td class="mono">${esc(c.scopes)}</td>
        <td>${c.enabled ? 'enabled' : 'disabled'}</td>
        <td>${c.fromConfiguration ? 'from configuration' : `
          ${c.enabled ? `<button class="secondary" data-action="disable">Disable</button>` : `<button class="secondary" data-action="enable">Enable</button>`}
          <button class="danger" data-action="revoke">Revoke</button>`}</td></tr>`).join('')
        || '<tr><td colspan="7">No applications registered.</td></tr>'}
    </tbody></table>
    <h2>Register an application</h2>
    <form class="card" id="register-client">
      <label>Name<input name="name" required></label>
      <label>Client id (optional)<input name="clientId" pattern="[A-Za-z0-9._:-]{1,128}"></label>
      <label>Application type<select name="appType">
        <option value="system">System (Backend Services, may export)</option>
        <option value="patient">Patient</option><option value="user">User</option></select></label>
      <label>JWKS URL<input name="jwksUri" type="url" placeholder="https://app.example.org/jwks.json"></label>
      <label>…or paste a JWK Set<textarea name="jwks" placeholder='{"keys":[...]}'></textarea></label>
      <label>Scopes<input name="scopes" value="system/*.read" required></label>
      <div><button type="submit">Register</button></div>
    </form>`;
  document.getElementById('register-client').addEventListener('submit', async event => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = {name: form.get('name'), appType: form.get('appType'), scopes: form.get('scopes')};
    if (form.get('clientId')) body.clientId = form.get('clientId');
    if (form.get('jwksUri')) body.jwksUri = form.get('jwksUri');
    if (form.get('jwks').trim()) {
      try { body.jwks = JSON.parse(form.get('jwks')); } catch (e) { say('The JWK Set is not valid JSON'); return; }
    }
    try {
      const created = await api('/clients', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
      say('Registered ' + created.clientId);
      route();
    } catch (e) { say(e.message); }
  });
  main.querySelectorAll('button[data-action]').forEach(button => button.addEventListener('click', async () => {
    const id = button.closest('tr').dataset.client;
    const action = button.dataset.action;
    if (action === 'revoke' && !confirm('Revoke ' + id + '? Its tokens stop working at once.')) return;
    try {
      if (action === 'revoke') await api('/clients/' + encodeURIComponent(id), {method: 'DELETE'});
      else await api('/clients/' + encodeURIComponent(id) + '/' + action, {method: 'POST'});
      say(id + ': ' + action + 'd');
      route();
    } catch (e) { say(e.message); }
  }));
}

const auditFilters = {client: '', job: '', action: '', from: '', to: '', page: 0};
const AUDIT_ACTIONS = ['export.kickoff', 'export.status', 'export.download', 'export.delete', 'export.purge',
  'token.issue', 'token.refuse', 'admin.login', 'admin.job.cancel', 'admin.job.delete', 'admin.job.download',
  'admin.client.register', 'admin.client.disable', 'admin.client.enable', 'admin.client.revoke', 'admin.audit.export'];

// datetime-local values are local times; the API takes ISO-8601 instants.
function instant(local) {
  return local ? new Date(local).toISOString() : '';
}

function auditQuery() {
  return new URLSearchParams({client: auditFilters.client, job: auditFilters.job, action: auditFilters.action,
    from: instant(auditFilters.from), to: instant(auditFilters.to)});
}

async function showAudit() {
  const query = auditQuery();
  const data = await api('/audit?' + query + '&' + new URLSearchParams({page: auditFilters.page, size: 50}));
  main.innerHTML = `
    <h2>Audit trail</h2>
    <form class="filters" id="audit-filters">
      <label>Client<input name="client" value="${esc(auditFilters.client)}"></label>
      <label>Job<input name="job" value="${esc(auditFilters.job)}"></label>
      <label>Action<select name="action">
        ${['', ...AUDIT_ACTIONS].map(a => `<option value="${a}" ${a === auditFilters.action ? 'selected' : ''}>${a || 'any'}</option>`).join('')}
      </select></label>
      <label>From<input type="datetime-local" step="1" name="from" value="${esc(auditFilters.from)}"></label>
      <label>To<input type="datetime-local" step="1" name="to" value="${esc(auditFilters.to)}"></label>
      <button type="submit">Filter</button>
      <a id="audit-export" href="${API}/audit/export?${query}">Export as NDJSON</a>
    </form>
    <table id="audit-table">
      <thead><tr><th>When</th><th>Action</th><th>Who</th><th>Client</th><th>From</th><th>Job</th><th>Group / patients</th>
        <th>File</th><th>Outcome</th><th>Details</th></tr></thead>
      <tbody>${data.records.map(r => `
        <tr data-audit="${esc(r.id)}" data-action="${esc(r.action)}">
          <td>${when(r.at)}</td>
          <td class="mono">${esc(r.action)}</td>
          <td>${esc(r.actor || '—')}${r.actorType && r.actorType !== 'client' ? ` <small>(${esc(r.actorType)})</small>` : ''}</td>
          <td class="mono">${esc(r.client || '—')}</td>
          <td class="mono">${esc(r.address || '—')}${r.forwardedFor ? ` <small>(fwd ${esc(r.forwardedFor)})</small>` : ''}</td>
          <td>${r.job ? `<a class="mono" href="#/audit" data-job-filter="${esc(r.job)}">${esc(r.job.substring(0, 8))}…</a>` : '—'}</td>
          <td>${esc(r.group || '—')}${r.patients !== null ? ' / ' + r.patients : ''}</td>
          <td class="mono">${esc(r.file || '—')}</td>
          <td><span class="outcome ${esc(r.outcome)}">${esc(r.status ?? '')} ${esc(r.outcome)}</span>${r.reason ? `<br><small>${esc(r.reason)}</small>` : ''}</td>
          <td>${Object.keys(r.detail || {}).length
            ? `<details><summary>parameters</summary><pre class="mono">${esc(JSON.stringify(r.detail, null, 1))}</pre></details>` : ''}</td>
        </tr>`).join('') || '<tr><td colspan="10">No audit entries match.</td></tr>'}
      </tbody>
    </table>
    <div class="pager">
      <button class="secondary" id="prev" ${auditFilters.page === 0 ? 'disabled' : ''}>Previous</button>
      <span id="audit-count">Page ${auditFilters.page + 1} of ${Math.max(1, Math.ceil(data.total / data.size))} · ${data.total} entries</span>
      <button class="secondary" id="next" ${(auditFilters.page + 1) * data.size >= data.total ? 'disabled' : ''}>Next</button>
    </div>`;
  document.getElementById('audit-filters').addEventListener('submit', event => {
    event.preventDefault();
    const form = new FormData(event.target);
    Object.assign(auditFilters, {client: form.get('client').trim(), job: form.get('job').trim(), action: form.get('action'),
      from: form.get('from'), to: form.get('to'), page: 0});
    route();
  });
  main.querySelectorAll('a[data-job-filter]').forEach(link => link.addEventListener('click', event => {
    event.preventDefault();
    Object.assign(auditFilters, {job: link.dataset.jobFilter, page: 0});
    route();
  }));
  document.getElementById('prev').addEventListener('click', () => { auditFilters.page--; route(); });
  document.getElementById('next').addEventListener('click', () => { auditFilters.page++; route(); });
}

function typeList(types) {
  if (types.length <= 12) return esc(types.join(', '));
  return `<details><summary>${types.length} types</summary>${esc(types.join(', '))}</details>`;
}

async function route() {
  clearTimeout(refreshTimer);
  const hash = location.hash || '#/jobs';
  document.getElementById('nav-jobs').toggleAttribute('aria-current', hash.startsWith('#/jobs'));
  document.getElementById('nav-clients').toggleAttribute('aria-current', hash.startsWith('#/clients'));
  document.getElementById('nav-audit').toggleAttribute('aria-current', hash.startsWith('#/audit'));
  if (hash.startsWith('#/audit')) document.getElementById('nav-audit').setAttribute('aria-current', 'page');
  if (hash.startsWith('#/jobs')) document.getElementById('nav-jobs').setAttribute('aria-current', 'page');
  if (hash.startsWith('#/clients')) document.getElementById('nav-clients').setAttribute('aria-current', 'page');
  try {
    if (hash.startsWith('#/jobs/')) await showJob(decodeURIComponent(hash.substring(7)));
    else if (hash.startsWith('#/clients')) await showClients();
    else if (hash.startsWith('#/audit')) await showAudit();
    else await showJobs();
  } catch (e) {
    main.innerHTML = e.message.startsWith('No job')
      ? `<p id="job-gone">${esc(e.message)}: it was deleted or has expired. <a href="#/jobs">All jobs</a></p>`
      : `<p class="error-list" id="load-error">${esc(e.message)}</p>`;
  }
}

window.addEventListener('hashchange', route);
route();
