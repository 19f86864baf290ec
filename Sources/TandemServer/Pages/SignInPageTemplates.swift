/// The sign-in pages (swift-mustache): username, password (or Temporary Access Pass) with the
/// other ways to sign in, the number and the outcome of the request, the verification code.
/// Every form carries the `csrf` token; every field has a label.
enum SignInPageTemplates {
    /// "to continue to Payroll" under each page's heading when the sign-in is for a registered OIDC
    /// client (decision 0032); `{{continueTo}}` is escaped like every value.
    static let continueTo = """
    {{#continueTo}}<p class="continue-to" id="continue-to">to continue to {{continueTo}}</p>{{/continueTo}}
    """

    static let login = """
    <h1>Sign in</h1>
    \(continueTo)
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    <form method="post" action="/login">
      <input type="hidden" name="csrf" value="{{csrf}}">
      {{#returnTo}}<input type="hidden" name="return_to" value="{{returnTo}}">{{/returnTo}}
      <label for="username">Email, phone or user name</label>
      <input id="username" name="username" type="text" autocomplete="username webauthn" autocapitalize="none" spellcheck="false" autofocus required value="{{username}}"{{#error}} aria-invalid="true" aria-describedby="error"{{/error}}>
      <button type="submit" id="next">Next</button>
    </form>
    <div class="passkey-sign-in" id="passkey-sign-in">
      <button type="button" class="secondary" id="sign-in-passkey">Sign in with a passkey</button>
      <p class="status" id="passkey-status" role="status"></p>
    </div>
    <script type="module" src="/static/passkey-sign-in.js" data-passkey-csrf="{{csrf}}" data-return-to="{{returnTo}}"></script>
    """

    /// The same page for every name — unknown, known, with a Temporary Access Pass — apart from
    /// the name itself and the note about a request waiting elsewhere (decision 0013).
    static let password = """
    <p class="who" id="who">{{username}}</p>
    <h1 id="heading">{{#offerPassword}}Enter password{{/offerPassword}}{{^offerPassword}}Sign in with a passkey{{/offerPassword}}</h1>
    \(continueTo)
    {{#strengthNotice}}<p class="notice" role="status" id="strength-notice">{{strengthNotice}}</p>{{/strengthNotice}}
    {{#waitingElsewhere}}<p class="notice" role="status" id="waiting-elsewhere">A sign-in request is already waiting in your Authenticator app. Approve it there, or sign in here.</p>{{/waitingElsewhere}}
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    {{#offerPassword}}
    {{#choseCode}}<p class="notice" id="then-code">After your password, you'll enter a code from your Authenticator app.</p>{{/choseCode}}
    <form method="post" action="/login/password">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label for="password">Password</label>
      <input id="password" name="password" type="password" autocomplete="current-password" autofocus required aria-describedby="tap-hint{{#error}} error{{/error}}"{{#error}} aria-invalid="true"{{/error}}>
      <p class="hint" id="tap-hint">Have a Temporary Access Pass from your administrator? Enter it here instead.</p>
      <button type="submit" id="signin">Sign in</button>
    </form>
    {{/offerPassword}}
    {{#offerPasskeyOnly}}
    <div class="passkey-sign-in" id="passkey-sign-in">
      <button type="button" id="sign-in-passkey">Sign in with a passkey</button>
      <p class="status" id="passkey-status" role="status"></p>
    </div>
    <script type="module" src="/static/passkey-sign-in.js" data-passkey-csrf="{{csrf}}"></script>
    {{/offerPasskeyOnly}}
    {{#otherWays}}
    <details class="other-ways" id="other-ways">
      <summary id="other-ways-toggle">Other ways to sign in</summary>
      <ul class="choices">
        {{#offerPhone}}<li><form method="post" action="/login/passwordless"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="choice" id="use-app">Approve a request on my Authenticator app</button></form></li>{{/offerPhone}}
        {{#offerPassword}}{{^choseCode}}<li><form method="post" action="/login/choose-code"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="choice" id="use-code">Use a verification code</button></form></li>{{/choseCode}}{{/offerPassword}}
      </ul>
    </details>
    {{/otherWays}}
    <p><a href="/login" id="different-account">Sign in with a different account</a></p>
    """

