// The Tandem Authenticator in the browser (decision 0024). Screens by the URL fragment:
//   (none)            the accounts, with any waiting sign-in requests
//   #activate=CODE    add an account from the QR code's link
//   #setup=DEVICE     protect approvals with a platform passkey (step two of adding an account)
//   #request=ID       one sign-in request: who, application, where from, time left; the number
//   #account=DEVICE   one account: phone sign-in, verification codes, remove
// Requests arrive on the live channel while the app is open and from GET pending when it opens
// or comes back to the foreground; a Web Push only wakes the app with the request's id.
import * as api from './api.js';
import { generateDeviceKey, sign } from './device-key.js';
import { Channel } from './channel.js';
import * as passkey from './passkey.js';
import * as push from './push.js';
import * as signed from './signed-bytes.js';
import { accounts as store } from './store.js';
import { totp, secondsLeft } from './totp.js';
import { h, show, status, minutesSeconds } from './ui.js';

const VERSION = (import.meta.url.match(/\/v\/([0-9a-f]+)\//) || [])[1] || 'dev';

const state = {
  accounts: [],
  offers: new Map(), // challenge id → { account, offer }
  channels: new Map(), // device id → Channel
  connection: new Map(), // device id → connecting | connected | offline | refused
  notices: [],
  flash: null,
  pushProblem: null,
  pushOn: false,
  screen: null, // the screen on show, so background updates redraw only what they change
  answered: new Map(), // challenge id → the verdict shown
  seen: new Set(), // challenge ids whose screen was shown
};

// ---------------------------------------------------------------- start

async function start() {
  push.registerWorker();
  state.accounts = (await store.all()).sort((a, b) => a.addedAt.localeCompare(b.addedAt));
  for (const account of state.accounts) connect(account);
  state.pushOn = await push.subscribed().catch(() => false);
  if (!push.supported()) state.pushProblem = push.UNAVAILABLE;
  window.addEventListener('hashchange', () => {
    state.flash = null; // a message lasts until the person goes elsewhere
    route();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refresh();
  });
  navigator.serviceWorker?.addEventListener('message', (event) => {
    if (event.data?.type === 'open-request') location.hash = `#request=${encodeURIComponent(event.data.challengeId)}`;
    if (event.data?.type === 'push') refresh();
  });
  setInterval(tick, 1000);
  route();
  refresh();
}

function connect(account) {
  if (state.channels.has(account.deviceId)) return;
  const channel = new Channel(account, {
    request: (a, offer) => addOffer(a, offer),
    withdrawn: (a, id, reason) => withdraw(id, reason),
    notice: (a, notice) => addNotice(notice),
    state: (a, value) => {
      state.connection.set(a.deviceId, value);
      if (state.screen === 'accounts') updateConnectionLine();
    },
  });
  state.channels.set(account.deviceId, channel);
  channel.open();
}

/// GET pending (and notices) for every account: the catch-up on opening and on coming back.
async function refresh() {
  for (const channel of state.channels.values()) channel.wake();
  await Promise.all(state.accounts.map(async (account) => {
    try {
      const offers = await api.pending(account);
      const ids = new Set(offers.map((o) => o.id));
      for (const [id, entry] of state.offers) {
        if (entry.account.deviceId === account.deviceId && !ids.has(id)) state.offers.delete(id);
      }
      for (const offer of offers) addOffer(account, offer, { quiet: true });
      for (const notice of await api.notices(account)) addNotice(notice);
    } catch (error) {
      if (error.status === 401 || error.status === 403) markRefused(account);
    }
  }));
  if (state.screen === 'accounts') renderAccounts();
  if (state.screen === 'request-missing') route();
  openSingleRequest();
}

function markRefused(account) {
  state.connection.set(account.deviceId, 'refused');
}

function addOffer(account, offer, { quiet = false } = {}) {
  if (state.answered.has(offer.id)) return;
  const isNew = !state.offers.has(offer.id);
  state.offers.set(offer.id, { account, offer });
  if (!quiet && isNew) {
    if (state.screen === 'request-missing') route();
    else openSingleRequest();
  }
}

/// A request not shown yet opens at once when the accounts screen (or the end of setup) is on
/// show; one the person has seen and left stays in the list.
function openSingleRequest() {
  if (!['accounts', 'setup-done'].includes(state.screen)) return;
  const unseen = [...state.offers.values()].find(({ offer }) => !state.seen.has(offer.id)
    && Date.parse(offer.expiresAt) / 1000 > api.serverNow());
  if (unseen) location.hash = `#request=${encodeURIComponent(unseen.offer.id)}`;
}

function withdraw(id, reason) {
  state.offers.delete(id);
  if (state.screen === `request:${id}` && !state.answered.has(id)) {
    const words = reason === 'expired' ? 'This request expired.' : 'This request was answered on another device or withdrawn.';
    status('request-status', words, 'error');
    document.querySelectorAll('#request-actions button, #choices button, #number').forEach((b) => { b.disabled = true; });
  } else if (state.screen === 'accounts') {
    renderAccounts();
  }
}

function addNotice(notice) {
  if (state.notices.some((n) => n.id === notice.id)) return;
  state.notices.push(notice);
  if (state.screen === 'accounts') renderAccounts();
}

function noticeText(notice) {
  const name = notice.deviceName || 'another device';
  switch (notice.kind) {
    case 'authenticatorAdded': return `A new authenticator (${name}) was added to your account. If this wasn't you, tell your administrator.`;
    case 'phoneSignInEnabled': return `Phone sign-in was turned on on ${name}. If this wasn't you, tell your administrator.`;
    case 'phoneSignInDisabled': return `Phone sign-in was turned off on ${name}.`;
    default: return `Your sign-in methods changed (${name}).`;
  }
}

function route() {
  const hash = location.hash.slice(1);
  const [key, ...rest] = hash.split('=');
  const value = decodeURIComponent(rest.join('='));
  if (key === 'activate' && value) return renderActivate(value);
  if (key === 'setup' && value) return renderSetup(value);
  if (key === 'request' && value) return renderRequest(value);
  if (key === 'account' && value) return renderAccount(value);
  return renderAccounts();
}

function account(deviceId) {
  return state.accounts.find((a) => a.deviceId === deviceId);
}

async function save(acc) {
  await store.put(acc);
  const index = state.accounts.findIndex((a) => a.deviceId === acc.deviceId);
  if (index >= 0) state.accounts[index] = acc; else state.accounts.push(acc);
}

// ---------------------------------------------------------------- accounts

function connectionWords() {
  const values = state.accounts.map((a) => state.connection.get(a.deviceId) || 'connecting');
  if (values.length === 0) return '';
  if (values.includes('refused')) return 'The server no longer knows one of these accounts. Remove it and add it again.';
  if (values.every((v) => v === 'connected')) return 'Connected: sign-in requests appear here.';
  if (values.includes('offline')) return 'Offline: waiting sign-in requests show up when the connection is back.';
  return 'Connecting…';
}

function updateConnectionLine() {
  const line = document.getElementById('connection');
  if (line) line.textContent = connectionWords();
}

function accountStatus(acc) {
  if (!acc.passkeyId) return 'Set up fingerprint or face to finish';
  if (!acc.confirmed) return 'Waiting for confirmation';
  return acc.phoneSignIn ? 'Approves sign-ins · phone sign-in on' : 'Approves sign-ins';
}

function codeBlock(acc, idPrefix) {
  if (!acc.totpSecret) return null;
  return h('div', { class: 'code', id: `${idPrefix}-code-block` },
    h('span', { class: 'label' }, 'Verification code'),
    h('span', { class: 'digits', id: `${idPrefix}-code`, 'data-totp': acc.deviceId }, '······'),
    h('span', { class: 'seconds', id: `${idPrefix}-code-seconds`, 'data-totp-seconds': '' }, ''));
}

function renderAccounts() {
  state.screen = 'accounts';
  const requests = [...state.offers.values()];
  const pushButton = push.supported() && !state.pushOn && state.accounts.some((a) => a.passkeyId)
    ? h('button', { type: 'button', id: 'enable-push', class: 'secondary', onclick: enableNotifications }, 'Turn on notifications') : null;
  show(
    h('header', { class: 'bar' }, h('h1', { id: 'heading' }, 'Authenticator')),
    state.flash ? h('p', { class: 'flash', id: 'flash', role: 'status' }, ...state.flash) : null,
    ...state.notices.map((n, i) => h('p', { class: 'notice', id: `notice-${i + 1}`, role: 'status' }, noticeText(n))),
    requests.length ? h('section', { id: 'requests' },
      h('h2', {}, 'Waiting for you'),
      h('ul', { class: 'list' }, ...requests.map(({ offer }, i) => h('li', {},
        h('a', { class: 'row', id: `request-${i + 1}`, href: `#request=${encodeURIComponent(offer.id)}` },
          h('strong', {}, kindTitle(offer.kind)),
          h('span', {}, `${offer.displayName} · ${offer.context.application}`)))))) : null,
    state.accounts.length === 0
      ? h('section', { class: 'empty', id: 'no-accounts' },
        h('p', {}, 'No accounts yet.'),
        h('p', {}, 'On a computer, open ', h('strong', {}, new URL('mysecurityinfo', api.serverBase).href),
          ', choose “Add sign-in method: Authenticator app” and scan the QR code with this phone’s camera.'))
      : h('ul', { class: 'list accounts', id: 'accounts' }, ...state.accounts.map((acc, i) => h('li', { class: 'account' },
        h('a', { class: 'row', id: `account-${i + 1}`, href: acc.passkeyId ? `#account=${encodeURIComponent(acc.deviceId)}` : `#setup=${encodeURIComponent(acc.deviceId)}` },
          h('strong', { class: 'name' }, acc.displayName),
          h('span', { class: 'upn' }, acc.userPrincipalName),
          h('span', { class: 'state' }, accountStatus(acc))),
        codeBlock(acc, `account-${i + 1}`)))),
    state.accounts.length ? h('p', { class: 'connection', id: 'connection', role: 'status' }, connectionWords()) : null,
    pushButton,
    state.pushProblem ? h('p', { class: 'hint', id: 'push-status', role: 'status' }, state.pushProblem) : null,
  );
  tick();
  openSingleRequest();
}

async function enableNotifications() {
  const button = document.getElementById('enable-push');
  if (button) button.disabled = true;
  state.pushProblem = await push.subscribe(state.accounts.filter((a) => a.passkeyId));
  state.pushOn = state.pushProblem === null;
  if (state.screen === 'accounts') renderAccounts();
}

function kindTitle(kind) {
  return { mfa: 'Approve sign-in?', passwordless: 'Are you trying to sign in?', registration: 'Confirm your new account' }[kind] || 'Sign-in request';
}

// ---------------------------------------------------------------- add an account

function defaultDeviceName() {
  const ua = navigator.userAgent;
  if (/iPhone/.test(ua)) return 'iPhone';
  if (/iPad/.test(ua)) return 'iPad';
  if (/Android/.test(ua)) return 'Android phone';
  return 'Web browser';
}

function renderActivate(code) {
  state.screen = 'activate';
  show(
    h('header', { class: 'bar' }, h('a', { href: '#', class: 'back', id: 'back' }, 'Accounts')),
    h('h1', { id: 'heading' }, 'Add your account'),
    h('p', {}, 'This phone becomes a way to sign in: you approve sign-ins here with your fingerprint, face or screen lock.'),
    h('form', { id: 'activate-form', onsubmit: (event) => { event.preventDefault(); addAccount(code); } },
      h('label', { for: 'device-name' }, 'Name of this phone'),
      h('input', { id: 'device-name', name: 'deviceName', maxlength: 64, value: defaultDeviceName(), autocomplete: 'off', required: true }),
      h('button', { type: 'submit', id: 'add-account' }, 'Add account')),
    h('p', { class: 'status', id: 'activate-status', role: 'status' }),
  );
}

async function addAccount(code) {
  const button = document.getElementById('add-account');
  button.disabled = true;
  status('activate-status', 'Adding your account…');
  try {
    const key = await generateDeviceKey();
    const name = document.getElementById('device-name').value.trim() || defaultDeviceName();
    const response = await api.activate({ code, deviceName: name, appVersion: `web/${VERSION}`, deviceKey: key.publicKey, platform: 'web' });
    const acc = {
      deviceId: response.deviceId, userId: response.userId, userPrincipalName: response.userPrincipalName,
      displayName: response.displayName, deviceName: name, privateKey: key.privateKey, publicKey: key.publicKey,
      totpSecret: response.totpSecret || null, passkeyOptions: response.approvalPasskey || null, rpId: response.approvalPasskey?.rpId || location.hostname,
      passkeyId: null, confirmed: false, phoneSignIn: false, addedAt: new Date().toISOString(),
    };
    await save(acc);
    connect(acc);
    history.replaceState(null, '', `#setup=${encodeURIComponent(acc.deviceId)}`); // the code leaves the address bar
    renderSetup(acc.deviceId);
  } catch (error) {
    button.disabled = false;
    const words = error.status === 401 || error.status === 404 || error.status === 410
      ? 'This code was already used or has expired. On the computer, choose “Add sign-in method: Authenticator app” again for a new QR code.'
      : error.message;
    status('activate-status', words, 'error');
  }
}

function renderSetup(deviceId) {
  const acc = account(deviceId);
  if (!acc) return renderAccounts();
  if (acc.passkeyId) return renderSetupDone(acc);
  state.screen = 'setup';
  const usable = passkey.available();
  show(
    h('header', { class: 'bar' }, h('a', { href: '#', class: 'back', id: 'back' }, 'Accounts')),
    h('h1', { id: 'heading' }, 'Protect your approvals'),
    h('p', { class: 'who', id: 'setup-account' }, `${acc.displayName} · ${acc.userPrincipalName}`),
    h('p', {}, 'Approving a sign-in will need this phone’s fingerprint, face or screen lock. Your phone keeps it; Tandem never sees it.'),
    usable
      ? h('button', { type: 'button', id: 'create-passkey', onclick: () => createPasskey(acc) }, 'Set up fingerprint or face')
      : h('p', { class: 'status error', id: 'setup-status' }, 'This browser cannot use a fingerprint, face or screen lock for sign-in (WebAuthn). Open the link in Safari or Chrome.'),
    usable ? h('p', { class: 'status', id: 'setup-status', role: 'status' }) : null,
  );
}

async function createPasskey(acc) {
  const button = document.getElementById('create-passkey');
  if (!acc.passkeyOptions) {
    status('setup-status', 'The server did not offer a passkey for approvals; this server needs an update for the web authenticator.', 'error');
    return;
  }
  button.disabled = true;
  status('setup-status', 'Follow your phone’s prompt…');
  try {
    const credential = await passkey.create(acc.passkeyOptions);
    await api.registerApprovalPasskey(acc, credential);
    acc.passkeyId = credential.credentialId;
    delete acc.passkeyOptions;
    await save(acc);
    renderSetupDone(acc);
  } catch (error) {
    button.disabled = false;
    let words;
    if (error instanceof api.APIError) {
      words = error.status === 401
        ? 'The set-up took too long or was refused. Remove this account and scan a new QR code.'
        : error.message;
    } else if (error?.name === 'NotAllowedError') {
      words = 'Your phone did not confirm it is you (fingerprint, face or screen lock), so approvals are not protected yet. Try again.';
    } else {
      words = 'This phone could not create a passkey for approvals. Try again, or use another browser.';
    }
    status('setup-status', words, 'error');
  }
}

function renderSetupDone(acc) {
  state.screen = 'setup-done';
  const waiting = [...state.offers.values()].find(({ account: a, offer }) => a.deviceId === acc.deviceId && offer.kind === 'registration');
  if (waiting && !acc.confirmed) {
    location.hash = `#request=${encodeURIComponent(waiting.offer.id)}`;
    return;
  }
  show(
    h('header', { class: 'bar' }, h('a', { href: '#', class: 'back', id: 'back' }, 'Accounts')),
    h('h1', { id: 'heading' }, acc.confirmed ? 'You’re all set' : 'Almost done'),
    h('p', { id: 'setup-done' }, acc.confirmed
      ? 'This phone now approves your sign-ins.'
      : 'Your computer shows a number. The request to confirm it opens here in a moment.'),
    h('a', { href: '#', class: 'button secondary', id: 'done' }, 'Done'),
  );
}

// ---------------------------------------------------------------- one request

const place = (context) => [context.location, context.ipAddress].filter(Boolean).join(' · ');

function renderRequest(id) {
  const entry = state.offers.get(id);
  if (!entry) {
    state.screen = 'request-missing';
    const answered = state.answered.get(id);
    if (answered) return showVerdict(id, answered);
    show(
      h('header', { class: 'bar' }, h('a', { href: '#', class: 'back', id: 'back' }, 'Accounts')),
      h('h1', { id: 'heading' }, 'Sign-in request'),
      h('p', { id: 'request-missing' }, state.accounts.length
        ? 'Looking for the request… If nothing appears, it was answered, withdrawn or has expired.'
        : 'There is no account on this phone yet.'),
    );
    return;
  }
  state.screen = `request:${id}`;
  state.seen.add(id);
  const { account: acc, offer } = entry;
  const rows = [
    ['Account', `${offer.displayName} (${offer.userPrincipalName})`, 'request-account'],
    ['Application', offer.context.application, 'request-application'],
    ['Where from', place(offer.context) || 'unknown', 'request-place'],
    offer.context.browser ? ['Browser', offer.context.browser, 'request-browser'] : null,
    offer.context.bindingMessage ? ['The application shows', offer.context.bindingMessage, 'request-binding'] : null,
  ].filter(Boolean);
  const locked = !acc.passkeyId;
  const number = offer.choices
    ? h('fieldset', { class: 'choices', id: 'choices' },
      h('legend', {}, 'Tap the number shown where you are signing in'),
      ...offer.choices.map((choice, i) => h('button', {
        type: 'button', class: 'choice', id: `choice-${i + 1}`, disabled: locked, onclick: () => approve(acc, offer, choice),
      }, choice)))
    : h('form', { id: 'approve-form', onsubmit: (event) => { event.preventDefault(); approve(acc, offer, document.getElementById('number').value.trim()); } },
      h('label', { for: 'number' }, 'Enter the number shown to sign in'),
      h('input', {
        id: 'number', name: 'number', inputmode: 'numeric', pattern: '[0-9]*', maxlength: 8, autocomplete: 'off', required: true, disabled: locked,
        oninput: (event) => prepare(acc, offer, event.target.value.trim()),
      }),
      h('button', { type: 'submit', id: 'approve', disabled: locked }, offer.kind === 'registration' ? 'Confirm' : 'Approve'));
  show(
    h('header', { class: 'bar' }, h('a', { href: '#', class: 'back', id: 'back' }, 'Accounts')),
    h('h1', { id: 'heading' }, kindTitle(offer.kind)),
    h('dl', { class: 'details', id: 'request-details' }, ...rows.flatMap(([label, value, rowId]) => [h('dt', {}, label), h('dd', { id: rowId }, value)]),
      h('dt', {}, 'Time left'), h('dd', { id: 'time-left', 'data-expires': offer.expiresAt }, '')),
    locked ? h('p', { class: 'status error', id: 'needs-passkey' }, 'Finish setting up fingerprint or face for this account before you approve. ',
      h('a', { href: `#setup=${encodeURIComponent(acc.deviceId)}` }, 'Set it up')) : null,
    number,
    h('p', { class: 'status', id: 'request-status', role: 'status', 'aria-live': 'polite' }),
    h('div', { class: 'actions', id: 'request-actions' },
      h('button', { type: 'button', class: 'secondary', id: 'deny', onclick: () => refuse(acc, offer, 'deny') }, 'Deny'),
      offer.kind === 'registration' ? null
        : h('button', { type: 'button', class: 'danger', id: 'report', onclick: () => refuse(acc, offer, 'report') }, 'No, it’s not me')),
    offer.kind === 'registration' ? null
      : h('p', { class: 'hint' }, '“No, it’s not me” tells your administrator and stops further requests for a while.'),
  );
  tick();
}

/// The answer's bytes and the WebAuthn challenge over them, made while the number is typed, so
/// the Approve tap calls WebAuthn at once (some browsers only allow it straight from a tap).
const prepared = { key: null, bytes: null, challenge: null };

async function prepare(acc, offer, number) {
  const bytes = signed.answer({ challengeID: offer.id, nonce: offer.nonce, deviceID: acc.deviceId, decision: 'approve', number });
  const key = `${offer.id}|${number}`;
  if (!bytes) return null;
  if (prepared.key === key && prepared.challenge) return prepared;
  const challenge = await passkey.challengeFor(bytes);
  Object.assign(prepared, { key, bytes, challenge });
  return prepared;
}

function setBusy(busy) {
  document.querySelectorAll('#request-actions button, #choices button, #approve, #number').forEach((b) => { b.disabled = busy; });
}

async function approve(acc, offer, number) {
  const key = `${offer.id}|${number}`;
  let ready = prepared.key === key ? prepared : null;
  if (!/^[0-9]{1,8}$/.test(number)) {
    status('request-status', 'Type the number shown where you are signing in.', 'error');
    return;
  }
  setBusy(true);
  status('request-status', 'Confirm with your fingerprint, face or screen lock…');
  try {
    ready ||= await prepare(acc, offer, number);
    const assertion = await passkey.assert(acc, ready.challenge);
    const signature = await sign(acc.privateKey, ready.bytes);
    const verdict = await api.answer(offer.id, { deviceId: acc.deviceId, decision: 'approve', number, signature, assertion });
    await finish(acc, offer, verdict);
  } catch (error) {
    failed(offer, error);
  }
}

async function refuse(acc, offer, decision) {
  setBusy(true);
  try {
    const bytes = signed.answer({ challengeID: offer.id, nonce: offer.nonce, deviceID: acc.deviceId, decision });
    const signature = await sign(acc.privateKey, bytes);
    const verdict = await api.answer(offer.id, { deviceId: acc.deviceId, decision, signature });
    await finish(acc, offer, verdict);
  } catch (error) {
    failed(offer, error);
  }
}

async function finish(acc, offer, verdict) {
  state.offers.delete(offer.id);
  if (verdict.state === 'approved' && offer.kind === 'registration') {
    acc.confirmed = true;
    await save(acc);
  }
  const words = verdictWords(offer, verdict);
  state.answered.set(offer.id, words);
  showVerdict(offer.id, words);
}

function verdictWords(offer, verdict) {
  if (verdict.state === 'approved') {
    return offer.kind === 'registration'
      ? { heading: 'You’re all set', message: 'Your account is confirmed. From now on, approve sign-ins here.', kind: 'approved' }
      : { heading: 'Approved', message: 'You can go back to where you are signing in.', kind: 'approved' };
  }
  if (verdict.state === 'reported') {
    return { heading: 'Reported', message: 'Thanks. The sign-in was stopped and your administrator was told. Further requests are paused for a while.', kind: 'denied' };
  }
  if (verdict.reason === 'wrongNumber') {
    return { heading: 'Denied', message: 'The number did not match, so the sign-in was denied. Try signing in again.', kind: 'denied' };
  }
  return { heading: 'Denied', message: 'You denied the sign-in.', kind: 'denied' };
}

function showVerdict(id, words) {
  state.screen = `verdict:${id}`;
  show(
    h('header', { class: 'bar' }, h('a', { href: '#', class: 'back', id: 'back' }, 'Accounts')),
    h('h1', { id: 'heading', class: words.kind }, words.heading),
    h('p', { id: 'result-message' }, words.message),
    h('a', { href: '#', class: 'button secondary', id: 'done' }, 'Done'),
  );
}

function failed(offer, error) {
  setBusy(false);
  let words;
  if (error instanceof api.APIError) {
    switch (error.status) {
      case 401: words = error.code === 'counterRegression'
        ? 'The server refused this approval because the passkey’s counter went backwards (a copied or replayed approval). Nothing was approved; tell your administrator.'
        : 'The server did not accept the approval: your phone did not confirm it was you, or the confirmation was not for this request. Nothing was approved.'; break;
      case 403: words = error.message || 'This account cannot approve yet.'; break;
      case 404: case 409: words = 'This request was already answered or withdrawn.'; break;
      case 410: words = 'This request expired. Sign in again to get a new one.'; break;
      default: words = error.message;
    }
  } else if (error?.name === 'NotAllowedError' || error?.name === 'AbortError') {
    words = 'Your phone did not confirm it was you (fingerprint, face or screen lock), so nothing was approved. Try again, or deny the request.';
  } else {
    words = 'Something went wrong on this phone. Try again.';
  }
  status('request-status', words, 'error');
}

// ---------------------------------------------------------------- one account

function renderAccount(deviceId) {
  const acc = account(deviceId);
  if (!acc) return renderAccounts();
  state.screen = `account:${deviceId}`;
  show(
    h('header', { class: 'bar' }, h('a', { href: '#', class: 'back', id: 'back' }, 'Accounts')),
    h('h1', { id: 'heading' }, acc.displayName),
    h('p', { class: 'who', id: 'account-upn' }, acc.userPrincipalName),
    h('dl', { class: 'details' },
      h('dt', {}, 'This phone'), h('dd', { id: 'account-device' }, acc.deviceName),
      h('dt', {}, 'State'), h('dd', { id: 'account-state' }, accountStatus(acc))),
    codeBlock(acc, 'account'),
    h('section', { class: 'panel', id: 'phone-sign-in' },
      h('h2', {}, 'Phone sign-in'),
      h('p', { id: 'phone-sign-in-state' }, acc.phoneSignIn
        ? 'On: you can sign in with no password. Approve the request here and confirm with your fingerprint or face.'
        : 'Off. Turn it on to sign in with no password: approve the request here and confirm with your fingerprint or face.'),
      acc.phoneSignIn
        ? h('button', { type: 'button', class: 'secondary', id: 'disable-phone-sign-in', onclick: () => disablePhoneSignIn(acc) }, 'Turn off phone sign-in')
        : h('button', { type: 'button', id: 'enable-phone-sign-in', disabled: !acc.confirmed, onclick: () => startPhoneSignIn(acc) }, 'Enable phone sign-in'),
      acc.confirmed ? null : h('p', { class: 'hint' }, 'Confirm the account first.'),
      h('p', { class: 'status', id: 'phone-sign-in-status', role: 'status' })),
    h('section', { class: 'panel', id: 'remove' },
      h('h2', {}, 'Remove'),
      h('button', { type: 'button', class: 'danger', id: 'remove-account', onclick: () => confirmRemove(acc) }, 'Remove account from this phone')),
  );
  tick();
}

async function startPhoneSignIn(acc) {
  const button = document.getElementById('enable-phone-sign-in');
  button.disabled = true;
  try {
    const { nonce } = await api.keyChangeNonce(acc);
    const bytes = signed.keyChange({ deviceID: acc.deviceId, nonce, change: 'phoneSignIn', publicKey: acc.publicKey });
    const challenge = await passkey.challengeFor(bytes);
    // Two taps: the nonce came over the network, and WebAuthn wants a fresh tap in some browsers.
    button.replaceWith(h('button', {
      type: 'button', id: 'confirm-phone-sign-in', onclick: () => confirmPhoneSignIn(acc, nonce, challenge),
    }, 'Confirm with fingerprint or face'));
    status('phone-sign-in-status', 'Confirm that it is you to turn on phone sign-in.');
  } catch (error) {
    button.disabled = false;
    status('phone-sign-in-status', error.message, 'error');
  }
}

async function confirmPhoneSignIn(acc, nonce, challenge) {
  const button = document.getElementById('confirm-phone-sign-in');
  button.disabled = true;
  try {
    const assertion = await passkey.assert(acc, challenge);
    await api.enablePhoneSignIn(acc, { nonce, assertion });
    acc.phoneSignIn = true;
    await save(acc);
    renderAccount(acc.deviceId);
    status('phone-sign-in-status', 'Phone sign-in is on.', 'ok');
  } catch (error) {
    let words = error.message;
    if (error?.name === 'NotAllowedError') words = 'Your phone did not confirm it was you, so phone sign-in stays off.';
    else if (error instanceof api.APIError && error.status === 401) words = 'The server did not accept the confirmation; phone sign-in stays off. Try again.';
    renderAccount(acc.deviceId);
    status('phone-sign-in-status', words, 'error');
  }
}

async function disablePhoneSignIn(acc) {
  try {
    await api.disablePhoneSignIn(acc);
    acc.phoneSignIn = false;
    await save(acc);
    renderAccount(acc.deviceId);
    status('phone-sign-in-status', 'Phone sign-in is off.', 'ok');
  } catch (error) {
    status('phone-sign-in-status', error.message, 'error');
  }
}

function confirmRemove(acc) {
  const section = document.getElementById('remove');
  section.replaceChildren(
    h('h2', {}, 'Remove'),
    h('p', { id: 'remove-warning' }, 'This phone forgets the account and its keys; this cannot be undone. Your account still lists this phone until you delete it in Security info.'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'danger', id: 'confirm-remove', onclick: () => removeAccount(acc) }, 'Remove'),
      h('button', { type: 'button', class: 'secondary', id: 'cancel-remove', onclick: () => renderAccount(acc.deviceId) }, 'Keep')),
  );
}

