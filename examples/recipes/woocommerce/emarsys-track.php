<?php
/**
 * Plugin Name: emarsys-track for WooCommerce
 * Description: The SDK's script tag on every page, the order on the Thank You page, and the email link's campaign kept with each order for the server-side fallback (webhook.mjs).
 *
 * Drop this file into wp-content/mu-plugins/ (or wp-content/plugins/ and activate it), and set
 * the two constants below (or define them in wp-config.php).
 */

defined('ABSPATH') || exit;

defined('EMARSYS_TRACK_CUSTOMER_ID') || define('EMARSYS_TRACK_CUSTOMER_ID', '112734771');
defined('EMARSYS_TRACK_ENDPOINT') || define('EMARSYS_TRACK_ENDPOINT', 'https://collector.example.com');

/** JSON for an inline <script>: < > & ' " become \u escapes, so no product name can end the script. */
function emarsys_track_json($value): string {
  return wp_json_encode($value, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT | JSON_UNESCAPED_UNICODE);
}

/** WooCommerce stores amounts as decimal strings; sent as they are, with a dot and no thousands separator. */
function emarsys_track_amount($n): string {
  return wc_format_decimal($n, wc_get_price_decimals());
}

// The stub and the script tag, in the <head> of every page (the landing page of an email link
// above all: that is where the campaign is read).
add_action('wp_head', function () {
  ?>
<script>!function(t){t=window.emarsysTrack=window.emarsysTrack||{q:[]};"init cart order consent flush".split(" ").forEach(function(m){t[m]=t[m]||function(){var a=arguments;return new Promise(function(y,n){t.q.push([m,a,y,n])})}})}()</script>
<script async src="<?php echo esc_url(EMARSYS_TRACK_ENDPOINT . '/js/emarsys-track.min.js'); ?>"
        data-customer-id="<?php echo esc_attr(EMARSYS_TRACK_CUSTOMER_ID); ?>" data-endpoint="<?php echo esc_url(EMARSYS_TRACK_ENDPOINT); ?>"></script>
  <?php
}, 1);

// The order as the SDK's order() takes it.
function emarsys_track_order(WC_Order $order): array {
  $items = [];
  foreach ($order->get_items() as $line) {
    /** @var WC_Order_Item_Product $line */
    $product = $line->get_product();
    $quantity = max(1, (int) $line->get_quantity());
    $categories = $product ? wc_get_product_category_list($product->get_id(), ', ') : '';
    $items[] = [
      'sku'      => $product && $product->get_sku() !== '' ? $product->get_sku() : (string) $line->get_product_id(),
      'name'     => $line->get_name(),
      'category' => $categories !== '' ? wp_strip_all_tags($categories) : null,
      // The unit price the shopper paid (after discounts, before tax), not the line total, to
      // 4 decimals as the webhook service sends it (webhook.mjs): a line of 3 for 100.00 is
      // 33.3333 from both (at an exact tie in the fifth decimal PHP and JavaScript may round
      // apart by 0.0001; the backend's copy, the webhook's, is the one the collector keeps).
      'price'    => wc_format_decimal($order->get_item_total($line, false, false), 4),
      'quantity' => $quantity,
    ];
  }
  return array_filter([
    'orderId'  => (string) $order->get_order_number(),
    'total'    => emarsys_track_amount($order->get_total()),
    'tax'      => emarsys_track_amount($order->get_total_tax()),
    'shipping' => emarsys_track_amount($order->get_shipping_total()),
    'currency' => $order->get_currency(),
    'email'    => $order->get_billing_email() ?: null,
    'city'     => $order->get_billing_city() ?: null,
    'country'  => $order->get_billing_country() ?: null,
    'items'    => $items,
  ], fn ($v) => $v !== null);
}

// The Thank You page ("Order received"). A reload sends nothing twice: the SDK resolves
// 'duplicate', and the collector stores an order once per order ID.
add_action('woocommerce_thankyou', function ($order_id) {
  $order = $order_id ? wc_get_order($order_id) : null;
  if (!$order || $order->has_status('failed')) return;
  echo '<script>emarsysTrack.order(' . emarsys_track_json(emarsys_track_order($order)) . ');</script>';
});

// The campaign the SDK kept (the _et_cmp cookie), and its cart and visitor IDs (_et_cart,
// _et_vid), stored with the order when it is placed, so that the server-side fallback
// (webhook.mjs) can attribute an order whose buyer never saw the Thank You page, and close
// that buyer's cart (no abandoned-cart email to someone who bought). The webhook's payload
// carries them in meta_data as _emarsys_emst, _emarsys_cart and _emarsys_visitor.
function emarsys_track_keep_campaign(WC_Order $order) {
  foreach (['_et_cart' => '_emarsys_cart', '_et_vid' => '_emarsys_visitor'] as $cookie => $meta) {
    $id = json_decode(wp_unslash($_COOKIE[$cookie] ?? ''), true);
    if (is_string($id) && $id !== '' && strlen($id) <= 128) $order->update_meta_data($meta, sanitize_text_field($id));
  }
  $order->save();
  $kept = json_decode(wp_unslash($_COOKIE['_et_cmp'] ?? ''), true);
  if (!is_array($kept)) return;
  $emst = $kept['emst'] ?? null;
  // Our own links carry emst; links with only sc_src=email_<campaign>&sc_uid=<contact> are read the same way.
  if (!$emst && preg_match('/^email_([^.]+)$/', $kept['sc_src'] ?? '', $m) && !empty($kept['sc_uid'])) $emst = $m[1] . '.' . $kept['sc_uid'];
  if (is_string($emst) && $emst !== '' && strlen($emst) <= 512) {
    $order->update_meta_data('_emarsys_emst', sanitize_text_field($emst));
    $order->save();
  }
}
// The classic checkout, and the block checkout (the default since WooCommerce 8.3).
add_action('woocommerce_checkout_order_created', 'emarsys_track_keep_campaign');
add_action('woocommerce_store_api_checkout_order_processed', 'emarsys_track_keep_campaign');
