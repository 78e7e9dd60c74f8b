<?php
// Thank You page (PHP). $order is your shop's order (see tracking.php for the fields read).
require_once __DIR__ . '/tracking.php';
?>
<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Thank you for your order</title>
  <?php include __DIR__ . '/partials/emarsys-track.html'; ?>
</head>
<body>
  <h1>Thank you for your order!</h1>
  <p>Your order number is <strong><?= htmlspecialchars($order['number'], ENT_QUOTES) ?></strong>.</p>

  <script>emarsysTrack.order(<?= emarsys_json_for_script(emarsys_order_for_tracking($order)) ?>);</script>
</body>
</html>
