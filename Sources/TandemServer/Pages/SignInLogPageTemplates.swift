/// The administrators' sign-in log page.
enum SignInLogPageTemplates {
    static let page = """
    <h1>Sign-in logs</h1>
    <form method="get" action="/admin/sign-ins">
      <label for="user">User principal name</label>
      <input id="user" name="user" type="text" value="{{user}}">
      <button type="submit" id="filter">Filter</button>
    </form>
    <table class="log" id="sign-ins">
      <thead><tr><th scope="col">Date</th><th scope="col">User</th><th scope="col">Application</th><th scope="col">IP address</th>
        <th scope="col">Location</th><th scope="col">Status</th><th scope="col">Authentication details</th></tr></thead>
      <tbody>
      {{#records}}
      <tr>
        <td>{{date}}</td><td>{{user}}</td><td>{{app}}</td><td>{{ip}}</td><td>{{location}}</td>
        <td class="{{#success}}ok{{/success}}{{^success}}fail{{/success}}">{{status}}{{#reason}}<br><span class="meta">{{reason}}</span>{{/reason}}</td>
        <td>{{#steps}}{{method}}: {{detail}}<br>{{/steps}}{{#policy}}<span class="meta">{{policy}}</span>{{/policy}}</td>
      </tr>
      {{/records}}
      </tbody>
    </table>
    {{^records}}<p>No sign-ins.</p>{{/records}}
    <p><a href="/admin/authenticator">Authenticator policy</a> · <a href="/">Back</a></p>
    """
}
