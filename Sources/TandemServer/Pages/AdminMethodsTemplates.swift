/// The Authentication methods pages' templates: the Microsoft Authenticator settings (Enable and
/// target, Configure) and the legacy MFA service settings.
enum AdminMethodsTemplates {
    static let all: [String: String] = ["policy": policy, "mfaSettings": mfaSettings, "protection": protection]

    static let policy = """
    <h1>Microsoft Authenticator settings</h1>
    <p class="meta">Authentication methods › Microsoft Authenticator · <a href="/admin/mfa-settings" id="legacy-link">Legacy MFA service settings</a></p>
    {{#saved}}<p class="status" role="status" id="saved">Your changes were saved.</p>{{/saved}}
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    <form method="post" action="/admin/authenticator" id="policy-form">
      <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="configure" value="1">
      <h2>Enable and target</h2>
      <p><label for="enabled"><input type="checkbox" name="enabled" id="enabled" value="on" {{#enabled}}checked{{/enabled}}> Enable</label></p>
      <fieldset>
        <legend>Include</legend>
        <p>
          <label for="target-all"><input type="radio" name="target" value="all" id="target-all" {{#allUsers}}checked{{/allUsers}}> All users</label>
          <label for="target-groups"><input type="radio" name="target" value="groups" id="target-groups" {{^allUsers}}checked{{/allUsers}}> Select groups</label>
        </p>
        <div class="table-wrap">
        <table class="targets">
          <thead><tr><th scope="col">Name</th><th scope="col">Included</th><th scope="col">Authentication mode</th><th scope="col">Registration</th></tr></thead>
          <tbody>
            <tr>
              <td>All users</td><td>(with "All users")</td>
              <td><label class="visually-hidden" for="mode-all_users">Authentication mode for all users</label>
                <select name="mode-all_users" id="mode-all_users">{{#allModes}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/allModes}}</select></td>
              <td><label for="required-all_users"><input type="checkbox" name="required-all_users" value="on" id="required-all_users" {{#allRequired}}checked{{/allRequired}}> Required</label></td>
            </tr>
            {{#groups}}
            <tr>
              <td>{{name}}</td>
              <td><label for="include-{{id}}"><input type="checkbox" name="include-{{id}}" value="on" id="include-{{id}}" {{#included}}checked{{/included}}> <span class="visually-hidden">Include {{name}}</span></label></td>
              <td><label class="visually-hidden" for="mode-{{id}}">Authentication mode for {{name}}</label>
                <select name="mode-{{id}}" id="mode-{{id}}">{{#modes}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/modes}}</select></td>
              <td><label for="required-{{id}}"><input type="checkbox" name="required-{{id}}" value="on" id="required-{{id}}" {{#required}}checked{{/required}}> Required</label></td>
            </tr>
            {{/groups}}
          </tbody>
        </table>
        </div>
      </fieldset>
      <fieldset>
        <legend>Exclude</legend>
        {{#groups}}<label for="exclude-{{id}}"><input type="checkbox" name="exclude-{{id}}" value="on" id="exclude-{{id}}" {{#excluded}}checked{{/excluded}}> {{name}}</label>{{/groups}}
        {{^groups}}<p class="meta">No groups yet.</p>{{/groups}}
        {{#excludedUsers.count}}<p class="meta">Users excluded through the Graph API or the command line (kept): {{#excludedUsers}}{{.}} {{/excludedUsers}}</p>{{/excludedUsers.count}}
      </fieldset>
      <h2>Configure</h2>
      <fieldset>
        <legend>Require number matching for push notifications</legend>
        <p id="number-matching">Enabled — number matching can't be turned off (as in Entra since May 2023).</p>
        <label for="digits">Digits of the number (2–8; 6 or more is the NIST SP 800-63B-4 mode)</label>
        <input type="number" name="tandemNumberDigits" id="digits" value="{{digits}}" min="2" max="8">
        <label for="presentation">How the phone asks for the number</label>
        <select name="tandemNumberPresentation" id="presentation">{{#presentations}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/presentations}}</select>
      </fieldset>
      {{#features}}
      <fieldset id="feature-{{key}}">
        <legend>{{label}}</legend>
        <label for="{{key}}-state">Status</label>
        <select name="{{key}}-state" id="{{key}}-state">{{#states}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/states}}</select>
        <label for="{{key}}-include">Target</label>
        <select name="{{key}}-include" id="{{key}}-include">{{#includes}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/includes}}</select>
        <label for="{{key}}-exclude">Exclude</label>
        <select name="{{key}}-exclude" id="{{key}}-exclude">{{#excludes}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/excludes}}</select>
      </fieldset>
      {{/features}}
      <fieldset>
        <legend>Verification codes</legend>
        <label for="oath"><input type="checkbox" name="isSoftwareOathEnabled" value="on" id="oath" {{#oath}}checked{{/oath}}> Allow verification codes (TOTP) from the app</label>
      </fieldset>
      <div class="actions"><button type="submit" id="save">Save</button></div>
    </form>
    """

