// The approval passkey: a platform WebAuthn credential for the server's RP ID, created with
// userVerification "required", so every approval needs the phone's fingerprint, face or screen
// lock. An approval's assertion is over the SHA-256 of the answer's canonical bytes.
import { fromBase64URL, toBase64URL } from './bytes.js';
import { sha256 } from './signed-bytes.js';

export function available() {
  return typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;
}

export async function create(options) {
  const credential = await navigator.credentials.create({
    publicKey: {
      challenge: fromBase64URL(options.challenge),
      rp: { id: options.rpId, name: 'Tandem' },
      user: { id: fromBase64URL(options.userHandle), name: options.userName, displayName: options.userDisplayName },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      authenticatorSelection: {
        authenticatorAttachment: 'platform', userVerification: 'required', residentKey: 'discouraged', requireResidentKey: false,
      },
      attestation: 'none',
      timeout: options.timeoutMs,
    },
  });
  return {
    credentialId: toBase64URL(credential.rawId),
    clientDataJSON: toBase64URL(credential.response.clientDataJSON),
    attestationObject: toBase64URL(credential.response.attestationObject),
  };
}

/// The WebAuthn challenge for canonical bytes: their SHA-256.
export function challengeFor(bytes) {
  return sha256(bytes);
}

/// An assertion of the account's passkey over `challenge` (from `challengeFor`). Called straight
/// from the tap that approves, so browsers that want a user gesture for WebAuthn get one.
export async function assert(account, challenge) {
  const credential = await navigator.credentials.get({
    publicKey: {
      challenge,
      rpId: account.rpId,
      allowCredentials: [{ type: 'public-key', id: fromBase64URL(account.passkeyId) }],
      userVerification: 'required',
      timeout: 120000,
    },
  });
  return {
    credentialId: toBase64URL(credential.rawId),
    clientDataJSON: toBase64URL(credential.response.clientDataJSON),
    authenticatorData: toBase64URL(credential.response.authenticatorData),
    signature: toBase64URL(credential.response.signature),
  };
}
