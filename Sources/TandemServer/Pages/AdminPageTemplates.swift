/// The admin pages' templates.
enum AdminPageTemplates {
    static let policy = """
    <h1>Microsoft Authenticator settings</h1>
    <p class="meta">Authentication methods policy · signed in as {{admin}}</p>
    {{#saved}}<p class="status" role="status" id="saved">Your changes were saved.</p>{{/saved}}
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    <form method="post" action="/admin/authenticator" id="policy-form">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <p><label><input type="checkbox" name="enabled" id="enabled" value="on" {{#enabled}}checked{{/enabled}}> Enable</label></p>
      <fieldset>
        <legend>Include</legend>
        <p>
          <label><input type="radio" name="target" value="all" id="target-all" {{#allUsers}}checked{{/allUsers}}> All users</label>
          <label><input type="radio" name="target" value="groups" id="target-groups" {{^allUsers}}checked{{/allUsers}}> Select groups</label>
        </p>
        <table class="targets">
          <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Included</th><th scope="col">Authentication mode</th></tr></thead>
          <tbody>
            <tr>
              <td>All users</td><td>Group</td><td>(with "All users")</td>
              <td><label class="visually-hidden" for="mode-all_users">Authentication mode for all users</label>
                <select name="mode-all_users" id="mode-all_users">{{#allModes}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/allModes}}</select></td>
            </tr>
            {{#groups}}
            <tr>
              <td>{{name}}</td><td>Group</td>
              <td><label><input type="checkbox" name="include-{{id}}" value="on" {{#included}}checked{{/included}}> <span class="visually-hidden">Include {{name}}</span></label></td>
              <td><label class="visually-hidden" for="mode-{{id}}">Authentication mode for {{name}}</label>
                <select name="mode-{{id}}" id="mode-{{id}}">{{#modes}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/modes}}</select></td>
            </tr>
            {{/groups}}
          </tbody>
        </table>
      </fieldset>
      <fieldset>
        <legend>Exclude</legend>
        {{#groups}}<label><input type="checkbox" name="exclude-{{id}}" value="on" {{#excluded}}checked{{/excluded}}> {{name}}</label><br>{{/groups}}
        {{^groups}}<p class="meta">No groups yet.</p>{{/groups}}
      </fieldset>
      <button type="submit" id="save">Save</button>
    </form>
    <p><a href="/">Back</a></p>
    """
}
