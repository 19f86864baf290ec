/// The passkey scripts (decision 0020), ES modules served from `/static/` like the others.
extension PageScripts {
    /// Security info, "Add sign-in method: Passkey": asks the server for creation options,
    /// runs `navigator.credentials.create()`, sends the result back and reloads the page.
    /// `data-csrf` carries the session's CSRF token; `data-options-path`, `data-register-path` and
    /// `data-done` change the endpoints and the next page (the strength interrupt, decision 0027).
    static let passkeyRegistration = """
    const script = document.querySelector('script[data-passkey-csrf]');
    const csrf = script.dataset.passkeyCsrf;
    const optionsPath = script.dataset.optionsPath || '/mysecurityinfo/passkeys/options';
    const registerPath = script.dataset.registerPath || '/mysecurityinfo/passkeys';
    const donePage = script.dataset.done || '/mysecurityinfo?done=passkeyAdded';
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
          const options = await post(optionsPath, {});
          const publicKey = {
            rp: options.rp, challenge: bytes(options.challenge), timeout: options.timeout,
            user: { id: bytes(options.user.id), name: options.user.name, displayName: options.user.displayName },
            pubKeyCredParams: options.pubKeyCredParams, attestation: options.attestation,
            authenticatorSelection: options.authenticatorSelection,
            excludeCredentials: options.excludeCredentials.map((c) => ({ type: c.type, id: bytes(c.id), transports: c.transports })),
          };
          const credential = await navigator.credentials.create({ publicKey });
          const name = document.getElementById('passkey-name').value;
          await post(registerPath, {
            challengeId: options.challengeId, name,
            clientDataJSON: b64(credential.response.clientDataJSON),
            attestationObject: b64(credential.response.attestationObject),
            transports: credential.response.getTransports ? credential.response.getTransports() : [],
          });
          window.location = donePage;
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

extension PageScripts {
    /// The username page: "Sign in with a passkey" (a modal `navigator.credentials.get()`) and
    /// passkey autofill in the username field (`mediation: 'conditional'`, started at load where
    /// the browser supports it). `data-passkey-csrf` is the page's CSRF token, `data-return-to`
    /// where the sign-in goes afterwards.
    static let passkeySignIn = """
    const script = document.querySelector('script[data-passkey-csrf]');
    const csrf = script.dataset.passkeyCsrf;
    const returnTo = script.dataset.returnTo || undefined;
    const button = document.getElementById('sign-in-passkey');
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
    let pending = null;
    const signIn = async (mediation) => {
      if (pending) { pending.abort(); }
      pending = new AbortController();
      const options = await post('/login/passkey/options', {});
      const credential = await navigator.credentials.get({ mediation, signal: pending.signal, publicKey: {
        challenge: bytes(options.challenge), rpId: options.rpId, timeout: options.timeout,
        userVerification: options.userVerification, allowCredentials: [] } });
      const r = credential.response;
      const done = await post('/login/passkey', {
        challengeId: options.challengeId, returnTo, credentialId: b64(credential.rawId),
        clientDataJSON: b64(r.clientDataJSON), authenticatorData: b64(r.authenticatorData), signature: b64(r.signature),
        userHandle: r.userHandle ? b64(r.userHandle) : undefined });
      window.location = done.next;
    };
    const report = (error) => {
      if (error.name === 'AbortError') { return; }
      status.textContent = error.name === 'NotAllowedError' ? 'No passkey was used (cancelled or timed out).' : error.message;
      if (button) { button.disabled = false; }
    };
    if (!window.PublicKeyCredential || !navigator.credentials) {
      if (button) { button.hidden = true; }
    } else {
      if (button) {
        button.addEventListener('click', () => { button.disabled = true; status.textContent = ''; signIn('optional').catch(report); });
      }
      if (PublicKeyCredential.isConditionalMediationAvailable) {
        PublicKeyCredential.isConditionalMediationAvailable().then((available) => {
          if (available) { signIn('conditional').catch(report); }
        });
      }
    }

    """
}
