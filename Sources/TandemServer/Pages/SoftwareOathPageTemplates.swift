/// "I want to use a different authenticator app" (decision 0031): the `otpauth://` QR code, the
/// secret for "Can't scan the image?" (both shown once) and the field for the app's first code.
/// The form carries the session's `csrf` token and the pending method's id, never the secret.
enum SoftwareOathPageTemplates {
    static let page = """
    <h1>Set up your authenticator app</h1>
    {{#error}}<p class="error" role="alert" id="error">{{error}}</p>{{/error}}
    {{#showSecret}}
    <h2>Scan the QR code</h2>
    <p id="scan-instructions">Use your authenticator app (Microsoft Authenticator, Google Authenticator or any app for time-based codes) to scan the QR code. This connects the app with your account. It works until \(PageDate.section("expires")).</p>
    \(PageDate.script)
    {{#qrSVG}}<figure class="qr" id="qr">{{{qrSVG}}}</figure>{{/qrSVG}}
    <details class="cant-scan" id="cant-scan"{{^qrSVG}} open{{/qrSVG}}>
      <summary id="cant-scan-toggle">Can't scan the image?</summary>
      <p>Enter this account and secret key in your app (time-based, 6 digits, every 30 seconds):</p>
      <dl class="activation">
        <dt>Account name</dt><dd><code id="account-name">{{account}}</code></dd>
        <dt>Secret key</dt><dd><code id="secret-key">{{secret}}</code></dd>
        <dt>On this device</dt><dd><a href="{{keyURI}}" id="key-uri" rel="noreferrer">Open in an authenticator app</a></dd>
      </dl>
      <p class="hint">With <code>oathtool</code>: <code>oathtool --totp -b SECRET</code></p>
    </details>
    <p class="notice" id="shown-once">The secret is shown only now. Once you leave this page it can't be shown again.</p>
    {{/showSecret}}
    <form method="post" action="/mysecurityinfo/software-oath/verify" id="software-oath-form">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <input type="hidden" name="pending" value="{{pendingID}}">
      <label for="software-oath-code">Enter the 6-digit code shown in the app</label>
      <input type="text" id="software-oath-code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="10" required>
      <button type="submit" id="software-oath-next">Next</button>
    </form>
    <p><a href="/mysecurityinfo" id="cancel">Cancel</a></p>
    """
}
