// The device API of docs/push-protocol.md, from this browser. Every path is relative to the
// server the app came from (the app lives at <server>/authenticator/), and a signed request is
// signed over the path the server receives.
import { randomToken, utf8 } from './bytes.js';
import { sign } from './device-key.js';
import * as signed from './signed-bytes.js';

// This module is <server>/authenticator/v/<version>/api.js.
export const serverBase = new URL('../../../', import.meta.url);

/// Seconds to add to this phone's clock to get the server's (learned from the Date header):
/// signed requests carry the server's idea of the time and the countdown uses it.
let clockOffset = 0;

export function serverNow() {
  return Date.now() / 1000 + clockOffset;
}

function learnClock(response) {
  const date = Date.parse(response.headers.get('Date') || '');
  if (!Number.isNaN(date)) {
    const offset = date / 1000 - Date.now() / 1000;
    clockOffset = Math.abs(offset) > 5 ? offset : 0;
  }
}

export class APIError extends Error {
  constructor(status, code, message, serverTime) {
    super(message || `The server answered ${status}.`);
    this.status = status;
    this.code = code;
    this.serverTime = serverTime;
  }
}

async function send(path, { method = 'GET', headers = {}, body } = {}) {
  const url = new URL(path, serverBase);
  let response;
  try {
    response = await fetch(url, { method, headers, body, cache: 'no-store', credentials: 'omit' });
  } catch (error) {
    throw new APIError(0, 'offline', 'The server cannot be reached. Check the connection and try again.');
  }
  learnClock(response);
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) {
    throw new APIError(response.status, json?.error?.code, json?.error?.message, json?.error?.serverTime);
  }
  return json;
}

/// A request signed with the account's device key (tandem-device-request/v2). A refusal for
/// this phone's clock (401 clockSkew, decision 0028) teaches the server's time from its
/// serverTime, and the request is signed again with it, once.
export async function signedRequest(account, method, path, body) {
  try {
    return await signedRequestOnce(account, method, path, body);
  } catch (error) {
    if (!(error instanceof APIError) || error.code !== 'clockSkew' || !Number.isInteger(error.serverTime)) throw error;
    clockOffset = error.serverTime - Date.now() / 1000;
    return signedRequestOnce(account, method, path, body);
  }
}

async function signedRequestOnce(account, method, path, body) {
  const bytes = body === undefined ? new Uint8Array() : utf8(JSON.stringify(body));
  const url = new URL(path, serverBase);
  const time = Math.floor(serverNow());
  const nonce = randomToken(16);
  const message = await signed.requestV2({ method, path: url.pathname, deviceID: account.deviceId, time, nonce, body: bytes });
  if (!message) throw new APIError(0, 'badRequest', 'This request cannot be signed.');
  const headers = {
    'X-Tandem-Device': account.deviceId,
    'X-Tandem-Time': String(time),
    'X-Tandem-Nonce': nonce,
    'X-Tandem-Signature': await sign(account.privateKey, message),
  };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return send(path, { method, headers, body: body === undefined ? undefined : bytes });
}

export function activate(request) {
  return send('device/v1/activate', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request) });
}

export function registerApprovalPasskey(account, credential) {
  return signedRequest(account, 'POST', 'device/v1/approval-passkey', credential);
}

export async function pending(account) {
  return (await signedRequest(account, 'GET', 'device/v1/pending')).requests || [];
}

export async function notices(account) {
  return (await signedRequest(account, 'GET', 'device/v1/notices')).notices || [];
}

export function answer(challengeID, body) {
  return send(`device/v1/challenges/${encodeURIComponent(challengeID)}/answer`,
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

export function keyChangeNonce(account) {
  return signedRequest(account, 'POST', 'device/v1/key-change-nonce');
}

export function enablePhoneSignIn(account, body) {
  return signedRequest(account, 'POST', 'device/v1/phone-sign-in', body);
}

export function disablePhoneSignIn(account) {
  return signedRequest(account, 'DELETE', 'device/v1/phone-sign-in');
}

export function webPushKey() {
  return send('device/v1/web-push');
}

export function putPushSubscription(account, subscription) {
  return signedRequest(account, 'PUT', 'device/v1/push-subscription', subscription);
}

export function deletePushSubscription(account) {
  return signedRequest(account, 'DELETE', 'device/v1/push-subscription');
}