    static let mfaSettings = """
    <h1>Multifactor authentication service settings</h1>
    <p class="meta"><a href="/admin/authenticator">Microsoft Authenticator settings</a> › legacy service settings (<code>/v1.0/policies/mfaServiceSettings</code>)</p>
    {{#saved}}<p class="status" role="status" id="saved">Your changes were saved.</p>{{/saved}}
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    <form method="post" action="/admin/mfa-settings" id="mfa-settings-form">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <fieldset><legend>Trusted IPs</legend>
        <label for="trusted">Skip multifactor authentication for requests from these IP address ranges (one CIDR a line)</label>
        <textarea name="trustedIPRanges" id="trusted" rows="4" cols="40">{{trusted}}</textarea>
      </fieldset>
      <fieldset><legend>Verification options</legend>
        <label for="notification"><input type="checkbox" name="notificationThroughMobileApp" value="on" id="notification" {{#notification}}checked{{/notification}}> Notification through mobile app</label>
        <label for="code"><input type="checkbox" name="verificationCodeFromMobileApp" value="on" id="code" {{#code}}checked{{/code}}> Verification code from mobile app or hardware token</label>
      </fieldset>
      <fieldset><legend>Remember multifactor authentication on trusted devices</legend>
        <label for="remember">Days before users must re-authenticate (0 = off, at most 365)</label>
        <input type="number" name="rememberMultiFactorDays" id="remember" value="{{remember}}" min="0" max="365">
      </fieldset>
      <div class="actions"><button type="submit" id="save">Save</button></div>
    </form>
    """

    static let protection = """
    <h1>Protection settings</h1>
    {{#saved}}<p class="status" role="status" id="saved">Your changes were saved.</p>{{/saved}}
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    <form method="post" action="/admin/protection/push" id="push-form">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <fieldset><legend>Push protection (<code>tandemPushProtection</code>)</legend>
        {{#pushFields}}<label for="{{id}}">{{label}}</label><input type="number" name="{{name}}" id="{{id}}" value="{{value}}">{{/pushFields}}
        <label for="suppress"><input type="checkbox" name="suppressUnfamiliarLocations" value="on" id="suppress" {{#suppress}}checked{{/suppress}}> Don't ring the phone for requests from an unfamiliar network and country</label>
      </fieldset>
      <div class="actions"><button type="submit" id="save-push">Save push protection</button></div>
    </form>
    <form method="post" action="/admin/protection/sign-in" id="sign-in-form">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <fieldset><legend>Sign-in protection (<code>tandemSignInProtection</code>)</legend>
        {{#signInFields}}<label for="{{id}}">{{label}}</label><input type="number" name="{{name}}" id="{{id}}" value="{{value}}">{{/signInFields}}
        <label for="first-method"><input type="checkbox" name="firstMethodWithPassword" value="on" id="first-method" {{#firstMethod}}checked{{/firstMethod}}> A user with no method may register the first one after the password alone</label>
      </fieldset>
      <div class="actions"><button type="submit" id="save-sign-in">Save sign-in protection</button></div>
    </form>
    """
}
