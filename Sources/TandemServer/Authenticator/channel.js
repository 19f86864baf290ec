// The live channel (docs/push-protocol.md, "The push channel"): a WebSocket per account,
// hello → auth (device key over the connect bytes) → ready, then request / withdrawn / notice
// messages. It reconnects with backoff while the app is open; unknown message types are ignored.
import { serverBase } from './api.js';
import { sign } from './device-key.js';
import * as signed from './signed-bytes.js';

export class Channel {
  constructor(account, handlers) {
    this.account = account;
    this.handlers = handlers;
    this.socket = null;
    this.delay = 1000;
    this.closed = false;
    this.state = 'connecting';
  }

  open() {
    if (this.closed) return;
    const url = new URL('device/v1/connect', serverBase);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    this.setState('connecting');
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = () => {
      if (this.socket === socket) this.socket = null;
      this.setState('offline');
      this.retry();
    };
  }

  async receive(text) {
    let message;
    try { message = JSON.parse(text); } catch { return; }
    switch (message.type) {
      case 'hello': {
        const bytes = signed.connect({ deviceID: this.account.deviceId, nonce: message.nonce });
        if (!bytes) return;
        const signature = await sign(this.account.privateKey, bytes);
        this.socket?.send(JSON.stringify({ type: 'auth', deviceId: this.account.deviceId, signature }));
        break;
      }
      case 'ready':
        this.delay = 1000;
        this.setState('connected');
        break;
      case 'request':
        if (message.request) this.handlers.request(this.account, message.request);
        break;
      case 'withdrawn':
        this.handlers.withdrawn(this.account, message.challengeId, message.reason);
        break;
      case 'notice':
        if (message.notice) this.handlers.notice(this.account, message.notice);
        break;
      case 'error':
        this.setState('refused');
        break;
      default:
        break; // a later version's message
    }
  }

  setState(state) {
    this.state = state;
    this.handlers.state(this.account, state);
  }

  retry() {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), this.delay);
    this.delay = Math.min(this.delay * 2, 30000);
  }

  /// Connect again now (the app came back to the foreground).
  wake() {
    if (this.closed) return;
    if (!this.socket) {
      this.delay = 1000;
      clearTimeout(this.timer);
      this.open();
    }
  }

  close() {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.close();
  }
}
