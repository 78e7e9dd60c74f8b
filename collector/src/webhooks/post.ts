// One delivery attempt: a POST over node:http(s) whose socket can only connect to the addresses
// just checked (destination.ts), with no redirect followed and one deadline for the DNS answer,
// the connection and the receiver's status line. The outcome is what a receiver's operator
// needs to know, nothing of the collector's network (no errno texts, no response bodies).
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { PrivateAddressError, pinnedLookup, resolveDestination, type DestinationPolicy, type ResolvedAddress } from './destination.js';

/** Rejects once `signal` aborts, so a slow DNS answer counts against the deadline too. */
function beforeAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

function post(url: URL, addresses: ResolvedAddress[], headers: OutgoingHttpHeaders, body: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, lookup: pinnedLookup(addresses), agent: false, signal },
      (res) => {
        resolve(res.statusCode ?? 0);
        // the status is the answer; a body (however large) is not read
        res.destroy();
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Null when the receiver answered 2xx, else `HTTP <status>`, `refused: private address`, `timed out` or `unreachable`. */
export async function postWebhook(url: string, headers: OutgoingHttpHeaders, body: string, policy: DestinationPolicy, timeoutMs: number): Promise<string | null> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const target = new URL(url);
    const addresses = await beforeAbort(resolveDestination(target, policy), signal);
    const status = await post(target, addresses, headers, body, signal);
    return status >= 200 && status < 300 ? null : `HTTP ${status}`;
  } catch (err) {
    if (err instanceof PrivateAddressError) return 'refused: private address';
    return signal.aborted ? 'timed out' : 'unreachable';
  }
}
