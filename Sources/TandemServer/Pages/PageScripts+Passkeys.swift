/// The passkey scripts (decision 0020), ES modules served from `/static/` like the others.
extension PageScripts {
    /// Security info, "Add sign-in method: Passkey": asks the server for creation options,
    /// runs `navigator.credentials.create()`, sends the result back and reloads the page.
    /// `data-csrf` carries the session's CSRF token.
    static let passkeyRegistration = """
    const script = document.querySelector('script[data-passkey-csrf]');
    const csrf = script.dataset.passkeyCsrf;
    const button = document.getElementById('add-passkey');
    const status = document.getElementById('passkey-status');
    const b64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
    const bytes = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const post = async (path, body) => {
      const response = await fetch(path, { method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' }, body: JSON.stringify({ csrf, ...body }) });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) { throw new Error((data.error && data.error.message) || `The server answered ${response.status}.`); }
      return data;
    };
    if (!window.PublicKeyCredential || !navigator.credentials) {
      if (button) { button.disabled = true; }
      if (status) { status.textContent = 'This browser cannot create passkeys.'; }
    } else if (button) {
      button.addEventListener('click', async () => {
        button.disabled = true;
        status.textContent = 'Follow your browser\\'s instructions to create the passkey.';
        try {
          const options = await post('/mysecurityinfo/passkeys/options', {});
          const publicKey = {
            rp: options.rp, challenge: bytes(options.challenge), timeout: options.timeout,
            user: { id: bytes(options.user.id), name: options.user.name, displayName: options.user.displayName },
            pubKeyCredParams: options.pubKeyCredParams, attestation: options.attestation,
            authenticatorSelection: options.authenticatorSelection,
            excludeCredentials: options.excludeCredentials.map((c) => ({ type: c.type, id: bytes(c.id), transports: c.transports })),
          };
          const credential = await navigator.credentials.create({ publicKey });
          const name = document.getElementById('passkey-name').value;
          await post('/mysecurityinfo/passkeys', {
            challengeId: options.challengeId, name,
            clientDataJSON: b64(credential.response.clientDataJSON),
            attestationObject: b64(credential.response.attestationObject),
            transports: credential.response.getTransports ? credential.response.getTransports() : [],
          });
          window.location = '/mysecurityinfo?done=passkeyAdded';
        } catch (error) {
          status.textContent = error.name === 'NotAllowedError' ? 'The passkey was not created (cancelled or timed out).'
            : error.name === 'InvalidStateError' ? 'This authenticator already holds a passkey for your account.'
            : `The passkey was not added: ${error.message}`;
          button.disabled = false;
        }
      });
    }

    """
}
