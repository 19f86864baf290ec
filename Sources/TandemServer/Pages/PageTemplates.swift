/// The page templates (swift-mustache). Kept in the binary so `tandem serve` runs from any folder.
enum PageTemplates {
    static let layout = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} – Tandem</title>
    <link rel="stylesheet" href="/static/tandem.css">
    </head>
    <body>
    <main class="card">
    <div class="brand">Tandem</div>
    {{{content}}}
    </main>
    </body>
    </html>
    """

    static let home = """
    <h1>You're signed in</h1>
    <p id="welcome">Welcome, <strong>{{displayName}}</strong> ({{userPrincipalName}}).</p>
    <p>Signed in with: <span id="methods">{{methods}}</span></p>
    <p><a href="/mysecurityinfo" id="security-info">Security info</a></p>
    <form method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="signout">Sign out</button></form>
    """

    static let addAuthenticator = """
    <h1>Set up your Authenticator app</h1>
    <h2>Scan the QR code</h2>
    <p id="scan-instructions">Scan the QR code with your phone's camera: it opens the Tandem Authenticator in the phone's browser and connects it with your account. The code works once and expires in 10 minutes.</p>
    {{#qrSVG}}<figure class="qr" id="qr">{{{qrSVG}}}</figure>{{/qrSVG}}
    <details class="cant-scan" id="cant-scan"{{^qrSVG}} open{{/qrSVG}}>
      <summary id="cant-scan-toggle">Can't scan the image?</summary>
      <p>On the phone you are adding, open this link (tap it if you are reading this page on that phone):</p>
      <dl class="activation">
        <dt>URL</dt><dd><a href="{{url}}" id="activation-link" rel="noreferrer"><code id="activation-url">{{url}}</code></a></dd>
        <dt>Code</dt><dd><code id="activation-code">{{code}}</code></dd>
      </dl>
      <p class="hint">With the command-line authenticator: <code>tandem-authenticator add '{{url}}'</code></p>
    </details>
    {{#otherAppCSRF}}
    <form method="post" action="/mysecurityinfo/software-oath" id="other-app-form">
      <input type="hidden" name="csrf" value="{{otherAppCSRF}}">
      <button type="submit" class="link" id="other-app">I want to use a different authenticator app</button>
    </form>
    {{/otherAppCSRF}}
    <h2>Let's try it out</h2>
    <p id="reg-instructions">Waiting for your app to register…</p>
    <div class="number" id="number" aria-live="polite"></div>
    <p class="status" id="status" role="status"></p>
    <script type="module" src="/static/registration.js" data-activation="{{activationId}}"></script>
    <p><a href="/mysecurityinfo">Done</a></p>
    """

    static let message = """
    <h1>{{heading}}</h1>
    <p id="message">{{message}}</p>
    <p><a href="{{link}}">{{linkText}}</a></p>
    """

    static let stylesheet = """
    :root { font-family: "Segoe UI", system-ui, -apple-system, sans-serif; color: #1b1b1b; background: #f2f2f2; }
    body { margin: 0; display: flex; justify-content: center; padding: 2rem 1rem; }
    .card { background: #fff; max-width: 440px; width: 100%; padding: 2.5rem 2.75rem; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
    .brand { font-weight: 600; color: #5e5e5e; margin-bottom: 1rem; }
    h1 { font-size: 1.5rem; font-weight: 600; margin: .5rem 0 1rem; }
    label { display: block; margin: .75rem 0 .25rem; }
    input[type=text], input[type=password], input[type=number] { width: 100%; box-sizing: border-box; padding: .5rem 0; border: 0; border-bottom: 1px solid #666; font-size: 1rem; }
    input:focus { outline: 2px solid #0067b8; }
    button { margin-top: 1.25rem; background: #0067b8; color: #fff; border: 0; padding: .5rem 2rem; font-size: 1rem; cursor: pointer; }
    button:focus { outline: 2px solid #000; outline-offset: 2px; }
    button.link { background: none; color: #0067b8; padding: 0; margin-top: .75rem; }
    a { color: #0067b8; }
    .number { font-size: 3.5rem; font-weight: 600; text-align: center; letter-spacing: .1em; margin: 1.5rem 0; }
    .number.faded { color: #bbb; }
    .error { color: #e81123; }
    .status { min-height: 1.5em; }
    .who { color: #1b1b1b; margin: 0; }
    .meta, .hint { color: #5e5e5e; font-size: .9rem; }
    .notice { background: #f0f6fc; border-left: 4px solid #0067b8; padding: .5rem .75rem; }
    details.other-ways { margin-top: 1.25rem; }
    details.other-ways summary { color: #0067b8; cursor: pointer; padding: .25rem 0; }
    details.other-ways summary:focus-visible, button.choice:focus-visible { outline: 2px solid #000; outline-offset: 2px; }
    ul.choices, ul.actions { list-style: none; padding: 0; margin: .5rem 0; }
    ul.actions li { margin: .6rem 0; }
    ul.actions button.link { margin-top: 0; text-align: left; }
    button.choice { display: block; width: 100%; text-align: left; background: #fff; color: #1b1b1b; border: 1px solid #8a8886; padding: .75rem 1rem; margin-top: .5rem; }
    button.choice:hover { background: #f3f2f1; }
    .outcome { border-left: 4px solid #e81123; background: #fdf3f4; padding: .5rem .75rem; margin: 1rem 0; }
    .outcome-expired, .outcome-withdrawn { border-left-color: #8a8886; background: #f3f2f1; }
    select { font-size: 1rem; padding: .4rem; width: 100%; box-sizing: border-box; }
    button.secondary { background: #fff; color: #0067b8; border: 1px solid #0067b8; padding: .4rem 1.25rem; }
    ul.methods { list-style: none; padding: 0; }
    li.method { border-top: 1px solid #e1dfdd; padding: .75rem 0; }
    .method-name { font-weight: 600; display: block; }
    .device-name { display: block; }
    dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .75rem; margin: .25rem 0; }
    dl.meta dd { margin: 0; }
    button.danger { color: #a4262c; }
    code { word-break: break-all; }
    h2 { font-size: 1.15rem; font-weight: 600; margin: 1.25rem 0 .5rem; }
    .qr { margin: 1rem 0; text-align: center; }
    .qr svg { max-width: 100%; height: auto; image-rendering: pixelated; }
    details.cant-scan summary { color: #0067b8; cursor: pointer; }
    details.cant-scan summary:focus-visible { outline: 2px solid #000; outline-offset: 2px; }
    dl.activation dt { font-weight: 600; margin-top: .5rem; }
    dl.activation dd { margin: 0; }
    @media (max-width: 600px) {
      :root { background: #fff; }
      body { padding: 0; }
      .card { box-shadow: none; padding: 1.5rem 1.25rem; }
    }
    /* admin policy page */
    .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
    table.targets { border-collapse: collapse; width: 100%; margin: .5rem 0; }
    table.targets th, table.targets td { text-align: left; padding: .3rem; border-bottom: 1px solid #ddd; }
    fieldset { border: 1px solid #ddd; margin: 1rem 0; }
    /* sign-in log page */
    table.log { border-collapse: collapse; width: 100%; font-size: .85rem; }
    table.log th, table.log td { text-align: left; padding: .3rem; border-bottom: 1px solid #ddd; vertical-align: top; }
    .ok { color: #107c10; } .fail { color: #e81123; }
    main.card:has(table.log) { max-width: 1100px; }
    """
}
