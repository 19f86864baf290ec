// The canonical bytes of docs/push-protocol.md, exactly as SignedBytes builds them (the golden
// vectors in Tests/Vectors pin both). Each builder returns null for a value outside its alphabet.
import { toBase64URL, utf8 } from './bytes.js';

const TOKEN = /^[A-Za-z0-9_-]{1,512}$/;
const PATH = /^\/[A-Za-z0-9_\-/.]{0,511}$/;

function lines(version, fields) {
  let text = version + '\n';
  for (const [name, value] of fields) text += `${name}=${value}\n`;
  return utf8(text);
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

export function answer({ challengeID, nonce, deviceID, decision, number }) {
  const typed = decision === 'approve' ? (number || '') : '';
  if (![challengeID, nonce, deviceID].every((v) => TOKEN.test(v))) return null;
  if (!['approve', 'deny', 'report'].includes(decision)) return null;
  if (typed !== '' && !/^[0-9]{1,8}$/.test(typed)) return null;
  if (decision === 'approve' && typed === '') return null;
  return lines('tandem-push-answer/v1', [
    ['challenge', challengeID], ['nonce', nonce], ['device', deviceID], ['decision', decision], ['number', typed],
  ]);
}

export function connect({ deviceID, nonce }) {
  if (!TOKEN.test(deviceID) || !TOKEN.test(nonce)) return null;
  return lines('tandem-device-connect/v1', [['device', deviceID], ['nonce', nonce]]);
}

export async function requestV2({ method, path, deviceID, time, nonce, body }) {
  if (!['GET', 'POST', 'PUT', 'DELETE'].includes(method) || !PATH.test(path) || !TOKEN.test(deviceID)) return null;
  if (!Number.isInteger(time) || time < 0 || !TOKEN.test(nonce) || nonce.length < 16) return null;
  const digest = toBase64URL(await sha256(body));
  return lines('tandem-device-request/v2', [
    ['method', method], ['path', path], ['device', deviceID], ['time', String(time)], ['nonce', nonce], ['body', digest],
  ]);
}

export function keyChange({ deviceID, nonce, change, publicKey }) {
  if (![deviceID, nonce, publicKey].every((v) => TOKEN.test(v)) || change !== 'phoneSignIn') return null;
  return lines('tandem-device-key-change/v1', [['device', deviceID], ['nonce', nonce], ['change', change], ['key', publicKey]]);
}
