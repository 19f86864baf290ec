/// The security-info page (combined registration): the user's methods, the default sign-in
/// method, adding and deleting an authenticator. Every form carries the session's `csrf` token.
enum SecurityInfoPageTemplates {
    static let page = """
    <h1>Security info</h1>
    <p>These are the methods you use to sign in to your account.</p>
    {{#notice}}<p class="notice" role="status" id="notice">{{notice}}</p>{{/notice}}
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    {{#lockNotice}}<p class="notice" role="status" id="lock-notice">{{lockNotice}}</p>{{/lockNotice}}
    {{#needsStepUp}}
    <form method="post" action="/mysecurityinfo/verify" id="step-up-form">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <p class="notice" id="step-up">To add or remove a sign-in method, verify your identity with your Authenticator app first.</p>
      <button type="submit" id="verify" class="secondary">Verify my identity</button>
    </form>
    {{/needsStepUp}}
    {{#campaignContinue}}<p class="notice" id="campaign-done">When you've set it up, <a id="campaign-continue" href="{{campaignContinue}}">Continue to {{campaignApp}}</a></p>{{/campaignContinue}}
    {{#systemPreferred}}<p id="system-preferred">Default sign-in method: <strong id="system-preferred-method">{{systemPreferredLabel}}</strong>. Your organization asks for the most secure method you have first (system-preferred multifactor authentication).</p>{{/systemPreferred}}
    {{#hasDefaultChoices}}
    <form method="post" action="/mysecurityinfo/default-method" class="default-method" id="default-method-form">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label for="default-method">{{#systemPreferred}}Sign-in method when most advisable is unavailable{{/systemPreferred}}{{^systemPreferred}}Default sign-in method{{/systemPreferred}}</label>
      <select id="default-method" name="method">
        {{#defaultChoices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/defaultChoices}}
      </select>
      <button type="submit" id="save-default" class="secondary">Change</button>
    </form>
    {{/hasDefaultChoices}}
    {{^hasDefaultChoices}}<p id="no-default">Default sign-in method: add the Authenticator app to choose one.</p>{{/hasDefaultChoices}}
    <form method="post" action="/mysecurityinfo/authenticator">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <button type="submit" id="add-authenticator">Add sign-in method: Authenticator app</button>
    </form>
    {{^mayAddPasskey}}<p id="passkey-not-allowed">Your organization doesn't allow you to add a passkey.</p>{{/mayAddPasskey}}
    {{#mayAddPasskey}}{{^needsStepUp}}
    <div class="add-passkey" id="passkey-add">
      <label for="passkey-name">Passkey name (optional)</label>
      <input id="passkey-name" name="name" maxlength="64" autocomplete="off" placeholder="e.g. Work laptop">
      <button type="button" id="add-passkey">Add sign-in method: Passkey</button>
      <p id="passkey-status" role="status"></p>
    </div>
    <script type="module" src="/static/passkey-register.js" data-passkey-csrf="{{csrf}}"></script>
    {{/needsStepUp}}{{/mayAddPasskey}}
    <ul class="methods" id="methods">
      {{#hasPassword}}<li class="method" id="method-password"><span class="method-name">Password</span></li>{{/hasPassword}}
      {{#devices}}
      <li class="method device" id="device-{{index}}">
        <span class="method-name">Authenticator app{{#codes}} – notification and verification code{{/codes}}</span>
        <span class="device-name">{{name}}</span>
        <dl class="meta">
          <dt>Added</dt><dd>\(PageDate.section("added"))</dd>
          <dt>Last used</dt><dd>\(PageDate.section("lastUsed")){{^lastUsed}}never{{/lastUsed}}</dd>
          <dt>Phone sign-in</dt><dd>{{phoneSignIn}}</dd>
          {{#unconfirmed}}<dt>State</dt><dd>not confirmed yet</dd>{{/unconfirmed}}
        </dl>
        <form method="post" action="/mysecurityinfo/devices/{{id}}/delete">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <button type="submit" class="link danger" id="delete-{{index}}" aria-label="Delete {{name}}">Delete</button>
        </form>
      </li>
      {{/devices}}
      {{#passkeys}}
      <li class="method passkey" id="passkey-{{index}}">
        <span class="method-name">Passkey ({{kind}})</span>
        <span class="device-name">{{name}}</span>
        <dl class="meta">
          <dt>Added</dt><dd>\(PageDate.section("added"))</dd>
          <dt>Last used</dt><dd>\(PageDate.section("lastUsed")){{^lastUsed}}never{{/lastUsed}}</dd>
        </dl>
        <form method="post" action="/mysecurityinfo/passkeys/{{id}}/delete">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <button type="submit" class="link danger" id="delete-passkey-{{index}}" aria-label="Delete {{name}}">Delete</button>
        </form>
      </li>
      {{/passkeys}}
      {{#softwareOath}}
      <li class="method software-oath" id="software-oath-{{index}}">
        <span class="method-name">Authenticator app – verification code (another app)</span>
        <span class="device-name">Software OATH token</span>
        <dl class="meta">
          <dt>Added</dt><dd>\(PageDate.section("added"))</dd>
          <dt>Last used</dt><dd>\(PageDate.section("lastUsed")){{^lastUsed}}never{{/lastUsed}}</dd>
        </dl>
        <form method="post" action="/mysecurityinfo/software-oath/{{id}}/delete">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <button type="submit" class="link danger" id="delete-software-oath-{{index}}" aria-label="Delete the authenticator app">Delete</button>
        </form>
      </li>
      {{/softwareOath}}
      {{#passes}}<li class="method" id="method-tap"><span class="method-name">Temporary Access Pass</span> <span class="meta">until \(PageDate.section("until"))</span></li>{{/passes}}
    </ul>
    <p><a href="/" id="back">Back</a></p>
    \(PageDate.script)
    """

    /// The registration interrupt (decision 0013): the password was right, MFA is required, and
    /// there is no usable second factor. Only the first method can be set up here; nothing else.
    static let interrupt = """
    <p class="who" id="who">{{username}}</p>
    <h1 id="heading">More information required</h1>
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    <p>Your organization needs more information to keep your account secure: you can't continue until you set up a second way to sign in.</p>
    {{#mayRegister}}
    <form method="post" action="/mysecurityinfo/authenticator">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <button type="submit" id="add-authenticator">Set up the Authenticator app</button>
    </form>
    {{/mayRegister}}
    {{^mayRegister}}<p class="notice" id="no-registration">None of your sign-in methods can be used now and a new one can't be set up with the password alone. Ask your administrator for a Temporary Access Pass.</p>{{/mayRegister}}
    <p><a href="/login" id="different-account">Sign in with a different account</a></p>
    """
}
