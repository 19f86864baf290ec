/// The admin portal's frame, Overview, logs and read-mostly lists.
enum AdminPortalTemplates {
    static let all: [String: String] = [
        "layout": layout, "overview": overview, "signInLog": signInLog, "auditLog": auditLog, "riskyUsers": riskyUsers,
        "applications": applications, "namedLocations": namedLocations, "confirm": confirm,
    ]

    static let layout = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} – Tandem admin center</title>
    <link rel="stylesheet" href="/static/admin.css">
    </head>
    <body>
    <header class="topbar">
      <span class="brand">Tandem admin center</span>
      <span class="who" id="signed-in-as">{{admin}} · <span class="meta-roles">{{roles}}</span></span>
      <form method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="signout">Sign out</button></form>
    </header>
    <div class="portal">
    <nav class="side" aria-label="Admin center">
      <ul>
      {{#navigation}}<li><a href="{{path}}" id="{{id}}"{{#current}} aria-current="page"{{/current}}>{{label}}{{#viewOnly}} <span class="view-only">(view only)</span>{{/viewOnly}}</a></li>
      {{/navigation}}
      </ul>
    </nav>
    <main class="content" id="content">
    {{{content}}}
    </main>
    </div>
    <script type="module" src="/static/local-time.js"></script>
    </body>
    </html>
    """

    static let overview = """
    <h1>Overview</h1>
    <div class="tiles">
      <div class="tile"><span class="value" id="tile-users">{{users}}</span> users</div>
      <div class="tile"><span class="value" id="tile-unregistered">{{unregistered}}</span> without an authenticator ({{unregisteredPercent}})</div>
      <div class="tile"><span class="value" id="tile-blocks">{{blocks}}</span> active push blocks</div>
      <div class="tile"><span class="value" id="tile-signins">{{signIns24}}</span> sign-ins in the last 24 hours</div>
    </div>
    <div class="charts">
    {{#charts}}
    <figure class="chart" id="{{id}}-figure">
      <figcaption>{{title}}</figcaption>
      {{{svg}}}
      <table id="{{id}}-numbers"><thead><tr><th scope="col">{{column}}</th><th scope="col">Count</th><th scope="col">Share</th></tr></thead>
      <tbody>{{#rows}}<tr><td>{{label}}</td><td>{{value}}</td><td>{{share}}</td></tr>{{/rows}}</tbody></table>
    </figure>
    {{/charts}}
    </div>
    {{#blocked.count}}<h2>Active blocks</h2>{{/blocked.count}}
    {{#blocked}}<p><a href="/admin/users/{{id}}">{{name}}</a> <span class="meta">{{state}}</span></p>{{/blocked}}
    <h2>Registration progress</h2>
    <p id="registration">{{registered}} of {{users}} users have an active authenticator.{{#unregistered}} <a href="/admin/users?filter=unregistered">Show who has none</a>{{/unregistered}}</p>
    """

    static let signInLog = """
    <h1>Sign-in logs</h1>
    <form method="get" action="/admin/sign-ins" class="filters" id="sign-in-filters">
      <label for="user">User <input id="user" name="user" type="search" value="{{user}}"></label>
      <label for="app">Application <input id="app" name="app" type="search" value="{{app}}"></label>
      <label for="status">Status <select id="status" name="status">{{#statuses}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/statuses}}</select></label>
      <label for="method">Method <input id="method" name="method" type="search" value="{{method}}"></label>
      <label for="ip">IP address <input id="ip" name="ip" type="search" value="{{ip}}"></label>
      <label for="from">From (UTC) <input id="from" name="from" type="datetime-local" value="{{from}}"></label>
      <label for="to">To (UTC) <input id="to" name="to" type="datetime-local" value="{{to}}"></label>
      <button type="submit" id="filter">Filter</button>
      <a class="button secondary" id="export" href="/admin/sign-ins.csv?{{query}}">Download CSV</a>
    </form>
    {{#detail}}
    <section id="detail" aria-labelledby="detail-heading">
      <h2 id="detail-heading">Activity details</h2>
      <dl class="facts">
        <dt>Date</dt><dd><time datetime="{{iso}}">{{date}}</time></dd><dt>Request id</dt><dd>{{id}}</dd><dt>User</dt><dd>{{user}}</dd>
        <dt>Application</dt><dd id="detail-app">{{app}}</dd>
        <dt>IP address</dt><dd>{{ip}}</dd><dt>Location</dt><dd>{{location}}</dd>
        <dt>Status</dt><dd>{{status}}</dd><dt>Reason</dt><dd>{{reason}}</dd><dt>Policy</dt><dd>{{policy}}</dd>
      </dl>
      <h2>Authentication details</h2>
      <div class="table-wrap"><table id="detail-steps"><thead><tr><th scope="col">Date</th><th scope="col">Method</th><th scope="col">Succeeded</th><th scope="col">Result detail</th></tr></thead>
      <tbody>{{#steps}}<tr><td class="nowrap"><time datetime="{{iso}}">{{date}}</time></td><td>{{method}}</td><td>{{#succeeded}}Yes{{/succeeded}}{{^succeeded}}No{{/succeeded}}</td><td>{{detail}}</td></tr>{{/steps}}</tbody></table></div>
      {{#trails.count}}<h2>Push delivery</h2>{{/trails.count}}
      {{#trails}}<div class="table-wrap"><table class="trail"><thead><tr><th scope="col">Date</th><th scope="col">Event</th><th scope="col">Channel</th><th scope="col">Device</th><th scope="col">Detail</th></tr></thead>
      <tbody>{{#events}}<tr><td class="nowrap"><time datetime="{{iso}}">{{date}}</time></td><td>{{event}}</td><td>{{channel}}</td><td>{{device}}</td><td>{{detail}}</td></tr>{{/events}}</tbody></table></div>{{/trails}}
    </section>
    {{/detail}}
    <div class="table-wrap">
    <table class="log" id="sign-ins">
      <thead><tr><th scope="col">Date</th><th scope="col">User</th><th scope="col">Application</th><th scope="col">Status</th>
        <th scope="col">IP address</th><th scope="col">Location</th><th scope="col">Authentication details</th></tr></thead>
      <tbody>
      {{#records}}
      <tr>
        <td class="nowrap"><a href="/admin/sign-ins?{{query}}&amp;id={{id}}"><time datetime="{{iso}}">{{date}}</time></a></td><td>{{user}}</td><td>{{app}}</td>
        <td class="{{#success}}ok{{/success}}{{^success}}fail{{/success}}">{{status}}{{#reason}}<br><span class="meta">{{reason}}</span>{{/reason}}</td>
        <td>{{ip}}</td><td>{{location}}</td>
        <td>{{#steps}}{{method}}: {{detail}}<br>{{/steps}}{{#policy}}<span class="meta">{{policy}}</span>{{/policy}}</td>
      </tr>
      {{/records}}
      </tbody>
    </table>
    </div>
    {{^records}}<p>No sign-ins.</p>{{/records}}
    {{#more}}<p class="pager"><a href="/admin/sign-ins?{{query}}&amp;before={{more}}" id="next">Older sign-ins</a></p>{{/more}}
    """

    static let auditLog = """
    <h1>Audit logs</h1>
    <div class="table-wrap">
    <table id="audits"><thead><tr><th scope="col">Date</th><th scope="col">Category</th><th scope="col">Activity</th><th scope="col">Initiated by</th>
      <th scope="col">Target</th><th scope="col">Property</th><th scope="col">Old value</th><th scope="col">New value</th></tr></thead>
    <tbody>{{#entries}}<tr><td class="nowrap"><time datetime="{{iso}}">{{date}}</time></td><td>{{category}}</td><td>{{activity}}</td><td>{{by}}</td><td>{{target}}</td>
      <td>{{property}}</td><td>{{old}}</td><td>{{new}}</td></tr>{{/entries}}</tbody></table>
    </div>
    {{^entries}}<p>No audit entries.</p>{{/entries}}
    {{#more}}<p class="pager"><a href="/admin/audit-logs?before={{more}}" id="next">Older entries</a></p>{{/more}}
    """

    static let riskyUsers = """
    <h1>Risky users</h1>
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    {{#saved}}<p class="status" role="status" id="saved">{{saved}}</p>{{/saved}}
    <div class="table-wrap">
    <table id="risky"><thead><tr><th scope="col">User</th><th scope="col">Risk level</th><th scope="col">Risk state</th><th scope="col">Detail</th>
      <th scope="col">Push</th><th scope="col">Updated</th><th scope="col">Action</th></tr></thead>
    <tbody>{{#users}}<tr><td><a href="/admin/users/{{id}}">{{name}}</a></td><td>{{level}}</td><td>{{state}}</td><td>{{detail}}</td><td>{{push}}{{#blockedUntil}} {{/blockedUntil}}\(PageDate.section("blockedUntil"))</td><td class="nowrap">\(PageDate.section("updated"))</td>
      <td>{{#mayDismiss}}<form method="post" action="/admin/risky-users/{{id}}/dismiss" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" class="secondary" id="dismiss-{{id}}">Dismiss risk and unblock</button></form>{{/mayDismiss}}</td></tr>{{/users}}</tbody></table>
    </div>
    {{^users}}<p>No user is at risk or blocked.</p>{{/users}}
    """

    static let applications = """
    <h1>Applications</h1>
    <p class="meta">OpenID Connect applications registered with Tandem (also <code>tandem admin apps</code> and <code>/v1.0/applications</code>).</p>
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    {{#saved}}<p class="status" role="status" id="saved">{{saved}}</p>{{/saved}}
    {{#issued}}<div class="confirm" id="secret-issued"><p>Client secret for {{name}} (<code>{{clientId}}</code>) — shown only now, copy it:</p>
      <p class="secret" id="client-secret">{{secret}}</p></div>{{/issued}}
    <div class="table-wrap">
    <table id="applications"><thead><tr><th scope="col">Name</th><th scope="col">Application (client) id</th><th scope="col">Type</th><th scope="col">Redirect URIs</th><th scope="col">Secrets</th>{{#mayManage}}<th scope="col">Action</th>{{/mayManage}}</tr></thead>
    <tbody>{{#apps}}<tr><td>{{name}}</td><td><code>{{clientId}}</code></td><td>{{type}}</td><td>{{#redirects}}{{.}}<br>{{/redirects}}</td>
      <td>{{#secrets}}<span class="meta">{{hint}}… {{label}} until \(PageDate.section("expires"))</span>{{#mayManage}}
        <form method="post" action="/admin/applications/{{appId}}/secrets/{{keyId}}/remove" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" class="secondary" id="remove-secret-{{keyId}}">Remove</button></form>{{/mayManage}}<br>{{/secrets}}
        {{#takesSecret}}<form method="post" action="/admin/applications/{{id}}/secrets" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" class="secondary" id="add-secret-{{id}}">Add secret</button></form>{{/takesSecret}}</td>
      {{#mayManage}}<td><form method="post" action="/admin/applications/{{id}}/delete" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" class="secondary" id="delete-{{id}}">Delete</button></form></td>{{/mayManage}}</tr>{{/apps}}</tbody></table>
    </div>
    {{^apps}}<p>No applications.</p>{{/apps}}
    {{#mayManage}}
    <h2>Register an application</h2>
    <form method="post" action="/admin/applications" id="register-application">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label for="app-name">Display name</label><input type="text" name="displayName" id="app-name" required>
      <label for="app-redirects">Redirect URIs (one a line)</label><textarea name="redirectUris" id="app-redirects" rows="3" cols="40"></textarea>
      <fieldset><legend>Client type</legend>
      <label for="app-confidential"><input type="radio" name="clientType" value="confidential" id="app-confidential" checked> Confidential (has a client secret)</label>
      <label for="app-public"><input type="radio" name="clientType" value="public" id="app-public"> Public (PKCE, no secret)</label>
      </fieldset>
      <div class="actions"><button type="submit" id="register">Register</button></div>
    </form>
    {{/mayManage}}
    """

    static let namedLocations = """
    <h1>Named locations</h1>
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    {{#saved}}<p class="status" role="status" id="saved">{{saved}}</p>{{/saved}}
    <div class="table-wrap">
    <table id="named-locations"><thead><tr><th scope="col">Name</th><th scope="col">Trusted</th><th scope="col">IP ranges</th><th scope="col">Action</th></tr></thead>
    <tbody>{{#locations}}<tr><td>{{name}}</td><td>{{#trusted}}Yes{{/trusted}}{{^trusted}}No{{/trusted}}</td><td>{{ranges}}</td>
      <td>{{#mayManage}}<form method="post" action="/admin/named-locations/{{id}}/delete" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" class="secondary" id="delete-{{id}}">Delete</button></form>{{/mayManage}}</td></tr>{{/locations}}</tbody></table>
    </div>
    {{^locations}}<p>No named locations.</p>{{/locations}}
    {{#mayManage}}
    <h2>New IP ranges location</h2>
    <form method="post" action="/admin/named-locations" id="add-location">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label for="location-name">Name</label><input type="text" name="displayName" id="location-name" required>
      <label for="location-ranges">IP ranges (CIDR, one a line)</label><textarea name="ipRanges" id="location-ranges" rows="3" cols="40"></textarea>
      <label for="location-trusted"><input type="checkbox" name="isTrusted" value="on" id="location-trusted"> Mark as trusted location</label>
      <div class="actions"><button type="submit" id="add">Create</button></div>
    </form>
    {{/mayManage}}
    """

    /// The confirmation step of a destructive action: the same form again with `confirm=yes`.
    static let confirm = """
    <h1>{{heading}}</h1>
    <div class="confirm" role="alertdialog" aria-labelledby="confirm-text">
    <p id="confirm-text">{{message}}</p>
    <form method="post" action="{{action}}">
      <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="confirm" value="yes">
      {{#fields}}<input type="hidden" name="{{name}}" value="{{value}}">{{/fields}}
      <div class="actions"><button type="submit" class="danger" id="confirm">{{button}}</button> <a class="button secondary" href="{{back}}" id="cancel">Cancel</a></div>
    </form>
    </div>
    """
}