async function removeAccount(acc) {
  if (state.pushOn) await api.deletePushSubscription(acc).catch(() => {});
  state.channels.get(acc.deviceId)?.close();
  state.channels.delete(acc.deviceId);
  for (const [id, entry] of state.offers) if (entry.account.deviceId === acc.deviceId) state.offers.delete(id);
  await store.remove(acc.deviceId);
  state.accounts = state.accounts.filter((a) => a.deviceId !== acc.deviceId);
  const securityInfo = new URL('mysecurityinfo', api.serverBase).href;
  state.flash = [`${acc.userPrincipalName} was removed from this phone. Also delete this phone in `,
    h('a', { href: securityInfo, id: 'security-info-link' }, 'Security info'), ' so it can no longer be used for your account.'];
  history.replaceState(null, '', location.pathname);
  renderAccounts();
}

// ---------------------------------------------------------------- every second

const codes = new Map(); // device id → { step, code }

async function tick() {
  const now = api.serverNow();
  for (const element of document.querySelectorAll('[data-expires]')) {
    const left = Date.parse(element.dataset.expires) / 1000 - now;
    element.textContent = left > 0 ? minutesSeconds(left) : 'expired';
    if (left <= 0 && state.screen?.startsWith('request:') && !element.dataset.done) {
      element.dataset.done = '1';
      status('request-status', 'This request expired. Sign in again to get a new one.', 'error');
      setBusy(true);
    }
  }
  for (const element of document.querySelectorAll('[data-totp]')) {
    const acc = account(element.dataset.totp);
    if (!acc?.totpSecret) continue;
    const step = Math.floor(now / 30);
    let entry = codes.get(acc.deviceId);
    if (!entry || entry.step !== step) {
      entry = { step, code: await totp(acc.totpSecret, now) };
      codes.set(acc.deviceId, entry);
    }
    element.textContent = `${entry.code.slice(0, 3)} ${entry.code.slice(3)}`;
    element.dataset.code = entry.code;
    const seconds = element.parentElement.querySelector('[data-totp-seconds]');
    if (seconds) seconds.textContent = `${secondsLeft(now)} s`;
  }
}

start();
