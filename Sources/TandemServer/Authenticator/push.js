// Web Push (RFC 8030 with VAPID): the browser's push service wakes the service worker with the
// request id only, and the app fetches the request itself. Where the browser cannot subscribe
// (no push service reachable, notifications refused, an iPhone app not added to the home screen)
// the app says so and keeps working through the live channel and GET pending.
import { fromBase64URL, toBase64URL } from './bytes.js';
import * as api from './api.js';

// This module is <server>/authenticator/v/<version>/push.js.
const APP = new URL('../../', import.meta.url);

export const UNAVAILABLE = 'Notifications are not available in this browser; keep the app open or open it when you sign in.';

export function supported() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

export async function registerWorker() {
  if (!('serviceWorker' in navigator)) return null;
  try {
    return await navigator.serviceWorker.register(new URL('../../sw.js', import.meta.url), { scope: APP.pathname });
  } catch {
    return null;
  }
}

/// Whether this browser already has a push subscription for the app.
export async function subscribed() {
  if (!supported()) return false;
  const registration = await navigator.serviceWorker.getRegistration(APP.href);
  return !!(registration && await registration.pushManager.getSubscription());
}

/// Asks for permission, subscribes and gives the subscription to every account. Returns null on
/// success, else the sentence to show.
export async function subscribe(accounts) {
  if (!supported()) return UNAVAILABLE;
  try {
    const permission = await Notification.requestPermission();
    if (permission !== 'granted') {
      return 'Notifications are turned off for this app. ' + UNAVAILABLE.split('; ')[1].replace(/^./, (c) => c.toUpperCase());
    }
    const registration = await navigator.serviceWorker.ready;
    const { vapidPublicKey } = await api.webPushKey();
    let subscription = await registration.pushManager.getSubscription();
    const key = subscription?.options?.applicationServerKey;
    if (subscription && key && toBase64URL(key) !== vapidPublicKey) {
      await subscription.unsubscribe();
      subscription = null;
    }
    // A browser with no reachable push service may never answer (headless Chromium): 15 s is
    // far more than a real subscription takes.
    subscription ||= await Promise.race([
      registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64URL(vapidPublicKey) }),
      new Promise((_, reject) => { setTimeout(() => reject(new Error('no push service')), 15000); }),
    ]);
    const json = subscription.toJSON();
    for (const account of accounts) {
      await api.putPushSubscription(account, { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } });
    }
    return null;
  } catch {
    return UNAVAILABLE;
  }
}
