// What the app keeps, in this browser's IndexedDB (database "tandem-authenticator", store
// "accounts", one record per device): the device id and the account's names, the non-extractable
// device key (a CryptoKey), the approval passkey's credential id, the TOTP secret when the server
// gave one, and whether phone sign-in is on. Nothing here is sent anywhere but this server.

const DATABASE = 'tandem-authenticator';
const STORE = 'accounts';

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'deviceId' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, action) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request ? request.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export const accounts = {
  all: () => run('readonly', (s) => s.getAll()),
  get: (deviceId) => run('readonly', (s) => s.get(deviceId)),
  put: (account) => run('readwrite', (s) => s.put(account)),
  remove: (deviceId) => run('readwrite', (s) => s.delete(deviceId)),
};
