/// The Users and Groups pages' templates.
enum AdminDirectoryTemplates {
    static let all: [String: String] = ["users": users, "user": user, "groups": groups, "group": group]

    static let users = """
    <h1>Users</h1>
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    <form method="get" action="/admin/users" class="filters" role="search">
      <label for="q">Search <input type="search" name="q" id="q" value="{{q}}" placeholder="Name or user principal name"></label>
      <label for="only-unregistered"><span><input type="checkbox" name="filter" value="unregistered" id="only-unregistered" {{#unregisteredOnly}}checked{{/unregisteredOnly}}> Without an authenticator</span></label>
      <button type="submit" id="search">Search</button>
    </form>
    <p class="meta" id="user-count">{{total}} users{{#q}} matching “{{q}}”{{/q}}</p>
    <div class="table-wrap">
    <table id="users"><thead><tr><th scope="col">Display name</th><th scope="col">User principal name</th><th scope="col">Account</th>
      <th scope="col">Authenticator</th><th scope="col">Per-user MFA</th></tr></thead>
    <tbody>{{#users}}<tr><td><a href="/admin/users/{{id}}">{{name}}</a></td><td>{{upn}}</td><td>{{#enabled}}Enabled{{/enabled}}{{^enabled}}<span class="fail">Disabled</span>{{/enabled}}</td>
      <td>{{#registered}}Registered{{/registered}}{{^registered}}<span class="fail">None</span>{{/registered}}</td><td>{{mfa}}</td></tr>{{/users}}</tbody></table>
    </div>
    <p class="pager">{{#previous}}<a href="/admin/users?{{previous}}" id="previous">Previous</a>{{/previous}} <span>Page {{pageNumber}} of {{pages}}</span>
      {{#next}}<a href="/admin/users?{{next}}" id="next">Next</a>{{/next}}</p>
    {{#mayCreate}}
    <h2>New user</h2>
    <form method="post" action="/admin/users" id="create-user">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label for="new-upn">User principal name</label><input type="text" name="userPrincipalName" id="new-upn" required autocomplete="off">
      <label for="new-name">Display name</label><input type="text" name="displayName" id="new-name">
      <label for="new-password">Password (optional: without one, issue a Temporary Access Pass)</label><input type="password" name="password" id="new-password" autocomplete="new-password">
      <div class="actions"><button type="submit" id="create">Create</button></div>
    </form>
    {{/mayCreate}}
    """