    /// The strength interrupt (decision 0027): add a passkey, then sign in with it in this flow.
    static let enrol = """
    <p class="who" id="who">{{username}}</p>
    <h1 id="heading">{{#added}}Sign in with your new passkey{{/added}}{{^added}}Add a passkey{{/added}}</h1>
    \(continueTo)
    <p class="notice" role="status" id="strength-notice">{{strengthNotice}}</p>
    {{#added}}
    <p id="instructions">Your passkey was added. Use it now to finish signing in.</p>
    <div class="passkey-sign-in" id="passkey-sign-in">
      <button type="button" id="sign-in-passkey">Sign in with a passkey</button>
      <p class="status" id="passkey-status" role="status"></p>
    </div>
    <script type="module" src="/static/passkey-sign-in.js" data-passkey-csrf="{{csrf}}"></script>
    {{/added}}
    {{^added}}
    <p id="instructions">Your organization requires a passkey to access this resource. Add one now; then you'll sign in with it.</p>
    <label for="passkey-name">Passkey name (optional)</label>
    <input id="passkey-name" name="name" type="text" maxlength="64" autocomplete="off">
    <button type="button" id="add-passkey">Add passkey</button>
    <p class="status" id="passkey-status" role="status"></p>
    <script type="module" src="/static/passkey-register.js" data-passkey-csrf="{{csrf}}" data-options-path="/login/enrol/passkey/options" data-register-path="/login/enrol/passkey" data-done="/login/enrol?added=1"></script>
    {{/added}}
    <p><a href="/login" id="different-account">Sign in with a different account</a></p>
    """

    static let approve = """
    <p class="who" id="who">{{username}}</p>
    <h1 id="heading">{{heading}}</h1>
    \(continueTo)
    {{#pending}}
    <p id="instructions">{{message}}</p>
    <div class="number" id="number" aria-live="polite">{{number}}</div>
    <p class="status" id="status" role="status">Waiting for you to approve the request…</p>
    {{/pending}}
    {{^pending}}
    <div class="outcome outcome-{{outcome}}" id="outcome" data-outcome="{{outcome}}" role="alert">
      <p id="status">{{message}}</p>
    </div>
    {{/pending}}
    <ul class="actions">
      {{#canResend}}<li><form method="post" action="/login/resend"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="link" id="resend">Send another request</button></form></li>{{/canResend}}
      {{#canUseCode}}<li><form method="post" action="/login/use-code"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="link" id="cant-use-app">I can't use my Authenticator app right now</button></form></li>{{/canUseCode}}
      {{#passwordless}}<li><form method="post" action="/login/use-password"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="link" id="use-password">Use your password instead</button></form></li>{{/passwordless}}
      <li><a href="/login" id="different-account">Sign in with a different account</a></li>
    </ul>
    {{#pending}}
    <script type="module" src="/static/sign-in-wait.js"></script>
    {{/pending}}
    """

    static let code = """
    <p class="who" id="who">{{username}}</p>
    <h1 id="heading">Enter code</h1>
    \(continueTo)
    <p id="instructions">Enter the code displayed in the Authenticator app on your mobile device.</p>
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    <form method="post" action="/login/code">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <label for="code">Code</label>
      <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,9}" maxlength="9" autofocus required{{#error}} aria-invalid="true" aria-describedby="error"{{/error}}>
      <button type="submit" id="verify">Verify</button>
    </form>
    <ul class="actions">
      {{#notification}}<li><form method="post" action="/login/use-notification"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="link" id="use-notification">Approve a request on my Authenticator app instead</button></form></li>{{/notification}}
      <li><a href="/login" id="different-account">Sign in with a different account</a></li>
    </ul>
    """
}
