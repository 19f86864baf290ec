/// The registration campaign's prompt (decision 0034), in Entra's words.
extension SignInPageTemplates {
    static let keepSecure = """
    <p class="who" id="who">{{username}}</p>
    <h1 id="heading">Keep your account secure</h1>
    {{#authenticator}}<p id="instructions">Your organization asks you to set up the Authenticator app: approve sign-ins on your phone with a number and your PIN or fingerprint, instead of typing codes.</p>{{/authenticator}}
    {{#passkey}}<p id="instructions">Your organization asks you to add a passkey: a sign-in with your fingerprint, face or screen lock that can't be phished.</p>{{/passkey}}
    <form method="post" action="/login/keep-secure/next"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="campaign-next">Next</button></form>
    {{#maySnooze}}<form method="post" action="/login/keep-secure/snooze"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="link" id="campaign-snooze">Not now</button></form>{{/maySnooze}}
    {{^maySnooze}}<p class="notice" id="campaign-required">You can't skip this any longer: set it up now to continue.</p>{{/maySnooze}}
    """
}