    static let user = """
    <p><a href="/admin/users">Users</a> ›</p>
    <h1 id="user-name">{{name}}</h1>
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    {{#saved}}<p class="status" role="status" id="saved">{{saved}}</p>{{/saved}}
    {{#pass}}<div class="confirm" id="tap-issued"><p>Temporary Access Pass for {{upn}} — shown only now, copy it:</p>
      <p class="secret" id="tap-code">{{code}}</p><p class="meta">Works from \(PageDate.section("start")) for {{minutes}} minutes{{#once}}, for one sign-in{{/once}}.</p></div>{{/pass}}
    <dl class="facts" id="user-facts">
      <dt>User principal name</dt><dd>{{upn}}</dd><dt>Object id</dt><dd>{{id}}</dd>
      <dt>Account</dt><dd id="account-state">{{#enabled}}Enabled{{/enabled}}{{^enabled}}Disabled{{/enabled}}</dd>
      <dt>Created</dt><dd>\(PageDate.section("created"))</dd><dt>Per-user MFA</dt><dd id="mfa-state">{{mfa}}</dd>
      <dt>Default method</dt><dd>{{preferred}}</dd><dt>Push</dt><dd>{{push}}</dd>
    </dl>
    <div class="actions">
    {{#mayManageAccount}}<form method="post" action="/admin/users/{{id}}/{{#enabled}}disable{{/enabled}}{{^enabled}}enable{{/enabled}}" class="inline">
      <input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="secondary" id="toggle-account">{{#enabled}}Disable account{{/enabled}}{{^enabled}}Enable account{{/enabled}}</button></form>{{/mayManageAccount}}
    {{#mayManageMethods}}<form method="post" action="/admin/users/{{id}}/revoke-sessions" class="inline">
      <input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="secondary" id="revoke-sessions">Revoke sessions</button></form>{{/mayManageMethods}}
    </div>
    <h2>Groups</h2>
    {{#groups}}<a href="/admin/groups/{{id}}">{{name}}</a><br>{{/groups}}{{^groups}}<p class="meta">Not a member of any group.</p>{{/groups}}
    <h2>Roles</h2>
    {{#roles}}{{.}}<br>{{/roles}}{{^roles}}<p class="meta" id="no-roles">No admin role.</p>{{/roles}}
    <h2>Authentication methods</h2>
    <div class="table-wrap"><table id="methods"><thead><tr><th scope="col">Method</th><th scope="col">Name</th><th scope="col">Detail</th><th scope="col">Registered</th><th scope="col">Last used</th></tr></thead>
    <tbody>{{#methods}}<tr><td>{{kind}}</td><td>{{name}}</td><td>{{detail}}</td><td class="nowrap">\(PageDate.section("created"))</td><td class="nowrap">\(PageDate.section("lastUsed")){{^lastUsed}}{{never}}{{/lastUsed}}</td></tr>{{/methods}}</tbody></table></div>
    {{#methodsHidden}}<p class="meta" id="methods-hidden">Only a Global Administrator or a Privileged Authentication Administrator can see the methods of a user who holds an admin role.</p>{{/methodsHidden}}
    {{^methodsHidden}}{{^methods}}<p class="meta" id="no-methods">No authentication method registered.</p>{{/methods}}{{/methodsHidden}}
    {{#mayManageMethods}}
    <h2>Temporary Access Pass</h2>
    <form method="post" action="/admin/users/{{id}}/temporary-access-pass" id="tap-form">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label for="tap-minutes">Lifetime in minutes (10 to 43 200)</label><input type="number" name="lifetimeInMinutes" id="tap-minutes" value="60" min="10" max="43200">
      <label for="tap-once"><input type="checkbox" name="isUsableOnce" value="on" id="tap-once"> One-time use</label>
      <div class="actions"><button type="submit" id="issue-tap">Issue a Temporary Access Pass</button></div>
    </form>
    {{/mayManageMethods}}
    <h2>Recent sign-ins</h2>
    <div class="table-wrap"><table id="recent-sign-ins"><thead><tr><th scope="col">Date</th><th scope="col">Application</th><th scope="col">Status</th><th scope="col">IP address</th></tr></thead>
    <tbody>{{#signIns}}<tr><td class="nowrap"><a href="/admin/sign-ins?id={{id}}"><time datetime="{{iso}}">{{date}}</time></a></td><td>{{app}}</td><td class="{{#success}}ok{{/success}}{{^success}}fail{{/success}}">{{status}}</td><td>{{ip}}</td></tr>{{/signIns}}</tbody></table></div>
    {{^signIns}}<p class="meta">No sign-ins.</p>{{/signIns}}
    """

    static let groups = """
    <h1>Groups</h1>
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    <div class="table-wrap">
    <table id="groups"><thead><tr><th scope="col">Name</th><th scope="col">Description</th><th scope="col">Members</th></tr></thead>
    <tbody>{{#groups}}<tr><td><a href="/admin/groups/{{id}}">{{name}}</a></td><td>{{description}}</td><td>{{members}}</td></tr>{{/groups}}</tbody></table>
    </div>
    {{^groups}}<p>No groups.</p>{{/groups}}
    {{#mayCreate}}
    <h2>New group</h2>
    <form method="post" action="/admin/groups" id="create-group">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label for="group-name">Name</label><input type="text" name="displayName" id="group-name" required>
      <label for="group-description">Description</label><input type="text" name="description" id="group-description">
      <div class="actions"><button type="submit" id="create">Create</button></div>
    </form>
    {{/mayCreate}}
    """

    static let group = """
    <p><a href="/admin/groups">Groups</a> ›</p>
    <h1 id="group-name">{{name}}</h1>
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    {{#saved}}<p class="status" role="status" id="saved">{{saved}}</p>{{/saved}}
    <p class="meta">{{description}}</p>
    <h2>Members</h2>
    <div class="table-wrap"><table id="members"><thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Action</th></tr></thead>
    <tbody>{{#members}}<tr><td><a href="{{link}}">{{name}}</a></td><td>{{type}}</td>
      <td>{{#mayManage}}<form method="post" action="/admin/groups/{{groupId}}/members/{{id}}/remove" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit" class="secondary" id="remove-{{id}}">Remove</button></form>{{/mayManage}}</td></tr>{{/members}}</tbody></table></div>
    {{^members}}<p class="meta" id="no-members">No members.</p>{{/members}}
    {{#mayManage}}
    <form method="post" action="/admin/groups/{{id}}/members" id="add-member">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label for="member">Add a member: user principal name, group name or object id</label><input type="text" name="member" id="member" required>
      <div class="actions"><button type="submit" id="add">Add</button></div>
    </form>
    {{/mayManage}}
    <h2>Used by</h2>
    {{#usedBy}}<p>{{.}}</p>{{/usedBy}}{{^usedBy}}<p class="meta" id="not-used">No policy targets this group.</p>{{/usedBy}}
    """
}
