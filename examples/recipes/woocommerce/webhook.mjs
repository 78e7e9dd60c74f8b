// The server-side fallback for WooCommerce: some payment gateways (PayPal Standard, bank
// redirects) never bring the buyer back to the Thank You page, so the browser never sends the
// order. WooCommerce's own webhooks (WooCommerce → Settings → Advanced → Webhooks, topic
// "Order updated") post every order here; a paid order goes to the collector through
// trackPurchase (docs/server-helpers.md). An order the Thank You page did send is stored once
// anyway: the collector keeps one order per order ID.
//
//   EMARSYS_TRACK_ENDPOINT=https://collector.example.com EMARSYS_TRACK_CUSTOMER_ID=112734771 \
//   EMARSYS_TRACK_TOKEN=… WOOCOMMERCE_WEBHOOK_SECRET=… node webhook.mjs
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { trackPurchase } from 'emarsys-track/server';

/** Statuses of a paid order (WooCommerce's `processing` and `completed`). */
const PAID = new Set(['processing', 'completed']);

/** WooCommerce signs the raw body: base64 of its HMAC-SHA256 with the webhook's secret. */
export function verifySignature(rawBody, signature, secret) {
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(String(signature ?? ''), 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * A WooCommerce order (the REST API's shape, as the webhook posts it) as trackPurchase's
 * purchase; null for an order that is not paid yet or has no email.
 */
export function purchaseFromOrder(order) {
  if (!PAID.has(order.status) || !order.billing?.email) return null;
  const meta = (key) => order.meta_data?.find((m) => m.key === key)?.value;
  const [emst, cartId, visitor] = [meta('_emarsys_emst'), meta('_emarsys_cart'), meta('_emarsys_visitor')];
  const paid = Date.parse(order.date_paid_gmt ? `${order.date_paid_gmt}Z` : '');
  return {
    email: order.billing.email,
    // The number the buyer sees; the Thank You page sends the same (get_order_number()).
    orderId: String(order.number ?? order.id),
    total: order.total,
    currency: order.currency,
    items: (order.line_items ?? []).map((line) => ({
      sku: line.sku || String(line.product_id),
      name: line.name,
      // `total` is the line after discounts, before tax; divided by the quantity it is the
      // unit price the Thank You page sends (get_item_total, unrounded, to 4 decimals there
      // too). toFixed: the collector keeps 4 decimals.
      price: (Number(line.total) / line.quantity).toFixed(4),
      quantity: line.quantity,
    })),
    ...(emst ? { emst } : {}),
    // the shopper's cart, closed by this order (never reported abandoned)
    ...(cartId ? { cartId } : {}),
    ...(visitor ? { visitor } : {}),
    ...(Number.isFinite(paid) ? { time: paid } : {}),
  };
}

/** The webhook's HTTP handler: 200 once the collector has the order (or it is not one to send). */
export function webhookHandler({ endpoint, customerId, token, secret, fetch }) {
  return (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks);
      const answer = (status, message) => {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(message);
      };
      // WooCommerce's ping when a webhook is saved: `webhook_id=…`, unsigned.
      if (!req.headers['x-wc-webhook-signature']) return answer(200, 'ping');
      if (!verifySignature(raw, req.headers['x-wc-webhook-signature'], secret)) return answer(401, 'x-wc-webhook-signature: does not match the secret');
      let purchase;
      try {
        purchase = purchaseFromOrder(JSON.parse(raw.toString('utf8')));
      } catch {
        return answer(400, 'body: is not a WooCommerce order in JSON');
      }
      if (!purchase) return answer(200, 'not a paid order: skipped');
      try {
        const { status } = await trackPurchase({ endpoint, customerId, token, purchase, ...(fetch ? { fetch } : {}) });
        answer(200, `sent: ${status}`);
      } catch (e) {
        // WooCommerce retries a delivery that failed (5 times, then disables the webhook).
        answer(e.status && e.status < 500 ? 422 : 502, e.message);
      }
    });
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env = (name) => process.env[name] || (console.error(`${name} is required`), process.exit(2));
  const handler = webhookHandler({
    endpoint: env('EMARSYS_TRACK_ENDPOINT'),
    customerId: env('EMARSYS_TRACK_CUSTOMER_ID'),
    token: env('EMARSYS_TRACK_TOKEN'),
    secret: env('WOOCOMMERCE_WEBHOOK_SECRET'),
  });
  const port = Number(process.env.PORT || 8787);
  createServer(handler).listen(port, () => console.log(`WooCommerce webhook on :${port}`));
}
