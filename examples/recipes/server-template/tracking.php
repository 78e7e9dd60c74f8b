<?php
// The shop's order or cart as the SDK's cart() and order() take it (docs/sdk.md), and the
// JSON escaping that keeps it inside its <script>. Money goes as strings with a dot
// decimal, so 19.9 is sent as exactly "19.90".

function emarsys_amount($n) {
  return $n === null ? null : number_format((float) $n, 2, '.', '');
}

function emarsys_details(array $source): array {
  return [
    'items' => array_map(fn ($line) => [
      'sku'      => (string) $line['sku'],
      'name'     => $line['name'],
      'category' => $line['category'],
      'price'    => emarsys_amount($line['unit_price']),
      'quantity' => (int) $line['quantity'],
    ], $source['lines']),
    'total'    => emarsys_amount($source['total']),
    'tax'      => emarsys_amount($source['tax'] ?? null),
    'shipping' => emarsys_amount($source['shipping'] ?? null),
    'currency' => $source['currency'] ?? null,
    'email'    => $source['email'] ?? null,
    'city'     => $source['city'] ?? null,
    'country'  => $source['country'] ?? null,
  ];
}

/** For the Order Confirmation page. */
function emarsys_cart_for_tracking(array $checkout): array {
  return ['cartId' => (string) $checkout['id']] + emarsys_details($checkout);
}

/** For the Thank You page. */
function emarsys_order_for_tracking(array $order): array {
  return ['orderId' => (string) $order['number']] + emarsys_details($order);
}

/** JSON for an inline <script>: < > & ' " become \u escapes, so no name can end the script. */
function emarsys_json_for_script($value): string {
  return json_encode($value, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
}
