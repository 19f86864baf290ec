/// The pages' scripts, served from `/static/` as ES modules so the Content-Security-Policy can
/// forbid inline script (`script-src 'self'`). Each reads what it needs from its own `<script>`
/// element's data attributes; none is needed for a page to be readable.
enum PageScripts {
    /// Security info, "Let's try it out": follows the new authenticator's registration
    /// (`data-activation` is the activation id) and shows the number to confirm it with.
    static let registration = """
    const script = document.querySelector('script[data-activation]');
    const activation = script.dataset.activation;
    const source = new EventSource(`/mysecurityinfo/authenticator/${encodeURIComponent(activation)}/events`);
    source.onmessage = (event) => {
      const s = JSON.parse(event.data);
      const number = document.getElementById('number');
      const status = document.getElementById('status');
      if (s.state === 'confirming') {
        document.getElementById('reg-instructions').textContent = 'Approve the notification in your app by entering the number shown below.';
        number.textContent = s.number;
      } else if (s.state === 'active') {
        source.close(); number.textContent = ''; status.textContent = 'Notification approved. Your Authenticator app is set up.';
      } else if (s.state === 'failed' || s.state === 'expired') {
        source.close(); number.textContent = ''; status.textContent = `That did not work (${s.reason || s.state}). Add the method again.`;
      }
    };

    """

    /// The number page: waits for the phone's answer and moves on.
    static let signInWait = """
    const source = new EventSource('/login/events');
    source.onmessage = (event) => {
      const s = JSON.parse(event.data);
      if (s.state === 'approved') { source.close(); window.location = '/login/complete'; return; }
      if (s.stage !== 'push' || (s.state && s.state !== 'pending')) { source.close(); window.location.reload(); }
    };

    """

    /// Path → script, for the static route.
    static let byName: [String: String] = ["registration.js": registration, "sign-in-wait.js": signInWait,
                                           "passkey-register.js": passkeyRegistration,
                                           "passkey-sign-in.js": passkeySignIn, "local-time.js": localTime]
}
