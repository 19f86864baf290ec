// Verification codes: RFC 6238 TOTP, HMAC-SHA-1, 6 digits, 30-second steps (docs/push-protocol.md).
import { fromBase32 } from './bytes.js';

export async function totp(secretBase32, unixSeconds, digits = 6, step = 30) {
  const key = await crypto.subtle.importKey('raw', fromBase32(secretBase32), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const counter = Math.floor(unixSeconds / step);
  const message = new Uint8Array(8);
  let rest = counter;
  for (let i = 7; i >= 0; i--) {
    message[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, message));
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, '0');
}

export function secondsLeft(unixSeconds, step = 30) {
  return step - (Math.floor(unixSeconds) % step);
}
