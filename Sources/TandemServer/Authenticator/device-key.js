// The device key: WebCrypto ECDSA P-256 generated with extractable: false, so its private part
// never leaves this browser (the CryptoKey object is kept in IndexedDB as it is). WebCrypto's
// ECDSA signature is already the raw 64-byte r||s the protocol uses.
import { toBase64URL } from './bytes.js';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' };

export async function generateDeviceKey() {
  const pair = await crypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify']);
  const raw = await crypto.subtle.exportKey('raw', pair.publicKey); // 65-byte X9.63 point
  return { privateKey: pair.privateKey, publicKey: toBase64URL(raw) };
}

export async function sign(privateKey, bytes) {
  const signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, bytes);
  return toBase64URL(signature);
}
