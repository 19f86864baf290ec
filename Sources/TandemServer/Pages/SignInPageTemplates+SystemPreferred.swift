/// System-preferred MFA's passkey step (decision 0033): after the password, the strongest method
/// the user has — the passkey — is asked for first; the other ways stay one click away.
extension SignInPageTemplates {
    static let passkeyStep = """
    <p class="who" id="who">{{username}}</p>
    <h1 id="heading">Use your passkey</h1>
    \(continueTo)
    <p id="instructions">Verify your identity with your passkey: it's the strongest way you have set up.</p>
    <div class="passkey-sign-in" id="passkey-sign-in">
      <button type="button" id="sign-in-passkey">Sign in with a passkey</button>
      <p class="status" id="passkey-status" role="status"></p>
    </div>
    <script type="module" src="/static/passkey-sign-in.js" data-passkey-csrf="{{csrf}}"></script>
    {{#otherWays}}
    <details class="other-ways" id="other-ways">
      <summary id="other-ways-toggle">I can't use my passkey right now</summary>
      <ul class="choices">
        {{#notification}}<li><form method="post" action="/login/use-notification"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="choice" id="use-notification">Approve a request on my Authenticator app</button></form></li>{{/notification}}
        {{#verificationCode}}<li><form method="post" action="/login/use-code"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="choice" id="use-code">Use a verification code</button></form></li>{{/verificationCode}}
      </ul>
    </details>
    {{/otherWays}}
    <p><a href="/login" id="different-account">Sign in with a different account</a></p>
    """
}
